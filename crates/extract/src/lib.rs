//! Extraction: bytes to a [`Document`] with its findings and metadata.
//!
//! The flow is the same for every format: sniff the content ([`sniff`]), turn it into text
//! ([`html`], [`pdf`], or decoding), normalise that text so one line is one block
//! ([`normalize`]), recover structure ([`structure`]), read the metadata ([`metadata`]) and
//! the findings ([`findings`], using the lexicons in [`cues`] and sentence splitting in
//! [`sentences`]). Finding offsets point into the normalised text, which callers keep.

pub mod cues;
pub mod embed;
pub mod error;
pub mod findings;
pub mod html;
pub mod lexicon;
pub mod metadata;
pub mod minutes;
pub mod normalize;
pub mod office;
pub mod pdf;
pub mod reader;
pub mod encoder;
pub mod sentences;
pub mod sniff;
pub mod structure;

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

pub use error::ExtractError;
pub use pdf::PdfBackend;
pub use sniff::Format;

use peerscope_model::{CouncilRef, Councils, Document, Service, Taxonomy};

/// Lines of text one document may hold once read. Each line is a unit the reader weighs,
/// with its features in memory: 20 MB of "-" lines (ten million) took 5.5 GB and minutes
/// (regression). A long report or a year of minutes holds a few thousand.
pub const MAX_LINES: usize = 200_000;

/// Bumped whenever extraction changes what it produces: stored documents extracted by an
/// older version are extracted again from their raw bytes.
pub const EXTRACTOR_VERSION: u32 = 12;

/// The bit of [`Extractor::version`] that says the encoder reader made a document's findings.
pub const ENCODER_FLAG: u32 = 1 << 16;

/// The default cap on a document's size.
pub const DEFAULT_MAX_BYTES: usize = 64 << 20;

/// A document and the normalised text its finding offsets point into.
#[derive(Debug, Clone)]
pub struct Extracted {
    pub document: Document,
    pub text: String,
    /// What the reader left undone on this document, for the user (the encoder reader's
    /// limit on a very long document); empty as a rule.
    pub notes: Vec<String>,
}

/// How many more units of a document the encoder reader may be asked about, and how many
/// it was not asked that it would have been.
#[derive(Debug)]
struct EncoderBudget {
    left: usize,
    unasked: usize,
}

impl EncoderBudget {
    fn notes(&self) -> Vec<String> {
        if self.unasked == 0 {
            return Vec::new();
        }
        vec![format!(
            "the encoder reader was asked about {} units of this document, the most it reads of one; the head decided {} more it would have asked about",
            encoder::MOST_UNITS - self.left,
            self.unasked
        )]
    }
}

/// Who decides which units are findings, and of which kind.
#[derive(Debug, Clone)]
pub enum Reader {
    /// The trained head over structure, cues and sentence embeddings ([`reader`]).
    Learned(Arc<reader::Head>),
    /// The fine-tuned sentence encoder ([`encoder`]), deciding every unit the head is not
    /// all but sure is no finding, its probabilities blended with the head's
    /// ([`encoder::blend`]). Extraction with it takes some 300 times as long for a little
    /// more accuracy held out: an option, not the default.
    Encoder { head: Arc<reader::Head>, model: &'static encoder::Encoder },
    /// The hand-written cue rules alone (kept to compare with, and to train from).
    Rules,
}

impl Reader {
    /// The shipped encoder reader, with the shipped head to spare it the plain non-findings.
    pub fn encoder() -> Result<Reader, ExtractError> {
        Ok(Reader::Encoder { head: Arc::new(reader::Head::from_json(BUILTIN_HEAD)?), model: encoder::Encoder::builtin()? })
    }

