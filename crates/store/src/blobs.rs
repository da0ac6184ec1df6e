//! The raw bytes of documents, kept apart from the database so that readers (the web page's
//! "raw bytes") need no lock, named by content id (the SHA-256 of the bytes).
//!
//! An ingest keeps a batch's raw bytes in one **pack** (`blobs/packs/NAME.pack`): their zstd
//! frames one after another, then an index of (id, offset, length) sorted by id, its count
//! and a magic. A pack is written under a temporary name, synced, then renamed, and never
//! changed after: a crash leaves a temporary file (swept at the next open) or a whole pack.
//! One file a batch instead of one a document: creating a file per document was a sixth of
//! an ingest's CPU (the file system's inode allocation), and a sector's record would be a
//! million files. The fetcher, which keeps one page at a time as it arrives, and data
//! directories made before packs keep one file a document (`blobs/ab/ID.zst`, or `blobs/ab/ID`
//! uncompressed); both are read.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::{decompress, is_content_id, Result, StoreError};

/// Opens and closes every pack: a file that ends otherwise is no pack (or a cut one).
const PACK_MAGIC: &[u8; 8] = b"PSPACK01";
/// An index entry: the id's 32 bytes, then offset and length (u64, little-endian).
const ENTRY: usize = 32 + 8 + 8;
/// A pack's trailer: the entry count (u64, little-endian) and the magic.
const TRAILER: usize = 8 + PACK_MAGIC.len();

/// The raw bytes of a data directory.
#[derive(Debug, Clone)]
pub struct Blobs {
    dir: PathBuf,
    packs: Arc<Mutex<PackIndex>>,
}

/// Where each id's frame is, over the packs read so far.
#[derive(Debug, Default)]
struct PackIndex {
    read: HashSet<OsString>,
    /// The packs directory's modification time when it was last listed: a new pack (from
    /// this process or a writer in another) changes it.
    listed: Option<SystemTime>,
    at: HashMap<[u8; 32], Location>,
    /// Packs whose index could not be read, with why: bytes not found may be in one.
    damaged: HashMap<PathBuf, String>,
}

#[derive(Debug, Clone)]
struct Location {
    pack: Arc<PathBuf>,
    offset: u64,
    len: u64,
}

/// Raw bytes compressed by [`Blobs::stage`], waiting in memory for [`Blobs::settle`].
#[derive(Debug)]
pub struct StagedBlob {
    id: [u8; 32],
    packed: Vec<u8>,
}

impl Blobs {
    /// The blobs of the data directory `dir` (nothing is created or opened).
    pub fn of(dir: &Path) -> Blobs {
        Blobs { dir: dir.join("blobs"), packs: Arc::default() }
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn packs_dir(&self) -> PathBuf {
        self.dir.join("packs")
    }

    /// Where raw bytes kept before compression are (`blobs/ab/ID`).
    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(&id[..2.min(id.len())]).join(id)
    }

    /// Where one document's raw bytes are kept, zstd-compressed (`blobs/ab/ID.zst`). A
    /// separate name, not a magic number: a document may itself be a zstd file.
    fn packed_path(&self, id: &str) -> PathBuf {
        self.path(id).with_extension("zst")
    }

    /// Keep raw bytes under their hash, compressed, in a file of their own, durable when
    /// this returns. Idempotent; atomic on crash (written under a temporary name, that one
    /// file synced, then renamed): for the fetcher, which keeps one page at a time.
    pub fn put(&self, id: &str, bytes: &[u8]) -> Result<()> {
        if self.has(id) {
            return Ok(());
        }
        let path = self.packed_path(id);
        let io = |source| StoreError::Io { path: path.clone(), source };
        let packed = compress(bytes).map_err(io)?;
        let parent = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(parent).map_err(io)?;
        let tmp = parent.join(format!(".{id}.{}.tmp", std::process::id()));
        write_synced(&tmp, &[&packed])?;
        std::fs::rename(&tmp, &path).map_err(io)
    }

    /// Compress raw bytes for the next [`Blobs::settle`]; `None` when they are kept already.
    /// Nothing is written: a batch's bytes go to disk together, in one pack.
    pub fn stage(&self, id: &str, bytes: &[u8]) -> Result<Option<StagedBlob>> {
        let Some(key) = key_of(id) else {
            return Err(StoreError::Io { path: self.dir.clone(), source: invalid(format!("{id:?} is not a content id")) });
        };
        if self.has(id) {
            return Ok(None);
        }
        let packed = compress(bytes).map_err(|source| StoreError::Io { path: self.packed_path(id), source })?;
        Ok(Some(StagedBlob { id: key, packed }))
    }

