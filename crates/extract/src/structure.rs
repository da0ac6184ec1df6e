//! Document structure from normalised text: each line is a heading, a list item or a
//! paragraph, and headings tell what kind of findings the lines under them hold.

use crate::lexicon::SECTIONS;
use regex::Regex;
use std::sync::LazyLock;

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Heading,
    /// A bulleted or numbered item; `marker` is the bullet or the numbering style.
    Item { marker: char },
    Paragraph,
    /// A row of a table: cells separated by " | " (how HTML tables and text exports of
    /// them are written), or a "---|---" rule.
    TableRow,
}

/// One line of the normalised text. `start..end` is the content without its list marker.
#[derive(Debug, Clone)]
pub struct Block {
    pub kind: BlockKind,
    pub start: usize,
    pub end: usize,
}

/// What the section under a heading holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    Strengths,
    Development,
    /// "Areas for consideration and recommendations": a weakness unless the sentence advises.
    DevelopmentAndRecommendations,
    Recommendations,
    BestPractice,
    /// Summary, context, themes: each sentence decides by its own cues.
    Neutral,
    /// A list announced as findings of no stated kind ("The key findings were:"): every unit
    /// is a finding; its cues decide the kind, and a plain statement is an area for development.
    Findings,
    /// Process, team, thanks, key lines of enquiry, quotations, implications: no findings.
    NotFindings,
}

/// The list marker at the start of `line` and the byte length it takes with its spaces.
pub fn list_marker(line: &str) -> Option<(char, usize)> {
    let first = line.chars().next()?;
    let rest = &line[first.len_utf8()..];
    let is_bullet = matches!(first, '-' | '•' | '·' | '❖' | '▪' | '●' | '◦' | '*' | '–' | '►' | '✓' | '\u{f0b7}' | '\u{f0a7}' | '\u{fffd}')
        // A bullet glyph a PDF could not map to text comes out as "?" or U+FFFD.
        || (first == '?' && rest.starts_with(' ') && rest.trim_start().starts_with(char::is_uppercase))
        || (first == 'o' && rest.starts_with(' ') && rest.trim_start().starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()));
    if is_bullet && rest.starts_with(' ') {
        let skip = first.len_utf8() + rest.len() - rest.trim_start().len();
        return Some((first, skip));
    }
    numbered_marker(line)
}

/// "1.", "1.1", "2)", "(a)", "a)", "iv." followed by a space.
fn numbered_marker(line: &str) -> Option<(char, usize)> {
    static NUM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:(\d{1,2}(?:\.\d{1,2})*)[.)]?|\(([a-z]|[ivx]{1,4})\)|([a-z]|[ivx]{1,4})[.)])\s+").unwrap_or_else(|e| panic!("{e}"))
    });
    let m = NUM.captures(line)?;
    let whole = m.get(0)?;
    let rest = &line[whole.end()..];
    // "2015 was a year" is not a numbered item; "1.1 We recently" is.
    if m.get(1).is_some_and(|d| !d.as_str().contains('.') && !line[d.end()..].starts_with(['.', ')'])) {
        return None;
    }
    if !rest.starts_with(|c: char| c.is_uppercase() || c == '\'' || c == '"' || c == '‘' || c == '“') {
        return None;
    }
    Some(('1', whole.end()))
}

/// Split normalised text into blocks.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let content = line.trim_end_matches('\n');
        if content.trim().is_empty() {
            continue;
        }
        let end = start + content.len();
        if is_table_row(content) {
            out.push(Block { kind: BlockKind::TableRow, start, end });
            continue;
        }
        let block = match list_marker(content) {
            // "1. Summary", "3.4 Report": a numbered heading.
            Some(('1', skip)) if is_heading(&content[skip..]) && !content.trim_end().ends_with(['.', ':', '-']) => {
                Block { kind: BlockKind::Heading, start, end }
            }
            Some((marker, skip)) => Block { kind: BlockKind::Item { marker }, start: start + skip, end },
            _ if is_heading(content) => Block { kind: BlockKind::Heading, start, end },
            _ => Block { kind: BlockKind::Paragraph, start, end },
        };
        out.push(block);
    }
    out
}

fn is_table_row(line: &str) -> bool {
    let t = line.trim();
    t.contains(" | ") || t.ends_with(" |") || t == "|" || (t.contains('|') && t.chars().all(|c| matches!(c, '-' | '|' | ':' | ' ')))
}

/// The cells of a table row with their byte ranges in `text` (an empty cell is an empty
/// range, so columns line up); a "---|---" rule has none.
pub fn table_cells(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let row = text[start..end].trim();
    if row.chars().all(|c| matches!(c, '-' | '|' | ':' | ' ')) {
        return Vec::new();
    }
    let mut cells = Vec::new();
    let mut cell_start = start;
    for (i, c) in text[start..end].char_indices().chain(std::iter::once((end - start, '|'))) {
        if c != '|' {
            continue;
        }
        let raw = &text[cell_start..start + i];
        let lead = raw.len() - raw.trim_start().len();
        let trimmed = raw.trim();
        let s = cell_start + lead;
        cells.push((s, s + trimmed.len()));
        cell_start = start + i + 1;
    }
    cells
}

/// Headings are short title-like lines, questions (key lines of enquiry) or lines that end
/// with a section cue ("... social care Strengths").
pub fn is_heading(line: &str) -> bool {
    let line = line.trim();
    let words = line.split_whitespace().count();
    if words == 0 || line.starts_with(|c: char| c.is_lowercase()) {
        return false;
    }
    // The cheap tests first: most lines are prose, and `section_kind` tries eight patterns.
    if words <= 40 && !line.ends_with('.') && ends_with_cue(line) && section_kind(line).is_some_and(|k| k != SectionKind::Neutral) {
        return true;
    }
    if line.ends_with('?') && words <= 45 && !line.contains(". ") {
        return true;
    }
    let label = line.strip_suffix(":-").or_else(|| line.strip_suffix(':')).unwrap_or(line);
    if label.len() != line.len() {
        return words <= 6 && label.chars().any(char::is_alphabetic);
    }
    words <= 14 && line.len() <= 110 && !line.ends_with(['.', ',', ';', ':', '!']) && line.chars().any(char::is_alphabetic)
        && !line.contains(". ")
}