    /// The findings this reader makes of `candidates` (the rules make theirs in the walk:
    /// none here).
    /// `budget` is how many more of this document's units the encoder may be asked about
    /// ([`encoder::MOST_UNITS`] for a whole document); what it is asked is taken from it.
    fn decide(&self, text: &str, candidates: &[reader::Candidate], ctx: &findings::FindingContext, budget: &mut EncoderBudget) -> Vec<peerscope_model::Finding> {
        match self {
            Reader::Learned(head) => reader::decide(text, candidates, head.finding_below, ctx, |_, c| head.probabilities(&c.features, &c.ngrams)),
            Reader::Encoder { head, model } => {
                let mut p: Vec<[f32; 5]> = candidates.iter().map(|c| head.probabilities(&c.features, &c.ngrams)).collect();
                let ask = encoder::units_to_ask(&p, budget.left);
                budget.left -= ask.len();
                budget.unasked += p.iter().filter(|q| q[0] <= encoder::HEAD_SURE).count() - ask.len();
                // The forward passes are the cost: run them on every core, then decide.
                let asked = encoder::in_parallel(&ask, |&i| Self::encoded(model, text, &candidates[i]));
                for (&i, q) in ask.iter().zip(asked) {
                    p[i] = encoder::blend(p[i], q);
                }
                reader::decide(text, candidates, model.finding_below, ctx, |i, _| p[i])
            }
            Reader::Rules => Vec::new(),
        }
    }

    /// The probability of each class ([`reader::CLASSES`]) for a unit of `text`; `None` for
    /// the cue rules, which weigh no probabilities.
    pub fn probabilities(&self, text: &str, c: &reader::Candidate) -> Option<[f32; 5]> {
        match self {
            Reader::Learned(head) => Some(head.probabilities(&c.features, &c.ngrams)),
            Reader::Encoder { head, model } => {
                let p = head.probabilities(&c.features, &c.ngrams);
                if p[0] > encoder::HEAD_SURE {
                    return Some(p);
                }
                Some(encoder::blend(p, Self::encoded(model, text, c)))
            }
            Reader::Rules => None,
        }
    }

    /// The encoder's probabilities for one unit of `text`.
    fn encoded(model: &encoder::Encoder, text: &str, c: &reader::Candidate) -> [f32; 5] {
        let unit = text.get(c.unit.start..c.unit.end).unwrap_or("");
        let structure = &c.features[..reader::STRUCTURE_FEATURES.len().min(c.features.len())];
        model.probabilities(c.unit.section_name.as_deref().unwrap_or(""), unit, structure)
    }

    /// Told apart in the store, so switching readers extracts every document again: one
    /// data directory holds one reader's findings.
    fn version_flag(&self) -> u32 {
        match self {
            Reader::Encoder { .. } => ENCODER_FLAG,
            Reader::Learned(_) | Reader::Rules => 0,
        }
    }
}

/// The learned reader's shipped weights (`model/reader.json`, built by
/// `scripts/train_reader.sh`).
pub const BUILTIN_HEAD: &str = include_str!("../model/reader.json");

/// Where a document came from, beyond its bytes.
#[derive(Debug, Default, Clone)]
pub struct Origin {
    /// The URL it was published at.
    pub url: Option<String>,
    /// The council its source belongs to, when the sources file says so.
    pub council: Option<String>,
}

/// A document read up to the decision on its units: its metadata, what the cue rules found,
/// and every unit with its features. [`Extractor::finish`] makes the findings.
#[derive(Debug, Clone)]
pub struct Read {
    /// The document with the rules' findings.
    pub extracted: Extracted,
    pub candidates: Vec<reader::Candidate>,
    reviewed: Option<usize>,
    minutes: bool,
}

/// What [`Extractor::read_units`] does with the units after the walk.
#[derive(Clone, Copy)]
enum Units<'h> {
    /// Nothing: the cue rules decide.
    Skip,
    /// Keep their features for a later decision (training, cross-validation).
    Keep,
    /// Decide with this reader as they are read.
    Decide(&'h Reader),
}

/// How many units' features are held at once while a document is decided.
const UNITS_AT_ONCE: usize = 4096;

/// Turns bytes into documents. Build once, use for many files.
#[derive(Debug, Clone)]
pub struct Extractor {
    councils: Councils,
    taxonomy: Taxonomy,
    pdf: PdfBackend,
    max_bytes: usize,
    reader: Reader,
}

impl Extractor {
    /// An extractor with the shipped councils, themes and reader, parsing PDFs in-process.
    pub fn new() -> Result<Extractor, ExtractError> {
        let head = reader::Head::from_json(BUILTIN_HEAD)?;
        Extractor::with_reader(Reader::Learned(Arc::new(head)))
    }

