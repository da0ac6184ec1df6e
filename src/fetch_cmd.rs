//! `peerscope fetch --sources FILE`: fetch every source politely, then extract and index
//! whatever is new or changed, in one run. Per source: a spinner on a terminal (quiet under
//! CI), then a summary line (fetched, unchanged, skipped as irrelevant, failed with reasons).
//! Exit status 0 when everything asked for was fetched and read; 1 when something failed (a
//! source that could not be reached, a document that could not be fetched or read: listed
//! under its source; the rest is kept), as `ingest` says of files, so a nightly job can tell
//! a quiet night from a site that was not checked; 2 for an unusable sources file or data
//! directory.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use peerscope_fetch::{Change, Fetcher, Progress, SourceReport, Sources};

use crate::data::DataDir;

pub fn run(data: &Path, sources_file: &Path, reader: crate::pdf_child::ReaderChoice) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(sources_file).with_context(|| format!("reading {}", sources_file.display()))?;
    let sources = Sources::parse(&sources_file.display().to_string(), &text)?;
    check_councils(sources_file, &sources)?;
    let mut dir = DataDir::open(data)?;
    let extractor = crate::pdf_child::extractor_with(reader)?;
    let fetcher = Arc::new(Fetcher::new(sources.fetch.clone(), dir.store.clone())?);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().context("starting the async runtime")?;
    let bars = Arc::new(Bars::new(&sources));
    let reports = runtime.block_on(peerscope_fetch::run(fetcher.clone(), &sources, bars.clone()));
    bars.clear();
    crate::data::ensure_room(&dir.path, 0)?;
    let mut ingested = (0, 0, 0);
    let fetch_failed: usize = reports.iter().map(|r| r.failed.len()).sum();
    let mut settle = Vec::new();
    for report in &reports {
        let (n, findings, failed) = ingest_report(&dir, &extractor, report);
        ingested = (ingested.0 + n, ingested.1 + findings, ingested.2 + failed);
        print_report(report)?;
        // A source whose documents did not all go in keeps its meetings unsettled, so the
        // next run reads them again.
        if failed == 0 {
            settle.extend(report.settle.iter());
        }
    }
    dir.store.flush()?;
    dir.catch_up()?;
    // Only now, with their documents durable and indexed, are past meetings settled.
    for key in settle {
        if let Err(e) = fetcher.mark_settled(key) {
            eprintln!("peerscope: {key}: {}", crate::describe(&e.into()));
        }
    }
    dir.compact();
    crate::outln!("ingested {} new or changed documents; {} findings extracted; {} could not be read", ingested.0, ingested.1, ingested.2);
    crate::outln!("data: {} documents, {} findings indexed", dir.store.len(), dir.index.len());
    Ok(if fetch_failed + ingested.2 > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// A site's `council` names the council its documents are about when they do not say: one
/// peerscope does not know would leave every document of the site without a council, and
/// out of every answer, without a word (regression: "Stokton-on-Tees"). So it is refused,
/// before anything is fetched, with the nearest names.
fn check_councils(sources_file: &Path, sources: &Sources) -> anyhow::Result<()> {
    let councils = peerscope_model::Councils::builtin()?;
    for site in &sources.moderngov {
        let Some(name) = site.council.as_deref() else { continue };
        if councils.lookup(name).is_none() {
            anyhow::bail!(
                "{}: the site {} has council = {name:?}, which is no English council with social care duties; nearest: {} (names as in corpus/councils.csv)",
                sources_file.display(),
                site.base,
                councils.nearest(name).join(", ")
            );
        }
    }
    Ok(())
}

/// Extract what a source brought that the store does not yet hold as a current document.
fn ingest_report(dir: &DataDir, extractor: &peerscope_extract::Extractor, report: &SourceReport) -> (usize, usize, usize) {
    let (mut n, mut findings, mut failed) = (0, 0, 0);
    for doc in &report.documents {
        let current = dir.store.is_current(&doc.content_id, &doc.url, extractor.version()).unwrap_or(false);
        if doc.change == Change::Unchanged && current {
            continue;
        }
        let result = dir.store.raw(&doc.content_id).map_err(anyhow::Error::from).and_then(|bytes| {
            let bytes = bytes.with_context(|| format!("{}: stored body missing", doc.url))?;
            let origin = peerscope_extract::Origin { url: Some(doc.url.clone()), council: report.council.clone() };
            crate::ingest::ingest_bytes(dir, extractor, &doc.url, &origin, &bytes)
        });
        match result {
            Ok((_, f)) => {
                n += 1;
                findings += f;
            }
            Err(e) => {
                failed += 1;
                eprintln!("peerscope: {}: {}", doc.url, crate::describe(&e));
            }
        }
    }
    (n, findings, failed)
}

fn print_report(r: &SourceReport) -> anyhow::Result<()> {
    crate::outln!(
        "{}: {} fetched, {} unchanged, {} skipped as irrelevant, {} failed",
        r.name,
        r.fetched(),
        r.unchanged(),
        r.skipped,
        r.failed.len()
    );
    if r.settled > 0 {
        let n = r.settled;
        crate::outln!("  {n} past meeting{} not asked for again: an earlier run read all {} items", if n == 1 { "" } else { "s" }, if n == 1 { "its" } else { "their" });
    }
    for note in &r.notes {
        crate::outln!("  note: {note}");
    }
    for (what, why) in &r.failed {
        // An error names its URL already: "failed: URL: URL: HTTP 404" said it twice.
        let why = match why.split_once(": ") {
            Some((named, rest)) if what.ends_with(named) => rest,
            _ => why.as_str(),
        };
        crate::outln!("  failed: {what}: {why}");
    }
    Ok(())
}

/// One spinner per source on a terminal; nothing under CI or when stderr is not a terminal.
struct Bars {
    multi: indicatif::MultiProgress,
    bars: Vec<indicatif::ProgressBar>,
}

impl Bars {
    fn new(sources: &Sources) -> Bars {
        use std::io::IsTerminal;
        let quiet = std::env::var_os("CI").is_some() || !std::io::stderr().is_terminal();
        let multi = if quiet { indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::hidden()) } else { indicatif::MultiProgress::new() };
        let names = sources.moderngov.iter().map(|m| m.base.clone()).chain(sources.lga.iter().map(|l| l.index.clone())).chain(sources.page.iter().map(|p| p.url.clone()));
        let bars = names
            .map(|name| {
                let bar = multi.add(indicatif::ProgressBar::new_spinner());
                if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {prefix} {wide_msg}") {
                    bar.set_style(style);
                }
                bar.set_prefix(name);
                bar.enable_steady_tick(std::time::Duration::from_millis(200));
                bar
            })
            .collect();
        Bars { multi, bars }
    }

    fn clear(&self) {
        for b in &self.bars {
            b.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}

impl Progress for Bars {
    fn step(&self, source: usize, what: &str) {
        if let Some(b) = self.bars.get(source) {
            b.set_message(what.to_string());
        }
    }

    fn done(&self, source: usize, report: &SourceReport) {
        if let Some(b) = self.bars.get(source) {
            b.finish_with_message(format!("{} fetched, {} unchanged, {} failed", report.fetched(), report.unchanged(), report.failed.len()));
        }
    }
}