    /// Write staged bytes as one pack, durable and visible under their ids when this
    /// returns: after it, a record may point at them. A crash before leaves at most a
    /// temporary file, which no reader looks at.
    pub fn settle(&self, staged: Vec<StagedBlob>) -> Result<()> {
        // Two files of one batch may hold the same bytes; bytes kept since they were staged
        // need no second copy.
        let mut seen = HashSet::new();
        let mut staged: Vec<StagedBlob> = staged.into_iter().filter(|s| seen.insert(s.id) && !self.has(&hex::encode(s.id))).collect();
        if staged.is_empty() {
            return Ok(());
        }
        staged.sort_by_key(|s| s.id);
        let dir = self.packs_dir();
        std::fs::create_dir_all(&dir).map_err(|source| StoreError::Io { path: dir.clone(), source })?;
        // Named by what it holds: writing the same batch again (after a crash) rewrites the
        // same pack, byte for byte.
        let mut name = Sha256::new();
        staged.iter().for_each(|s| name.update(s.id));
        let name = format!("{}.pack", &hex::encode(name.finalize())[..20]);
        let (path, tmp) = (dir.join(&name), dir.join(format!(".{name}.{}.tmp", std::process::id())));
        let entries = entries_of(&staged);
        let (index, trailer) = pack_index(&entries);
        let mut parts: Vec<&[u8]> = vec![PACK_MAGIC];
        parts.extend(staged.iter().map(|s| s.packed.as_slice()));
        parts.extend([index.as_slice(), trailer.as_slice()]);
        write_synced(&tmp, &parts)?;
        std::fs::rename(&tmp, &path).map_err(|source| StoreError::Io { path: path.clone(), source })?;
        self.sync_dir(&dir)?;
        let mut packs = self.lock();
        packs.damaged.remove(&path);
        packs.add(&path, entries);
        packs.read.insert(OsString::from(name));
        Ok(())
    }

