//! The full-text index of findings: one tantivy document per finding, with the metadata of
//! its document, so answers come from the index alone.
//!
//! The index is derived data: it can always be rebuilt from the store. Each commit carries
//! a payload with the store sequence it reflects and the analyzer version; a newer store or
//! another analyzer means "catch up" or "rebuild", never a wrong answer.

pub mod analyzer;
mod best;
mod keep;
mod merge;

use std::path::Path;
use std::sync::Arc;

use peerscope_model::{FindingKind, Document};
use serde::{Deserialize, Serialize};
use rustc_hash::FxHashMap as HashMap;
use std::ops::Bound;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, STORED, STRING};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use analyzer::{ANALYZER, ANALYZER_VERSION};

/// The index crate's one error type.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("index directory {0}: {1}")]
    Io(String, std::io::Error),
    #[error("index commit payload: {0}")]
    Payload(#[from] serde_json::Error),
}

impl IndexError {
    /// Whether the index's files are damaged (one missing, or not what it should hold),
    /// rather than the machine failing to open them (descriptors, memory, permissions, a
    /// full disk): only a damaged index is worth setting aside and rebuilding.
    pub fn is_damage(&self) -> bool {
        use tantivy::directory::error::OpenReadError;
        match self {
            IndexError::Tantivy(tantivy::TantivyError::DataCorruption(_)) => true,
            IndexError::Tantivy(tantivy::TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(_))) => true,
            IndexError::Tantivy(tantivy::TantivyError::OpenReadError(OpenReadError::IncompatibleIndex(_))) => true,
            IndexError::Payload(_) => true,
            _ => false,
        }
    }
}

type Result<T> = std::result::Result<T, IndexError>;

/// What an index commit records about itself.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Watermark {
    /// The store sequence number this commit reflects.
    pub seq: u64,
    pub analyzer: u32,
    /// The layout of the index ([`SCHEMA_VERSION`]); 0 before it was recorded.
    #[serde(default)]
    pub schema: u32,
}

/// The doc store's block size (see [`FindingIndex::open`]).
const DOCSTORE_BLOCK: usize = 4096;

/// The index's layout: bumped when fields or their encoding change (15: a finding's text key
/// reads its first 160 letters and digits, as `export` does), so an older index is rebuilt
/// from the store.
pub const SCHEMA_VERSION: u32 = 15;

/// Where a search's kinds are met: as postings in the query (a rare kind leads the
/// search) or by the kind column as matches are collected (see `keep.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KindsIn {
    Query,
    Column,
}

/// A stored document as the index keeps it, so commands that read whole documents (themes,
/// council profiles, exports) need only the index, which any number of processes can read
/// while one writes (the store's database admits one process at a time).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DocumentRecord {
    pub id: String,
    pub sources: Vec<String>,
    pub document: Document,
    /// The normalised text the findings' spans point into ("" when it was not known when
    /// indexed). Kept beside the JSON, compressed.
    #[serde(skip)]
    pub text: String,
}

#[derive(Clone, Copy)]
struct Fields {
    doc_id: Field,
    finding: Field,
    kind: Field,
    /// [`keep::kind_code`] of the kind; 0 on a document's record.
    kind_code: Field,
    /// A finding's text, analysed for search; not stored: it is a slice of its document's
    /// text, which the record keeps once.
    text: Field,
    /// A finding's text when it is not exactly its span of the document's text.
    own_text: Field,
    section: Field,
    themes: Field,
    council: Field,
    gss: Field,
    region: Field,
    year: Field,
    doc_kind: Field,
    service: Field,
    review_type: Field,
    about: Field,
    pointer: Field,
    start: Field,
    end: Field,
    /// The reader's confidence in thousandths, so a range query can keep the surer ones.
    confidence: Field,
    /// The finding's text as a key ([`peerscope_model::text::text_key`]): copies of one
    /// finding in several documents are told apart from different findings without
    /// decompressing any document's text.
    text_key: Field,
    /// Which of two equally scored matches comes first ([`Ties`]): derived from what the
    /// finding is, not from where it sits in the index, so the same documents give the same
    /// answer however their ingest was ordered across segments.
    tie: Field,
    /// Where the finding's document came from: an answer lists the other sources of a
    /// finding it shows ("also in") from this column, not from each document's record.
    source: Field,
    /// "yes" on a document's record (see [`DocumentRecord`]); absent on findings.
    is_record: Field,
    /// The record itself, JSON.
    record: Field,
    /// The record's document text, zstd-compressed.
    doc_text: Field,
}

/// Documents put together from the index's stored documents, read one at a time: each
/// record, and each finding under its document's id, in order once all are read.
#[derive(Default)]
struct Assembly {
    records: std::collections::BTreeMap<String, DocumentRecord>,
    findings: HashMap<String, Vec<(u64, peerscope_model::Finding)>>,
    /// Each segment's document ids by ordinal, read once each.
    ids: HashMap<(u32, u64), String>,
}

impl Assembly {
    /// Every document id of a segment by its ordinal, in one walk of the id column's
    /// dictionary: found one at a time, each walked a block of it (and, while dictionaries
    /// were zstd-compressed, decompressed it: a tenth of `themes`'s instructions).
    fn learn_ids(&mut self, segment: u32, columns: &Columns) -> Result<()> {
        let Some(column) = &columns.doc_id else { return Ok(()) };
        let io = |e| IndexError::Io("reading the index's document ids".into(), e);
        let mut terms = column.dictionary().stream().map_err(io)?;
        while terms.advance() {
            self.ids.insert((segment, terms.term_ord()), String::from_utf8_lossy(terms.key()).into_owned());
        }
        Ok(())
    }

    /// The records in id order, each with its findings in their order and their texts cut
    /// from the record's text.
    fn finish(mut self) -> Vec<DocumentRecord> {
        self.records
            .into_values()
            .map(|mut r| {
                let mut fs = self.findings.remove(&r.id).unwrap_or_default();
                fs.sort_by_key(|(i, _)| *i);
                for (_, f) in &mut fs {
                    if f.text.is_empty() {
                        f.text = r.text.get(f.start..f.end).unwrap_or("").to_string();
                    }
                }
                r.document.findings = fs.into_iter().map(|(_, f)| f).collect();
                r
            })
            .collect()
    }
}

/// What is the same on every finding of a document (its id, title, source, council, year,
/// text) is kept once, in the document's record, and joined at read time: stored with
/// each finding it was most of the index. A finding keeps its own values: kind, span,
/// confidence, number, section and themes as columns, its own text (when not its span) and pointers stored.
fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_opts = TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions));
    // Fields only filtered on need no length norms (a byte per finding each).
    let filter = TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer("raw").set_index_option(IndexRecordOption::Basic).set_fieldnorms(false));
    let f = Fields {
        // FAST: a finding's document is found by the id's ordinal, read once per document.
        doc_id: b.add_text_field("doc_id", filter.clone() | FAST),
        finding: b.add_u64_field("finding", FAST),
        kind: b.add_text_field("kind", filter.clone() | FAST),
        // The kind again as a number every document has, read for each match (`keep.rs`).
        kind_code: b.add_u64_field(keep::KIND_CODE, FAST),
        text: b.add_text_field("text", text_opts),
        own_text: b.add_text_field("own_text", STORED),
        // Columns, not stored values: a section or theme name is one of a few dozen in a
        // segment, kept once in its dictionary; stored, it was a fifth of the doc store.
        section: b.add_text_field("section", FAST),
        // Norms kept: a theme's score depends on how many themes a finding has.
        themes: b.add_text_field("themes", STRING | FAST),
        // FAST: answers group candidates by council without reading stored documents.
        council: b.add_text_field("council", filter.clone() | FAST),
        gss: b.add_text_field("gss", filter.clone()),
        // FAST (as are the document's kind, service and review type): an answer counts its
        // candidates by each (the web page's facets) from columns alone.
        region: b.add_text_field("region", filter.clone() | FAST),
        // Columns only: a range of years is checked per match (`keep.rs`) and a minimum
        // confidence by tantivy's range query over the column, so neither needs postings
        // nor the length norms every indexed field keeps (a byte per document each).
        year: b.add_u64_field("year", FAST),
        doc_kind: b.add_text_field("doc_kind", filter.clone() | FAST),
        service: b.add_text_field("service", filter.clone() | FAST),
        review_type: b.add_text_field("review_type", filter.clone() | FAST),
        about: b.add_text_field("about", filter.clone()),
        pointer: b.add_text_field("pointer", filter.clone() | STORED),
        start: b.add_u64_field("start", FAST),
        end: b.add_u64_field("end", FAST),
        confidence: b.add_u64_field("confidence", FAST),
        text_key: b.add_u64_field("text_key", FAST),
        tie: b.add_u64_field(best::TIE, FAST),
        // A column, not a stored value: one dictionary entry per document of a segment.
        source: b.add_text_field("source", FAST),
        is_record: b.add_text_field("is_record", filter),
        record: b.add_text_field("record", STORED),
        doc_text: b.add_bytes_field("doc_text", STORED),
    };
    (b.build(), f)
}