fn ends_with_cue_strict(line: &str) -> bool {
    static TAIL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(strengths?|areas? for (?:consideration|development|improvement)(?: and recommendations)?|recommendations?)\W*$")
            .unwrap_or_else(|e| panic!("{e}"))
    });
    TAIL.is_match(line)
}

fn ends_with_cue(line: &str) -> bool {
    static TAIL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(strengths?|areas? for (?:consideration|development|improvement)(?: and recommendations)?|recommendations?|key priorities|next steps|best practice(?: development)?|what (?:is|'s) working well|even better if|top tips)\W*$")
            .unwrap_or_else(|e| panic!("{e}"))
    });
    TAIL.is_match(line) || line.split_whitespace().count() <= 14
}

/// What a heading announces, or `None` when it says nothing about findings.
pub fn section_kind(heading: &str) -> Option<SectionKind> {
    use SectionKind::*;
    let found = section_rule(heading);
    if heading.trim_end().ends_with('?') && !ends_with_cue_strict(heading) && found != Some(NotFindings) {
        // A question heading is a key line of enquiry: what follows answers it.
        return Some(Neutral);
    }
    found
}

fn section_rule(heading: &str) -> Option<SectionKind> {
    use SectionKind::*;
    // "Peer challenges are delivered by ...": the reviews, not challenges the council faces.
    static PEER_CHALLENGES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bpeer challenges\b").unwrap_or_else(|e| panic!("{e}")));
    let heading = &*PEER_CHALLENGES.replace_all(heading, "peer reviews");
    // The tables of `lexicons/sections.toml`, tried in this order: the first that matches decides.
    static RULES: LazyLock<Vec<(Regex, SectionKind)>> = LazyLock::new(|| {
        [
            ("what_people_said", NotFindings),
            ("not_findings", NotFindings),
            ("best_practice", BestPractice),
            ("development_and_recommendations", DevelopmentAndRecommendations),
            ("development", Development),
            ("recommendations", Recommendations),
            ("strengths", Strengths),
            ("neutral", Neutral),
        ]
        .into_iter()
        .map(|(table, k)| (SECTIONS.regex(table), k))
        .collect()
    });
    RULES.iter().find(|(re, _)| re.is_match(heading)).map(|(_, k)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_items_and_paragraphs() {
        let t = "Strategic Leadership – Strengths\n\nThere is a clear vision for the authority going forward.\n- Consider using the framework\n1. Feedback and communication.\n1. Summary\no Adult Social Care would benefit from corporate vision\n";
        let kinds: Vec<_> = blocks(t).iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [BlockKind::Heading, BlockKind::Paragraph, BlockKind::Item { marker: '-' }, BlockKind::Item { marker: '1' }, BlockKind::Heading, BlockKind::Item { marker: 'o' }]
        );
    }

    #[test]
    fn table_rows_and_their_cells() {
        let t = "Theme | Strengths | Areas for development |\n---|---|---|\nCarers | A strong offer | Long waits |\n";
        let b = blocks(t);
        assert!(b.iter().all(|b| b.kind == BlockKind::TableRow), "{b:?}");
        let cells: Vec<&str> = table_cells(t, b[2].start, b[2].end).into_iter().map(|(s, e)| &t[s..e]).collect();
        assert_eq!(cells, ["Carers", "A strong offer", "Long waits", ""]);
        assert!(table_cells(t, b[1].start, b[1].end).is_empty());
    }

    #[test]
    fn sections_say_what_they_hold() {
        use SectionKind::*;
        assert_eq!(section_kind("Strategic Leadership – Strengths"), Some(Strengths));
        assert_eq!(section_kind("Resource Management – Areas for development"), Some(Development));
        assert_eq!(section_kind("Areas for Consideration and Recommendations"), Some(DevelopmentAndRecommendations));
        assert_eq!(section_kind("Recommendations for next steps"), Some(Recommendations));
        assert_eq!(section_kind("Some Ideas for Best Practice Development"), Some(BestPractice));
        assert_eq!(section_kind("What did the workforce say ?"), Some(NotFindings));
        assert_eq!(section_kind("Executive summary"), Some(Neutral));
        assert_eq!(section_kind("The Case Audit – Areas for Consideration"), Some(Development));
        assert_eq!(section_kind("What are we worried about"), Some(Development));
        assert_eq!(section_kind("What needs to happen"), Some(Recommendations));
        assert_eq!(section_kind("Things you may wish to look at"), Some(BestPractice));
        assert_eq!(section_kind("6. Action Plan"), Some(NotFindings));
        assert_eq!(section_kind("Opportunities for improvement"), Some(Development));
        assert_eq!(section_kind("Things to consider"), Some(Recommendations));
        // The council's own practice worth sharing: a strength, not a pointer elsewhere.
        assert_eq!(section_kind("Notable practice"), Some(Strengths));
        assert_eq!(section_kind("Peer challenges are delivered by experienced peers. The peers were:"), None);
    }

    #[test]
    fn a_long_question_is_a_heading() {
        assert!(is_heading("Do we have sufficient focus on user and carer experience and the mechanisms to allow them to achieve better outcomes?"));
        assert!(!is_heading("There is a strong political leadership which provides a clear direction."));
        assert!(is_heading("Minutes:"));
    }
}
