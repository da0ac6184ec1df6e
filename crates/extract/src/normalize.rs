//! Normalised text: the one text every format is turned into, and the text that finding
//! offsets point into (`peerscope extract --text`).
//!
//! One line per block: a heading, a list item or a paragraph. Lines broken by PDF wrapping
//! or by page breaks are joined; markup left in plain-text exports (`**bold**`), zero-width
//! and control characters are dropped; blank lines collapse to one.

/// Normalise `raw`. `wrapped` says the lines come from a layout (PDF) and may be broken
/// inside a paragraph.
pub fn normalize(raw: &str, wrapped: bool) -> String {
    let cleaned = clean(raw);
    let mut words = String::new();
    let lines: Vec<String> = cleaned
        .lines()
        .map(|l| {
            single_spaced(l, &mut words);
            strip_markdown_heading(strip_tag_fragment(&words)).to_string()
        })
        .map(|l| if is_page_stamp(&l) { String::new() } else { l })
        .collect();
    let typical = typical_width(lines.iter().map(String::as_str));
    let mut out: Vec<String> = Vec::new();
    let mut blank_before = false;
    for line in lines {
        if line.is_empty() {
            blank_before = true;
            continue;
        }
        let join = out.last().is_some_and(|prev| continues(prev, &line, blank_before, wrapped, typical));
        if join {
            if let Some(prev) = out.last_mut() {
                if prev.ends_with('-') && !prev.ends_with(" -") && line.starts_with(char::is_lowercase) {
                    prev.pop(); // a word hyphenated across lines
                } else {
                    prev.push(' ');
                }
                prev.push_str(&line);
            }
        } else {
            if blank_before && !out.is_empty() {
                out.push(String::new());
            }
            out.push(line);
        }
        blank_before = false;
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// Line ends as `\n` (CRLF and lone CR alike), Markdown's `**` dropped, odd spaces as
/// spaces, invisible and control characters dropped, a form feed as a line end: in one pass
/// over the characters (each of these was a pass and a copy of the whole text before).
/// Characters that set the direction of the text after them (U+202E "right-to-left
/// override" and its kin). No English document needs them, and a title holding one
/// reversed everything after it on a results page (regression: "0202 ,exe.png").
pub fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Most text is printable ASCII and line ends, kept as it is: copied a run at a time.
        let run = bytes[i..].iter().position(|&b| !is_plain(b)).map_or(bytes.len(), |p| i + p);
        out.push_str(&raw[i..run]);
        i = run;
        let Some(c) = raw[i..].chars().next() else { break };
        i += c.len_utf8();
        let c = match c {
            '\r' if bytes.get(i) == Some(&b'\n') => continue,
            '\r' => '\n',
            '*' if bytes.get(i) == Some(&b'*') => {
                i += 1;
                continue;
            }
            c => c,
        };
        match c {
            '\u{a0}' | '\t' | '\u{2007}' | '\u{202f}' => out.push(' '),
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{ad}' => {}
            c if is_direction_control(c) => {}
            '\u{0c}' => out.push('\n'),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// A byte `clean` keeps as it is: printable ASCII but `*`, and `\n`.
fn is_plain(b: u8) -> bool {
    b == b'\n' || (b' '..=b'~').contains(&b) && b != b'*'
}

/// `line`'s words separated by single spaces, into `out` (reused from line to line).
fn single_spaced(line: &str, out: &mut String) {
    out.clear();
    if is_single_spaced(line) {
        out.push_str(line);
        return;
    }
    for word in line.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Whether `line`'s words are already one space apart (most lines are): no space at
/// either end, no two together, no other whitespace (ASCII or Unicode's).
fn is_single_spaced(line: &str) -> bool {
    let b = line.as_bytes();
    let mut after_space = true; // a space first is one too many
    for (i, &c) in b.iter().enumerate() {
        let ok = match c {
            b' ' => !after_space,
            b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' => false,
            0x80.. => !is_unicode_space_at(&b[i..]),
            _ => true,
        };
        if !ok {
            return false;
        }
        after_space = c == b' ';
    }
    !after_space
}

/// Whether the bytes open with a non-ASCII White_Space character: U+0085, U+00A0, U+1680,
/// U+2000 to U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 (what `split_whitespace`
/// splits on beyond ASCII).
fn is_unicode_space_at(b: &[u8]) -> bool {
    matches!(
        b,
        [0xc2, 0x85 | 0xa0, ..] | [0xe1, 0x9a, 0x80, ..] | [0xe3, 0x80, 0x80, ..] | [0xe2, 0x80, 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf, ..] | [0xe2, 0x81, 0x9f, ..]
    )
}

/// A line that opens with the tail of a broken tag ("strong>Quality statements ...", left by
/// a careless HTML-to-text export) loses the fragment.
fn strip_tag_fragment(line: &str) -> &str {
    const TAGS: [&str; 8] = ["strong>", "b>", "em>", "i>", "span>", "p>", "u>", "/strong>"];
    for tag in TAGS {
        if let Some(rest) = line.strip_prefix(tag) {
            return rest;
        }
    }
    line
}

/// "Page 4", "4 of 12", "- 4 -", "Agenda Item 7": what a converted PDF leaves between its
/// pages, in the middle of a paragraph as often as not. The paragraph is joined across it.
fn is_page_stamp(line: &str) -> bool {
    static STAMP: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:page\s+\d{1,4}(?:\s+of\s+\d{1,4})?|\d{1,4}\s+of\s+\d{1,4}|[-–]\s*\d{1,4}\s*[-–]|agenda item\s+\d{1,3}[a-z]?)$").unwrap_or_else(|e| panic!("{e}"))
    });
    line.len() < 24 && STAMP.is_match(line)
}

/// "## Strengths" from a Markdown export is the heading "Strengths".
fn strip_markdown_heading(line: &str) -> &str {
    let hashes = line.len() - line.trim_start_matches('#').len();
    if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
        line[hashes..].trim_start()
    } else {
        line
    }
}

