//! Sentence segmentation that survives the genre's abbreviations ("Cllr.", "e.g.", "No.",
//! initials, "s.75"), quotes and brackets.

const ABBREVIATIONS: &[&str] = &[
    "cllr", "mr", "mrs", "ms", "dr", "prof", "rev", "st", "no", "nos", "e.g", "i.e", "eg", "ie", "etc", "vs", "approx",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "para", "fig", "ref", "cf",
    "inc", "ltd", "co", "dept", "govt", "est", "min", "max", "vol", "pp", "p", "s", "c",
];

/// Byte spans of the sentences in `text[start..end]`, trimmed, as absolute offsets.
/// Only the stops are visited (no vector of the span's characters: this runs over every
/// paragraph of every document).
pub fn sentences(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let slice = &text[start..end];
    let mut out = Vec::new();
    let mut sent_start = 0;
    // The stops are ASCII, so a byte search finds them (a search by `char` decoded every
    // character of every paragraph).
    for pos in memchr::memchr3_iter(b'.', b'!', b'?', slice.as_bytes()) {
        let stop_char = &slice[pos..pos + 1];
        // Absorb closing quotes and brackets after the stop.
        let rest = slice[pos + 1..].trim_start_matches(['"', '\'', '\u{201d}', '\u{2019}', ')', ']']);
        if !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let stop = slice.len() - rest.len();
        let after = rest.trim_start();
        let Some(next) = after.chars().next() else { continue };
        let starts_new = next.is_uppercase() || next.is_ascii_digit() || matches!(next, '"' | '\u{201c}' | '\u{2018}' | '(' | '•' | '-');
        if !starts_new || (stop_char == "." && is_abbreviation(&slice[sent_start..pos])) {
            continue;
        }
        push_trimmed(&mut out, slice, sent_start, stop, start);
        sent_start = slice.len() - after.len();
    }
    push_trimmed(&mut out, slice, sent_start, slice.len(), start);
    out
}

fn push_trimmed(out: &mut Vec<(usize, usize)>, slice: &str, a: usize, b: usize, base: usize) {
    let piece = &slice[a..b];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if piece.trim().is_empty() {
        return;
    }
    out.push((base + a + lead, base + b - trail));
}

/// Whether the word before a full stop makes it an abbreviation, not a sentence end.
fn is_abbreviation(before: &str) -> bool {
    let word = before.rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
    let w = word.trim_start_matches(['"', '\'', '\u{201c}', '\u{2018}']).to_lowercase();
    if w.is_empty() {
        return false;
    }
    // Initials: "T." "J.R."
    let letters: Vec<char> = w.chars().filter(|c| *c != '.').collect();
    if letters.len() == 1 && letters[0].is_alphabetic() && word.starts_with(char::is_uppercase) {
        return true;
    }
    ABBREVIATIONS.contains(&w.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(t: &str) -> Vec<&str> {
        sentences(t, 0, t.len()).into_iter().map(|(a, b)| &t[a..b]).collect()
    }

    #[test]
    fn splits_on_sentence_ends_only() {
        assert_eq!(
            split("Cllr. Smith asked about No. 10 and e.g. Mr. T. Jones. The team was impressed. \u{201c}We are seen as the enemy.\u{201d} It ends"),
            ["Cllr. Smith asked about No. 10 and e.g. Mr. T. Jones.", "The team was impressed.", "\u{201c}We are seen as the enemy.\u{201d}", "It ends"]
        );
        assert_eq!(split("The s.75 has now been agreed. Next."), ["The s.75 has now been agreed.", "Next."]);
        assert_eq!(split("ends with 3.5 per cent and more. Fine"), ["ends with 3.5 per cent and more.", "Fine"]);
    }

    /// The splitter as it was before it visited only the stops: every character collected
    /// first, then walked by index. Kept to check the faster one splits the same.
    fn by_characters(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
        let slice = &text[start..end];
        let mut out = Vec::new();
        let mut sent_start = 0;
        let chars: Vec<(usize, char)> = slice.char_indices().collect();
        for (i, &(pos, c)) in chars.iter().enumerate() {
            if !matches!(c, '.' | '!' | '?') {
                continue;
            }
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j].1, '"' | '\'' | '\u{201d}' | '\u{2019}' | ')' | ']') {
                j += 1;
            }
            if j >= chars.len() || !chars[j].1.is_whitespace() {
                continue;
            }
            let mut k = j;
            while k < chars.len() && chars[k].1.is_whitespace() {
                k += 1;
            }
            let Some(&(_, next)) = chars.get(k) else { continue };
            let starts_new = next.is_uppercase() || next.is_ascii_digit() || matches!(next, '"' | '\u{201c}' | '\u{2018}' | '(' | '•' | '-');
            if !starts_new || (c == '.' && is_abbreviation(&slice[sent_start..pos])) {
                continue;
            }
            let stop = chars.get(j).map_or(slice.len(), |&(p, _)| p);
            push_trimmed(&mut out, slice, sent_start, stop, start);
            sent_start = chars[k].0;
        }
        push_trimmed(&mut out, slice, sent_start, slice.len(), start);
        out
    }

    #[test]
    fn visiting_only_the_stops_splits_as_walking_every_character() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/real/docs");
        let mut texts: Vec<String> = std::fs::read_dir(&dir).unwrap().flatten().filter_map(|e| std::fs::read_to_string(e.path()).ok()).collect();
        assert!(texts.len() >= 20, "the real documents are at {}", dir.display());
        texts.extend(
            ["", ".", "a. ", "Ends.\u{201d}  \u{2019}(Next) one! \"Two?\" three. 4 items.", "x.)\u{a0}\u{a0}Y", "Dr. No. e.g. Z", "é. É! ü? Ü", ". . . A"].map(String::from),
        );
        for t in &texts {
            let (a, b) = (t.len() / 7, t.len() - t.len() / 9);
            let (a, b) = ((0..=a).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0), (b..=t.len()).find(|&i| t.is_char_boundary(i)).unwrap_or(t.len()));
            assert_eq!(sentences(t, 0, t.len()), by_characters(t, 0, t.len()), "{:?}", t.get(..80));
            assert_eq!(sentences(t, a, b), by_characters(t, a, b));
        }
    }
}
