//! Fetching documents from where they live — councils' ModernGov democracy sites, the LGA's
//! report pages, single pages — politely, and without losing or repeating anything.
//!
//! [`client`] is the polite HTTP client (per-host gate and gap, robots.txt, retries with
//! backoff, Retry-After, timeouts, size cap). [`Fetcher`] puts it together with the store:
//! raw bytes are kept content-addressed, and every URL's outcome goes into the crawl log
//! (status, content hash, time, validators), flushed as it happens, so a killed run resumes
//! without downloading again what it already has. The adapters ([`moderngov`],
//! [`moderngov_html`], [`lga`]) decide what to fetch; [`run`] runs every source, hosts in
//! parallel, and reports per source. Extraction and indexing are the caller's: this crate
//! hands back which stored bodies are new or changed.

pub mod client;
pub mod config;
mod error;
pub mod lga;
pub mod moderngov;
pub mod moderngov_html;
pub mod robots;

use std::sync::{Arc, LazyLock};
use std::time::{SystemTime, UNIX_EPOCH};

use peerscope_store::{content_id, CrawlEntry, Store};
use regex::Regex;
use url::Url;

pub use client::{Answer, PoliteClient, Validators};
pub use config::{Settings, Sources};
pub use error::FetchError;

/// What happened to a document's bytes on this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// First time seen at this URL.
    New,
    /// The URL's content differs from what the crawl log held.
    Changed,
    /// Same content (by 304, by hash, or already stored and not asked for again).
    Unchanged,
}

/// A document body kept in the store: where it came from and its content id.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub url: String,
    pub content_id: String,
    pub change: Change,
}

/// How much to trust what the store already holds for a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// An attachment: once stored, never asked for again.
    IfStored,
    /// A page that may change: ask conditionally, or compare hashes.
    Revalidate,
}

/// One source's outcome.
#[derive(Debug, Clone, Default)]
pub struct SourceReport {
    pub name: String,
    pub documents: Vec<Doc>,
    /// The council the source belongs to, when the sources file names it: passed on to
    /// extraction, since a ModernGov page often never writes "X Council".
    pub council: Option<String>,
    /// Agenda items or links looked at and left unread as not about a peer review.
    pub skipped: usize,
    /// Past meetings not asked for again: a previous run read all their items.
    pub settled: usize,
    /// Past meetings whose items were all read this run: to be marked settled
    /// ([`Fetcher::mark_settled`]) once their documents are stored and indexed, not before.
    pub settle: Vec<String>,
    /// What failed, with why.
    pub failed: Vec<(String, String)>,
    pub notes: Vec<String>,
    progress: Reporter,
}

/// Where a source's steps are shown (a spinner), if anywhere.
#[derive(Clone, Default)]
struct Reporter(Option<(Arc<dyn Progress>, usize)>);

impl std::fmt::Debug for Reporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Reporter(on)" } else { "Reporter(off)" })
    }
}

impl SourceReport {
    fn new(name: String) -> SourceReport {
        SourceReport { name, ..SourceReport::default() }
    }

    pub(crate) fn add(&mut self, doc: Doc) {
        if !self.documents.iter().any(|d| d.url == doc.url) {
            self.documents.push(doc);
        }
    }

    pub(crate) fn fail(&mut self, what: impl Into<String>, e: &FetchError) {
        self.failed.push((what.into(), e.to_string()));
    }

    /// Show what the source is doing now.
    pub(crate) fn step(&self, what: &str) {
        if let Some((p, i)) = &self.progress.0 {
            p.step(*i, what);
        }
    }

    pub(crate) fn note(&mut self, note: String) {
        self.notes.push(note);
    }

    /// New or changed documents.
    pub fn fetched(&self) -> usize {
        self.documents.iter().filter(|d| d.change != Change::Unchanged).count()
    }

    pub fn unchanged(&self) -> usize {
        self.documents.iter().filter(|d| d.change == Change::Unchanged).count()
    }
}

