//! `peerscope ingest`: extract, store and index files, reporting each failure by name and
//! going on with the rest.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use peerscope_extract::{Extractor, Origin, EXTRACTOR_VERSION};
use peerscope_store::{content_id, PutOutcome, StoredDocument};

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

/// Ingest `paths` (files, or directories walked for documents) into `dir`.
pub fn ingest(dir: &mut DataDir, extractor: &Extractor, paths: &[PathBuf]) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    let files = collect(paths, &mut summary.failed);
    let bar = progress(files.len() as u64);
    let mut origins = std::collections::HashMap::new();
    for file in &files {
        let name = file.display().to_string();
        bar.set_message(name.clone());
        let origin = crate::origin::of_file(file, &mut origins);
        match ingest_one(dir, extractor, file, &name, &origin) {
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
    bar.finish_and_clear();
    dir.store.flush()?;
    dir.catch_up()?;
    Ok(summary)
}

fn ingest_one(dir: &DataDir, extractor: &Extractor, file: &Path, name: &str, origin: &Origin) -> anyhow::Result<(PutOutcome, usize)> {
    ingest_bytes(dir, extractor, name, origin, &read_capped(file)?)
}

/// Extract and store `bytes` read from `name` (a path or URL), unless the store already
/// holds them from there with the current extractor. Returns the outcome and the number of
/// findings extracted. The caller flushes the store and catches the index up.
pub fn ingest_bytes(dir: &DataDir, extractor: &Extractor, name: &str, origin: &Origin, bytes: &[u8]) -> anyhow::Result<(PutOutcome, usize)> {
    let id = content_id(bytes);
    if dir.store.is_current(&id, name, EXTRACTOR_VERSION)? {
        return Ok((PutOutcome::Unchanged, 0));
    }
    let extracted = extractor.extract_from(name, origin, bytes)?;
    let n = extracted.document.findings.len();
    dir.store.put_raw(&id, bytes)?;
    let doc = StoredDocument {
        record_version: 1,
        id,
        seq: 0,
        sources: vec![],
        extractor_version: EXTRACTOR_VERSION,
        document: extracted.document,
        text: extracted.text,
    };
    Ok((dir.store.put(name, doc)?, n))
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
