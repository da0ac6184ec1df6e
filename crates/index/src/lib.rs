//! The full-text index of findings: one tantivy document per finding, with the metadata of
//! its document, so answers come from the index alone.
//!
//! The index is derived data: it can always be rebuilt from the store. Each commit carries
//! a payload with the store sequence it reflects and the analyzer version; a newer store or
//! another analyzer means "catch up" or "rebuild", never a wrong answer.

pub mod analyzer;

use std::path::Path;

use peerscope_model::{FindingKind, Document};
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use std::collections::HashMap;
use std::ops::Bound;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED, STRING};
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

/// The index's layout: bumped when fields change, so an older index is rebuilt.
pub const SCHEMA_VERSION: u32 = 6;

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
    /// A finding's text, analysed for search; not stored: it is a slice of its document's
    /// text, which the record keeps once.
    text: Field,
    /// A finding's text when it is not exactly its span of the document's text.
    own_text: Field,
    section: Field,
    /// A finding's themes in order, one value (a finding's values are all columns: an
    /// answer reads no stored finding, only its documents' texts).
    theme_list: Field,
    /// The councils a finding points to in order, one value.
    pointer_list: Field,
    /// 1 when `own_text` is set.
    has_own_text: Field,
    themes: Field,
    council: Field,
    gss: Field,
    region: Field,
    year: Field,
    title: Field,
    source: Field,
    doc_kind: Field,
    service: Field,
    review_type: Field,
    about: Field,
    pointer: Field,
    start: Field,
    end: Field,
    /// The reader's confidence in thousandths, so a range query can keep the surer ones.
    confidence: Field,
    /// "yes" on a document's record (see [`DocumentRecord`]); absent on findings.
    is_record: Field,
    /// The record itself, JSON.
    record: Field,
    /// The record's document text, zstd-compressed.
    doc_text: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_opts = TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions));
    // Fields only filtered on need no length norms (a byte per finding each).
    let filter = TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer("raw").set_index_option(IndexRecordOption::Basic).set_fieldnorms(false));
    // What is the same on every finding of a document is a column (each distinct value kept
    // once per segment), not stored with each finding.
    let per_document = filter.clone() | FAST;
    let f = Fields {
        doc_id: b.add_text_field("doc_id", per_document.clone()),
        finding: b.add_u64_field("finding", FAST),
        kind: b.add_text_field("kind", filter.clone() | FAST),
        text: b.add_text_field("text", text_opts),
        own_text: b.add_text_field("own_text", STORED),
        section: b.add_text_field("section", FAST),
        // Norms kept: a theme's score depends on how many themes a finding has.
        themes: b.add_text_field("themes", STRING),
        theme_list: b.add_text_field("theme_list", FAST),
        // FAST: answers group candidates by council without reading stored documents.
        council: b.add_text_field("council", per_document.clone()),
        gss: b.add_text_field("gss", per_document.clone()),
        region: b.add_text_field("region", per_document.clone()),
        year: b.add_u64_field("year", INDEXED | FAST),
        title: b.add_text_field("title", FAST),
        source: b.add_text_field("source", FAST),
        doc_kind: b.add_text_field("doc_kind", filter.clone()),
        service: b.add_text_field("service", filter.clone()),
        review_type: b.add_text_field("review_type", filter.clone()),
        about: b.add_text_field("about", filter.clone()),
        pointer: b.add_text_field("pointer", filter.clone()),
        pointer_list: b.add_text_field("pointer_list", FAST),
        start: b.add_u64_field("start", FAST),
        end: b.add_u64_field("end", FAST),
        confidence: b.add_u64_field("confidence", INDEXED | FAST),
        has_own_text: b.add_u64_field("has_own_text", FAST),
        is_record: b.add_text_field("is_record", filter),
        record: b.add_text_field("record", STORED),
        doc_text: b.add_bytes_field("doc_text", STORED),
    };
    (b.build(), f)
}

/// The longest per-document value kept in a column: titles and sources are short; a
/// stranger's document may not make them megabytes (the record keeps the whole).
const MOST_IN_COLUMN: usize = 2048;

