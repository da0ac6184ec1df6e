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
pub const SCHEMA_VERSION: u32 = 3;

/// A stored document as the index keeps it, so commands that read whole documents (themes,
/// council profiles, exports) need only the index, which any number of processes can read
/// while one writes (the store's database admits one process at a time).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DocumentRecord {
    pub id: String,
    pub sources: Vec<String>,
    pub document: Document,
}

#[derive(Clone, Copy)]
struct Fields {
    doc_id: Field,
    finding: Field,
    kind: Field,
    text: Field,
    section: Field,
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
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_opts = TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions))
        .set_stored();
    let f = Fields {
        doc_id: b.add_text_field("doc_id", STRING | STORED),
        finding: b.add_u64_field("finding", STORED),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        text: b.add_text_field("text", text_opts),
        section: b.add_text_field("section", STORED),
        themes: b.add_text_field("themes", STRING | STORED),
        // FAST: answers group candidates by council without reading stored documents.
        council: b.add_text_field("council", STRING | STORED | FAST),
        gss: b.add_text_field("gss", STRING | STORED),
        region: b.add_text_field("region", STRING | STORED),
        year: b.add_u64_field("year", INDEXED | STORED | FAST),
        title: b.add_text_field("title", STORED),
        source: b.add_text_field("source", STORED),
        doc_kind: b.add_text_field("doc_kind", STRING | STORED),
        service: b.add_text_field("service", STRING | STORED),
        review_type: b.add_text_field("review_type", STRING | STORED),
        about: b.add_text_field("about", STRING),
        pointer: b.add_text_field("pointer", STRING | STORED),
        start: b.add_u64_field("start", STORED),
        end: b.add_u64_field("end", STORED),
        confidence: b.add_u64_field("confidence", INDEXED | STORED),
        is_record: b.add_text_field("is_record", STRING),
        record: b.add_text_field("record", STORED),
    };
    (b.build(), f)
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

    /// Replace the findings of a document with those of `doc`.
    pub fn upsert(&mut self, doc_id: &str, sources: &[String], doc: &Document) -> Result<()> {
        self.remove(doc_id)?;
        let f = self.f;
        let source = sources.first().cloned().unwrap_or_else(|| doc.source.clone());
        let writer = self.writer()?;
        for (i, finding) in doc.findings.iter().enumerate() {
            let mut d = TantivyDocument::default();
            d.add_text(f.doc_id, doc_id);
            d.add_u64(f.finding, i as u64);
            d.add_text(f.kind, finding.kind.as_str());
            d.add_text(f.text, &finding.text);
            d.add_text(f.section, finding.section.as_deref().unwrap_or(""));
            for t in &finding.themes {
                d.add_text(f.themes, t);
            }
            if let Some(c) = &doc.council {
                d.add_text(f.council, &c.name);
                d.add_text(f.gss, c.gss_code.as_deref().unwrap_or(""));
                d.add_text(f.region, c.region.as_deref().unwrap_or(""));
            }
            if let Some(y) = doc.review_year.and_then(|y| u64::try_from(y).ok()) {
                d.add_u64(f.year, y);
            }
            d.add_text(f.title, &doc.title);
            d.add_text(f.source, &source);
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
        let record = DocumentRecord { id: doc_id.to_string(), sources: sources.to_vec(), document };
        let mut d = TantivyDocument::default();
        d.add_text(f.doc_id, doc_id);
        d.add_text(f.is_record, "yes");
        d.add_text(f.record, serde_json::to_string(&record)?);
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
        for addr in searcher.search(&all, &tantivy::collector::DocSetCollector)? {
            let d: TantivyDocument = searcher.doc(addr)?;
            match d.get_first(self.f.record).and_then(|v| v.as_str()) {
                Some(json) => {
                    let r: DocumentRecord = serde_json::from_str(json)?;
                    records.insert(r.id.clone(), r);
                }
                None => {
                    let (doc_id, position, finding) = self.finding_of(&d);
                    findings.entry(doc_id).or_default().push((position, finding));
                }
            }
        }
        Ok(records
            .into_values()
            .map(|mut r| {
                let mut fs = findings.remove(&r.id).unwrap_or_default();
                fs.sort_by_key(|(i, _)| *i);
                r.document.findings = fs.into_iter().map(|(_, f)| f).collect();
                r
            })
            .collect())
    }

    /// A finding as indexed: its document, its position there, and the finding.
    fn finding_of(&self, d: &TantivyDocument) -> (String, u64, peerscope_model::Finding) {
        let h = self.hit(0.0, d);
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
        (h.doc_id, h.finding, finding)
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
        let mut columns = HashMap::new();
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let (council, kind, year) = match columns.entry(addr.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    let fast = searcher.segment_reader(addr.segment_ord).fast_fields();
                    v.insert((fast.str("council")?, fast.str("kind")?, fast.u64("year").ok()))
                }
            };
            let text = |col: &Option<tantivy::columnar::StrColumn>| -> Result<String> {
                let mut s = String::new();
                if let Some(ord) = col.as_ref().and_then(|c| c.ords().first(addr.doc_id)) {
                    col.as_ref().map(|c| c.ord_to_str(ord, &mut s)).transpose().map_err(tantivy::TantivyError::from)?;
                }
                Ok(s)
            };
            let year = year.as_ref().and_then(|c| c.first(addr.doc_id));
            out.push(Candidate { score, council: text(council)?, kind: text(kind)?, year, addr });
        }
        Ok(out)
    }

    /// The findings of some candidates, in the order given.
    pub fn load(&self, candidates: &[&Candidate]) -> Result<Vec<Hit>> {
        let searcher = self.reader.searcher();
        candidates.iter().map(|c| Ok(self.hit(c.score, &searcher.doc::<TantivyDocument>(c.addr)?))).collect()
    }

    /// Findings matching `search`, best first.
    pub fn search(&self, search: &Search) -> Result<Vec<Hit>> {
        let query = self.build_query(search);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(search.limit.max(1)).order_by_score())?;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let d: TantivyDocument = searcher.doc(addr)?;
            out.push(self.hit(score, &d));
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

    fn hit(&self, score: f32, d: &TantivyDocument) -> Hit {
        let f = self.f;
        let s = |field: Field| d.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let all = |field: Field| d.get_all(field).filter_map(|v| v.as_str().map(str::to_string)).collect::<Vec<_>>();
        let n = |field: Field| d.get_first(field).and_then(|v| v.as_u64());
        Hit {
            score,
            doc_id: s(f.doc_id),
            finding: n(f.finding).unwrap_or(0),
            kind: s(f.kind),
            text: s(f.text),
            section: s(f.section),
            themes: all(f.themes),
            council: s(f.council),
            gss_code: s(f.gss),
            region: s(f.region),
            year: n(f.year),
            title: s(f.title),
            source: s(f.source),
            pointers: all(f.pointer),
            start: n(f.start).unwrap_or(0),
            end: n(f.end).unwrap_or(0),
            confidence: n(f.confidence).map_or(1.0, |c| c as f32 / 1000.0),
        }
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
        idx.upsert("a", &[], &doc("Walsall", &[(FindingKind::AreaForDevelopment, "The performance on reviews remains concerning", &["reviews"]), (FindingKind::Strength, "Reviews are done well", &["reviews"])])).unwrap();
        idx.upsert("b", &[], &doc("Leicester", &[(FindingKind::Recommendation, "Carers need support", &["carers"])])).unwrap();
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
            idx.upsert("a", &[], &doc("Walsall", &[(FindingKind::Strength, "one", &[])])).unwrap();
            idx.upsert("a", &[], &doc("Walsall", &[(FindingKind::Strength, "two", &[])])).unwrap();
            idx.commit(3).unwrap();
            assert_eq!(idx.len(), 1);
        }
        let idx = FindingIndex::open(dir.path()).unwrap();
        assert_eq!(idx.watermark().seq, 3);
        assert_eq!(idx.len(), 1);
    }
}