/// The longest value kept in a column: a stranger's document may not make one megabytes.
const MOST_IN_COLUMN: usize = 2048;

fn clipped(s: &str) -> &str {
    peerscope_model::text::prefix(s, MOST_IN_COLUMN)
}

fn io(e: std::io::Error) -> IndexError {
    IndexError::Io("the index's document records".into(), e)
}

/// One segment's columns.
struct Columns {
    doc_id: Option<tantivy::columnar::StrColumn>,
    finding: Option<tantivy::columnar::Column<u64>>,
    kind: Option<tantivy::columnar::StrColumn>,
    council: Option<tantivy::columnar::StrColumn>,
    year: Option<tantivy::columnar::Column<u64>>,
    start: Option<tantivy::columnar::Column<u64>>,
    end: Option<tantivy::columnar::Column<u64>>,
    confidence: Option<tantivy::columnar::Column<u64>>,
    region: Option<tantivy::columnar::StrColumn>,
    doc_kind: Option<tantivy::columnar::StrColumn>,
    service: Option<tantivy::columnar::StrColumn>,
    review_type: Option<tantivy::columnar::StrColumn>,
    themes: Option<tantivy::columnar::StrColumn>,
    section: Option<tantivy::columnar::StrColumn>,
    text_key: Option<tantivy::columnar::Column<u64>>,
    source: Option<tantivy::columnar::StrColumn>,
    /// Values already read, by (column, ordinal): reading a value from a column walks a
    /// block of its dictionary, and an answer reads a thousand candidates'.
    seen: std::sync::Mutex<HashMap<(Small, u64), Arc<str>>>,
}

/// The columns with few distinct values, read through [`Columns::small`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Small {
    Kind,
    Council,
    Region,
    DocKind,
    Service,
    ReviewType,
    Theme,
    Section,
}

impl Columns {
    fn of(segment: &tantivy::SegmentReader) -> Result<Columns> {
        let fast = segment.fast_fields();
        Ok(Columns {
            doc_id: fast.str("doc_id")?,
            finding: fast.u64("finding").ok(),
            kind: fast.str("kind")?,
            council: fast.str("council")?,
            year: fast.u64("year").ok(),
            start: fast.u64("start").ok(),
            end: fast.u64("end").ok(),
            confidence: fast.u64("confidence").ok(),
            region: fast.str("region")?,
            doc_kind: fast.str("doc_kind")?,
            service: fast.str("service")?,
            review_type: fast.str("review_type")?,
            themes: fast.str("themes")?,
            section: fast.str("section")?,
            text_key: fast.u64("text_key").ok(),
            source: fast.str("source")?,
            seen: Default::default(),
        })
    }

    fn kind(&self, doc: tantivy::DocId) -> Result<Arc<str>> {
        self.small(Small::Kind, doc)
    }

    fn council(&self, doc: tantivy::DocId) -> Result<Arc<str>> {
        self.small(Small::Council, doc)
    }

    fn column(&self, which: Small) -> &Option<tantivy::columnar::StrColumn> {
        match which {
            Small::Kind => &self.kind,
            Small::Council => &self.council,
            Small::Region => &self.region,
            Small::DocKind => &self.doc_kind,
            Small::Service => &self.service,
            Small::ReviewType => &self.review_type,
            Small::Theme => &self.themes,
            Small::Section => &self.section,
        }
    }

    /// The (first) value of a column with few distinct values, each read from its
    /// dictionary once.
    fn small(&self, which: Small, doc: tantivy::DocId) -> Result<Arc<str>> {
        let Some(ord) = self.column(which).as_ref().and_then(|c| c.ords().first(doc)) else { return Ok(Arc::from("")) };
        self.value(which, ord)
    }

    /// Every value of a multi-valued column (a finding's themes).
    fn all_small(&self, which: Small, doc: tantivy::DocId) -> Result<Vec<Arc<str>>> {
        let Some(column) = self.column(which) else { return Ok(Vec::new()) };
        column.ords().values_for_doc(doc).map(|ord| self.value(which, ord)).collect()
    }

    /// A value by its ordinal, read from the dictionary once per segment and then shared:
    /// an answer's thousand candidates hold a few dozen distinct values.
    fn value(&self, which: Small, ord: u64) -> Result<Arc<str>> {
        let seen = || self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = seen().get(&(which, ord)) {
            return Ok(s.clone());
        }
        let mut s = String::new();
        if let Some(c) = self.column(which) {
            c.ord_to_str(ord, &mut s).map_err(tantivy::TantivyError::from)?;
        }
        let s: Arc<str> = s.into();
        seen().insert((which, ord), s.clone());
        Ok(s)
    }

    /// The value of `column` for document `doc` of the segment ("" when it has none).
    fn text(column: &Option<tantivy::columnar::StrColumn>, doc: tantivy::DocId) -> Result<String> {
        let mut s = String::new();
        if let Some(c) = column {
            if let Some(ord) = c.ords().first(doc) {
                c.ord_to_str(ord, &mut s).map_err(tantivy::TantivyError::from)?;
            }
        }
        Ok(s)
    }

    fn number(column: &Option<tantivy::columnar::Column<u64>>, doc: tantivy::DocId) -> Option<u64> {
        column.as_ref().and_then(|c| c.first(doc))
    }

    fn year(&self, doc: tantivy::DocId) -> Option<u64> {
        Self::number(&self.year, doc)
    }

    /// The ordinal of the finding's document id in this segment (reading the id itself
    /// walks a block of the column's dictionary: done once per document).
    fn doc_ord(&self, doc: tantivy::DocId) -> Option<u64> {
        self.doc_id.as_ref().and_then(|c| c.ords().first(doc))
    }
}

/// What every finding of a document shares, read from its record once per document.
#[derive(Debug, Default)]
struct DocumentInfo {
    id: String,
    text: String,
    title: String,
    source: String,
    council: String,
    gss_code: String,
    region: String,
    year: Option<u64>,
}

impl DocumentInfo {
    fn of(record: &DocumentRecord, text: String) -> DocumentInfo {
        let d = &record.document;
        let council = d.council.as_ref();
        DocumentInfo {
            id: record.id.clone(),
            text,
            title: d.title.clone(),
            source: record.sources.first().cloned().unwrap_or_else(|| d.source.clone()),
            council: council.map(|c| c.name.clone()).unwrap_or_default(),
            gss_code: council.and_then(|c| c.gss_code.clone()).unwrap_or_default(),
            region: council.and_then(|c| c.region.clone()).unwrap_or_default(),
            year: d.review_year.and_then(|y| u64::try_from(y).ok()),
        }
    }
}

/// Segments' columns, opened once for as long as the index is not refreshed.
type OpenColumns = std::sync::Mutex<HashMap<tantivy::index::SegmentId, std::sync::Arc<Columns>>>;

/// The columns of the segments one search reads, and the records of their documents.
struct SegmentColumns<'a> {
    searcher: &'a tantivy::Searcher,
    kept: &'a OpenColumns,
    open: HashMap<u32, std::sync::Arc<Columns>>,
}

impl<'a> SegmentColumns<'a> {
    fn new(searcher: &'a tantivy::Searcher, kept: &'a OpenColumns) -> Self {
        SegmentColumns { searcher, kept, open: HashMap::default() }
    }