/// The polite client and the store, shared by every source of a run.
pub struct Fetcher {
    client: PoliteClient,
    store: Arc<Store>,
    relevant: Regex,
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Fetcher {
    pub fn new(settings: Settings, store: Arc<Store>) -> Result<Fetcher, FetchError> {
        install_crypto();
        let relevant = Regex::new(&settings.relevant).map_err(|e| FetchError::Config(format!("fetch.relevant: {e}")))?;
        Ok(Fetcher { client: PoliteClient::new(settings)?, store, relevant })
    }

    pub fn client(&self) -> &PoliteClient {
        &self.client
    }

    /// Whether a title or text concerns a peer challenge (the configured pattern). Spaces
    /// other than ASCII's ("Peer&nbsp;Review", common in text pasted from Word) are read as
    /// spaces, so the pattern's `[- ]` and `\s` meet them.
    /// Minutes come as HTML, where the space is written "&nbsp;".
    pub fn is_relevant(&self, text: &str) -> bool {
        if text.is_ascii() && !text.contains('&') {
            return self.relevant.is_match(text);
        }
        let spaced: String = text.replace("&nbsp;", " ").replace("&#160;", " ").chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect();
        self.relevant.is_match(&spaced)
    }

    /// Whether a previous run finished with `key` (a past meeting) under today's relevance
    /// pattern. A store that cannot answer says no: the meeting is simply read again.
    pub(crate) fn is_settled(&self, key: &str) -> bool {
        self.store.is_settled(key, self.relevant.as_str()).unwrap_or(false)
    }

    /// Mark `key` (a listing in [`SourceReport::settle`]) finished with for good.
    pub fn mark_settled(&self, key: &str) -> Result<(), FetchError> {
        Ok(self.store.mark_settled(key, self.relevant.as_str())?)
    }

    /// A listing (web-service answer, index page): always fetched, never kept as a document.
    pub async fn listing(&self, url: &Url) -> Result<Vec<u8>, FetchError> {
        match self.client.get(url, None).await? {
            Answer::Page(p) => Ok(p.bytes),
            Answer::NotModified => Err(FetchError::Status { url: url.to_string(), status: 304 }),
        }
    }

    /// A document: fetched (or reused), kept in the store, logged in the crawl log.
    pub async fn document(&self, url: &Url, reuse: Reuse) -> Result<Doc, FetchError> {
        if reuse == Reuse::IfStored {
            // Held already: no request, and no need to read the body back from disk.
            let held = self.store.crawl_entry(url.as_str())?.and_then(|e| e.content_id).filter(|id| self.store.has_raw(id));
            if let Some(id) = held {
                return Ok(Doc { url: url.to_string(), content_id: id, change: Change::Unchanged });
            }
        }
        self.body(url, reuse).await.map(|(doc, _)| doc)
    }

    /// A document and its bytes (for pages whose links are followed).
    pub async fn body(&self, url: &Url, reuse: Reuse) -> Result<(Doc, Vec<u8>), FetchError> {
        let key = url.as_str();
        let known = self.store.crawl_entry(key)?;
        let held = known.as_ref().and_then(|e| e.content_id.clone()).filter(|id| self.store.has_raw(id));
        if let (Reuse::IfStored, Some(id)) = (reuse, held.as_ref()) {
            let bytes = self.store.raw(id)?.unwrap_or_default();
            return Ok((Doc { url: key.to_string(), content_id: id.clone(), change: Change::Unchanged }, bytes));
        }
        let validators = known.as_ref().filter(|_| held.is_some()).map(|e| Validators { etag: e.etag.clone(), last_modified: e.last_modified.clone() });
        let answer = self.client.get(url, validators.as_ref()).await;
        match answer {
            Ok(Answer::NotModified) => {
                let id = held.ok_or_else(|| FetchError::Status { url: key.to_string(), status: 304 })?;
                let bytes = self.store.raw(&id)?.unwrap_or_default();
                Ok((Doc { url: key.to_string(), content_id: id, change: Change::Unchanged }, bytes))
            }
            Ok(Answer::Page(page)) => {
                if !looks_complete(&page.bytes) {
                    return Err(FetchError::Truncated { url: key.to_string() });
                }
                if let Some(expected) = file_named(url).filter(|_| looks_like_html(&page.bytes)) {
                    return Err(FetchError::NotTheDocument { url: key.to_string(), expected });
                }
                let id = content_id(&page.bytes);
                self.store.put_raw(&id, &page.bytes)?;
                let change = match held.as_deref() {
                    None if known.is_none() => Change::New,
                    Some(old) if old == id => Change::Unchanged,
                    _ => Change::Changed,
                };
                self.store.record_crawl(&CrawlEntry {
                    url: key.to_string(),
                    status: page.status,
                    content_id: Some(id.clone()),
                    fetched_at: now(),
                    etag: page.etag,
                    last_modified: page.last_modified,
                    content_type: page.content_type,
                })?;
                Ok((Doc { url: key.to_string(), content_id: id, change }, page.bytes))
            }
            Err(e) => {
                if let FetchError::Status { status, .. } = &e {
                    // Remember the refusal or absence, keeping what we held.
                    let entry = CrawlEntry {
                        url: key.to_string(),
                        status: *status,
                        content_id: known.as_ref().and_then(|k| k.content_id.clone()),
                        fetched_at: now(),
                        etag: known.as_ref().and_then(|k| k.etag.clone()),
                        last_modified: known.as_ref().and_then(|k| k.last_modified.clone()),
                        content_type: known.as_ref().and_then(|k| k.content_type.clone()),
                    };
                    self.store.record_crawl(&entry)?;
                }
                Err(e)
            }
        }
    }

    /// A document peerscope composed from fetched data (an agenda item's minutes, a report
    /// joined from its pages), kept under the address people would visit for it. Its crawl
    /// log entry has a key of its own, apart from the page fetched at that address.
    pub fn keep_derived(&self, url: &Url, bytes: &[u8]) -> Result<Doc, FetchError> {
        let key = url.as_str();
        let log_key = format!("{key} (composed)");
        let known = self.store.crawl_entry(&log_key)?;
        let id = content_id(bytes);
        self.store.put_raw(&id, bytes)?;
        let change = match known.as_ref().and_then(|k| k.content_id.as_deref()) {
            None => Change::New,
            Some(old) if old == id => Change::Unchanged,
            Some(_) => Change::Changed,
        };
        self.store.record_crawl(&CrawlEntry {
            url: log_key,
            status: 200,
            content_id: Some(id.clone()),
            fetched_at: now(),
            etag: None,
            last_modified: None,
            content_type: Some("text/html; charset=utf-8".into()),
        })?;
        Ok(Doc { url: key.to_string(), content_id: id, change })
    }
}

/// A PDF must end with its end-of-file marker: a body cut short (and served with no
/// Content-Length to tell) is never kept as a document.
fn looks_complete(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"%PDF") {
        let tail = &bytes[bytes.len().saturating_sub(2048)..];
        return tail.windows(5).any(|w| w == b"%%EOF");
    }
    true
}

