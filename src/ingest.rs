//! `peerscope ingest`: extract, store and index files, reporting each failure by name and
//! going on with the rest.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use peerscope_extract::{Extractor, Origin, EXTRACTOR_VERSION};
use peerscope_store::{content_id, PutOutcome, StagedBlob, Store, StoredDocument};

use crate::data::DataDir;

/// File names in a directory that are reference data, not documents.
const NOT_DOCUMENTS: &[&str] = &["license", "readme", "councils.", "sources.", "themes."];
const DOCUMENT_EXTENSIONS: &[&str] = &["txt", "text", "html", "htm", "xhtml", "aspx", "pdf", ""];

/// What one ingest run did.
#[derive(Debug, Default)]
pub struct Summary {
    pub files: usize,
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub findings: usize,
    pub failed: Vec<(String, String)>,
}

pub fn run(data: &Path, paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let paths = if paths.is_empty() { vec![PathBuf::from("corpus")] } else { paths.to_vec() };
    let mut dir = DataDir::open(data)?;
    let extractor = crate::pdf_child::extractor()?;
    let summary = ingest(&mut dir, &extractor, &paths)?;
    print_summary(&summary, &dir, started.elapsed().as_secs_f64())?;
    Ok(if summary.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// A batch ends after this many files or bytes: each batch is extracted in parallel, then
/// stored, flushed and committed to the index, so readers see it and a kill loses at most
/// the batch in flight.
const BATCH_FILES: usize = 256;
const BATCH_BYTES: u64 = 32 << 20;

/// Ingest `paths` (files, or directories walked for documents) into `dir`. While one batch
/// is stored and indexed, the next is already being extracted.
pub fn ingest(dir: &mut DataDir, extractor: &Extractor, paths: &[PathBuf]) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    let files = collect(paths, &mut summary.failed);
    let bar = progress(files.len() as u64);
    let mut origins = std::collections::HashMap::new();
    // The extraction threads read the store (is it held already?) and keep raw bytes; the
    // main thread stores records and commits the index.
    let store = dir.store.clone();
    let store = store.as_ref();
    let extracted = std::thread::scope(|scope| -> anyhow::Result<()> {
        let mut in_flight = None;
        for (batch, bytes) in batches(&files) {
            crate::data::ensure_room(&dir.path, bytes)?;
            let named: Vec<(String, Origin)> = batch.iter().map(|f| (f.display().to_string(), crate::origin::of_file(f, &mut origins))).collect();
            let next = scope.spawn(move || {
                let prepared = in_parallel(batch.len(), |i| read_capped(&batch[i]).and_then(|bytes| prepare(store, extractor, &named[i].0, &named[i].1, &bytes)));
                (named, prepared)
            });
            if let Some(done) = in_flight.replace(next) {
                keep_batch(dir, joined(done), &mut summary, &bar)?;
            }
        }
        if let Some(done) = in_flight {
            keep_batch(dir, joined(done), &mut summary, &bar)?;
        }
        Ok(())
    });
    bar.finish_and_clear();
    extracted?;
    dir.store.flush()?;
    dir.catch_up()?;
    dir.compact();
    Ok(summary)
}

type Batch = (Vec<(String, Origin)>, Vec<anyhow::Result<Prepared>>);

/// The result of a batch's extraction thread (a panic there is re-raised here).
fn joined(handle: std::thread::ScopedJoinHandle<'_, Batch>) -> Batch {
    handle.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// Store an extracted batch in file order, counting each outcome, then make it durable and
/// commit it to the index so readers see it.
fn keep_batch(dir: &mut DataDir, (named, mut prepared): Batch, summary: &mut Summary, bar: &indicatif::ProgressBar) -> anyhow::Result<()> {
    // The batch's raw bytes are made durable before any record that points at them.
    let staged = prepared.iter_mut().filter_map(|p| match p {
        Ok(Prepared::Extracted(_, _, staged)) => staged.take(),
        _ => None,
    });
    dir.store.settle_raw(staged.collect())?;
    for ((name, _), result) in named.into_iter().zip(prepared) {
        bar.set_message(name.clone());
        match result.and_then(|p| keep(dir, &name, p)) {
            Ok((PutOutcome::New, n)) => {
                summary.new += 1;
                summary.findings += n;
            }
            Ok((PutOutcome::Updated, n)) => {
                summary.updated += 1;
                summary.findings += n;
            }
            Ok((PutOutcome::Unchanged, _)) => summary.unchanged += 1,
            Err(e) => summary.failed.push((name, crate::describe(&e))),
        }
        summary.files += 1;
        bar.inc(1);
    }
    dir.store.flush()?;
    dir.catch_up()?;
    Ok(())
}

/// Consecutive runs of files, each at most `BATCH_FILES` files and (past its first file)
/// `BATCH_BYTES` bytes, with its size in bytes.
fn batches(files: &[PathBuf]) -> Vec<(&[PathBuf], u64)> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, f) in files.iter().enumerate() {
        let size = std::fs::metadata(f).map_or(0, |m| m.len());
        if i > start && (i - start >= BATCH_FILES || bytes + size > BATCH_BYTES) {
            out.push((&files[start..i], bytes));
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < files.len() {
        out.push((&files[start..], bytes));
    }
    out
}

/// `work(0..n)` on every core, results in order.
fn in_parallel<T: Send>(n: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(n.max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, T)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            return mine;
                        }
                        mine.push((i, work(i)));
                    }
                })
            })
            .collect();
        // A worker that panicked has already printed why; its items are simply missing,
        // which the caller cannot tell from success, so propagate the panic.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, t)| t).collect()
}

