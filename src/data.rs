//! The data directory: the store and the index side by side, kept in step.
//!
//! Order of durability: the store is flushed before the index commits, and the index's
//! commit records the store sequence it reflects. Whatever a crash interrupted, opening the
//! data directory replays the store's changes the index has not seen.
//!
//! One writer, any number of readers: the store's database admits one process at a time,
//! so only writers (`ingest`, `fetch`) open it, and a second writer waits for the first.
//! Readers (`query`, `themes`, `council`, `export`) open the index alone, read-only, and
//! see what the last writer committed.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Context;
use peerscope_extract::Extractor;
use peerscope_index::FindingIndex;
use peerscope_store::{Change, Store, StoreError, StoredDocument};

pub struct DataDir {
    /// Shared with the fetcher, which keeps raw bytes and the crawl log in it.
    pub store: Arc<Store>,
    pub index: FindingIndex,
    /// The data directory itself.
    pub path: std::path::PathBuf,
    /// The normalised texts of documents stored since the last catch-up, by id: records
    /// leave their findings' texts out, and indexing what was just extracted should not
    /// read its raw bytes again.
    held: Mutex<HashMap<String, String>>,
    /// Read texts again from raw bytes, for documents stored by an earlier run: the head's
    /// and the encoder reader's extractor, each made once, only when needed.
    readers: [OnceLock<Extractor>; 2],
}

impl DataDir {
    pub fn open(dir: &Path) -> anyhow::Result<DataDir> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating data directory {}", dir.display()))?;
        ensure_room(dir, 0)?;
        let store = open_store_waiting(dir)?;
        let index = open_or_set_aside(dir)?;
        let mut data = DataDir { store: Arc::new(store), index, path: dir.to_path_buf(), held: Mutex::default(), readers: Default::default() };
        data.catch_up()?;
        Ok(data)
    }

    /// Merge the index's segments once a run has written what it will (see
    /// [`FindingIndex::compact`]). What was committed is readable whatever happens here, so
    /// a failure (a full disk: a merge needs the index's size again) is a warning.
    pub fn compact(&mut self) {
        if let Err(e) = self.index.compact() {
            eprintln!("peerscope: the index in {} was not compacted (queries are slower, nothing is lost): {e}", self.path.display());
        }
    }

    /// Index what the store holds and the index lacks. Returns how many documents changed.
    pub fn catch_up(&mut self) -> anyhow::Result<usize> {
        let mark = self.index.watermark().seq;
        let last = self.store.last_seq()?;
        // A lost or rebuilt index has watermark 0 and so replays the whole log.
        if last <= mark {
            return Ok(0);
        }
        let changes = self.store.changes_since(mark)?;
        let n = changes.len();
        for change in changes {
            match change {
                Change::Upsert(mut doc) => {
                    let text = self.restore_text(&mut doc);
                    self.index.upsert(&doc.id, &doc.sources, &doc.document, &text)?
                }
                Change::Removed { id, .. } => self.index.remove(&id)?,
            }
        }
        self.index.commit(last)?;
        self.held.lock().unwrap_or_else(|p| p.into_inner()).clear();
        Ok(n)
    }

    /// Keep the normalised text of a document about to be stored, for the next catch-up.
    pub fn hold_text(&self, id: &str, text: String) {
        self.held.lock().unwrap_or_else(|p| p.into_inner()).insert(id.to_string(), text);
    }

    /// The normalised text of a stored document, with its findings' texts put back where
    /// the record left them out: the text just extracted, or read again from the raw bytes.
    /// When that text is no longer the one stored (text recovery changed), the raw bytes are
    /// read afresh. What cannot be read is said, and the document indexed as stored ("").
    fn restore_text(&self, doc: &mut StoredDocument) -> String {
        let held = self.held.lock().unwrap_or_else(|p| p.into_inner()).remove(&doc.id);
        let result = match held {
            Some(text) => doc.restore_text(&text).map(|_| text).map_err(anyhow::Error::from),
            None if !doc.text.is_empty() => Ok(std::mem::take(&mut doc.text)),
            None => self.read_again(doc),
        };
        result.unwrap_or_else(|e| {
            eprintln!("peerscope: stored document {} ({}): {}; indexed as stored until it is ingested again", doc.id, doc.sources.first().map_or("", String::as_str), crate::describe(&e));
            String::new()
        })
    }

    fn read_again(&self, doc: &mut StoredDocument) -> anyhow::Result<String> {
        let bytes = self.store.raw(&doc.id)?.context("its raw bytes are missing")?;
        // Read again by the reader that made the record, so the index holds its findings.
        let (choice, slot) = match doc.extractor_version & peerscope_extract::ENCODER_FLAG {
            0 => (crate::pdf_child::ReaderChoice::Head, &self.readers[0]),
            _ => (crate::pdf_child::ReaderChoice::Encoder, &self.readers[1]),
        };
        let reader = match slot.get() {
            Some(r) => r,
            None => {
                let made = crate::pdf_child::extractor_with(choice)?;
                slot.get_or_init(|| made)
            }
        };
        let (text, _, _) = reader.text(&bytes)?;
        if doc.restore_text(&text).is_ok() {
            return Ok(text);
        }
        let source = doc.sources.first().cloned().unwrap_or_else(|| doc.document.source.clone());
        let origin = peerscope_extract::Origin { url: doc.document.url.clone().or_else(|| source.starts_with("http").then(|| source.clone())), council: None };
        let extracted = reader.extract_from(&source, &origin, &bytes)?;
        doc.document = extracted.document;
        doc.text_digest = None;
        Ok(extracted.text)
    }
}