    /// Make the names in `dir` durable. On Linux one `syncfs` of the blobs' file system
    /// does it (and everything else written there).
    fn sync_dir(&self, dir: &Path) -> Result<()> {
        let io = |source| StoreError::Io { path: dir.to_path_buf(), source };
        let handle = std::fs::File::open(dir).map_err(io)?;
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: `handle` is an open descriptor for the call's whole duration.
            if unsafe { libc::syncfs(handle.as_raw_fd()) } != 0 {
                return Err(io(std::io::Error::last_os_error()));
            }
            Ok(())
        }
        #[cfg(not(target_os = "linux"))]
        handle.sync_all().map_err(io)
    }

    /// Remove temporary files a killed writer left (best effort: one that cannot be
    /// removed is only wasted space, never read).
    pub(crate) fn sweep_unsettled(&self) {
        for shard in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            for f in std::fs::read_dir(shard.path()).into_iter().flatten().flatten() {
                let name = f.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') && name.ends_with(".tmp") {
                    let _ = std::fs::remove_file(f.path());
                }
            }
        }
    }

    pub fn has(&self, id: &str) -> bool {
        is_content_id(id) && (self.locate(id, false).is_some() || self.packed_path(id).exists() || self.path(id).exists())
    }

    /// The raw bytes kept for `id`; `None` when none are, or when `id` is not a content id
    /// (it comes from a URL: it must never name a path outside `blobs/`).
    pub fn raw(&self, id: &str) -> Result<Option<Vec<u8>>> {
        if !is_content_id(id) {
            return Ok(None);
        }
        if let Some(at) = self.locate(id, true) {
            let io = |source| StoreError::Io { path: at.pack.to_path_buf(), source };
            let packed = read_range(&at.pack, at.offset, at.len).map_err(io)?;
            return decompress(&packed).map(Some).map_err(io);
        }
        let path = self.packed_path(id);
        match std::fs::read(&path) {
            Ok(packed) => return decompress(&packed).map(Some).map_err(|source| StoreError::Io { path, source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(StoreError::Io { path, source }),
        }
        let path = self.path(id);
        match std::fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match self.lock().damaged.iter().next() {
                // Not "not kept": the bytes may be in a pack that cannot be read.
                Some((pack, why)) => Err(StoreError::Io { path: pack.clone(), source: invalid(format!("the raw bytes of {id} are in no readable pack, and this pack cannot be read: {why}")) }),
                None => Ok(None),
            },
            Err(source) => Err(StoreError::Io { path, source }),
        }
    }

    /// Where `id`'s frame is in the packs, reading any pack new since the last look: every
    /// time when `surely`, else only when the packs directory's time changed (a writer asks
    /// about every document it reads, and no other process writes packs while it runs; a
    /// file system with coarse times could hide a pack named in the same tick from the
    /// quick look, never from the sure one).
    fn locate(&self, id: &str, surely: bool) -> Option<Location> {
        let key = key_of(id)?;
        let mut packs = self.lock();
        if let Some(at) = packs.at.get(&key) {
            return Some(at.clone());
        }
        packs.read_new(&self.packs_dir(), surely);
        packs.at.get(&key).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PackIndex> {
        // The index only grows: what a panicking holder left is still right.
        self.packs.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl PackIndex {
    /// Read the index of every pack in `dir` not read yet (unless `always` is false and
    /// the directory has not changed since it was last listed). A pack whose index cannot
    /// be read (damaged) is left out: its ids read as not kept, so an ingest keeps them
    /// again, and raw bytes looked for and found nowhere are an error naming it.
    fn read_new(&mut self, dir: &Path, always: bool) {
        let modified = std::fs::metadata(dir).and_then(|m| m.modified()).ok();
        if modified.is_none() || (!always && modified == self.listed) {
            return;
        }
        self.listed = modified;
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = entry.file_name();
            if !name.to_string_lossy().ends_with(".pack") || self.read.contains(&name) {
                continue;
            }
            match read_pack_index(&entry.path()) {
                Ok(entries) => {
                    self.damaged.remove(&entry.path());
                    self.add(&entry.path(), entries);
                    self.read.insert(name);
                }
                Err(e) => {
                    self.damaged.insert(entry.path(), e.to_string());
                }
            }
        }
    }

    fn add(&mut self, pack: &Path, entries: Vec<([u8; 32], u64, u64)>) {
        let pack = Arc::new(pack.to_path_buf());
        for (id, offset, len) in entries {
            self.at.insert(id, Location { pack: pack.clone(), offset, len });
        }
    }
}

/// A content id's 32 bytes.
fn key_of(id: &str) -> Option<[u8; 32]> {
    let mut key = [0u8; 32];
    (is_content_id(id) && hex::decode_to_slice(id, &mut key).is_ok()).then_some(key)
}

/// Each staged blob's (id, offset, length) in a pack that holds them in this order.
fn entries_of(staged: &[StagedBlob]) -> Vec<([u8; 32], u64, u64)> {
    let mut offset = PACK_MAGIC.len() as u64;
    staged
        .iter()
        .map(|s| {
            let entry = (s.id, offset, s.packed.len() as u64);
            offset += s.packed.len() as u64;
            entry
        })
        .collect()
}

/// A pack's index and trailer for its `entries` (sorted by id).
fn pack_index(entries: &[([u8; 32], u64, u64)]) -> (Vec<u8>, Vec<u8>) {
    let mut index = Vec::with_capacity(entries.len() * ENTRY);
    for (id, offset, len) in entries {
        index.extend_from_slice(id);
        index.extend_from_slice(&offset.to_le_bytes());
        index.extend_from_slice(&len.to_le_bytes());
    }
    let mut trailer = (entries.len() as u64).to_le_bytes().to_vec();
    trailer.extend_from_slice(PACK_MAGIC);
    (index, trailer)
}

/// The (id, offset, length) entries of the pack at `path`, each checked to lie within the
/// pack's frames.
fn read_pack_index(path: &Path) -> std::io::Result<Vec<([u8; 32], u64, u64)>> {
    let mut f = std::fs::File::open(path)?;
    let size = f.metadata()?.len();
    let mut trailer = [0u8; TRAILER];
    if size < (PACK_MAGIC.len() + TRAILER) as u64 {
        return Err(invalid("too short for a pack".into()));
    }
    f.seek(SeekFrom::End(-(TRAILER as i64)))?;
    f.read_exact(&mut trailer)?;
    let (count, magic) = trailer.split_at(8);
    let count = u64::from_le_bytes(count.try_into().unwrap_or_default());
    let frames_end = count.checked_mul(ENTRY as u64).and_then(|n| size.checked_sub(n + TRAILER as u64));
    let frames_end = match frames_end {
        Some(end) if magic == PACK_MAGIC && end >= PACK_MAGIC.len() as u64 => end,
        _ => return Err(invalid("not a pack, or one cut short".into())),
    };
    let mut index = vec![0u8; (count as usize) * ENTRY];
    f.seek(SeekFrom::Start(frames_end))?;
    f.read_exact(&mut index)?;
    index
        .chunks_exact(ENTRY)
        .map(|e| {
            let id: [u8; 32] = e[..32].try_into().unwrap_or_default();
            let offset = u64::from_le_bytes(e[32..40].try_into().unwrap_or_default());
            let len = u64::from_le_bytes(e[40..48].try_into().unwrap_or_default());
            let inside = offset >= PACK_MAGIC.len() as u64 && offset.checked_add(len).is_some_and(|end| end <= frames_end);
            if inside { Ok((id, offset, len)) } else { Err(invalid("an entry points outside the pack's frames".into())) }
        })
        .collect()
}

fn read_range(path: &Path, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    let mut out = vec![0u8; usize::try_from(len).map_err(|_| invalid("frame too large".into()))?];
    f.read_exact(&mut out)?;
    Ok(out)
}

/// Write `parts` to a new file at `path` and sync it.
fn write_synced(path: &Path, parts: &[&[u8]]) -> Result<()> {
    let io = |source| StoreError::Io { path: path.to_path_buf(), source };
    let mut f = std::fs::File::create(path).map_err(io)?;
    for part in parts {
        f.write_all(part).map_err(io)?;
    }
    f.sync_all().map_err(io)
}

/// Raw bytes as kept: one zstd frame. Level 6: 2.5% smaller than 3 on the letters, no
/// slower to read, and no slower an ingest in alternating runs (the data directory's size
/// is a goal of its own).
fn compress(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    zstd::bulk::compress(bytes, 6)
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content_id;

    fn staged(blobs: &Blobs, bytes: &[u8]) -> StagedBlob {
        blobs.stage(&content_id(bytes), bytes).unwrap().expect("not kept before")
    }

    fn packs(dir: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(dir.join("blobs/packs")).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default()
    }

    #[test]
    fn a_batch_is_one_pack_read_by_a_reader_that_looked_before_it_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, reader) = (Blobs::of(dir.path()), Blobs::of(dir.path()));
        assert!(reader.raw(&content_id(b"one")).unwrap().is_none());
        let batch = vec![staged(&writer, b"one"), staged(&writer, b"two"), staged(&writer, b"one")];
        assert!(!writer.has(&content_id(b"one")), "staged bytes are not kept yet");
        writer.settle(batch).unwrap();
        assert_eq!(packs(dir.path()).len(), 1, "{:?}", packs(dir.path()));
        for bytes in [&b"one"[..], b"two"] {
            assert_eq!(writer.raw(&content_id(bytes)).unwrap().as_deref(), Some(bytes));
            assert_eq!(reader.raw(&content_id(bytes)).unwrap().as_deref(), Some(bytes), "a reader sees a pack written after its first look");
        }
        assert!(writer.stage(&content_id(b"two"), b"two").unwrap().is_none(), "kept bytes are not staged again");
        writer.settle(Vec::new()).unwrap();
        assert_eq!(packs(dir.path()).len(), 1, "nothing to settle writes nothing");
    }

    #[test]
    fn a_damaged_pack_is_no_pack_and_its_bytes_are_kept_again() {
        let dir = tempfile::tempdir().unwrap();
        let writer = Blobs::of(dir.path());
        writer.settle(vec![staged(&writer, b"kept")]).unwrap();
        let pack = packs(dir.path()).remove(0);
        let bytes = std::fs::read(&pack).unwrap();
        for cut in [bytes.len() - 1, bytes.len() / 2, 3, 0] {
            std::fs::write(&pack, &bytes[..cut]).unwrap();
            let fresh = Blobs::of(dir.path());
            assert!(!fresh.has(&content_id(b"kept")), "cut at {cut}");
            let error = fresh.raw(&content_id(b"kept")).unwrap_err().to_string();
            assert!(error.contains(&pack.display().to_string()) && error.contains("cannot be read"), "cut at {cut}: {error}");
        }
        // An index entry pointing past the frames.
        let mut bad = bytes.clone();
        let at = bad.len() - TRAILER - 8;
        bad[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        std::fs::write(&pack, &bad).unwrap();
        assert!(read_pack_index(&pack).is_err());
        let fresh = Blobs::of(dir.path());
        fresh.settle(vec![staged(&fresh, b"kept")]).unwrap();
        assert_eq!(fresh.raw(&content_id(b"kept")).unwrap().as_deref(), Some(&b"kept"[..]));
        assert!(fresh.raw(&content_id(b"never kept")).unwrap().is_none(), "the damaged pack was written again");
    }

    #[test]
    fn files_of_their_own_are_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::of(dir.path());
        blobs.put(&content_id(b"fetched"), b"fetched").unwrap();
        let id = content_id(b"before packs");
        std::fs::create_dir_all(dir.path().join("blobs").join(&id[..2])).unwrap();
        std::fs::write(dir.path().join("blobs").join(&id[..2]).join(&id), b"before packs").unwrap();
        let reader = Blobs::of(dir.path());
        assert_eq!(reader.raw(&content_id(b"fetched")).unwrap().as_deref(), Some(&b"fetched"[..]));
        assert_eq!(reader.raw(&id).unwrap().as_deref(), Some(&b"before packs"[..]));
        assert!(reader.stage(&id, b"before packs").unwrap().is_none());
        assert!(reader.raw("../../etc/passwd").unwrap().is_none());
    }
}