fn starts_with_month_and_year(line: &str) -> bool {
    const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    let mut words = line.split_whitespace();
    let (Some(month), Some(year)) = (words.next(), words.next()) else { return false };
    MONTHS.contains(&month) && year.len() == 4 && year.chars().all(|c| c.is_ascii_digit()) && line.split_whitespace().count() <= 4
}

/// Whether `next` continues the paragraph or item on `prev`.
fn continues(prev: &str, next: &str, blank_between: bool, wrapped: bool, typical: usize) -> bool {
    if prev.is_empty() || crate::structure::list_marker(next).is_some() {
        return false;
    }
    let ends_open = !prev.ends_with(['.', '!', '?', ':', ';', '"', '\u{201d}', '|']) && !prev.ends_with(":-");
    let starts_lower = next.starts_with(|c: char| c.is_lowercase()) || next.starts_with(['(', '&', ','])
        && !next.starts_with("o ");
    if ends_open && starts_lower {
        return true;
    }
    // A date broken by the layout: "Peer Challenge 2 - 4" / "November 2015".
    if wrapped && !blank_between && prev.ends_with(|c: char| c.is_ascii_digit()) && starts_with_month_and_year(next) {
        return true;
    }
    // A full-width line of a PDF paragraph continues on the next line.
    wrapped && !blank_between && ends_open && prev.chars().count() * 100 >= typical * 80
}