    /// An extractor that decides findings with `reader` (the shipped head is not read).
    pub fn with_reader(reader: Reader) -> Result<Extractor, ExtractError> {
        embed::StaticEmbeddings::builtin()?;
        Ok(Extractor {
            councils: Councils::builtin()?,
            taxonomy: {
                let t = Taxonomy::builtin()?;
                t.compile()?;
                t
            },
            pdf: PdfBackend::InProcess,
            max_bytes: DEFAULT_MAX_BYTES,
            reader,
        })
    }

    /// Decide findings with `reader` instead of the shipped head.
    pub fn reader(mut self, reader: Reader) -> Extractor {
        self.reader = reader;
        self
    }

    pub fn current_reader(&self) -> &Reader {
        &self.reader
    }

    /// What the store records as having extracted a document: [`EXTRACTOR_VERSION`], told
    /// apart by reader.
    pub fn version(&self) -> u32 {
        EXTRACTOR_VERSION | self.reader.version_flag()
    }

    pub fn pdf_backend(mut self, backend: PdfBackend) -> Extractor {
        self.pdf = backend;
        self
    }

    /// Parse PDFs in a child process: `program args...` (see [`pdf::child_main`]).
    pub fn isolated_pdf(self, program: std::path::PathBuf, args: Vec<String>, timeout: Duration) -> Extractor {
        self.pdf_backend(PdfBackend::Isolated { program, args, timeout })
    }

    pub fn max_bytes(mut self, max: usize) -> Extractor {
        self.max_bytes = max;
        self
    }

    pub fn taxonomy(mut self, taxonomy: Taxonomy) -> Extractor {
        self.taxonomy = taxonomy;
        self
    }

    pub fn councils(&self) -> &Councils {
        &self.councils
    }