    /// The id of the finding at `addr`'s document and where that document's record is. A
    /// document's record and findings are written together, so they share a segment: the
    /// record is among the few documents of that segment holding the id.
    fn record_of(&mut self, f: &Fields, addr: tantivy::DocAddress) -> Result<Option<(String, tantivy::DocAddress)>> {
        let searcher = self.searcher;
        let columns = self.of(addr)?;
        let reader = searcher.segment_reader(addr.segment_ord);
        let inverted = reader.inverted_index(f.doc_id)?;
        let ord = columns.doc_ord(addr.doc_id);
        // The id's ordinal in the column is its ordinal in the term dictionary (both sort
        // the segment's ids), and reading the term there walks no column block. The record
        // found is checked to have that ordinal; if not, the id is read from the column.
        let mut bytes = Vec::new();
        if let Some(ord) = ord {
            if inverted.terms().ord_to_term(ord, &mut bytes).map_err(io)? {
                if let Ok(id) = String::from_utf8(bytes) {
                    if let Some(at) = Self::record_in(reader, &inverted, f, columns, &id)? {
                        if columns.doc_ord(at.doc_id) == Some(ord) {
                            return Ok(Some((id, tantivy::DocAddress::new(addr.segment_ord, at.doc_id))));
                        }
                    }
                }
            }
        }
        let id = Columns::text(&columns.doc_id, addr.doc_id)?;
        Ok(Self::record_in(reader, &inverted, f, columns, &id)?.map(|at| (id, tantivy::DocAddress::new(addr.segment_ord, at.doc_id))))
    }

    /// The record among the segment's documents holding `id`: findings have a number, the
    /// record has none.
    fn record_in(reader: &tantivy::SegmentReader, inverted: &tantivy::InvertedIndexReader, f: &Fields, columns: &Columns, id: &str) -> Result<Option<tantivy::DocAddress>> {
        use tantivy::DocSet;
        let term = Term::from_field_text(f.doc_id, id);
        let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic).map_err(io)? else { return Ok(None) };
        let alive = reader.alive_bitset();
        let mut doc = postings.doc();
        while doc != tantivy::TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) && Columns::number(&columns.finding, doc).is_none() {
                return Ok(Some(tantivy::DocAddress::new(0, doc)));
            }
            doc = postings.advance();
        }
        Ok(None)
    }

    fn of(&mut self, addr: tantivy::DocAddress) -> Result<&Columns> {
        match self.open.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => Ok(e.into_mut()),
            std::collections::hash_map::Entry::Vacant(v) => {
                let segment = self.searcher.segment_reader(addr.segment_ord);
                let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
                let columns = match kept.get(&segment.segment_id()) {
                    Some(c) => c.clone(),
                    None => {
                        let c = std::sync::Arc::new(Columns::of(segment)?);
                        kept.insert(segment.segment_id(), c.clone());
                        c
                    }
                };
                Ok(v.insert(columns))
            }
        }
    }
}

/// One finding as the index returns it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub score: f32,
    pub doc_id: String,
    pub finding: u64,
    pub kind: String,
    pub text: String,
    pub section: String,
    pub themes: Vec<String>,
    /// The reviewed council (empty when unknown).
    pub council: String,
    pub gss_code: String,
    pub region: String,
    pub year: Option<u64>,
    pub title: String,
    pub source: String,
    /// Councils a best-practice finding points to.
    pub pointers: Vec<String>,
    pub start: u64,
    pub end: u64,
    /// The reader's confidence that this is a finding of this kind (0–1).
    pub confidence: f32,
}

/// A matching finding before its stored fields are read: its score and reviewed council.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub score: f32,
    pub council: Arc<str>,
    pub kind: Arc<str>,
    pub year: Option<u64>,
    /// What the answer's facets count, from the index's columns (values shared between
    /// candidates, not copied).
    pub region: Arc<str>,
    pub doc_kind: Arc<str>,
    pub service: Arc<str>,
    pub review_type: Arc<str>,
    pub themes: Vec<Arc<str>>,
    /// Equal for copies of one finding ([`peerscope_model::text::text_key`]).
    pub text_key: Option<u64>,
    addr: tantivy::DocAddress,
}

impl Candidate {
    /// Equal for copies of one finding: its text key and its review's year, the words and
    /// year `export` and `themes` fold copies by (`finding_key` in the query crate); the
    /// council is compared by the caller. `None` when the index holds no key.
    pub fn copy_key(&self) -> Option<(u64, Option<u64>)> {
        self.text_key.map(|k| (k, self.year))
    }
}

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Free text, analysed like the findings.
    pub text: String,
    /// Theme ids; a finding tagged with one scores higher.
    pub themes: Vec<String>,
    /// Groups of theme ids; a finding kept must carry one id of each group (empty keeps
    /// all).
    pub only_themes: Vec<Vec<String>>,
    /// Kinds to keep; empty keeps all.
    pub kinds: Vec<FindingKind>,
    /// Keep documents that are not about an adult social care peer review.
    pub all_documents: bool,
    /// Phrases that must occur as written (after analysis), e.g. "case recording".
    pub phrases: Vec<String>,
    /// Council names exactly as indexed; empty keeps all.
    pub councils: Vec<String>,
    /// Regions exactly as indexed; empty keeps all.
    pub regions: Vec<String>,
    /// Review years, inclusive.
    pub years: Option<(u64, u64)>,
    /// Review types as written in documents ("lga-peer-challenge"); empty keeps all.
    pub review_types: Vec<String>,
    /// Services as written in documents ("adult-social-care"); empty keeps all.
    pub services: Vec<String>,
    /// Document kinds as written in documents ("report", "minutes"); empty keeps all.
    pub doc_kinds: Vec<String>,
    /// Keep findings the reader is at least this sure of (0–1); `None` keeps all.
    pub min_confidence: Option<f32>,
    /// What every finding kept must hold: each word (analysed like the findings), or one
    /// of the themes given with it.
    pub required: Vec<(String, Vec<String>)>,
    pub limit: usize,
}

/// A confidence (0–1) in thousandths, as indexed.
fn permille(confidence: f32) -> u64 {
    (confidence.clamp(0.0, 1.0) * 1000.0).round() as u64
}

pub struct FindingIndex {
    index: Index,
    reader: IndexReader,
    writer: Option<IndexWriter>,
    f: Fields,
    /// Documents read lately, by id: the findings of one answer (and of the next, in a
    /// server) come from few documents. Emptied when the index changes.
    documents: std::sync::Mutex<HashMap<(tantivy::index::SegmentId, u64), std::sync::Arc<DocumentInfo>>>,
    /// Each segment's columns, opened once (emptied when the index changes).
    columns: OpenColumns,
    /// One zstd context for every document text read (making one costs more than reading
    /// a short text).
    unzstd: std::sync::Mutex<Option<zstd::bulk::Decompressor<'static>>>,
}

/// Segments an index may keep before [`FindingIndex::compact`] merges them: a nightly
/// fetch adds one, so a full merge happens every few runs, not every run.
pub const MOST_SEGMENTS: usize = 4;

/// How many documents [`FindingIndex`] keeps in hand.
const DOCUMENTS_KEPT: usize = 256;

impl FindingIndex {
    /// Open the index in `dir`, creating it when absent. An index built by another analyzer
    /// version (or unreadable) is recreated empty: the caller re-indexes from the store.
    pub fn open(dir: &Path) -> Result<FindingIndex> {
        std::fs::create_dir_all(dir).map_err(|e| IndexError::Io(dir.display().to_string(), e))?;
        let (schema, f) = schema();
        let index = match Index::open_in_dir(dir) {
            Ok(index) if watermark_of(&index).is_some_and(|w| w.is_current()) || is_empty(&index) => index,
            _ => {
                for entry in std::fs::read_dir(dir).map_err(|e| IndexError::Io(dir.display().to_string(), e))?.flatten() {
                    let _ = std::fs::remove_file(entry.path());
                }
                // The doc store stays lz4 (tantivy's default): zstd made the index 15% smaller
                // but a query decompresses a hundred-odd blocks, 20% of its instructions.
                // Its blocks are 4 KiB, not 16: an answer reads a few findings and records
                // scattered over the store, and decompresses a whole block for each.
                let settings = tantivy::IndexSettings { docstore_blocksize: DOCSTORE_BLOCK, ..Default::default() };
                Index::builder().schema(schema).settings(settings).create_in_dir(dir)?
            }
        };
        Self::with_reader(index, f)
    }