fn clipped(s: &str) -> &str {
    if s.len() <= MOST_IN_COLUMN {
        return s;
    }
    let mut end = MOST_IN_COLUMN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// What separates the values of a list kept as one column value.
const LIST: &str = "\u{1f}";

/// One segment's columns: a finding's values and its document's.
struct Columns {
    finding: Option<tantivy::columnar::Column<u64>>,
    section: Option<tantivy::columnar::StrColumn>,
    theme_list: Option<tantivy::columnar::StrColumn>,
    pointer_list: Option<tantivy::columnar::StrColumn>,
    start: Option<tantivy::columnar::Column<u64>>,
    end: Option<tantivy::columnar::Column<u64>>,
    confidence: Option<tantivy::columnar::Column<u64>>,
    has_own_text: Option<tantivy::columnar::Column<u64>>,
    doc_id: Option<tantivy::columnar::StrColumn>,
    kind: Option<tantivy::columnar::StrColumn>,
    council: Option<tantivy::columnar::StrColumn>,
    gss: Option<tantivy::columnar::StrColumn>,
    region: Option<tantivy::columnar::StrColumn>,
    title: Option<tantivy::columnar::StrColumn>,
    source: Option<tantivy::columnar::StrColumn>,
    year: Option<tantivy::columnar::Column<u64>>,
}

impl Columns {
    fn of(segment: &tantivy::SegmentReader) -> Result<Columns> {
        let fast = segment.fast_fields();
        Ok(Columns {
            finding: fast.u64("finding").ok(),
            section: fast.str("section")?,
            theme_list: fast.str("theme_list")?,
            pointer_list: fast.str("pointer_list")?,
            start: fast.u64("start").ok(),
            end: fast.u64("end").ok(),
            confidence: fast.u64("confidence").ok(),
            has_own_text: fast.u64("has_own_text").ok(),
            doc_id: fast.str("doc_id")?,
            kind: fast.str("kind")?,
            council: fast.str("council")?,
            gss: fast.str("gss")?,
            region: fast.str("region")?,
            title: fast.str("title")?,
            source: fast.str("source")?,
            year: fast.u64("year").ok(),
        })
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

    fn year(&self, doc: tantivy::DocId) -> Option<u64> {
        Self::number(&self.year, doc)
    }

    fn number(column: &Option<tantivy::columnar::Column<u64>>, doc: tantivy::DocId) -> Option<u64> {
        column.as_ref().and_then(|c| c.first(doc))
    }

    /// A list kept as one value.
    fn list(column: &Option<tantivy::columnar::StrColumn>, doc: tantivy::DocId) -> Result<Vec<String>> {
        let joined = Self::text(column, doc)?;
        Ok(if joined.is_empty() { Vec::new() } else { joined.split(LIST).map(str::to_string).collect() })
    }
}

/// Each segment's columns, read when first needed.
struct SegmentColumns<'a> {
    searcher: &'a tantivy::Searcher,
    open: HashMap<u32, Columns>,
}

impl<'a> SegmentColumns<'a> {
    fn new(searcher: &'a tantivy::Searcher) -> Self {
        SegmentColumns { searcher, open: HashMap::new() }
    }

    fn of(&mut self, addr: tantivy::DocAddress) -> Result<&Columns> {
        match self.open.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => Ok(e.into_mut()),
            std::collections::hash_map::Entry::Vacant(v) => Ok(v.insert(Columns::of(self.searcher.segment_reader(addr.segment_ord))?)),
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
    pub council: String,
    pub kind: String,
    pub year: Option<u64>,
    addr: tantivy::DocAddress,
}

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Free text, analysed like the findings.
    pub text: String,
    /// Theme ids; a finding tagged with one scores higher.
    pub themes: Vec<String>,
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
    /// Keep findings the reader is at least this sure of (0–1); `None` keeps all.
    pub min_confidence: Option<f32>,
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
}

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
                Index::create_in_dir(dir, schema)?
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
        Ok(FindingIndex { index, reader, writer: None, f })
    }

    /// See what writers have committed since this index was opened or last refreshed.
    pub fn refresh(&self) -> Result<()> {
        self.reader.reload()?;
        Ok(())
    }

    /// What the last commit reflects (zero for a new index).
    pub fn watermark(&self) -> Watermark {
        watermark_of(&self.index).unwrap_or(Watermark { seq: 0, analyzer: ANALYZER_VERSION, schema: SCHEMA_VERSION })
    }

    fn writer(&mut self) -> Result<&mut IndexWriter> {
        if self.writer.is_none() {
            self.writer = Some(self.index.writer_with_num_threads(1, 64 << 20)?);
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
        let source = sources.first().cloned().unwrap_or_else(|| doc.source.clone());
        let writer = self.writer()?;
        for (i, finding) in doc.findings.iter().enumerate() {
            let mut d = TantivyDocument::default();
            d.add_text(f.doc_id, doc_id);
            d.add_u64(f.finding, i as u64);
            d.add_text(f.kind, finding.kind.as_str());
            d.add_text(f.theme_list, clipped(&finding.themes.join(LIST)));
            let pointers: Vec<&str> = finding.council.iter().chain(&finding.also).map(String::as_str).collect();
            d.add_text(f.pointer_list, clipped(&pointers.join(LIST)));
            d.add_text(f.text, &finding.text);
            if text.get(finding.start..finding.end) != Some(finding.text.as_str()) {
                d.add_text(f.own_text, &finding.text);
                d.add_u64(f.has_own_text, 1);
            }
            d.add_text(f.section, clipped(finding.section.as_deref().unwrap_or("")));
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
            d.add_text(f.title, clipped(&doc.title));
            d.add_text(f.source, clipped(&source));
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
        d.add_text(f.record, serde_json::to_string(&record)?);
        if !text.is_empty() {
            d.add_bytes(f.doc_text, &zstd::bulk::compress(text.as_bytes(), 3).map_err(|e| IndexError::Io(format!("compressing the text of {doc_id}"), e))?);
        }
        writer.add_document(d)?;
        Ok(())
    }

    /// Every document the index holds, with its findings, as committed when the index was
    /// opened or last refreshed; in id order, as the store lists them.
    pub fn documents(&self) -> Result<Vec<DocumentRecord>> {
        let searcher = self.reader.searcher();
        let mut records: std::collections::BTreeMap<String, DocumentRecord> = Default::default();
        let mut findings: HashMap<String, Vec<(u64, peerscope_model::Finding)>> = HashMap::new();
        let all = tantivy::query::AllQuery;
        let mut columns = SegmentColumns::new(&searcher);
        for addr in searcher.search(&all, &tantivy::collector::DocSetCollector)? {
            let d: TantivyDocument = searcher.doc(addr)?;
            match d.get_first(self.f.record).and_then(|v| v.as_str()) {
                Some(json) => {
                    let mut r: DocumentRecord = serde_json::from_str(json)?;
                    r.text = self.text_of_record(&d)?;
                    records.insert(r.id.clone(), r);
                }
                None => {
                    let (doc_id, position, finding) = self.finding_of(&d, columns.of(addr)?, addr.doc_id)?;
                    findings.entry(doc_id).or_default().push((position, finding));
                }
            }
        }
        Ok(records
            .into_values()
            .map(|mut r| {
                let mut fs = findings.remove(&r.id).unwrap_or_default();
                fs.sort_by_key(|(i, _)| *i);
                for (_, f) in &mut fs {
                    if f.text.is_empty() {
                        f.text = r.text.get(f.start..f.end).unwrap_or("").to_string();
                    }
                }
                r.document.findings = fs.into_iter().map(|(_, f)| f).collect();
                r
            })
            .collect())
    }

    /// A finding as indexed: its document, its position there, and the finding.
    fn finding_of(&self, d: &TantivyDocument, columns: &Columns, doc: tantivy::DocId) -> Result<(String, u64, peerscope_model::Finding)> {
        let own = d.get_first(self.f.own_text).and_then(|v| v.as_str()).map(str::to_string);
        let h = self.hit(0.0, own, columns, doc, "")?;
        let mut pointers = h.pointers.into_iter();
        let finding = peerscope_model::Finding {
            kind: FindingKind::parse(&h.kind).unwrap_or(FindingKind::Strength),
            text: h.text,
            section: Some(h.section).filter(|s| !s.is_empty()),
            themes: h.themes,
            start: h.start as usize,
            end: h.end as usize,
            council: pointers.next(),
            also: pointers.collect(),
            confidence: h.confidence,
        };
        Ok((h.doc_id, h.finding, finding))
    }

    /// Make the changes so far durable and visible, recording the store sequence they reflect.
    pub fn commit(&mut self, seq: u64) -> Result<()> {
        let payload = serde_json::to_string(&Watermark { seq, analyzer: ANALYZER_VERSION, schema: SCHEMA_VERSION })?;
        let writer = self.writer()?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.reader.reload()?;
        Ok(())
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
        let query = self.build_query(search);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(search.limit.max(1)).order_by_score())?;
        let mut columns = SegmentColumns::new(&searcher);
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let c = columns.of(addr)?;
            out.push(Candidate { score, council: Columns::text(&c.council, addr.doc_id)?, kind: Columns::text(&c.kind, addr.doc_id)?, year: c.year(addr.doc_id), addr });
        }
        Ok(out)
    }

    /// The findings of some candidates, in the order given.
    pub fn load(&self, candidates: &[&Candidate]) -> Result<Vec<Hit>> {
        let searcher = self.reader.searcher();
        let mut columns = SegmentColumns::new(&searcher);
        let mut texts = HashMap::new();
        candidates.iter().map(|c| self.hit_with_text(&searcher, c.score, c.addr, &mut columns, &mut texts)).collect()
    }

    /// Findings matching `search`, best first.
    pub fn search(&self, search: &Search) -> Result<Vec<Hit>> {
        let query = self.build_query(search);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(search.limit.max(1)).order_by_score())?;
        let mut columns = SegmentColumns::new(&searcher);
        let mut texts = HashMap::new();
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            out.push(self.hit_with_text(&searcher, score, addr, &mut columns, &mut texts)?);
        }
        Ok(out)
    }

    fn build_query(&self, s: &Search) -> BooleanQuery {
        let f = self.f;
        let term = |field: Field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::WithFreqs))
        };
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !s.kinds.is_empty() {
            let kinds = s.kinds.iter().map(|k| (Occur::Should, term(f.kind, k.as_str()))).collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(kinds))));
        }
        if !s.all_documents {
            must.push((Occur::Must, term(f.about, "yes")));
        }
        for (field, values) in [(f.council, &s.councils), (f.region, &s.regions), (f.review_type, &s.review_types)] {
            if !values.is_empty() {
                let any = values.iter().map(|v| (Occur::Should, term(field, v))).collect();
                must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
        }
        if let Some((from, to)) = s.years {
            must.push((Occur::Must, Box::new(RangeQuery::new(Bound::Included(Term::from_field_u64(f.year, from)), Bound::Included(Term::from_field_u64(f.year, to))))));
        }
        if let Some(min) = s.min_confidence.filter(|m| *m > 0.0) {
            let bounds = (Bound::Included(Term::from_field_u64(f.confidence, permille(min))), Bound::Included(Term::from_field_u64(f.confidence, 1000)));
            must.push((Occur::Must, Box::new(RangeQuery::new(bounds.0, bounds.1))));
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
        if must.is_empty() {
            must.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
        }
        // Documents' records are not findings.
        must.push((Occur::MustNot, term(f.is_record, "yes")));
        must.extend(should);
        BooleanQuery::new(must)
    }

    /// A finding with its text, read from its document's text (each document's read once
    /// per answer, kept in `texts`).
    fn hit_with_text(&self, searcher: &tantivy::Searcher, score: f32, addr: tantivy::DocAddress, columns: &mut SegmentColumns, texts: &mut HashMap<String, String>) -> Result<Hit> {
        let c = columns.of(addr)?;
        let own = if Columns::number(&c.has_own_text, addr.doc_id) == Some(1) {
            searcher.doc::<TantivyDocument>(addr)?.get_first(self.f.own_text).and_then(|v| v.as_str()).map(str::to_string)
        } else {
            None
        };
        let doc_id = Columns::text(&c.doc_id, addr.doc_id)?;
        if own.is_none() && !texts.contains_key(&doc_id) {
            let text = self.document_text(searcher, &doc_id)?;
            texts.insert(doc_id.clone(), text);
        }
        self.hit(score, own, c, addr.doc_id, texts.get(&doc_id).map_or("", String::as_str))
    }

    /// The normalised text of a document, from its record ("" when not known).
    fn document_text(&self, searcher: &tantivy::Searcher, doc_id: &str) -> Result<String> {
        let term = |field: Field, v: &str| -> Box<dyn Query> { Box::new(TermQuery::new(Term::from_field_text(field, v), IndexRecordOption::Basic)) };
        let query = BooleanQuery::new(vec![(Occur::Must, term(self.f.doc_id, doc_id)), (Occur::Must, term(self.f.is_record, "yes"))]);
        match searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?.first() {
            Some((_, addr)) => self.text_of_record(&searcher.doc(*addr)?),
            None => Ok(String::new()),
        }
    }

    fn text_of_record(&self, record: &TantivyDocument) -> Result<String> {
        let Some(packed) = record.get_first(self.f.doc_text).and_then(|v| v.as_bytes()) else { return Ok(String::new()) };
        // Bounded: a damaged index must not claim gigabytes.
        let bytes = zstd::bulk::decompress(packed, 1 << 30).map_err(|e| IndexError::Io("a document's text in the index".into(), e))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// A finding from its columns and its own text, or else its document's text.
    fn hit(&self, score: f32, own: Option<String>, c: &Columns, doc: tantivy::DocId, text: &str) -> Result<Hit> {
        let (start, end) = (Columns::number(&c.start, doc).unwrap_or(0), Columns::number(&c.end, doc).unwrap_or(0));
        let column = |col: &Option<tantivy::columnar::StrColumn>| Columns::text(col, doc);
        Ok(Hit {
            score,
            doc_id: column(&c.doc_id)?,
            finding: Columns::number(&c.finding, doc).unwrap_or(0),
            kind: column(&c.kind)?,
            text: own.unwrap_or_else(|| text.get(start as usize..end as usize).unwrap_or("").to_string()),
            section: column(&c.section)?,
            themes: Columns::list(&c.theme_list, doc)?,
            council: column(&c.council)?,
            gss_code: column(&c.gss)?,
            region: column(&c.region)?,
            year: c.year(doc),
            title: column(&c.title)?,
            source: column(&c.source)?,
            pointers: Columns::list(&c.pointer_list, doc)?,
            start,
            end,
            confidence: Columns::number(&c.confidence, doc).map_or(1.0, |c| c as f32 / 1000.0),
        })
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
