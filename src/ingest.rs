//! `peerscope ingest`: extract, store and index files, reporting each failure by name and
//! going on with the rest.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use peerscope_extract::{Extractor, Origin};
use peerscope_store::{content_id, PutOutcome, StagedBlob, Store, StoredDocument};

use crate::data::DataDir;

/// File names in a directory that are reference data, not documents.
const NOT_DOCUMENTS: &[&str] = &["license", "readme", "councils.", "sources.", "themes."];
const DOCUMENT_EXTENSIONS: &[&str] = &["txt", "text", "html", "htm", "xhtml", "aspx", "pdf", "docx", "doc", "pptx", "ppt", ""];

/// What one ingest run did.
#[derive(Debug, Default)]
pub struct Summary {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub findings: usize,
    pub failed: Vec<(String, String)>,
}

pub fn run(data: &Path, paths: &[PathBuf], reader: crate::pdf_child::ReaderChoice) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let paths = if paths.is_empty() { vec![PathBuf::from("corpus")] } else { paths.to_vec() };
    let mut dir = DataDir::open(data)?;
    let extractor = crate::pdf_child::extractor_with(reader)?;
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
    // The extraction threads read the store (is it held already?) and keep raw bytes; the
    // main thread stores records and commits the index.
    let store = dir.store.clone();
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(files.len().max(1));
    let extracted = std::thread::scope(|scope| {
        let workers = Workers::start(scope, threads, store.as_ref(), extractor);
        let kept = keep_batches(dir, &files, &workers, &mut summary, &bar);
        // On an error the workers drop what is queued and stop, so the scope can end.
        workers.stop();
        kept
    });
    bar.finish_and_clear();
    extracted?;
    dir.store.flush()?;
    dir.catch_up()?;
    dir.compact();
    Ok(summary)
}

/// Queue each batch's files for extraction, and store the batch before last while the
/// last is extracted (at most two batches in memory).
fn keep_batches(dir: &mut DataDir, files: &[PathBuf], workers: &Workers, summary: &mut Summary, bar: &indicatif::ProgressBar) -> anyhow::Result<()> {
    let mut origins = std::collections::HashMap::new();
    let mut in_flight = std::collections::VecDeque::new();
    for (b, (batch, bytes)) in batches(files).into_iter().enumerate() {
        crate::data::ensure_room(&dir.path, bytes)?;
        let named: Vec<(String, Origin)> = batch.iter().map(|f| (f.display().to_string(), crate::origin::of_file(f, &mut origins))).collect();
        for (i, (f, (name, origin))) in batch.iter().zip(&named).enumerate() {
            workers.submit(Job { batch: b, index: i, path: f.clone(), name: name.clone(), origin: origin.clone() })?;
        }
        in_flight.push_back((b, named));
        if in_flight.len() > 1 {
            if let Some((b, named)) = in_flight.pop_front() {
                let prepared = workers.results_of(b, named.len())?;
                keep_batch(dir, (named, prepared), summary, bar)?;
            }
        }
    }
    while let Some((b, named)) = in_flight.pop_front() {
        let prepared = workers.results_of(b, named.len())?;
        keep_batch(dir, (named, prepared), summary, bar)?;
    }
    Ok(())
}

/// One file to extract: the `index`th of batch `batch`.
struct Job {
    batch: usize,
    index: usize,
    path: PathBuf,
    name: String,
    origin: Origin,
}

type Done = (usize, usize, anyhow::Result<Prepared>);

/// Extraction threads that live for the whole run. The cue lexicons' regexes keep their
/// lazy DFA caches per thread: threads started afresh for each batch built those caches
/// again and again, and extracted a third slower (2,000 letters: 3.7 against 2.55 MB/s).
struct Workers {
    jobs: std::sync::mpsc::Sender<Job>,
    done: std::sync::mpsc::Receiver<Done>,
    stopping: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Results that came in for batches not yet asked for, by (batch, index).
    early: std::cell::RefCell<std::collections::HashMap<(usize, usize), anyhow::Result<Prepared>>>,
}