    /// Open the index in `dir` to read only: never writes, never takes the writer's lock, so
    /// it works while another process ingests. `Ok(None)` when there is no index there yet,
    /// or one of another version, or one that cannot be opened (a writer must build it).
    pub fn open_read_only(dir: &Path) -> Result<Option<FindingIndex>> {
        if !dir.join("meta.json").is_file() {
            return Ok(None);
        }
        let (_, f) = schema();
        // An index tantivy cannot open (damaged, or written with settings this build cannot
        // read) is one a writer must rebuild from the store, as `open` does: not an error.
        let Ok(index) = Index::open_in_dir(dir) else { return Ok(None) };
        if !watermark_of(&index).is_some_and(|w| w.is_current()) {
            return Ok(None);
        }
        Self::with_reader(index, f).map(Some)
    }

    fn with_reader(index: Index, f: Fields) -> Result<FindingIndex> {
        index.tokenizers().register(ANALYZER, analyzer::analyzer());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(FindingIndex { index, reader, writer: None, f, documents: Default::default(), columns: Default::default(), unzstd: Default::default() })
    }

    /// See what writers have committed since this index was opened or last refreshed.
    pub fn refresh(&self) -> Result<()> {
        self.reader.reload()?;
        self.forget_documents();
        Ok(())
    }

    /// What the last commit reflects (zero for a new index).
    pub fn watermark(&self) -> Watermark {
        watermark_of(&self.index).unwrap_or(Watermark { seq: 0, analyzer: ANALYZER_VERSION, schema: SCHEMA_VERSION })
    }

    fn writer(&mut self) -> Result<&mut IndexWriter> {
        if self.writer.is_none() {
            let w: IndexWriter = self.index.writer_with_num_threads(1, 64 << 20)?;
            w.set_merge_policy(Box::new(merge::MergeAtCap::default()));
            self.writer = Some(w);
        }
        // Just set above when absent.
        self.writer.as_mut().ok_or_else(|| IndexError::Tantivy(tantivy::TantivyError::InternalError("no writer".into())))
    }

    /// Drop every finding of a document.
    pub fn remove(&mut self, doc_id: &str) -> Result<()> {
        let field = self.f.doc_id;
        self.writer()?.delete_term(Term::from_field_text(field, doc_id));
        Ok(())
    }

    /// Replace the findings of a document with those of `doc`, whose normalised text is
    /// `text` ("" when unknown: then every finding keeps its own text).
    pub fn upsert(&mut self, doc_id: &str, sources: &[String], doc: &Document, text: &str) -> Result<()> {
        self.remove(doc_id)?;
        let f = self.f;
        let source = clipped(sources.first().unwrap_or(&doc.source));
        let writer = self.writer()?;
        let ties = Ties::of(doc_id);
        for (i, finding) in doc.findings.iter().enumerate() {
            let mut d = TantivyDocument::default();
            d.add_text(f.doc_id, doc_id);
            d.add_u64(f.finding, i as u64);
            d.add_text(f.kind, finding.kind.as_str());
            d.add_u64(f.kind_code, keep::kind_code(finding.kind));
            d.add_text(f.text, &finding.text);
            if text.get(finding.start..finding.end) != Some(finding.text.as_str()) {
                d.add_text(f.own_text, &finding.text);
            }
            d.add_text(f.section, finding.section.as_deref().unwrap_or(""));
            for t in &finding.themes {
                d.add_text(f.themes, t);
            }
            if let Some(c) = &doc.council {
                d.add_text(f.council, clipped(&c.name));
                d.add_text(f.gss, clipped(c.gss_code.as_deref().unwrap_or("")));
                d.add_text(f.region, clipped(c.region.as_deref().unwrap_or("")));
            }
            if let Some(y) = doc.review_year.and_then(|y| u64::try_from(y).ok()) {
                d.add_u64(f.year, y);
            }
            d.add_text(f.doc_kind, doc.doc_kind.as_str());
            d.add_text(f.service, doc.service.as_str());
            d.add_text(f.review_type, doc.review_type.as_str());
            d.add_text(f.about, if doc.about_asc_peer_review { "yes" } else { "no" });
            for c in finding.council.iter().chain(&finding.also) {
                d.add_text(f.pointer, c);
            }
            d.add_u64(f.start, finding.start as u64);
            d.add_u64(f.end, finding.end as u64);
            d.add_u64(f.confidence, permille(finding.confidence));
            d.add_u64(f.text_key, peerscope_model::text::text_key(&finding.text));
            d.add_u64(f.tie, ties.of_finding(i));
            d.add_text(f.source, source);
            writer.add_document(d)?;
        }
        // The record holds the document without its findings: those are the finding docs
        // above, and `documents` puts them back (the same text kept twice would double the
        // index's stored part).
        let document = Document { findings: Vec::new(), ..doc.clone() };
        let record = DocumentRecord { id: doc_id.to_string(), sources: sources.to_vec(), document, text: String::new() };
        let mut d = TantivyDocument::default();
        d.add_text(f.doc_id, doc_id);
        d.add_text(f.is_record, "yes");
        // Every document has a tie, so the column is read by position alone (one missing
        // value per document would make each read a rank in a sparse index first).
        d.add_u64(f.tie, 0);
        d.add_u64(f.kind_code, 0);
        d.add_text(f.record, serde_json::to_string(&record)?);
        if !text.is_empty() {
            // Level 6, as the store's raw bytes (see `Blobs::stage`).
            d.add_bytes(f.doc_text, &zstd::bulk::compress(text.as_bytes(), 6).map_err(|e| IndexError::Io(format!("compressing the text of {doc_id}"), e))?);
        }
        writer.add_document(d)?;
        Ok(())
    }