/// Open the store, waiting while another writer holds it (saying so once).
fn open_store_waiting(dir: &Path) -> anyhow::Result<Store> {
    let mut said = false;
    loop {
        match Store::open(dir) {
            Err(StoreError::InUse(_)) => {
                if !said {
                    eprintln!("peerscope: another peerscope process (an ingest or fetch) is writing to {}; waiting for it to finish", dir.display());
                    said = true;
                }
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            other => return other.with_context(|| format!("opening the store in {}", dir.display())),
        }
    }
}

/// The index, opened to write; one that cannot be opened (a segment file lost or damaged)
/// is moved aside and an empty one made, which [`DataDir::catch_up`] fills from the store:
/// the index is derived, the store is the record. Only a writer, holding the store, does
/// this, so no other writer is using the index. Regression: a damaged segment failed every
/// command until someone deleted the index by hand.
fn open_or_set_aside(dir: &Path) -> anyhow::Result<FindingIndex> {
    let path = dir.join("index");
    let why = match FindingIndex::open(&path) {
        Ok(index) => return Ok(index),
        // Out of descriptors, memory or room, or not allowed: the index may be sound, and
        // is left as it is (review: any error set it aside for a rebuild).
        Err(e) if !e.is_damage() => return Err(anyhow::Error::new(e).context(format!("opening the index in {}", dir.display()))),
        Err(e) => e,
    };
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let aside = dir.join(format!("index.damaged-{stamp}"));
    std::fs::rename(&path, &aside).with_context(|| format!("opening the index in {} ({why}); moving it aside to {}", dir.display(), aside.display()))?;
    eprintln!("peerscope: the index in {} could not be opened ({why}); it was moved to {} and is rebuilt from the store (delete that directory once the rebuild is done)", dir.display(), aside.display());
    FindingIndex::open(&path).with_context(|| format!("making a new index in {}", dir.display()))
}

/// Open the data directory to read: the index alone, read-only, so this works while another
/// process writes. When there is nothing to read yet (a new directory, or an index of an
/// older version), open it as a writer once: that ingests the shipped corpus or rebuilds
/// the index, then reads.
pub fn open_for_reading(dir: &Path) -> anyhow::Result<FindingIndex> {
    let mut index = FindingIndex::open_read_only(&dir.join("index"));
    if index.is_err() {
        // A writer's commit may have moved files under a reader once; asked again, a sound
        // index opens. One that still fails is damaged: a writer's open rebuilds it.
        std::thread::sleep(std::time::Duration::from_millis(200));
        index = FindingIndex::open_read_only(&dir.join("index"));
    }
    match index {
        Ok(Some(index)) if index.watermark().seq > 0 => Ok(index),
        Ok(_) => Ok(crate::query_cmd::open_with_corpus(dir)?.index),
        Err(e) if e.is_damage() && dir.join("store").exists() => {
            eprintln!("peerscope: the index in {} could not be read ({e}); rebuilding it from the store", dir.display());
            Ok(crate::query_cmd::open_with_corpus(dir)?.index)
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("opening the index in {}", dir.display()))),
    }
}

