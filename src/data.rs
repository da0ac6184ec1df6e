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

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use peerscope_index::FindingIndex;
use peerscope_store::{Change, Store, StoreError};

pub struct DataDir {
    /// Shared with the fetcher, which keeps raw bytes and the crawl log in it.
    pub store: Arc<Store>,
    pub index: FindingIndex,
}

impl DataDir {
    pub fn open(dir: &Path) -> anyhow::Result<DataDir> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating data directory {}", dir.display()))?;
        let store = open_store_waiting(dir)?;
        let index = FindingIndex::open(&dir.join("index")).with_context(|| format!("opening the index in {}", dir.display()))?;
        let mut data = DataDir { store: Arc::new(store), index };
        data.catch_up()?;
        Ok(data)
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
        for change in &changes {
            match change {
                Change::Upsert(doc) => self.index.upsert(&doc.id, &doc.sources, &doc.document)?,
                Change::Removed { id, .. } => self.index.remove(id)?,
            }
        }
        self.index.commit(last)?;
        Ok(changes.len())
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

/// Open the data directory to read: the index alone, read-only, so this works while another
/// process writes. When there is nothing to read yet (a new directory, or an index of an
/// older version), open it as a writer once: that ingests the shipped corpus or rebuilds
/// the index, then reads.
pub fn open_for_reading(dir: &Path) -> anyhow::Result<FindingIndex> {
    let index = FindingIndex::open_read_only(&dir.join("index")).with_context(|| format!("opening the index in {}", dir.display()))?;
    match index {
        Some(index) if index.watermark().seq > 0 => Ok(index),
        _ => Ok(crate::query_cmd::open_with_corpus(dir)?.index),
    }
}