    /// Every document the index holds, with its findings, as committed when the index was
    /// opened or last refreshed; in id order, as the store lists them.
    pub fn documents(&self) -> Result<Vec<DocumentRecord>> {
        let searcher = self.reader.searcher();
        let mut columns = SegmentColumns::new(&searcher, &self.columns);
        let mut assembly = Assembly::default();
        for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
            // Every stored document in storage order, each block decompressed once: read a
            // document at a time, each read sought its block through the store's skip index
            // (a fifth of `themes`'s instructions).
            let store = segment.get_store_reader(1).map_err(|e| IndexError::Io("reading the index's stored documents".into(), e))?;
            assembly.learn_ids(ordinal as u32, columns.of(tantivy::DocAddress::new(ordinal as u32, 0))?)?;
            let alive = segment.alive_bitset();
            let ids = (0..segment.max_doc()).filter(|doc| alive.is_none_or(|a| a.is_alive(*doc)));
            for (doc, stored) in ids.zip(store.iter::<TantivyDocument>(alive)) {
                self.assemble(&mut assembly, &mut columns, tantivy::DocAddress::new(ordinal as u32, doc), stored?)?;
            }
        }
        Ok(assembly.finish())
    }

    /// One document with its findings, by id (`None` when the index does not hold it).
    pub fn document(&self, id: &str) -> Result<Option<DocumentRecord>> {
        let query = TermQuery::new(Term::from_field_text(self.f.doc_id, id), IndexRecordOption::Basic);
        Ok(self.records_matching(&query)?.into_iter().next())
    }

    /// Where a document is published (its record's `url`), read from its record alone: a
    /// download names it for each of up to a thousand rows, and [`FindingIndex::document`]
    /// would assemble each document's findings and text for it.
    pub fn document_url(&self, id: &str) -> Result<Option<String>> {
        let searcher = self.reader.searcher();
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(self.f.doc_id, id), IndexRecordOption::Basic)) as Box<dyn Query>),
            (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(self.f.is_record, "yes"), IndexRecordOption::Basic))),
        ]);
        let Some(addr) = searcher.search(&query, &tantivy::collector::DocSetCollector)?.into_iter().min() else { return Ok(None) };
        let d: TantivyDocument = searcher.doc(addr)?;
        let Some(json) = d.get_first(self.f.record).and_then(|v| v.as_str()) else { return Ok(None) };
        let r: DocumentRecord = serde_json::from_str(json)?;
        Ok(r.document.url)
    }

    /// Whether the index holds a document whose reviewed council is `council`, findings or
    /// none: read from the documents' records one by one, so only for the rare question
    /// about a council with no finding held (a copy cut short holds none).
    pub fn holds_document_of(&self, council: &str) -> Result<bool> {
        let searcher = self.reader.searcher();
        let records = TermQuery::new(Term::from_field_text(self.f.is_record, "yes"), IndexRecordOption::Basic);
        for addr in searcher.search(&records, &tantivy::collector::DocSetCollector)? {
            let d: TantivyDocument = searcher.doc(addr)?;
            let Some(json) = d.get_first(self.f.record).and_then(|v| v.as_str()) else { continue };
            let r: DocumentRecord = serde_json::from_str(json)?;
            if r.document.council.is_some_and(|c| c.name == council) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The documents of the records and findings `query` matches, findings in order.
    fn records_matching(&self, query: &dyn Query) -> Result<Vec<DocumentRecord>> {
        let searcher = self.reader.searcher();
        let mut columns = SegmentColumns::new(&searcher, &self.columns);
        let mut assembly = Assembly::default();
        // In index order: the doc store is read a compressed block at a time, and a block
        // read for one document serves its neighbours from the store's cache.
        let mut addrs: Vec<tantivy::DocAddress> = searcher.search(query, &tantivy::collector::DocSetCollector)?.into_iter().collect();
        addrs.sort_unstable();
        for addr in addrs {
            self.assemble(&mut assembly, &mut columns, addr, searcher.doc(addr)?)?;
        }
        Ok(assembly.finish())
    }

    /// Add a stored document to `assembly`: a document's record, or one of its findings.
    fn assemble(&self, assembly: &mut Assembly, columns: &mut SegmentColumns, addr: tantivy::DocAddress, d: TantivyDocument) -> Result<()> {
        if let Some(json) = d.get_first(self.f.record).and_then(|v| v.as_str()) {
            let mut r: DocumentRecord = serde_json::from_str(json)?;
            r.text = self.text_of_record(&d)?;
            assembly.records.insert(r.id.clone(), r);
            return Ok(());
        }
        let c = columns.of(addr)?;
        let key = (addr.segment_ord, c.doc_ord(addr.doc_id).unwrap_or(u64::MAX));
        let doc_id = match assembly.ids.get(&key) {
            Some(id) => id.clone(),
            None => {
                let id = Columns::text(&c.doc_id, addr.doc_id)?;
                assembly.ids.insert(key, id.clone());
                id
            }
        };
        let (position, finding) = self.finding_of(&d, c, addr.doc_id, "");
        assembly.findings.entry(doc_id).or_default().push((position, finding));
        Ok(())
    }

    /// A finding as indexed, with its position in its document; its text is its own or
    /// its span of `text` (its document's).
    fn finding_of(&self, d: &TantivyDocument, c: &Columns, doc: tantivy::DocId, text: &str) -> (u64, peerscope_model::Finding) {
        let f = self.f;
        let all = |field: Field| d.get_all(field).filter_map(|v| v.as_str().map(str::to_string)).collect::<Vec<_>>();
        let (start, end) = (Columns::number(&c.start, doc).unwrap_or(0) as usize, Columns::number(&c.end, doc).unwrap_or(0) as usize);
        let own = d.get_first(f.own_text).and_then(|v| v.as_str());
        let mut pointers = all(f.pointer).into_iter();
        let kind = c.kind(doc).unwrap_or_default();
        let finding = peerscope_model::Finding {
            kind: FindingKind::parse(&kind).unwrap_or(FindingKind::Strength),
            text: own.map_or_else(|| text.get(start..end).unwrap_or("").to_string(), str::to_string),
            section: c.small(Small::Section, doc).ok().filter(|s| !s.is_empty()).map(|s| s.to_string()),
            themes: c.all_small(Small::Theme, doc).unwrap_or_default().iter().map(|t| t.to_string()).collect(),
            start,
            end,
            council: pointers.next(),
            also: pointers.collect(),
            confidence: Columns::number(&c.confidence, doc).map_or(1.0, |c| c as f32 / 1000.0),
        };
        (Columns::number(&c.finding, doc).unwrap_or(0), finding)
    }

    /// Make the changes so far durable and visible, recording the store sequence they reflect.
    pub fn commit(&mut self, seq: u64) -> Result<()> {
        let payload = serde_json::to_string(&Watermark { seq, analyzer: ANALYZER_VERSION, schema: SCHEMA_VERSION })?;
        let writer = self.writer()?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.reader.reload()?;
        self.forget_documents();
        Ok(())
    }

    /// Merge the index into one segment when it has more than [`MOST_SEGMENTS`]: a reader
    /// opens every segment and runs a query over each, so a whole-process query costs less
    /// with fewer (at 10,000 letters, 12 segments merged in 2 s took a query from 40 to
    /// 30 ms). Readers keep reading the segments they opened; the commit's payload stays.
    /// Returns whether it merged.
    pub fn compact(&mut self) -> Result<bool> {
        // Merges running in the background finish first, so every segment is free to merge.
        if let Some(writer) = self.writer.take() {
            writer.wait_merging_threads()?;
        }
        let segments = self.index.searchable_segment_ids()?;
        let merge = segments.len() > MOST_SEGMENTS;
        if merge {
            self.writer()?.merge(&segments).wait()?;
        }
        // The merged segments' files go now, not at the next run's first commit.
        if let Some(writer) = self.writer.take() {
            writer.garbage_collect_files().wait()?;
            writer.wait_merging_threads()?;
        }
        self.reader.reload()?;
        self.forget_documents();
        Ok(merge)
    }

    /// How many findings hold the analysed term `term` (0 when none: nobody wrote it).
    pub fn doc_freq(&self, term: &str) -> u64 {
        self.reader.searcher().doc_freq(&Term::from_field_text(self.f.text, term)).unwrap_or(0)
    }

    /// How many findings the index holds.
    pub fn len(&self) -> u64 {
        let searcher = self.reader.searcher();
        let records = TermQuery::new(Term::from_field_text(self.f.is_record, "yes"), IndexRecordOption::Basic);
        let documents = searcher.search(&records, &tantivy::collector::Count).unwrap_or(0) as u64;
        searcher.num_docs().saturating_sub(documents)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The reviewed council and score of each finding matching `search`, best first, read
    /// from the fast field only; [`FindingIndex::load`] reads the findings worth showing.
    pub fn candidates(&self, search: &Search) -> Result<Vec<Candidate>> {
        let searcher = self.reader.searcher();
        let top = self.top(&searcher, search)?;
        let mut columns = SegmentColumns::new(&searcher, &self.columns);
        self.candidates_of(&mut columns, top)
    }

    /// Matches as candidates, their values read from the columns.
    fn candidates_of(&self, columns: &mut SegmentColumns, top: Vec<(tantivy::Score, tantivy::DocAddress)>) -> Result<Vec<Candidate>> {
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let c = columns.of(addr)?;
            let kind = c.kind(addr.doc_id)?;
            let d = addr.doc_id;
            out.push(Candidate {
                score,
                council: c.council(d)?,
                kind,
                year: c.year(d),
                region: c.small(Small::Region, d)?,
                doc_kind: c.small(Small::DocKind, d)?,
                service: c.small(Small::Service, d)?,
                review_type: c.small(Small::ReviewType, d)?,
                themes: c.all_small(Small::Theme, d)?,
                text_key: Columns::number(&c.text_key, d),
                addr,
            });
        }
        Ok(out)
    }

    /// The councils a candidate points to (a best-practice finding's), read from its
    /// stored fields only when asked: an answer weighs a hundred best-practice candidates
    /// and shows the first few that point anywhere.
    pub fn pointers_of(&self, candidate: &Candidate) -> Result<Vec<String>> {
        if *candidate.kind != *FindingKind::BestPractice.as_str() {
            return Ok(Vec::new());
        }
        let d: TantivyDocument = self.reader.searcher().doc(candidate.addr)?;
        Ok(d.get_all(self.f.pointer).filter_map(|v| v.as_str().map(str::to_string)).collect())
    }

    /// Where each candidate's document came from (its first source), from a column: no
    /// stored document is read. Each segment's values are read in ordinal order, in one walk
    /// of its dictionary (read one at a time, each decompressed a block of it).
    pub fn sources(&self, candidates: &[&Candidate]) -> Result<Vec<String>> {
        let searcher = self.reader.searcher();
        let mut columns = SegmentColumns::new(&searcher, &self.columns);
        let mut out = vec![String::new(); candidates.len()];
        // (segment, ordinal, position in `candidates`), walked segment by segment.
        let mut wanted: Vec<(u32, u64, usize)> = Vec::with_capacity(candidates.len());
        for (i, c) in candidates.iter().enumerate() {
            if let Some(ord) = columns.of(c.addr)?.source.as_ref().and_then(|col| col.ords().first(c.addr.doc_id)) {
                wanted.push((c.addr.segment_ord, ord, i));
            }
        }
        wanted.sort_unstable();
        for segment in wanted.chunk_by(|a, b| a.0 == b.0) {
            let Some(column) = columns.of(tantivy::DocAddress::new(segment[0].0, 0))?.source.clone() else { continue };
            let mut ords: Vec<u64> = segment.iter().map(|w| w.1).collect();
            ords.dedup();
            let mut values = Vec::with_capacity(ords.len());
            column.dictionary().sorted_ords_to_term_cb(ords.iter().copied(), |term| {
                values.push(String::from_utf8_lossy(term).into_owned());
                Ok(())
            }).map_err(io)?;
            for w in segment {
                if let Some(v) = ords.binary_search(&w.1).ok().and_then(|k| values.get(k)) {
                    out[w.2] = v.clone();
                }
            }
        }
        Ok(out)
    }

    /// The findings of some candidates, in the order given.
    pub fn load(&self, candidates: &[&Candidate]) -> Result<Vec<Hit>> {
        let searcher = self.reader.searcher();
        let mut columns = SegmentColumns::new(&searcher, &self.columns);
        candidates.iter().map(|c| self.hit_with_text(&searcher, c.score, c.addr, &mut columns)).collect()
    }

    /// Findings matching `search`, best first.
    pub fn search(&self, search: &Search) -> Result<Vec<Hit>> {
        let searcher = self.reader.searcher();
        let top = self.top(&searcher, search)?;
        let mut columns = SegmentColumns::new(&searcher, &self.columns);
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            out.push(self.hit_with_text(&searcher, score, addr, &mut columns)?);
        }
        Ok(out)
    }

    /// The best `search.limit` matches of `search`, best first.
    fn top(&self, searcher: &tantivy::Searcher, search: &Search) -> Result<Vec<(tantivy::Score, tantivy::DocAddress)>> {
        let top = best::Best::new(search.limit);
        let kinds_in = if self.kinds_by_column(searcher, &search.kinds) { KindsIn::Column } else { KindsIn::Query };
        // With no kind asked for, every kind is kept (records have none).
        let kinds = if search.kinds.is_empty() { FindingKind::ALL.to_vec() } else { search.kinds.clone() };
        let buckets = keep::Buckets::new(vec![(&kinds[..], top)]).within("year", search.years);
        let mut tops = searcher.search(&self.build_query(search, kinds_in), &buckets)?;
        Ok(tops.pop().unwrap_or_default())
    }

    /// The candidates of several sets of kinds for one search (its own kinds are not
    /// read), in one pass: bucket `i` holds the best `buckets[i].1` matches of the kinds
    /// `buckets[i].0`. The topic is scored once however many kinds an answer needs (those
    /// it ranks by, the best practice it points to, the councils praised on the topic).
    pub fn candidates_by_kind(&self, search: &Search, buckets: &[(Vec<FindingKind>, usize)]) -> Result<Vec<Vec<Candidate>>> {
        Ok(self.candidates_by_kind_and_undated(search, buckets)?.0)
    }

    /// [`FindingIndex::candidates_by_kind`], and how many findings of the first bucket's
    /// kinds its years left out for having no year (copies of a finding, the same council
    /// and words, counted once; 0 without years).
    pub fn candidates_by_kind_and_undated(&self, search: &Search, buckets: &[(Vec<FindingKind>, usize)]) -> Result<(Vec<Vec<Candidate>>, usize)> {
        let searcher = self.reader.searcher();
        let collectors = buckets.iter().map(|(kinds, limit)| (&kinds[..], best::Best::new(*limit))).collect();
        let collector = keep::Buckets::new(collectors).within("year", search.years);
        let tops = searcher.search(&self.build_query(search, KindsIn::Column), &collector)?;
        let mut columns = SegmentColumns::new(&searcher, &self.columns);
        let found = tops.into_iter().map(|top| self.candidates_of(&mut columns, top)).collect::<Result<Vec<_>>>()?;
        let mut copies = std::collections::HashSet::new();
        for addr in collector.without_value() {
            let c = columns.of(addr)?;
            copies.insert((c.council(addr.doc_id)?, Columns::number(&c.text_key, addr.doc_id)));
        }
        Ok((found, copies.len()))
    }

    /// Whether the kinds asked for are better checked per match (their column) than met as
    /// postings: when they hold more than an eighth of the index. Rarer kinds (best
    /// practice alone) lead the search instead.
    fn kinds_by_column(&self, searcher: &tantivy::Searcher, kinds: &[FindingKind]) -> bool {
        if kinds.is_empty() {
            return false;
        }
        let held: u64 = kinds.iter().map(|k| searcher.doc_freq(&Term::from_field_text(self.f.kind, k.as_str())).unwrap_or(0)).sum();
        held.saturating_mul(8) > searcher.num_docs()
    }

    /// The query for `s`. Kinds never add to a score, so both ways of meeting them rank
    /// alike.
    fn build_query(&self, s: &Search, kinds_in: KindsIn) -> BooleanQuery {
        let with_kinds = kinds_in == KindsIn::Query;
        let f = self.f;
        let term = |field: Field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::WithFreqs))
        };
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if with_kinds && !s.kinds.is_empty() {
            let kinds = s.kinds.iter().map(|k| (Occur::Should, term(f.kind, k.as_str()))).collect();
            must.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(kinds)), 0.0))));
        }
        if !s.all_documents {
            // Nearly every finding is from a review: leaving out the few that are not costs
            // less than meeting all the others.
            must.push((Occur::MustNot, term(f.about, "no")));
        }
        let theme_groups = s.only_themes.iter().map(|g| (f.themes, g));
        for (field, values) in [(f.council, &s.councils), (f.region, &s.regions), (f.review_type, &s.review_types), (f.service, &s.services), (f.doc_kind, &s.doc_kinds)].into_iter().chain(theme_groups) {
            if !values.is_empty() {
                let any = values.iter().map(|v| (Occur::Should, term(field, v))).collect();
                must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
        }
        // Years are checked as matches are collected (see `keep.rs`).
        if let Some(min) = s.min_confidence.filter(|m| *m > 0.0) {
            let bounds = (Bound::Included(Term::from_field_u64(f.confidence, permille(min))), Bound::Included(Term::from_field_u64(f.confidence, 1000)));
            must.push((Occur::Must, Box::new(RangeQuery::new(bounds.0, bounds.1))));
        }
        for (word, themes) in &s.required {
            let terms = analyzer::terms(word).into_iter().map(|t| (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(f.text, &t), IndexRecordOption::WithFreqs)) as Box<dyn Query>));
            let mut either: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, Box::new(BooleanQuery::new(terms.collect())))];
            either.extend(themes.iter().map(|t| (Occur::Should, term(f.themes, t))));
            must.push((Occur::Must, Box::new(BooleanQuery::new(either))));
        }
        for phrase in &s.phrases {
            let terms: Vec<Term> = analyzer::terms(phrase).iter().map(|t| Term::from_field_text(f.text, t)).collect();
            match terms.len() {
                0 => {}
                1 => must.push((Occur::Must, Box::new(TermQuery::new(terms[0].clone(), IndexRecordOption::WithFreqs)))),
                _ => must.push((Occur::Must, Box::new(PhraseQuery::new(terms)))),
            }
        }
        // A finding is on the topic when it carries one of the topic's themes or has all of
        // its words ("direct payments" is not "direction of travel" nor "direct care"); a
        // longer topic needs any of its words. Each word it has then adds to its score.
        let words: Vec<Term> = analyzer::terms(&s.text).into_iter().map(|t| Term::from_field_text(f.text, &t)).collect();
        let word = |t: &Term| -> Box<dyn Query> { Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs)) };
        let mut topic: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        match words.len() {
            0 => {}
            1..=3 => topic.push((Occur::Should, Box::new(BooleanQuery::new(words.iter().map(|t| (Occur::Must, word(t))).collect())))),
            _ => topic.extend(words.iter().map(|t| (Occur::Should, word(t)))),
        }
        for theme in &s.themes {
            topic.push((Occur::Should, Box::new(BoostQuery::new(term(f.themes, theme), 3.0))));
        }
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !topic.is_empty() {
            must.push((Occur::Must, Box::new(BooleanQuery::new(topic))));
            if (2..=3).contains(&words.len()) {
                should.extend(words.iter().map(|t| (Occur::Should, word(t))));
            }
        }
        if must.iter().all(|(occur, _)| *occur == Occur::MustNot) {
            must.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
        }
        // Documents' records are not findings (they have no kind: a kind checked by column
        // leaves them out already).
        if with_kinds {
            must.push((Occur::MustNot, term(f.is_record, "yes")));
        }
        must.extend(should);
        BooleanQuery::new(must)
    }

    /// A finding with what its document says of it (read once per document per answer,
    /// and kept in hand for the next).
    fn hit_with_text(&self, searcher: &tantivy::Searcher, score: f32, addr: tantivy::DocAddress, columns: &mut SegmentColumns) -> Result<Hit> {
        let d: TantivyDocument = searcher.doc(addr)?;
        let info = self.document_info(searcher, columns, addr)?;
        let c = columns.of(addr)?;
        let (position, finding) = self.finding_of(&d, c, addr.doc_id, &info.text);
        let pointers = finding.council.into_iter().chain(finding.also).collect();
        Ok(Hit {
            score,
            doc_id: info.id.clone(),
            finding: position,
            kind: finding.kind.as_str().to_string(),
            text: finding.text,
            section: finding.section.unwrap_or_default(),
            themes: finding.themes,
            council: info.council.clone(),
            gss_code: info.gss_code.clone(),
            region: info.region.clone(),
            year: info.year,
            title: info.title.clone(),
            source: info.source.clone(),
            pointers,
            start: finding.start as u64,
            end: finding.end as u64,
            confidence: finding.confidence,
        })
    }

    /// What a document's findings share, from the documents kept in hand or its record.
    fn document_info(&self, searcher: &tantivy::Searcher, columns: &mut SegmentColumns, addr: tantivy::DocAddress) -> Result<std::sync::Arc<DocumentInfo>> {
        let ord = columns.of(addr)?.doc_ord(addr.doc_id).unwrap_or(u64::MAX);
        let key = (searcher.segment_reader(addr.segment_ord).segment_id(), ord);
        if let Some(info) = self.kept_documents().get(&key) {
            return Ok(info.clone());
        }
        let info = match columns.record_of(&self.f, addr)? {
            Some((_, at)) => {
                let d: TantivyDocument = searcher.doc(at)?;
                let json = d.get_first(self.f.record).and_then(|v| v.as_str()).unwrap_or("{}");
                let record: DocumentRecord = serde_json::from_str(json)?;
                DocumentInfo::of(&record, self.text_of_record(&d)?)
            }
            None => DocumentInfo::default(),
        };
        let info = std::sync::Arc::new(info);
        let mut kept = self.kept_documents();
        if kept.len() >= DOCUMENTS_KEPT {
            kept.clear();
        }
        kept.insert(key, info.clone());
        Ok(info)
    }

    fn kept_documents(&self) -> std::sync::MutexGuard<'_, HashMap<(tantivy::index::SegmentId, u64), std::sync::Arc<DocumentInfo>>> {
        self.documents.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn forget_documents(&self) {
        self.kept_documents().clear();
        self.columns.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn text_of_record(&self, record: &TantivyDocument) -> Result<String> {
        let Some(packed) = record.get_first(self.f.doc_text).and_then(|v| v.as_bytes()) else { return Ok(String::new()) };
        let io = |e| IndexError::Io("a document's text in the index".into(), e);
        let mut unzstd = self.unzstd.lock().unwrap_or_else(|p| p.into_inner());
        if unzstd.is_none() {
            *unzstd = Some(zstd::bulk::Decompressor::new().map_err(io)?);
        }
        let Some(d) = unzstd.as_mut() else { return Ok(String::new()) };
        // The size the frame declares (we wrote it), bounded: a damaged index must not claim
        // gigabytes.
        let size = zstd::zstd_safe::get_frame_content_size(packed).ok().flatten().unwrap_or(0).min(1 << 30) as usize;
        let bytes = d.decompress(packed, size).map_err(io)?;
        Ok(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }
}

impl Watermark {
    /// Whether an index with this watermark can be read as it is.
    fn is_current(&self) -> bool {
        self.analyzer == ANALYZER_VERSION && self.schema == SCHEMA_VERSION
    }
}

fn watermark_of(index: &Index) -> Option<Watermark> {
    index.load_metas().ok()?.payload.and_then(|p| serde_json::from_str(&p).ok())
}

fn is_empty(index: &Index) -> bool {
    index.load_metas().map(|m| m.segments.is_empty() && m.payload.is_none()).unwrap_or(false)
}

/// A finding's place among equal scores: a hash of its document's id (the SHA-256 of the
/// document's bytes) and its number there, so it depends on nothing but the document.
/// Matches of equal score are ranked by it ([`best::Best`]). The id is hashed once per
/// document; each finding's number continues from there.
struct Ties(peerscope_model::text::Fnv1a);

impl Ties {
    fn of(doc_id: &str) -> Ties {
        let mut h = peerscope_model::text::Fnv1a::default();
        doc_id.bytes().for_each(|b| h.write(b));
        Ties(h)
    }

    fn of_finding(&self, finding: usize) -> u64 {
        let mut h = self.0;
        (finding as u64).to_le_bytes().into_iter().for_each(|b| h.write(b));
        // 32 bits: the column is bit-packed to its values' range, so this costs 4 bytes a
        // finding, not 8; a collision leaves only that pair to the index's order.
        h.finish() >> 32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use peerscope_model::{CouncilRef, DocKind, Finding, ReviewType, Service};

    fn doc(council: &str, findings: &[(FindingKind, &str, &[&str])]) -> Document {
        Document {
            url: None,
            source: format!("{council}.txt"),
            title: format!("{council} peer challenge"),
            council: Some(CouncilRef { name: council.into(), gss_code: Some("E0".into()), region: Some("West Midlands".into()) }),
            doc_kind: DocKind::PeerReport,
            service: Service::AdultSocialCare,
            review_type: ReviewType::AdassRegionalPeerChallenge,
            review_year: Some(2015),
            about_asc_peer_review: true,
            format: "text".into(),
            findings: findings
                .iter()
                .map(|(k, t, th)| Finding { kind: *k, text: t.to_string(), section: None, themes: th.iter().map(|s| s.to_string()).collect(), start: 0, end: t.len(), council: None, also: vec![], confidence: 1.0 })
                .collect(),
        }
    }

    #[test]
    fn stemmed_search_with_kinds_and_themes() {
        let dir = tempfile::tempdir().unwrap();
        let mut idx = FindingIndex::open(dir.path()).unwrap();
        idx.upsert("a", &[], &doc("Walsall", &[(FindingKind::AreaForDevelopment, "The performance on reviews remains concerning", &["reviews"]), (FindingKind::Strength, "Reviews are done well", &["reviews"])]), "").unwrap();
        idx.upsert("b", &[], &doc("Leicester", &[(FindingKind::Recommendation, "Carers need support", &["carers"])]), "").unwrap();
        idx.commit(7).unwrap();
        let hits = idx.search(&Search { text: "reviewing".into(), kinds: vec![FindingKind::AreaForDevelopment], limit: 10, ..Default::default() }).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].council, "Walsall");
        let hits = idx.search(&Search { themes: vec!["carers".into()], limit: 10, ..Default::default() }).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(idx.watermark(), Watermark { seq: 7, analyzer: ANALYZER_VERSION, schema: SCHEMA_VERSION });
    }

    #[test]
    fn compact_merges_many_segments_into_one_and_keeps_every_finding_and_the_watermark() {
        let dir = tempfile::tempdir().unwrap();
        let mut idx = FindingIndex::open(dir.path()).unwrap();
        let count = MOST_SEGMENTS + 2;
        for i in 0..count {
            idx.upsert(&format!("d{i}"), &[], &doc("Walsall", &[(FindingKind::Strength, "Reviews are done well", &[])]), "").unwrap();
            idx.commit(i as u64 + 1).unwrap();
        }
        let before = idx.search(&Search { text: "reviews".into(), limit: 100, ..Default::default() }).unwrap().len();
        assert!(idx.index.searchable_segment_ids().unwrap().len() > MOST_SEGMENTS);
        assert!(idx.compact().unwrap());
        assert_eq!(idx.index.searchable_segment_ids().unwrap().len(), 1);
        assert_eq!(idx.search(&Search { text: "reviews".into(), limit: 100, ..Default::default() }).unwrap().len(), before);
        assert_eq!(before, count);
        drop(idx);
        let idx = FindingIndex::open(dir.path()).unwrap();
        assert_eq!(idx.watermark().seq, count as u64);
        assert_eq!(idx.len(), count as u64);
        // The merged segments' files are gone: one segment's files and the meta files.
        let segment_files = std::fs::read_dir(dir.path()).unwrap().flatten().filter(|e| e.path().extension().is_some_and(|x| x == "idx")).count();
        assert_eq!(segment_files, 1);
    }

    /// One pass sorted into buckets by kind finds what a search per kind finds, in the same
    /// order with the same scores, over several segments; a kind met as postings (a rare
    /// one) and one checked by column rank alike; documents' records are never candidates.
    #[test]
    fn kinds_in_one_pass_are_the_searches_per_kind() {
        use FindingKind::*;
        let dir = tempfile::tempdir().unwrap();
        let mut idx = FindingIndex::open(dir.path()).unwrap();
        for i in 0..30 {
            let (a, b) = if i % 2 == 0 { ("Walsall", "Leicester") } else { ("Leicester", "Walsall") };
            let findings: &[(FindingKind, &str, &[&str])] = &[
                (Strength, "Reviews are done well and on time", &["reviews"]),
                (AreaForDevelopment, "Review performance is poor and reviews are late", &["reviews"]),
                (Recommendation, "Improve review performance", &[]),
                (Strength, "Carers are well supported", &["carers"]),
            ];
            idx.upsert(&format!("{a}{i}"), &[], &doc(a, findings), "").unwrap();
            if i % 5 == 0 {
                idx.upsert(&format!("bp{i}"), &[], &doc(b, &[(BestPractice, "Look at Walsall's review performance", &["reviews"])]), "").unwrap();
                idx.commit(i + 1).unwrap();
            }
        }
        idx.commit(100).unwrap();
        let search = Search { text: "review performance".into(), themes: vec!["reviews".into()], limit: 1000, ..Default::default() };
        let buckets = [(vec![AreaForDevelopment, Recommendation], 1000), (vec![BestPractice], 3), (vec![Strength], 1000)];
        let together = idx.candidates_by_kind(&search, &buckets).unwrap();
        assert_eq!(together.len(), 3);
        let searcher = idx.reader.searcher();
        assert!(searcher.segment_readers().len() > 1);
        for ((kinds, limit), found) in buckets.iter().zip(&together) {
            let alone = idx.candidates(&Search { kinds: kinds.clone(), limit: *limit, ..search.clone() }).unwrap();
            let key = |c: &Candidate| (c.score.to_bits(), c.addr, c.kind.clone());
            assert_eq!(found.iter().map(key).collect::<Vec<_>>(), alone.iter().map(key).collect::<Vec<_>>(), "{kinds:?}");
            assert!(found.iter().all(|c| kinds.iter().any(|k| *k.as_str() == *c.kind)), "{kinds:?}");
        }
        // Rare kinds are met as postings, common ones by column: both ways were exercised.
        assert!(!idx.kinds_by_column(&searcher, &[BestPractice]));
        assert!(idx.kinds_by_column(&searcher, &[Strength]));
        assert_eq!(together[1].len(), 3);
        assert_eq!(together[0].len(), 60);
        assert_eq!(together[2].len(), 30, "the strengths on reviews, not those on carers");
        // Years are checked per match: every finding here is from 2015.
        let in_years = |years| idx.candidates_by_kind(&Search { years: Some(years), ..search.clone() }, &buckets).unwrap();
        assert_eq!(in_years((2015, 2015)).iter().map(Vec::len).collect::<Vec<_>>(), [60, 3, 30]);
        assert!(in_years((2016, 2024)).iter().all(Vec::is_empty));
        // Every finding here has a year: a year filter leaves none out for want of one.
        assert_eq!(idx.candidates_by_kind_and_undated(&Search { years: Some((2016, 2024)), ..search.clone() }, &buckets).unwrap().1, 0);
        assert!(idx.candidates(&Search { years: Some((2010, 2014)), limit: 10, ..Default::default() }).unwrap().is_empty());
        assert_eq!(idx.candidates(&Search { years: Some((2010, 2015)), limit: 1000, ..Default::default() }).unwrap().len(), 30 * 4 + 6);
    }

    /// Equal scores at an answer's cut keep the same findings, in the same order, however
    /// the documents were spread over segments: two ingests of one corpus, extracted in
    /// parallel, once named different councils and sources at the cut.
    #[test]
    fn equal_scores_are_cut_alike_in_any_index_order() {
        let kept = |order: Vec<usize>| {
            let dir = tempfile::tempdir().unwrap();
            let mut idx = FindingIndex::open(dir.path()).unwrap();
            for (n, i) in order.into_iter().enumerate() {
                idx.upsert(&format!("sha{i}"), &[], &doc(&format!("Council {i}"), &[(FindingKind::Strength, "Reviews are done well", &["reviews"])]), "").unwrap();
                if n % 4 == 3 {
                    idx.commit(n as u64 + 1).unwrap();
                }
            }
            idx.commit(100).unwrap();
            let search = Search { text: "reviews".into(), limit: 3, ..Default::default() };
            let councils = |found: &[Candidate]| found.iter().map(|c| c.council.to_string()).collect::<Vec<_>>();
            let by_kind = idx.candidates_by_kind(&search, &[(vec![FindingKind::Strength], 3)]).unwrap();
            (councils(&by_kind[0]), councils(&idx.candidates(&search).unwrap()))
        };
        let forward = kept((0..12).collect());
        assert_eq!(forward.0.len(), 3);
        assert_eq!(forward.0, forward.1);
        assert_eq!(forward, kept((0..12).rev().collect()));
        assert_eq!(forward, kept([5, 0, 11, 3, 8, 1, 10, 2, 7, 4, 9, 6].to_vec()));
    }

    /// Every document read in storage order is the document read by its id, over several
    /// segments with replaced (deleted) documents among them.
    #[test]
    fn documents_in_storage_order_are_the_documents_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let mut idx = FindingIndex::open(dir.path()).unwrap();
        let text = "Reviews are late. Carers are well supported. Staff are proud.";
        let finding = |k, t: &str| (k, t.to_string());
        for round in 0..3u64 {
            for i in 0..4 {
                // Each round replaces two of the documents: their earlier copies are deleted.
                if round > 0 && i % 2 == 0 {
                    continue;
                }
                let found = [finding(FindingKind::AreaForDevelopment, "Reviews are late."), finding(FindingKind::Strength, "Carers are well supported.")];
                let mut d = doc(&format!("Council {i}"), &[]);
                d.findings = found
                    .iter()
                    .take(1 + (i + round as usize) % 2)
                    .map(|(k, t)| {
                        let start = text.find(t.as_str()).unwrap();
                        Finding { kind: *k, text: t.clone(), section: None, themes: vec![], start, end: start + t.len(), council: None, also: vec![], confidence: 0.5 }
                    })
                    .collect();
                idx.upsert(&format!("doc{i}"), &[format!("d{i}.txt")], &d, text).unwrap();
            }
            idx.commit(round + 1).unwrap();
        }
        let all = idx.documents().unwrap();
        assert_eq!(all.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["doc0", "doc1", "doc2", "doc3"]);
        for r in &all {
            assert_eq!(Some(r), idx.document(&r.id).unwrap().as_ref());
            assert!(r.document.findings.iter().all(|f| text.get(f.start..f.end) == Some(f.text.as_str())));
        }
        // doc1 as the last round wrote it (two findings; the round before wrote one), doc0
        // as the first round did (one).
        assert_eq!(all[1].document.findings.len(), 2);
        assert_eq!(all[0].document.findings.len(), 1);
        assert!(idx.reader.searcher().segment_readers().iter().any(|s| s.num_deleted_docs() > 0), "replaced documents were left deleted in their segments");
    }

    #[test]
    fn upsert_replaces_and_reopen_keeps_watermark() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut idx = FindingIndex::open(dir.path()).unwrap();
            idx.upsert("a", &[], &doc("Walsall", &[(FindingKind::Strength, "one", &[])]), "").unwrap();
            idx.upsert("a", &[], &doc("Walsall", &[(FindingKind::Strength, "two", &[])]), "").unwrap();
            idx.commit(3).unwrap();
            assert_eq!(idx.len(), 1);
        }
        let idx = FindingIndex::open(dir.path()).unwrap();
        assert_eq!(idx.watermark().seq, 3);
        assert_eq!(idx.len(), 1);
    }
}