    pub fn themes(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// The normalised text of `bytes`, the format it was read as, and page hints.
    pub fn text(&self, bytes: &[u8]) -> Result<(String, Format, metadata::Hints), ExtractError> {
        if bytes.len() > self.max_bytes {
            return Err(ExtractError::TooLarge { size: bytes.len(), limit: self.max_bytes });
        }
        let utf8;
        let bytes = match sniff::from_utf16(bytes) {
            Some(text) => {
                utf8 = text;
                utf8.as_bytes()
            }
            None => bytes,
        };
        let format = sniff::sniff(bytes)?;
        let (raw, hints, wrapped) = match format {
            Format::Pdf => (pdf::pdf_text(bytes, &self.pdf)?, metadata::Hints::default(), true),
            Format::Html => {
                let h = html::html_to_text(&sniff::decode_text(bytes));
                (h.text, metadata::Hints { title: h.title, site: h.site, ..Default::default() }, false)
            }
            Format::Text => (sniff::decode_text(bytes), metadata::Hints::default(), false),
            Format::Office(kind) => {
                let h = html::html_to_text(&office::office_html(bytes, kind)?);
                (h.text, metadata::Hints { title: h.title, ..Default::default() }, false)
            }
        };
        // Counted before normalising too, which holds every raw line at once (blank ones
        // fall away there, so a few times the bound is allowed); a lone CR and a form feed
        // end lines there as LF does (review: 64 MiB of "-\r" passed).
        let raw_lines = memchr::memchr3_iter(b'\n', b'\r', b'\x0c', raw.as_bytes()).count();
        if raw_lines > 4 * MAX_LINES {
            return Err(ExtractError::TooManyLines { lines: raw_lines, limit: MAX_LINES });
        }
        let text = normalize::normalize(&raw, wrapped);
        if text.trim().is_empty() {
            return Err(ExtractError::NoText);
        }
        let lines = text.lines().count();
        if lines > MAX_LINES {
            return Err(ExtractError::TooManyLines { lines, limit: MAX_LINES });
        }
        Ok((text, format, hints))
    }

    /// Extract one document. `source` is its path or URL, recorded as provenance.
    pub fn extract(&self, source: &str, bytes: &[u8]) -> Result<Extracted, ExtractError> {
        let origin = Origin { url: source.starts_with("http").then(|| source.to_string()), council: None };
        self.extract_from(source, &origin, bytes)
    }

    /// Extract one document whose origin is known (the URL it was fetched from, its
    /// source's council).
    pub fn extract_from(&self, source: &str, origin: &Origin, bytes: &[u8]) -> Result<Extracted, ExtractError> {
        match &self.reader {
            // The cue rules need no features: skip computing them.
            Reader::Rules => Ok(self.read_units(source, origin, bytes, Units::Skip)?.extracted),
            reader => Ok(self.read_units(source, origin, bytes, Units::Decide(reader))?.extracted),
        }
    }

    /// Read a document up to the decision on its units (see [`Read`]).
    pub fn read(&self, source: &str, origin: &Origin, bytes: &[u8]) -> Result<Read, ExtractError> {
        self.read_units(source, origin, bytes, Units::Keep)
    }

    fn read_units(&self, source: &str, origin: &Origin, bytes: &[u8], units: Units) -> Result<Read, ExtractError> {
        let (text, format, mut hints) = self.text(bytes)?;
        hints.url = origin.url.clone();
        hints.council = origin.council.clone();
        // A title is printed to terminals and pages: no control characters (an escape
        // sequence in a page's <title> set the terminal's title and colours) and no
        // direction controls (one reversed a results line).
        let found_title = metadata::title(&text, &hints).map(|t| t.chars().filter(|c| !c.is_control() && !normalize::is_direction_control(*c)).collect::<String>());
        let names = self.councils.names(&text);
        let reviewed = metadata::reviewed_council_named(&text, &names, found_title.as_deref().unwrap_or(""), &hints, &self.councils);
        let blocks = structure::blocks(&text);
        let doc_kind = metadata::doc_kind_at(&text, &hints);
        let minutes = doc_kind == peerscope_model::DocKind::ScrutinyMinutes;
        let follow_up = findings::is_follow_up(&text);
        let trace = RefCell::new(Vec::new());
        let memo = RefCell::new(findings::EvidenceMemo::default());
        let learned = !matches!(units, Units::Skip);
        let ctx = findings::FindingContext { councils: &self.councils, taxonomy: &self.taxonomy, reviewed, minutes, follow_up, trace: Some(&trace), memo: learned.then_some(&memo), names: Some(&names) };
        let found = findings::findings(&text, &blocks, &ctx);
        let embeddings = embed::StaticEmbeddings::builtin()?;
        let mut headings = reader::HeadingCache::default();
        let walked = if matches!(units, Units::Skip) { Vec::new() } else { reader::units(&text, &blocks, trace.take(), &found) };
        let mut candidates = Vec::new();
        let mut decided = Vec::new();
        let mut budget = EncoderBudget { left: encoder::MOST_UNITS, unasked: 0 };
        // Features take ~3 KB a unit: a huge document is decided a slice at a time, so
        // memory stays bounded (a slice's last unit misses its next neighbour's context).
        for slice in walked.chunks(UNITS_AT_ONCE) {
            let mut these: Vec<reader::Candidate> = slice
                .iter()
                .map(|(unit, rule_finding)| {
                    let (features, ngrams) = reader::features(&text, unit, &ctx, embeddings, &mut headings);
                    reader::Candidate { unit: unit.clone(), features, ngrams, rule_finding: rule_finding.clone() }
                })
                .collect();
            reader::add_context(&mut these, embeddings.dims());
            match units {
                Units::Decide(reader) => decided.extend(reader.decide(&text, &these, &ctx, &mut budget)),
                _ => candidates.extend(these),
            }
        }
        let found = capped(&text, if matches!(units, Units::Decide(_)) { decided } else { found });
        let review_type = metadata::review_type(&text);
        let service = metadata::service(&text, found_title.as_deref().unwrap_or(""));
        // The review year is the year a team was on site: a document about no external
        // review (a scrutiny task-and-finish group's report) dates none, whatever years it names.
        let review_year = (review_type != peerscope_model::ReviewType::None).then(|| metadata::review_year(&text, found_title.as_deref().unwrap_or(""), &hints)).flatten();
        let council = reviewed.map(|i| CouncilRef::from(self.councils.get(i)));
        let title = found_title.unwrap_or_else(|| {
            metadata::composed_title(council.as_ref().map(|c| c.name.as_str()), review_type, doc_kind)
        });
        let about = matches!(service, Service::AdultSocialCare | Service::SafeguardingAdults)
            && matches!(review_type, peerscope_model::ReviewType::LgaPeerChallenge | peerscope_model::ReviewType::AdassRegionalPeerChallenge | peerscope_model::ReviewType::Unknown);
        let document = Document {
            source: source.to_string(),
            url: origin.url.clone().filter(|u| u != source),
            council,
            doc_kind,
            service,
            review_type,
            review_year,
            about_asc_peer_review: about,
            format: format.as_str().to_string(),
            title,
            findings: found,
        };
        Ok(Read { extracted: Extracted { document, text, notes: budget.notes() }, candidates, reviewed, minutes })
    }

    /// The document with the findings `reader` makes of its units.
    pub fn finish(&self, read: Read, reader: &Reader) -> Result<Extracted, ExtractError> {
        let Read { mut extracted, candidates, reviewed, minutes } = read;
        if !matches!(reader, Reader::Rules) {
            let ctx = findings::FindingContext { councils: &self.councils, taxonomy: &self.taxonomy, reviewed, minutes, follow_up: false, trace: None, memo: None, names: None };
            let mut budget = EncoderBudget { left: encoder::MOST_UNITS, unasked: 0 };
            extracted.document.findings = capped(&extracted.text, reader.decide(&extracted.text, &candidates, &ctx, &mut budget));
            extracted.notes = budget.notes();
        }
        Ok(extracted)
    }
}

/// The longest finding kept, in bytes. Real findings run to a long paragraph (about 1,500
/// characters); a stranger's document may hold a 50 MB line, which would otherwise be one
/// finding printed whole by every answer that matches it.
pub const MAX_FINDING_BYTES: usize = 3000;

/// Findings cut to [`MAX_FINDING_BYTES`], each at the last sentence end (or else word end)
/// before the limit, its span cut with it so it stays exactly its text.
fn capped(text: &str, findings: Vec<peerscope_model::Finding>) -> Vec<peerscope_model::Finding> {
    marked_cut(text, capped_to_most(text, findings))
}

/// What a stored copy of a web page writes where it cut the page's text.
pub const CUT_MARKER: &str = "[... text truncated in stored copy ...]";

/// Findings the document itself cuts short (its text stops at [`CUT_MARKER`], on the
/// finding's line or the next) take the marker into their span, so whoever reads one, on a page or in
/// an export, sees that it is cut and where (regression: "…that progress ha" read as whole).
fn marked_cut(text: &str, mut findings: Vec<peerscope_model::Finding>) -> Vec<peerscope_model::Finding> {
    for f in &mut findings {
        let Some(after) = text.get(f.end..) else { continue };
        let gap = after.len() - after.trim_start().len();
        // The marker on the finding's line or the next: not one found past a run of blank
        // space, and never past the cap on a finding's length.
        let near = gap <= 2 && f.end - f.start + gap + CUT_MARKER.len() <= MAX_FINDING_BYTES + CUT_MARKER.len();
        if near && after.trim_start().starts_with(CUT_MARKER) {
            f.end += gap + CUT_MARKER.len();
            if let Some(span) = text.get(f.start..f.end) {
                f.text = span.to_string();
            }
        }
    }
    findings
}

fn capped_to_most(text: &str, mut findings: Vec<peerscope_model::Finding>) -> Vec<peerscope_model::Finding> {
    for f in findings.iter_mut().filter(|f| f.end.saturating_sub(f.start) > MAX_FINDING_BYTES) {
        let Some(span) = text.get(f.start..f.end) else { continue };
        let head = peerscope_model::text::prefix(span, MAX_FINDING_BYTES);
        let limit = head.len();
        let cut = head
            .rfind(". ")
            .map(|i| i + 1)
            .filter(|&i| i > MAX_FINDING_BYTES / 2)
            .or_else(|| head.rfind(char::is_whitespace).filter(|&i| i > MAX_FINDING_BYTES / 2))
            .unwrap_or(limit);
        let kept = head[..cut].trim_end();
        f.end = f.start + kept.len();
        f.text = kept.to_string();
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_of_millions_of_lines_is_refused_not_read_into_gigabytes() {
        // Regression: 20 MB of "-" lines took 5.5 GB and 90 s, and killed a run under a
        // memory cap with no per-file error.
        let x = Extractor::new().unwrap();
        for doc in [format!("Walsall peer challenge\n\n{}", "-\n".repeat(1_000_000)), format!("Walsall peer challenge\n\n{}", "A b.\n".repeat(MAX_LINES + 1))] {
            match x.extract("lines.txt", doc.as_bytes()) {
                Err(ExtractError::TooManyLines { limit, .. }) => assert_eq!(limit, MAX_LINES),
                other => panic!("{:?}", other.map(|r| r.document.findings.len())),
            }
        }
    }

    #[test]
    fn a_finding_the_stored_copy_cuts_short_says_so_in_its_span() {
        let x = Extractor::new().unwrap();
        let doc = format!("Walsall Council adult social care peer challenge 2019\n\nAreas for development\n\n- Performance on reviews of care packages remains concerning and the waiting list has gr\n{CUT_MARKER}\n\n- Carers assessments are late and the backlog is growing across the county.\n");
        let read = x.extract("cut.txt", doc.as_bytes()).unwrap();
        let cut: Vec<_> = read.document.findings.iter().filter(|f| f.text.contains("has gr")).collect();
        assert_eq!(cut.len(), 1, "{:#?}", read.document.findings);
        assert!(cut[0].text.ends_with(CUT_MARKER), "{:?}", cut[0].text);
        for f in &read.document.findings {
            assert_eq!(&read.text[f.start..f.end], f.text);
        }
    }

    #[test]
    fn a_finding_is_never_longer_than_the_cap_and_its_span_stays_exact() {
        // Regression: a 50 MB line was one finding, and a query printed all of it.
        let x = Extractor::new().unwrap();
        // One run-on item with no sentence end: nothing splits it.
        let line = "performance on reviews remains concerning and waiting lists are long and ".repeat(20_000);
        let doc = format!("Walsall Council adult social care peer challenge\n\nAreas for development\n\n- {line}\n");
        let read = x.extract("long.txt", doc.as_bytes()).unwrap();
        assert!(!read.document.findings.is_empty());
        for f in &read.document.findings {
            assert!(f.text.len() <= MAX_FINDING_BYTES, "{} bytes", f.text.len());
            assert_eq!(&read.text[f.start..f.end], f.text);
        }
    }

    #[test]
    fn a_document_about_no_review_dates_no_review() {
        // Regression: a task-and-finish group's minutes (Darlington's, in tests/real) were
        // given the year the group was set up as the year of a review that never happened.
        let x = Extractor::new().unwrap();
        let year = |doc: &str| x.extract("minutes.txt", doc.as_bytes()).unwrap().document.review_year;
        let minutes = "Adult Social Care during the Pandemic Task and Finish Review - Final Report\n\n\
            The Task and Finish Group was established by this Scrutiny Committee on 20 April 2021 and \
            carried out its work between June and November 2021.\n\nRESOLVED - That the report be endorsed.\n";
        assert_eq!(year(minutes), None);
        let peer = "Adult Social Care Peer Challenge\n\nThe peer challenge took place from 9 to 11 November 2021.\n";
        assert_eq!(year(peer), Some(2021));
    }

    #[test]
    fn the_encoder_reads_no_more_of_a_document_than_its_budget_and_says_so() {
        let x = Extractor::new().unwrap();
        let items: String = (0..40).map(|i| format!("- Waiting lists for assessment {i} remain long and the Council should review them.\n")).collect();
        let doc = format!("Walsall Council adult social care peer challenge\n\nAreas for development\n\n{items}");
        let read = x.read("long.txt", &Origin::default(), doc.as_bytes()).unwrap();
        let reader = Reader::encoder().unwrap();
        let ctx = findings::FindingContext { councils: &x.councils, taxonomy: &x.taxonomy, reviewed: read.reviewed, minutes: false, follow_up: false, trace: None, memo: None, names: None };
        let mut budget = EncoderBudget { left: 5, unasked: 0 };
        let found = reader.decide(&read.extracted.text, &read.candidates, &ctx, &mut budget);
        assert_eq!(budget.left, 0);
        assert!(budget.unasked >= 30, "{budget:?}");
        // The head decided the rest: the findings are all still there.
        assert!(found.len() >= 40, "{} findings", found.len());
        let notes = budget.notes();
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains(&format!("{} more", budget.unasked)), "{notes:?}");
        // Within the budget nothing is said.
        let mut budget = EncoderBudget { left: encoder::MOST_UNITS, unasked: 0 };
        reader.decide(&read.extracted.text, &read.candidates, &ctx, &mut budget);
        assert!(budget.notes().is_empty());
    }

    #[test]
    fn a_page_nested_a_million_deep_is_read_within_bounds() {
        let x = Extractor::new().unwrap();
        let page = format!("<html><body>{}The peer team found strong leadership.{}</body></html>", "<div>".repeat(1_000_000), "</div>".repeat(1_000_000));
        let read = x.extract("deep.html", page.as_bytes()).unwrap();
        assert!(read.text.contains("The peer team found strong leadership."), "{}", read.text);
    }

    #[test]
    fn a_document_of_more_units_than_are_decided_at_once_is_read_whole() {
        let x = Extractor::new().unwrap();
        let line = "- The peer team found that too many people were waiting for an assessment.\n";
        let doc = format!("Areas for development\n\n{}", line.repeat(UNITS_AT_ONCE + 500));
        let found = x.extract("long.txt", doc.as_bytes()).unwrap().document.findings;
        let last = found.last().expect("findings");
        assert!(last.end > doc.len() - line.len() * 2, "the last slice was decided too");
        assert!(found.len() > UNITS_AT_ONCE, "{} findings", found.len());
    }

    #[test]
    fn oversized_input_is_refused() {
        let x = Extractor::new().unwrap().max_bytes(10);
        assert!(matches!(x.extract("big.txt", b"more than ten bytes"), Err(ExtractError::TooLarge { size: 19, limit: 10 })));
    }
}