/// What to keep of one source's bytes: nothing (the store holds them as they are), or an
/// extracted document whose raw bytes are already kept, with its normalised text (the
/// record leaves it out; the index needs it for the findings' texts).
pub enum Prepared {
    Unchanged,
    /// The document, its text, and its raw bytes if they were not kept before (staged:
    /// settle them before storing the document).
    Extracted(Box<StoredDocument>, String, Option<StagedBlob>),
}

/// Extract `bytes` read from `name` (a path or URL) and keep its raw bytes, unless the store
/// already holds them from there with the current extractor. Safe to run in parallel.
pub fn prepare(store: &Store, extractor: &Extractor, name: &str, origin: &Origin, bytes: &[u8]) -> anyhow::Result<Prepared> {
    let id = content_id(bytes);
    if store.is_current(&id, name, EXTRACTOR_VERSION)? {
        return Ok(Prepared::Unchanged);
    }
    let extracted = extractor.extract_from(name, origin, bytes)?;
    let staged = store.stage_raw(&id, bytes)?;
    let mut doc = StoredDocument {
        record_version: 1,
        id,
        seq: 0,
        sources: vec![],
        extractor_version: EXTRACTOR_VERSION,
        document: extracted.document,
        // Re-derived from the raw bytes when needed: kept here it would be the largest part
        // of every record. So are the findings' texts, slices of it.
        text: String::new(),
        text_digest: None,
    };
    doc.drop_derivable_text(&extracted.text);
    Ok(Prepared::Extracted(Box::new(doc), extracted.text, staged))
}

/// Store what [`prepare`] made. Returns the outcome and the number of findings extracted.
/// The caller flushes the store and catches the index up.
pub fn keep(dir: &DataDir, name: &str, prepared: Prepared) -> anyhow::Result<(PutOutcome, usize)> {
    match prepared {
        Prepared::Unchanged => Ok((PutOutcome::Unchanged, 0)),
        Prepared::Extracted(doc, text, staged) => {
            // Settled here unless the batch settled it already (`keep_batch`).
            dir.store.settle_raw(staged.into_iter().collect())?;
            let n = doc.document.findings.len();
            dir.hold_text(&doc.id, text);
            Ok((dir.store.put(name, *doc)?, n))
        }
    }
}

/// Extract and store `bytes` read from `name`: [`prepare`] then [`keep`].
pub fn ingest_bytes(dir: &DataDir, extractor: &Extractor, name: &str, origin: &Origin, bytes: &[u8]) -> anyhow::Result<(PutOutcome, usize)> {
    keep(dir, name, prepare(&dir.store, extractor, name, origin, bytes)?)
}

/// Read a file, refusing before reading one larger than the extractor would take.
pub fn read_capped(file: &Path) -> anyhow::Result<Vec<u8>> {
    let size = std::fs::metadata(file)?.len();
    if size > peerscope_extract::DEFAULT_MAX_BYTES as u64 {
        anyhow::bail!("too large: {size} bytes (limit {})", peerscope_extract::DEFAULT_MAX_BYTES);
    }
    Ok(std::fs::read(file)?)
}

/// The files to ingest, sorted; unreadable paths are recorded as failures.
fn collect(paths: &[PathBuf], failed: &mut Vec<(String, String)>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut out, failed),
            Ok(_) => out.push(p.clone()),
            Err(e) => failed.push((p.display().to_string(), e.to_string())),
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, failed: &mut Vec<(String, String)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return failed.push((dir.display().to_string(), e.to_string())),
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let name = p.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            walk(&p, out, failed);
            continue;
        }
        let ext = p.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        if DOCUMENT_EXTENSIONS.contains(&ext.as_str()) && !NOT_DOCUMENTS.iter().any(|n| name.contains(n)) {
            out.push(p);
        }
    }
}

pub fn progress(len: u64) -> indicatif::ProgressBar {
    let quiet = std::env::var_os("CI").is_some();
    let bar = if quiet { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::with_draw_target(Some(len), indicatif::ProgressDrawTarget::stderr()) };
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
        bar.set_style(style);
    }
    bar
}

fn print_summary(s: &Summary, dir: &DataDir, seconds: f64) -> anyhow::Result<()> {
    crate::outln!(
        "ingested {} files in {seconds:.2} s: {} new, {} updated, {} unchanged, {} failed; {} findings extracted",
        s.files,
        s.new,
        s.updated,
        s.unchanged,
        s.failed.len(),
        s.findings
    );
    crate::outln!("data: {} documents, {} findings indexed", dir.store.len(), dir.index.len());
    for (file, reason) in &s.failed {
        crate::outln!("  failed: {file}: {reason}");
    }
    Ok(())
}
