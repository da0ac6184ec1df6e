//! The data directory: the store and the index side by side, kept in step.
//!
//! Order of durability: the store is flushed before the index commits, and the index's
//! commit records the store sequence it reflects. Whatever a crash interrupted, opening the
//! data directory replays the store's changes the index has not seen.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use peerscope_index::FindingIndex;
use peerscope_store::{Change, Store};

pub struct DataDir {
    /// Shared with the fetcher, which keeps raw bytes and the crawl log in it.
    pub store: Arc<Store>,
    pub index: FindingIndex,
}

impl DataDir {
    pub fn open(dir: &Path) -> anyhow::Result<DataDir> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating data directory {}", dir.display()))?;
        let store = Store::open(dir).with_context(|| format!("opening the store in {}", dir.display()))?;
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