/// The width of a full line of body text: the 90th percentile of the lengths of lines of
/// more than 20 characters.
pub(crate) fn typical_width<'a>(lines: impl Iterator<Item = &'a str>) -> usize {
    let mut w: Vec<usize> = lines.map(|l| l.chars().count()).filter(|&n| n > 20).collect();
    if w.is_empty() {
        return usize::MAX / 200;
    }
    w.sort_unstable();
    w[(w.len() * 9 / 10).min(w.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The cleaning and spacing as they were written first, pass by pass: the one-pass
    /// version must give the same lines.
    fn lines_before(raw: &str) -> Vec<String> {
        let cleaned: String = raw
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .replace("**", "")
            .chars()
            .filter_map(|c| match c {
                '\u{a0}' | '\t' | '\u{2007}' | '\u{202f}' => Some(' '),
                '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{ad}' => None,
                c if is_direction_control(c) => None,
                '\u{0c}' => Some('\n'),
                c if c.is_control() && c != '\n' => None,
                c => Some(c),
            })
            .collect();
        cleaned.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect()
    }

    fn lines_now(raw: &str) -> Vec<String> {
        let mut words = String::new();
        clean(raw)
            .lines()
            .map(|l| {
                single_spaced(l, &mut words);
                words.clone()
            })
            .collect()
    }

    proptest! {
        #[test]
        fn one_pass_cleaning_is_the_passes_it_replaced(parts in proptest::collection::vec(prop_oneof![
            Just("\r".to_string()), Just("\n".to_string()), Just("\r\n".to_string()), Just("*".to_string()), Just("**".to_string()),
            Just("\u{a0}".to_string()), Just("\t".to_string()), Just("\u{200b}".to_string()), Just("\u{ad}".to_string()), Just("\u{0c}".to_string()),
            Just("\u{1}".to_string()), Just("\u{2028}".to_string()), Just("\u{3000}".to_string()), Just(" ".to_string()), Just("  ".to_string()),
            "[a-zA-Z#<>]{1,6}", any::<char>().prop_map(String::from),
        ], 0..40)) {
            let raw = parts.concat();
            prop_assert_eq!(lines_now(&raw), lines_before(&raw));
        }
    }

    proptest! {
        /// A line taken as single-spaced is what splitting it on whitespace and joining the
        /// words with one space gives; every White_Space character is tried.
        #[test]
        fn a_single_spaced_line_is_its_words_joined(s in "[a ’é\u{85}\u{a0}\u{1680}\u{2000}-\u{200b}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{2080}\u{e000}\t\u{b}\u{c}]{0,12}") {
            if is_single_spaced(&s) {
                prop_assert_eq!(s.split_whitespace().collect::<Vec<_>>().join(" "), s);
            }
        }
    }

    #[test]
    fn direction_controls_are_dropped() {
        let raw = "Torbay Council Peer Challenge 2020 \u{202e}gnp.exe\nThe \u{2067}team\u{2069} found\u{200f} it.";
        assert_eq!(normalize(raw, false), "Torbay Council Peer Challenge 2020 gnp.exe\nThe team found it.\n");
    }

    #[test]
    fn every_unicode_space_is_known() {
        for c in (0x80..=0x10ffff).filter_map(char::from_u32).filter(|c| c.is_whitespace()) {
            let mut buf = [0u8; 4];
            assert!(is_unicode_space_at(c.encode_utf8(&mut buf).as_bytes()), "{:x}", c as u32);
            assert!(!is_single_spaced(&format!("a{c}b")), "{:x}", c as u32);
        }
        assert!(is_single_spaced("a ’quoted’ word — and more"));
    }

    #[test]
    fn joins_wrapped_and_broken_paragraphs() {
        let t = normalize("It is a constructive process helping councils\n\nimprove. It is not an inspection.\n", false);
        assert_eq!(t, "It is a constructive process helping councils improve. It is not an inspection.\n");
        let pdf = "The performance on reviews remains concerning, the directorate\nshould consider setting a clear target for the year, and identify\nany gap in resources.\nStrengths\n";
        assert_eq!(normalize(pdf, true), "The performance on reviews remains concerning, the directorate should consider setting a clear target for the year, and identify any gap in resources.\nStrengths\n");
    }

    #[test]
    fn keeps_list_items_apart_and_drops_markup() {
        let t = normalize("Areas for **Consideration**\r\n\r\n\r\n- one thing\n- another\u{200b} thing\n", false);
        assert_eq!(t, "Areas for Consideration\n\n- one thing\n- another thing\n");
        assert_eq!(normalize("## Strengths\n#hashtag stays\n", false), "Strengths\n#hashtag stays\n");
        let paged = "A strong workforce who are proud to work in adult social\n\nPage 4 of 9\n\ncare and who know their area.\nAgenda Item 7\nNext.\n";
        assert_eq!(normalize(paged, false), "A strong workforce who are proud to work in adult social care and who know their area.\n\nNext.\n");
    }
}
