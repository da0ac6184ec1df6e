//! The durable store of peerscope: raw bytes and extracted documents, content-addressed.
//!
//! A document's id is the SHA-256 of its raw bytes, so the same bytes stored twice are one
//! document (with every source they came from). Raw bytes live in pack files, a batch's to
//! each, and are found by their hash (`blobs.rs`: written, synced, then named, so a crash
//! never leaves half of one); records live in sled. Every change takes a new sequence number, and the sequence log is
//! what the index replays: the index records the last sequence it holds, so after a crash
//! the next run indexes what the store has and the index lacks. sled stays behind this
//! crate's API so it can be replaced.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

mod blobs;
pub use blobs::{Blobs, StagedBlob};

use peerscope_model::Document;
use sled::Transactional;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The store's one error type.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store database: {0}")]
    Sled(#[from] sled::Error),
    #[error("{0} is in use by another peerscope process (an ingest or fetch still running); try again when it has finished")]
    InUse(PathBuf),
    #[error("store file {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("stored record {key} is unreadable: {source}")]
    Corrupt { key: String, source: serde_json::Error },
    #[error("encoding a record: {0}")]
    Encode(#[from] serde_json::Error),
}

type Result<T> = std::result::Result<T, StoreError>;

/// Record format version, written into every record.
const RECORD_VERSION: u32 = 1;

/// A document as stored: the extracted document, its text and its provenance.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredDocument {
    #[serde(default = "record_version")]
    pub record_version: u32,
    /// SHA-256 of the raw bytes, hex.
    pub id: String,
    /// The sequence number of the last change to this record.
    pub seq: u64,
    /// Every path or URL these bytes were read from.
    pub sources: Vec<String>,
    pub extractor_version: u32,
    pub document: Document,
    /// The normalised text finding offsets point into. Not kept by `ingest` (empty): it is
    /// what the extractor of `extractor_version` makes of the raw bytes, which are kept,
    /// and readers (who never open this store) get it from them. Older records hold it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// Set when the findings' texts were left out of this record as slices of the
    /// normalised text (see [`StoredDocument::drop_derivable_text`]): the first 16 hex digits
    /// of that text's SHA-256, so putting them back can check it reads the same again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_digest: Option<String>,
}

/// The normalised text read again from a document's raw bytes is not the text its
/// findings' spans point into (text recovery changed since it was stored).
#[derive(Debug, thiserror::Error)]
#[error("the text read again from document {id}'s raw bytes differs from the text it was stored with")]
pub struct TextMismatch {
    pub id: String,
}

impl StoredDocument {
    /// Leave out every finding's text that is exactly its span of `text`, the document's
    /// normalised text: finding texts are most of a record, and the raw bytes they are read
    /// from are kept anyway. [`StoredDocument::restore_text`] puts them back.
    pub fn drop_derivable_text(&mut self, text: &str) {
        let mut dropped = false;
        for f in &mut self.document.findings {
            if f.start < f.end && text.get(f.start..f.end) == Some(f.text.as_str()) {
                f.text.clear();
                dropped = true;
            }
        }
        if dropped {
            self.text_digest = Some(digest(text));
        }
    }

    /// Whether some findings' texts must be put back before the document is shown or indexed.
    pub fn lacks_text(&self) -> bool {
        self.text_digest.is_some()
    }

    /// Put back the findings' texts left out by [`StoredDocument::drop_derivable_text`],
    /// from `text`, the normalised text read again from the raw bytes.
    pub fn restore_text(&mut self, text: &str) -> std::result::Result<(), TextMismatch> {
        let Some(expected) = &self.text_digest else { return Ok(()) };
        if *expected != digest(text) {
            return Err(TextMismatch { id: self.id.clone() });
        }
        for f in &mut self.document.findings {
            if f.text.is_empty() {
                if let Some(slice) = text.get(f.start..f.end) {
                    f.text = slice.to_string();
                }
            }
        }
        self.text_digest = None;
        Ok(())
    }
}

fn digest(text: &str) -> String {
    content_id(text.as_bytes())[..16].to_string()
}

fn record_version() -> u32 {
    RECORD_VERSION
}