/// Free space a writer keeps in hand beyond what it is about to write: the store's database
/// must never meet a full disk half-way through a write.
const RESERVE: u64 = 16 << 20;

/// How much room storing `input` bytes of documents may take at most (raw bytes, records,
/// index segments before they merge).
pub fn room_for(input: u64) -> u64 {
    input.saturating_mul(8).saturating_add(RESERVE)
}

/// Refuse to write when the device holding `dir` has less than `room_for(input)` free.
pub fn ensure_room(dir: &Path, input: u64) -> anyhow::Result<()> {
    let Ok(free) = fs2::available_space(dir) else { return Ok(()) };
    let need = room_for(input);
    if free < need {
        return Err(DiskFull { dir: dir.to_path_buf(), free, need }.into());
    }
    Ok(())
}

/// Too little free space to write safely.
#[derive(Debug)]
pub struct DiskFull {
    dir: std::path::PathBuf,
    free: u64,
    need: u64,
}

impl std::fmt::Display for DiskFull {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mb = |b: u64| b as f64 / (1 << 20) as f64;
        write!(f, "{:.1} MB free where {} is, {:.1} MB needed to write safely", mb(self.free), self.dir.display(), mb(self.need))
    }
}

impl std::error::Error for DiskFull {}

/// Whether `e` comes from a full disk (our check, or the operating system's "no space").
pub fn is_disk_full(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.is::<DiskFull>()
            || c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::StorageFull || io.raw_os_error() == Some(28))
            // sled and tantivy wrap the I/O error in their own types.
            || c.to_string().contains("No space left on device")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record whose text no longer reads as it was stored (text recovery changed between
    /// versions) is read afresh from its raw bytes rather than indexed with wrong slices.
    #[test]
    fn a_record_whose_text_reads_differently_is_extracted_afresh() {
        read_afresh_by(crate::pdf_child::ReaderChoice::Head);
    }

    /// Regression: a record the encoder reader made was read afresh by the head, so the
    /// index held the head's findings in a data directory of the encoder's.
    #[test]
    fn a_record_the_encoder_made_is_read_afresh_by_the_encoder() {
        read_afresh_by(crate::pdf_child::ReaderChoice::Encoder);
    }

    fn read_afresh_by(choice: crate::pdf_child::ReaderChoice) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(tmp.path()).unwrap();
        let bytes = std::fs::read("corpus/leicester_scrutiny-report_2016.txt").unwrap();
        let extractor = crate::pdf_child::extractor_with(choice).unwrap();
        let origin = peerscope_extract::Origin { url: None, council: None };
        crate::ingest::ingest_bytes(&dir, &extractor, "leicester.txt", &origin, &bytes).unwrap();
        let id = peerscope_store::content_id(&bytes);
        let mut stored = dir.store.get(&id).unwrap().unwrap();
        assert!(stored.lacks_text(), "ingest leaves derivable finding texts out of the record");
        let expected = extractor.extract("leicester.txt", &bytes).unwrap().document.findings;
        stored.text_digest = Some("0000000000000000".into());
        dir.held.lock().unwrap().clear();
        let text = dir.restore_text(&mut stored);
        assert!(!stored.lacks_text());
        assert!(!text.is_empty());
        assert_eq!(stored.document.findings, expected);
        assert!(stored.document.findings.iter().all(|f| !f.text.is_empty()));
    }
}