impl Workers {
    fn start<'scope>(scope: &'scope std::thread::Scope<'scope, '_>, threads: usize, store: &'scope Store, extractor: &'scope Extractor) -> Workers {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        let (finished, done) = std::sync::mpsc::channel();
        let stopping = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        for _ in 0..threads {
            let (queue, finished, stopping) = (queue.clone(), finished.clone(), stopping.clone());
            scope.spawn(move || loop {
                // A poisoned lock or a closed queue: nothing more to do.
                let Ok(Ok(job)) = queue.lock().map(|q| q.recv()) else { return };
                if stopping.load(std::sync::atomic::Ordering::Relaxed) {
                    continue;
                }
                let result = extract_one(store, extractor, &job);
                if finished.send((job.batch, job.index, result)).is_err() {
                    return;
                }
            });
        }
        Workers { jobs, done, stopping, early: Default::default() }
    }

    fn submit(&self, job: Job) -> anyhow::Result<()> {
        self.jobs.send(job).map_err(|_| anyhow::anyhow!("the extraction threads have stopped"))
    }

    /// The results of batch `batch` of `n` files, in file order (waiting for them).
    fn results_of(&self, batch: usize, n: usize) -> anyhow::Result<Vec<anyhow::Result<Prepared>>> {
        let mut early = self.early.borrow_mut();
        while (0..n).any(|i| !early.contains_key(&(batch, i))) {
            let (b, i, result) = self.done.recv().map_err(|_| anyhow::anyhow!("the extraction threads have stopped"))?;
            early.insert((b, i), result);
        }
        Ok((0..n).filter_map(|i| early.remove(&(batch, i))).collect())
    }

    /// Drop the jobs still queued and let the threads end.
    fn stop(self) {
        self.stopping.store(true, std::sync::atomic::Ordering::Relaxed);
        drop(self.jobs);
    }
}

/// Read and prepare one file. A panic in the extractor (a bug) fails this file, named,
/// and the run goes on.
fn extract_one(store: &Store, extractor: &Extractor, job: &Job) -> anyhow::Result<Prepared> {
    let work = || read_capped(&job.path).and_then(|bytes| prepare(store, extractor, &job.name, &job.origin, &bytes));
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|_| Err(anyhow::anyhow!("the extractor failed unexpectedly on this file (a bug: please report it)")))
}

type Batch = (Vec<(String, Origin)>, Vec<anyhow::Result<Prepared>>);