/// What happened to a document on [`Store::put`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    New,
    /// Same bytes, same extractor: nothing changed.
    Unchanged,
    /// Same bytes seen at another source, or re-extracted: the record changed.
    Updated,
}

/// An entry of the change log: a document to (re)index, or one to drop from the index.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Upsert(Box<StoredDocument>),
    Removed { id: String, seq: u64 },
}

pub struct Store {
    db: sled::Db,
    docs: sled::Tree,
    sources: sled::Tree,
    log: sled::Tree,
    crawl: sled::Tree,
    /// Listings the crawler has finished with for good (a past meeting whose items were all
    /// read), with the fingerprint of the settings they were read under.
    settled: sled::Tree,
    blobs: Blobs,
}

/// Whether `id` looks like [`content_id`]'s output: lowercase hex, 64 digits.
pub fn is_content_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What the crawler last learned about a URL: the crawl log. It lets the next run ask
/// "changed since?" (ETag, Last-Modified) or compare content hashes, and skip what it has.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CrawlEntry {
    pub url: String,
    /// The HTTP status of the last answer (0 when the request failed before one came).
    pub status: u16,
    /// SHA-256 of the body kept for this URL (its blob), if any.
    pub content_id: Option<String>,
    /// Seconds since the Unix epoch.
    pub fetched_at: u64,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_type: Option<String>,
}

/// sled's segment size for the store at `path`: what it was created with (sled refuses to
/// open a database with another), else [`SEGMENT_SIZE`].
fn segment_size(path: &Path) -> usize {
    let persisted = std::fs::read(path.join("conf")).ok().and_then(|conf| {
        // The file is text lines and then a checksum: read only the line that says.
        let line = conf.split(|&b| b == b'\n').find(|l| l.starts_with(b"segment_size: "))?.to_vec();
        String::from_utf8(line).ok()?.trim_start_matches("segment_size: ").trim().parse::<usize>().ok()
    });
    persisted.filter(|n| n.is_power_of_two()).unwrap_or(SEGMENT_SIZE)
}

/// 1 MiB segments, not sled's 512 KiB: at 10,000 letters the database is 29-31 MB instead of
/// 36-38 MB for the same 14 MB of live records (two runs each; 128 KiB and smaller segments
/// were larger still, 43-48 MB, and 8 MiB 41 MB).
const SEGMENT_SIZE: usize = 1 << 20;

