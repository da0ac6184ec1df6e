//! Sentence segmentation that survives the genre's abbreviations ("Cllr.", "e.g.", "No.",
//! initials, "s.75"), quotes and brackets.

const ABBREVIATIONS: &[&str] = &[
    "cllr", "mr", "mrs", "ms", "dr", "prof", "rev", "st", "no", "nos", "e.g", "i.e", "eg", "ie", "etc", "vs", "approx",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "para", "fig", "ref", "cf",
    "inc", "ltd", "co", "dept", "govt", "est", "min", "max", "vol", "pp", "p", "s", "c",
];

/// Byte spans of the sentences in `text[start..end]`, trimmed, as absolute offsets.
pub fn sentences(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let slice = &text[start..end];
    let mut out = Vec::new();
    let mut sent_start = 0;
    let chars: Vec<(usize, char)> = slice.char_indices().collect();
    for (i, &(pos, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        // Absorb closing quotes and brackets after the stop.
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
}