/// The kind of file an address names by its extension ("PDF" for ".../report.pdf"), for
/// the kinds a web page is never a copy of.
fn file_named(url: &Url) -> Option<String> {
    const FILES: [&str; 7] = ["pdf", "doc", "docx", "odt", "ppt", "pptx", "rtf"];
    let last = url.path_segments()?.next_back()?;
    let (_, ext) = last.rsplit_once('.')?;
    FILES.iter().find(|f| ext.eq_ignore_ascii_case(f)).map(|f| f.to_uppercase())
}

/// Whether a body is an HTML page: it opens (after spaces and a byte-order mark) with a
/// doctype, an `<html>`, `<head>` or `<body>` tag, or a comment.
fn looks_like_html(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start().to_ascii_lowercase();
    ["<!doctype html", "<html", "<head", "<body", "<!--"].iter().any(|p| t.starts_with(p)) || (t.starts_with("<?xml") && t.contains("<html"))
}

/// rustls needs one process-wide crypto provider; ring builds with only a C compiler.
fn install_crypto() {
    static ONCE: LazyLock<()> = LazyLock::new(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    LazyLock::force(&ONCE);
}

/// Progress of a run, for a terminal's progress bars (the binary decides how to show it).
pub trait Progress: Send + Sync {
    /// Source `source` is now at `what` (an item, a document URL).
    fn step(&self, source: usize, what: &str);
    fn done(&self, source: usize, report: &SourceReport);
}

/// Fetch every source, hosts in parallel (each source is one task; the client keeps one
/// request at a time per host whatever the task). A source that fails is reported, the
/// others go on.
pub async fn run(fetcher: Arc<Fetcher>, sources: &Sources, progress: Arc<dyn Progress>) -> Vec<SourceReport> {
    let mut tasks = tokio::task::JoinSet::new();
    let mut names = Vec::new();
    let jobs: Vec<Job> = sources
        .moderngov
        .iter()
        .cloned()
        .map(Job::ModernGov)
        .chain(sources.lga.iter().cloned().map(Job::Lga))
        .chain(sources.page.iter().cloned().map(Job::Page))
        .collect();
    for (i, job) in jobs.into_iter().enumerate() {
        let name = job.name();
        names.push(name.clone());
        let (f, p) = (fetcher.clone(), progress.clone());
        tasks.spawn(async move {
            let mut report = SourceReport { progress: Reporter(Some((p.clone(), i))), council: job.council(), ..SourceReport::new(name) };
            p.step(i, "starting");
            if let Err(e) = job.run(&f, &mut report).await {
                report.fail(report.name.clone(), &e);
            }
            p.done(i, &report);
            (i, report)
        });
    }
    let mut reports: Vec<Option<SourceReport>> = vec![None; names.len()];
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok((i, report)) => reports[i] = Some(report),
            Err(e) => eprintln!("peerscope: a fetch task ended abnormally: {e}"),
        }
    }
    reports
        .into_iter()
        .zip(names)
        .map(|(r, name)| {
            r.unwrap_or_else(|| SourceReport { failed: vec![(name.clone(), "the task ended abnormally".into())], ..SourceReport::new(name) })
        })
        .collect()
}

enum Job {
    ModernGov(config::ModernGovSource),
    Lga(config::LgaSource),
    Page(config::PageSource),
}

impl Job {
    fn council(&self) -> Option<String> {
        match self {
            Job::ModernGov(m) => m.council.clone(),
            Job::Lga(_) | Job::Page(_) => None,
        }
    }

    fn name(&self) -> String {
        match self {
            Job::ModernGov(m) => format!("moderngov {}{}", m.base, m.council.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()),
            Job::Lga(l) => format!("lga {}", l.index),
            Job::Page(p) => format!("page {}", p.url),
        }
    }

    async fn run(&self, f: &Fetcher, report: &mut SourceReport) -> Result<(), FetchError> {
        match self {
            Job::ModernGov(m) => moderngov::run(f, m, report).await,
            Job::Lga(l) => lga::run(f, l, report).await,
            Job::Page(p) => {
                let url = Url::parse(&p.url).map_err(|_| FetchError::BadUrl(p.url.clone()))?;
                let doc = f.document(&url, Reuse::Revalidate).await?;
                report.add(doc);
                Ok(())
            }
        }
    }
}