/// Hex SHA-256 of `bytes`: a document's id.
pub fn content_id(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Store {
    /// Open (or create) the store in `dir` (`dir/store` for sled, `dir/blobs` for raw bytes).
    pub fn open(dir: &Path) -> Result<Store> {
        let blobs = Blobs::of(dir);
        std::fs::create_dir_all(blobs.dir()).map_err(|source| StoreError::Io { path: blobs.dir().to_path_buf(), source })?;
        let db = sled::Config::new().path(dir.join("store")).cache_capacity(64 << 20).segment_size(segment_size(&dir.join("store"))).open().map_err(|e| match e {
            // sled reports the lock another process holds as an I/O error with this text.
            sled::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("could not acquire lock") => StoreError::InUse(dir.to_path_buf()),
            e => StoreError::Sled(e),
        })?;
        // Only one process holds the database: raw bytes half-written by a killed run are
        // nobody's now.
        blobs.sweep_unsettled();
        Ok(Store {
            docs: db.open_tree("docs")?,
            sources: db.open_tree("sources")?,
            log: db.open_tree("log")?,
            crawl: db.open_tree("crawl")?,
            settled: db.open_tree("settled")?,
            db,
            blobs,
        })
    }

    /// Keep raw bytes under their hash (see [`Blobs::put`]).
    pub fn put_raw(&self, id: &str, bytes: &[u8]) -> Result<()> {
        self.blobs.put(id, bytes)
    }

    /// Stage raw bytes to be kept under their hash (see [`Blobs::stage`]); they are kept
    /// once [`Store::settle_raw`] is given them, which must come before any record that
    /// points at them is put.
    pub fn stage_raw(&self, id: &str, bytes: &[u8]) -> Result<Option<StagedBlob>> {
        self.blobs.stage(id, bytes)
    }

    /// Make staged raw bytes durable and visible (see [`Blobs::settle`]).
    pub fn settle_raw(&self, staged: Vec<StagedBlob>) -> Result<()> {
        self.blobs.settle(staged)
    }

    /// Whether `key` was marked finished under the same `fingerprint` (the settings that
    /// decide what is read: a changed relevance pattern unsettles everything).
    pub fn is_settled(&self, key: &str, fingerprint: &str) -> Result<bool> {
        Ok(self.settled.get(key.as_bytes())?.is_some_and(|v| v.as_ref() == fingerprint.as_bytes()))
    }

    /// Mark `key` finished under `fingerprint`; flushed at once, like the crawl log.
    pub fn mark_settled(&self, key: &str, fingerprint: &str) -> Result<()> {
        self.settled.insert(key.as_bytes(), fingerprint.as_bytes())?;
        self.settled.flush()?;
        Ok(())
    }

    /// The crawl log's entry for `url`.
    pub fn crawl_entry(&self, url: &str) -> Result<Option<CrawlEntry>> {
        match self.crawl.get(url.as_bytes())? {
            Some(v) => serde_json::from_slice(&v).map(Some).map_err(|source| StoreError::Corrupt { key: url.to_string(), source }),
            None => Ok(None),
        }
    }

    /// Record what a fetch of `entry.url` learned. Flushed: a killed run keeps it.
    pub fn record_crawl(&self, entry: &CrawlEntry) -> Result<()> {
        self.crawl.insert(entry.url.as_bytes(), serde_json::to_vec(entry)?)?;
        self.crawl.flush()?;
        Ok(())
    }

    pub fn has_raw(&self, id: &str) -> bool {
        self.blobs.has(id)
    }

    pub fn raw(&self, id: &str) -> Result<Option<Vec<u8>>> {
        self.blobs.raw(id)
    }

    pub fn get(&self, id: &str) -> Result<Option<StoredDocument>> {
        match self.docs.get(id.as_bytes())? {
            Some(v) => Ok(Some(decode(id, &v)?)),
            None => Ok(None),
        }
    }

    /// The document last read from `source`, if any.
    pub fn id_for_source(&self, source: &str) -> Result<Option<String>> {
        Ok(self.sources.get(source.as_bytes())?.map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Whether `id` is stored, extracted by `extractor_version`, with `source` among its sources.
    pub fn is_current(&self, id: &str, source: &str, extractor_version: u32) -> Result<bool> {
        Ok(self
            .get(id)?
            .is_some_and(|d| d.extractor_version == extractor_version && d.sources.iter().any(|s| s == source)))
    }

    /// Store a document read from `source`. If `source` held other bytes before, that
    /// older document loses the source (and is removed when it has none left).
    pub fn put(&self, source: &str, mut doc: StoredDocument) -> Result<PutOutcome> {
        let existing = self.get(&doc.id)?;
        let outcome = match &existing {
            Some(old) if old.extractor_version == doc.extractor_version && old.sources.iter().any(|s| s == source) => {
                return Ok(PutOutcome::Unchanged)
            }
            Some(old) => {
                let mut sources = old.sources.clone();
                if !sources.iter().any(|s| s == source) {
                    sources.push(source.to_string());
                }
                doc.sources = sources;
                if old.extractor_version == doc.extractor_version {
                    doc.document = old.document.clone();
                    doc.text = old.text.clone();
                    doc.text_digest = old.text_digest.clone();
                }
                PutOutcome::Updated
            }
            None => {
                doc.sources = vec![source.to_string()];
                PutOutcome::New
            }
        };
        // What the source held before loses it: that document is rewritten with one source
        // fewer, or removed when it has none left.
        let previous = match self.id_for_source(source)?.filter(|p| *p != doc.id) {
            Some(id) => match self.get(&id)? {
                Some(mut old) => {
                    old.sources.retain(|s| s != source);
                    old.seq = self.next_seq()?;
                    let record = if old.sources.is_empty() { None } else { Some(encode(&old)?) };
                    Some((id, old.seq, record))
                }
                None => None,
            },
            None => None,
        };
        doc.seq = self.next_seq()?;
        doc.record_version = RECORD_VERSION;
        let record = encode(&doc)?;
        // One transaction over the three trees: a kill keeps all of a document's writes or
        // none (a record without its log entry would never reach the index).
        (&self.docs, &self.log, &self.sources)
            .transaction(|(docs, log, sources)| {
                if let Some((id, seq, old)) = &previous {
                    match old {
                        Some(old) => docs.insert(id.as_bytes(), old.as_slice())?,
                        None => docs.remove(id.as_bytes())?,
                    };
                    log.insert(&seq.to_be_bytes(), id.as_bytes())?;
                }
                docs.insert(doc.id.as_bytes(), record.as_slice())?;
                log.insert(&doc.seq.to_be_bytes(), doc.id.as_bytes())?;
                sources.insert(source.as_bytes(), doc.id.as_bytes())?;
                Ok::<(), sled::transaction::ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
                // The closure never aborts.
                sled::transaction::TransactionError::Abort(()) => StoreError::Sled(sled::Error::ReportableBug("transaction aborted".into())),
            })?;
        Ok(outcome)
    }

    fn next_seq(&self) -> Result<u64> {
        // generate_id is monotonic across restarts; +1 keeps 0 for "nothing indexed".
        Ok(self.db.generate_id()? + 1)
    }

    /// The highest sequence number in the log (0 when empty).
    pub fn last_seq(&self) -> Result<u64> {
        Ok(self.log.last()?.map_or(0, |(k, _)| seq_of(&k)))
    }

    /// Changes after `seq`, oldest first, one per document (its latest state).
    pub fn changes_since(&self, seq: u64) -> Result<Vec<Change>> {
        let mut latest: std::collections::BTreeMap<String, u64> = Default::default();
        for item in self.log.range((seq + 1).to_be_bytes()..) {
            let (k, v) = item?;
            latest.insert(String::from_utf8_lossy(&v).into_owned(), seq_of(&k));
        }
        let mut out = Vec::with_capacity(latest.len());
        for (id, s) in latest {
            match self.get(&id)? {
                Some(doc) => out.push(Change::Upsert(Box::new(doc))),
                None => out.push(Change::Removed { id, seq: s }),
            }
        }
        out.sort_by_key(|c| match c {
            Change::Upsert(d) => d.seq,
            Change::Removed { seq, .. } => *seq,
        });
        Ok(out)
    }

    /// Every stored document.
    pub fn documents(&self) -> impl Iterator<Item = Result<StoredDocument>> + '_ {
        self.docs.iter().map(|item| {
            let (k, v) = item?;
            decode(&String::from_utf8_lossy(&k), &v)
        })
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Make everything written so far durable. Call before committing the index.
    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    /// Every record here as the JSON it is compressed from, in key order: the samples the
    /// record dictionary is trained on (`scripts/train_record_dict.sh --resample`).
    pub fn record_samples(&self) -> Result<Vec<Vec<u8>>> {
        self.documents().map(|d| Ok(serde_json::to_vec(&d?)?)).collect()
    }
}

/// A zstd dictionary of at most `max_size` bytes trained on `samples` (records as JSON):
/// how `dict/records.zdict` is made from `dict/records.samples.jsonl`. Deterministic: zstd's
/// trainer uses no randomness, and its version is pinned by Cargo.lock.
pub fn train_record_dictionary(samples: &[Vec<u8>], max_size: usize) -> Result<Vec<u8>> {
    zstd::dict::from_samples(samples, max_size).map_err(|source| StoreError::Io { path: PathBuf::from("record dictionary"), source })
}

fn seq_of(key: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = key.len().min(8);
    b[8 - n..].copy_from_slice(&key[..n]);
    u64::from_be_bytes(b)
}

/// zstd's frame magic, little-endian: a record starting with it is compressed (older
/// records are plain JSON and start with `{`).
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The zstd dictionary records are compressed with (`crates/store/dict/records.zdict`, made by
/// `scripts/train_record_dict.sh` from the committed sample records beside it). A record is
/// about 4 KB of JSON, too little for zstd to learn its own repeats (keys, kinds, section and
/// theme names) before it ends: with the dictionary a letter's record takes about 680 bytes
/// instead of 1,060. Its id is in every frame made with it, so a record is always read with
/// the dictionary it was written with; a new dictionary is added beside this one, never in
/// its place.
static RECORD_DICT: &[u8] = include_bytes!("../dict/records.zdict");
static RECORD_ENCODER: LazyLock<zstd::dict::EncoderDictionary<'static>> = LazyLock::new(|| zstd::dict::EncoderDictionary::copy(RECORD_DICT, 3));
static RECORD_DECODER: LazyLock<zstd::dict::DecoderDictionary<'static>> = LazyLock::new(|| zstd::dict::DecoderDictionary::copy(RECORD_DICT));

/// A record as kept in sled: JSON, zstd-compressed with the record dictionary.
fn encode(doc: &StoredDocument) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(doc)?;
    let io = |source| StoreError::Io { path: PathBuf::from("record"), source };
    zstd::bulk::Compressor::with_prepared_dictionary(&RECORD_ENCODER).map_err(io)?.compress(&json).map_err(io)
}

fn decode(key: &str, bytes: &[u8]) -> Result<StoredDocument> {
    if bytes.starts_with(&ZSTD_MAGIC) {
        let json = decompress_record(bytes).map_err(|source| StoreError::Io { path: PathBuf::from(format!("record {key}")), source })?;
        return serde_json::from_slice(&json).map_err(|source| StoreError::Corrupt { key: key.to_string(), source });
    }
    serde_json::from_slice(bytes).map_err(|source| StoreError::Corrupt { key: key.to_string(), source })
}

/// A record's JSON: compressed with the record dictionary, or (records written before it)
/// without one.
fn decompress_record(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    match zstd::zstd_safe::get_dict_id_from_frame(bytes) {
        None => decompress(bytes),
        Some(id) if Some(id) == zstd::zstd_safe::get_dict_id_from_dict(RECORD_DICT) => {
            let reader = std::io::BufReader::new(bytes);
            read_at_most(zstd::stream::read::Decoder::with_prepared_dictionary(reader, &RECORD_DECODER)?)
        }
        Some(id) => Err(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("compressed with dictionary {id}, which this version does not have"))),
    }
}

/// Decompress a record or raw bytes, refusing what would grow past what any can hold (a
/// damaged frame must not claim gigabytes).
fn decompress(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    read_at_most(zstd::stream::read::Decoder::new(bytes)?)
}

fn read_at_most(decoder: impl std::io::Read) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    const MOST: u64 = 1 << 30;
    let mut out = Vec::new();
    decoder.take(MOST + 1).read_to_end(&mut out)?;
    if out.len() as u64 > MOST {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "record larger than 1 GiB"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use peerscope_model::{DocKind, ReviewType, Service};

    /// The committed dictionary is what its committed samples train
    /// (`scripts/train_record_dict.sh --check`, here so CI holds it).
    #[test]
    fn the_record_dictionary_is_what_its_samples_train() {
        let samples = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("dict/records.samples.jsonl")).unwrap();
        let lines: Vec<Vec<u8>> = samples.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect();
        assert_eq!(lines.len(), 129);
        assert!(train_record_dictionary(&lines, 16 * 1024).unwrap() == RECORD_DICT, "run bash scripts/train_record_dict.sh");
    }

    /// Opens the store again in this process. sled's flusher thread holds the database (and
    /// its file lock) for a moment after the last handle is dropped, so an immediate reopen
    /// can meet `InUse` (about one run in forty): wait for it, as a second process would.
    fn reopen(dir: &Path) -> Store {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match Store::open(dir) {
                Err(StoreError::InUse(_)) if std::time::Instant::now() < deadline => std::thread::sleep(std::time::Duration::from_millis(20)),
                other => return other.unwrap(),
            }
        }
    }

    /// A data directory made before the segment size changed still opens (sled refuses a
    /// segment size other than the one it was created with), and keeps its own.
    #[test]
    fn a_store_made_with_another_segment_size_opens() {
        let dir = tempfile::tempdir().unwrap();
        let old = sled::Config::new().path(dir.path().join("store")).segment_size(512 * 1024).open().unwrap();
        old.open_tree("docs").unwrap().insert("k", "v").unwrap();
        old.flush().unwrap();
        drop(old);
        let store = reopen(dir.path());
        assert_eq!(store.docs.get("k").unwrap().as_deref(), Some(&b"v"[..]));
        assert_eq!(segment_size(&dir.path().join("store")), 512 * 1024);
        let fresh = tempfile::tempdir().unwrap();
        drop(Store::open(fresh.path()).unwrap());
        assert_eq!(segment_size(&fresh.path().join("store")), SEGMENT_SIZE);
    }

    fn doc(bytes: &[u8]) -> StoredDocument {
        StoredDocument {
            record_version: RECORD_VERSION,
            id: content_id(bytes),
            seq: 0,
            sources: vec![],
            extractor_version: 1,
            document: Document {
                url: None,
                source: "x".into(),
                title: "t".into(),
                council: None,
                doc_kind: DocKind::PeerReport,
                service: Service::AdultSocialCare,
                review_type: ReviewType::Unknown,
                review_year: None,
                about_asc_peer_review: true,
                format: "text".into(),
                findings: vec![],
            },
            text: String::from_utf8_lossy(bytes).into_owned(),
            text_digest: None,
        }
    }

    fn finding(text: &str, start: usize, end: usize) -> peerscope_model::Finding {
        peerscope_model::Finding { kind: peerscope_model::FindingKind::Strength, text: text.into(), section: None, themes: vec![], start, end, council: None, also: vec![], confidence: 1.0 }
    }

    #[test]
    fn finding_texts_left_out_come_back_only_from_the_same_text() {
        let text = "Carers are valued. Waiting lists are long.";
        let mut d = doc(text.as_bytes());
        // The second finding's text is not its span (an extractor may tidy it): it is kept.
        d.document.findings = vec![finding("Carers are valued.", 0, 18), finding("Waiting lists are long", 19, 42)];
        let before = d.clone();
        d.drop_derivable_text(text);
        assert!(d.lacks_text());
        assert_eq!(d.document.findings[0].text, "");
        assert_eq!(d.document.findings[1].text, "Waiting lists are long");
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.put("x", d.clone()).unwrap();
        let mut stored = store.get(&d.id).unwrap().unwrap();
        assert!(stored.restore_text("Carers are valued! Waiting lists are long.").is_err());
        stored.restore_text(text).unwrap();
        assert!(!stored.lacks_text());
        assert_eq!(stored.document.findings, before.document.findings);
    }

    #[test]
    fn same_bytes_twice_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.put("a.txt", doc(b"one")).unwrap(), PutOutcome::New);
        let seq = store.last_seq().unwrap();
        assert_eq!(store.put("a.txt", doc(b"one")).unwrap(), PutOutcome::Unchanged);
        assert_eq!(store.last_seq().unwrap(), seq);
        assert_eq!(store.put("b.txt", doc(b"one")).unwrap(), PutOutcome::Updated);
        assert_eq!(store.get(&content_id(b"one")).unwrap().unwrap().sources, ["a.txt", "b.txt"]);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn changed_bytes_replace_the_old_document_of_a_source() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.put("a.txt", doc(b"one")).unwrap();
        let after_first = store.last_seq().unwrap();
        store.put("a.txt", doc(b"two")).unwrap();
        assert_eq!(store.len(), 1);
        let changes = store.changes_since(after_first).unwrap();
        assert!(changes.iter().any(|c| matches!(c, Change::Removed { id, .. } if *id == content_id(b"one"))));
        assert!(changes.iter().any(|c| matches!(c, Change::Upsert(d) if d.id == content_id(b"two"))));
    }

    #[test]
    fn records_are_compressed_and_plain_ones_still_read() {
        let d = doc(b"some text some text some text some text some text some text");
        let packed = encode(&d).unwrap();
        assert!(packed.starts_with(&ZSTD_MAGIC));
        assert_eq!(decode("k", &packed).unwrap(), d);
        assert_eq!(decode("k", &serde_json::to_vec(&d).unwrap()).unwrap(), d, "records written before compression");
        assert!(decode("k", &ZSTD_MAGIC).is_err(), "a damaged frame is an error, not a panic");
    }

    /// A record is compressed with the record dictionary, names it, and is smaller for it;
    /// records compressed before it (no dictionary) still read; one naming a dictionary this
    /// version lacks is a clear error.
    #[test]
    fn records_are_compressed_with_the_record_dictionary() {
        let mut d = doc(b"");
        d.text.clear();
        d.document.findings = (0..31)
            .map(|i| {
                let mut f = finding("", i * 120, i * 120 + 100);
                f.kind = [peerscope_model::FindingKind::Strength, peerscope_model::FindingKind::AreaForDevelopment, peerscope_model::FindingKind::Recommendation][i % 3];
                f.section = Some(["Strengths", "Areas for development", "Recommendations"][i % 3].into());
                f.themes = vec![["carers", "workforce", "reviews"][i % 3].into()];
                f.confidence = 0.9;
                f
            })
            .collect();
        let packed = encode(&d).unwrap();
        let dict_id = zstd::zstd_safe::get_dict_id_from_dict(RECORD_DICT);
        assert!(dict_id.is_some(), "the record dictionary has an id");
        assert_eq!(zstd::zstd_safe::get_dict_id_from_frame(&packed), dict_id);
        assert_eq!(decode("k", &packed).unwrap(), d);
        let plain = zstd::bulk::compress(&serde_json::to_vec(&d).unwrap(), 3).unwrap();
        assert!(packed.len() < plain.len(), "{} bytes with the dictionary, {} without", packed.len(), plain.len());
        assert_eq!(decode("k", &plain).unwrap(), d, "records written before the dictionary");
        // The same dictionary under another id (bytes 4..8 of a zstd dictionary hold it).
        let mut other = RECORD_DICT.to_vec();
        other[4..8].copy_from_slice(&0x5eed_u32.to_le_bytes());
        let mut c = zstd::bulk::Compressor::with_dictionary(3, &other).unwrap();
        let foreign = c.compress(&serde_json::to_vec(&d).unwrap()).unwrap();
        assert_eq!(zstd::zstd_safe::get_dict_id_from_frame(&foreign).map(|id| id.get()), Some(0x5eed));
        let err = decode("k", &foreign).unwrap_err().to_string();
        assert!(err.contains("dictionary 24301"), "{err}");
    }

    #[test]
    fn staged_raw_bytes_are_kept_only_once_settled() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let id = content_id(b"staged");
        let staged = store.stage_raw(&id, b"staged").unwrap().expect("not kept before");
        // The same bytes staged twice (two files of one batch) are kept once.
        let again = store.stage_raw(&id, b"staged").unwrap().expect("still not kept");
        assert!(!store.has_raw(&id) && store.raw(&id).unwrap().is_none(), "staged bytes are not kept yet");
        store.settle_raw(vec![staged, again]).unwrap();
        assert_eq!(store.raw(&id).unwrap().unwrap(), b"staged");
        assert!(store.stage_raw(&id, b"staged").unwrap().is_none(), "kept bytes are not staged again");
        assert_eq!(unsettled(dir.path()), Vec::<PathBuf>::new());
        // Staged and never settled (a killed run): swept when the store is next opened.
        let other = content_id(b"unsettled");
        store.stage_raw(&other, b"unsettled").unwrap();
        drop(store);
        let store = reopen(dir.path());
        assert!(store.raw(&other).unwrap().is_none());
        assert_eq!(unsettled(dir.path()), Vec::<PathBuf>::new());
    }

    /// Temporary raw-byte files under the data directory `dir`.
    fn unsettled(dir: &Path) -> Vec<PathBuf> {
        fn walk(dir: &Path) -> Vec<PathBuf> {
            std::fs::read_dir(dir).unwrap().flatten().flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] }).collect()
        }
        walk(&dir.join("blobs")).into_iter().filter(|p| p.to_string_lossy().ends_with(".tmp")).collect()
    }

    #[test]
    fn survives_reopen_and_keeps_raw_bytes() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store.put_raw(&content_id(b"raw"), b"raw").unwrap();
            store.put("a.txt", doc(b"raw")).unwrap();
            store.flush().unwrap();
        }
        let store = reopen(dir.path());
        assert_eq!(store.raw(&content_id(b"raw")).unwrap().unwrap(), b"raw");
        assert_eq!(store.changes_since(0).unwrap().len(), 1);
        assert!(store.last_seq().unwrap() > 0);
    }
}