/// Store an extracted batch in file order, counting each outcome, then make it durable and
/// commit it to the index so readers see it.
fn keep_batch(dir: &mut DataDir, (named, mut prepared): Batch, summary: &mut Summary, bar: &indicatif::ProgressBar) -> anyhow::Result<()> {
    // The batch's raw bytes are made durable before any record that points at them.
    let staged = prepared.iter_mut().filter_map(|p| match p {
        Ok(Prepared::Extracted(_, _, staged, _)) => staged.take(),
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

/// What to keep of one source's bytes: nothing (the store holds them as they are), or an
/// extracted document whose raw bytes are already kept, with its normalised text (the
/// record leaves it out; the index needs it for the findings' texts).
pub enum Prepared {
    Unchanged,
    /// The document, its text, its raw bytes if they were not kept before (staged:
    /// settle them before storing the document), and what the reader left undone.
    Extracted(Box<StoredDocument>, String, Option<StagedBlob>, Vec<String>),
}

/// Extract `bytes` read from `name` (a path or URL) and keep its raw bytes, unless the store
/// already holds them from there with the current extractor. Safe to run in parallel.
pub fn prepare(store: &Store, extractor: &Extractor, name: &str, origin: &Origin, bytes: &[u8]) -> anyhow::Result<Prepared> {
    let id = content_id(bytes);
    if store.is_current(&id, name, extractor.version())? {
        return Ok(Prepared::Unchanged);
    }
    let extracted = extractor.extract_from(name, origin, bytes)?;
    let staged = store.stage_raw(&id, bytes)?;
    let mut doc = StoredDocument {
        record_version: 1,
        id,
        seq: 0,
        sources: vec![],
        extractor_version: extractor.version(),
        document: extracted.document,
        // Re-derived from the raw bytes when needed: kept here it would be the largest part
        // of every record. So are the findings' texts, slices of it.
        text: String::new(),
        text_digest: None,
    };
    doc.drop_derivable_text(&extracted.text);
    Ok(Prepared::Extracted(Box::new(doc), extracted.text, staged, extracted.notes))
}

/// Store what [`prepare`] made. Returns the outcome and the number of findings extracted.
/// The caller flushes the store and catches the index up.
pub fn keep(dir: &DataDir, name: &str, prepared: Prepared) -> anyhow::Result<(PutOutcome, usize)> {
    match prepared {
        Prepared::Unchanged => Ok((PutOutcome::Unchanged, 0)),
        Prepared::Extracted(doc, text, staged, notes) => {
            say_notes(name, &notes);
            // Settled here unless the batch settled it already (`keep_batch`).
            dir.store.settle_raw(staged.into_iter().collect())?;
            let n = doc.document.findings.len();
            dir.hold_text(&doc.id, text);
            Ok((dir.store.put(name, *doc)?, n))
        }
    }
}

/// Tell the user what the reader left undone on `name` ([`peerscope_extract::Extracted::notes`]).
pub fn say_notes(name: &str, notes: &[String]) {
    for note in notes {
        eprintln!("peerscope: {name}: note: {note}");
    }
}

/// Extract and store `bytes` read from `name`: [`prepare`] then [`keep`].
pub fn ingest_bytes(dir: &DataDir, extractor: &Extractor, name: &str, origin: &Origin, bytes: &[u8]) -> anyhow::Result<(PutOutcome, usize)> {
    keep(dir, name, prepare(&dir.store, extractor, name, origin, bytes)?)
}

/// Read a file, refusing before reading one larger than the extractor would take, and
/// anything that is not a regular file: a device (`/dev/zero`) has no size and never ends,
/// and opening a named pipe waits for a writer for ever.
pub fn read_capped(file: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let most = peerscope_extract::DEFAULT_MAX_BYTES as u64;
    let meta = std::fs::metadata(file)?;
    if !meta.is_file() {
        anyhow::bail!("not a regular file (a device, a pipe or a socket): nothing to read");
    }
    if meta.len() > most {
        anyhow::bail!("too large: {} bytes (limit {most})", meta.len());
    }
    // A file that grows while it is read stops at the limit too.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(file)?.take(most + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > most {
        anyhow::bail!("too large: grew past {most} bytes while it was read");
    }
    Ok(bytes)
}

/// The files to ingest, sorted; unreadable paths are recorded as failures.
fn collect(paths: &[PathBuf], failed: &mut Vec<(String, String)>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut out, failed, &mut std::collections::HashSet::new()),
            Ok(_) => out.push(p.clone()),
            Err(e) => failed.push((p.display().to_string(), e.to_string())),
        }
    }
    out
}

/// The documents under `dir`, each directory read once by its real path: a link back up
/// (`sub/loop -> ..`) or a second link to a folder already read is not followed
/// (regression: every file was read forty times, down to the system's limit of links).
fn walk(dir: &Path, out: &mut Vec<PathBuf>, failed: &mut Vec<(String, String)>, seen: &mut std::collections::HashSet<PathBuf>) {
    let real = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if !seen.insert(real) {
        return;
    }
    walk_entries(dir, out, failed, seen);
}

fn walk_entries(dir: &Path, out: &mut Vec<PathBuf>, failed: &mut Vec<(String, String)>, within: &mut std::collections::HashSet<PathBuf>) {
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
            walk(&p, out, failed, within);
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
    // Every path given counts, those that failed before they were read too ("0 files … 1
    // failed" did not add up).
    crate::outln!(
        "ingested {} files in {seconds:.2} s: {} new, {} updated, {} unchanged, {} failed; {} findings extracted",
        s.new + s.updated + s.unchanged + s.failed.len(),
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
