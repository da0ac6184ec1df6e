//! `peerscope serve`: the web pages and JSON API over the index, for people who do not use
//! a terminal. The engine (`peerscope-query`) answers; this crate only serves its answers.
//!
//! Pages: search (`/`), a document (`/document/ID`, its raw bytes at `/document/ID/raw`), a
//! council (`/council/NAME`), themes (`/themes`); downloads of a search (`/export.csv`,
//! `/export.jsonl`), its Atom feed (`/feed`), and the JSON of every page under `/api/`. The
//! whole state of a page is in its address (`params`).
//!
//! Read-only (no route changes the data), bound to loopback unless told otherwise, and
//! bounded: query length, parameters, page, concurrent requests and time per request. Every
//! text from a document is escaped by the templates (maud escapes by default), pages carry
//! a Content-Security-Policy that allows no script at all and no other origin, and a
//! malformed request is a 4xx with a message. A writer may ingest in another process: the
//! index is refreshed at most once a second, so new findings appear once committed.

mod connections;
mod council;
mod document;
mod feed;
mod page;
pub mod params;
mod themes;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, RawQuery, Request, State};
use axum::middleware::Next;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use peerscope_index::{DocumentRecord, FindingIndex};
use peerscope_model::{Councils, Taxonomy};
use peerscope_query::{Engine, Filter, Page, QueryError};
use peerscope_store::Blobs;

use params::{Ask, BadRequest};

/// The serve crate's one error type.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

/// The longest question (or any one parameter) taken, in characters (as the page's box
/// counts them).
pub const MAX_QUERY_CHARS: usize = 500;
/// Answers worked out at once; up to [`MAX_WAITING`] more wait for a worker.
const CONCURRENT: usize = 16;
/// The longest a request may take.
const REQUEST_TIME: Duration = Duration::from_secs(10);
/// Councils listed per page of an answer.
const COUNCILS_PER_PAGE: usize = 10;
/// Where the stylesheet is served; its name changes with its content, so it may be cached.
pub const STYLESHEET: &str = "/assets/peerscope-v5.css";
static STYLES: &[u8] = include_bytes!("../assets/peerscope.css");

/// What every request reads: the index (refreshed to see a writer's commits), the raw
/// bytes, the reference data, and the documents for the council and themes pages.
pub struct Site {
    index: FindingIndex,
    blobs: Blobs,
    councils: Councils,
    taxonomy: Taxonomy,
    refreshed: Mutex<Instant>,
    /// The store sequence the index reader reflects at least: read before each reload, so
    /// what is kept under it is never older than it.
    seen: AtomicU64,
    /// Every document, read once per index commit: the council and themes pages count over
    /// all of them.
    documents: Mutex<Option<(u64, Arc<Vec<DocumentRecord>>)>>,
    /// Pages already answered, per commit: an address asks the same of the same data.
    answers: Mutex<Answers>,
    /// One turn per address being answered: many asking the same at once wait for the
    /// first answer instead of each computing it.
    turns: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Answers worked out at once (their tasks outlive a request that timed out).
    workers: tokio::sync::Semaphore,
    /// Answers waiting for one of the `workers`.
    waiting: std::sync::atomic::AtomicUsize,
    /// Requests waiting, by the address their answer is kept under ([`Asker`]).
    askers: Mutex<HashMap<String, usize>>,
    /// [`remember`]'s tasks running ([`Task`]).
    tasks: std::sync::atomic::AtomicUsize,
}

/// Responses kept by address for one index commit, the oldest dropped first past
/// [`ANSWERS_KEPT_BYTES`]. A popular question (the same address from many people, or one
/// person paging back) is answered once per commit; at 10,000 letters a search costs ~20 ms
/// of CPU and a themes page seconds, so 32 people at once would queue for seconds.
#[derive(Default)]
struct Answers {
    seq: u64,
    kept: HashMap<String, Kept>,
    order: VecDeque<String>,
    bytes: usize,
}

#[derive(Clone)]
struct Kept {
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
}

/// Bytes of responses kept in all, and the largest one kept.
const ANSWERS_KEPT_BYTES: usize = 64 << 20;
const LARGEST_KEPT: usize = 4 << 20;

impl Answers {
    fn get(&mut self, seq: u64, key: &str) -> Option<Kept> {
        if seq != self.seq {
            *self = Answers { seq, ..Answers::default() };
        }
        self.kept.get(key).cloned()
    }

    fn keep(&mut self, seq: u64, key: String, kept: Kept) {
        if seq != self.seq || kept.body.len() > LARGEST_KEPT || self.kept.contains_key(&key) {
            return;
        }
        self.bytes += kept.body.len();
        self.order.push_back(key.clone());
        self.kept.insert(key, kept);
        while self.bytes > ANSWERS_KEPT_BYTES {
            let Some(old) = self.order.pop_front() else { break };
            if let Some(k) = self.kept.remove(&old) {
                self.bytes -= k.body.len();
            }
        }
    }
}

impl Site {
    pub fn new(index: FindingIndex, blobs: Blobs, councils: Councils, taxonomy: Taxonomy) -> Site {
        let seen = AtomicU64::new(index.watermark().seq);
        Site { index, blobs, councils, taxonomy, refreshed: Mutex::new(Instant::now()), seen, documents: Mutex::new(None), answers: Mutex::default(), turns: Mutex::default(), workers: tokio::sync::Semaphore::new(CONCURRENT), waiting: Default::default(), askers: Mutex::default(), tasks: Default::default() }
    }

    /// See what writers committed, at most once a second.
    fn refresh(&self) {
        let mut last = self.refreshed.lock().unwrap_or_else(|p| p.into_inner());
        if last.elapsed() >= Duration::from_secs(1) {
            let seq = self.index.watermark().seq;
            // A failed refresh keeps answering from what was read before.
            if self.index.refresh().is_ok() {
                self.seen.store(seq, Ordering::SeqCst);
            }
            *last = Instant::now();
        }
    }

    /// The commit the index reader reflects (at least).
    fn seen(&self) -> u64 {
        self.seen.load(Ordering::SeqCst)
    }

    fn engine(&self) -> Engine<'_> {
        Engine { index: &self.index, councils: &self.councils, taxonomy: &self.taxonomy }
    }

    /// Every document as of the index's last commit seen (read again after a commit).
    fn documents(&self) -> Result<Arc<Vec<DocumentRecord>>, Unanswered> {
        let seq = self.seen();
        let mut kept = self.documents.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, docs)) = kept.as_ref() {
            if *at == seq {
                return Ok(docs.clone());
            }
        }
        let docs = Arc::new(self.index.documents().map_err(QueryError::from)?);
        *kept = Some((seq, docs.clone()));
        Ok(docs)
    }

    /// The filters of `ask`, checked against the reference data.
    fn filter(&self, ask: &Ask) -> Result<Filter, Unanswered> {
        Ok(ask.filter_params()?.filter(&self.taxonomy, &self.councils).map_err(|e| BadRequest(e.to_string()))?)
    }
}

/// The routes, with their bounds. The stylesheet stands outside the bounds: it is a
/// constant, and waited behind slow pages it made every page of a busy site unstyled.
pub fn router(site: Arc<Site>) -> Router {
    Router::new().route(STYLESHEET, get(stylesheet)).merge(answered(site)).layer(axum::middleware::map_response(secure))
}

/// The routes answered from the data, each through [`remember`] (at most [`CONCURRENT`]
/// worked out at once, [`MAX_WAITING`] more waiting), within [`REQUEST_TIME`].
fn answered(site: Arc<Site>) -> Router {
    Router::new()
        .route("/", get(search_page))
        .route("/api/query", get(api_query))
        .route("/export.csv", get(export_csv))
        .route("/export.jsonl", get(export_jsonl))
        .route("/feed", get(atom_feed))
        .route("/document/{id}", get(document_page))
        .route("/document/{id}/raw", get(document_raw))
        .route("/api/document/{id}", get(api_document))
        .route("/council/{name}", get(council_page))
        .route("/api/council/{name}", get(api_council))
        .route("/themes", get(themes_page))
        .route("/api/themes", get(api_themes))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(site.clone(), remember))
        .with_state(site)
        .layer(
            tower::ServiceBuilder::new()
                .layer(axum::error_handling::HandleErrorLayer::new(|_: tower::BoxError| async { (StatusCode::SERVICE_UNAVAILABLE, "the answer is taking more than 10 seconds: reload in a moment (an answer being worked out is kept for the next asker), or narrow the question") }))
                // No `concurrency_limit` here: tower's waits in `poll_ready`, which the
                // timeout does not time, so a request queued behind slow ones waited past
                // the limit (20 s seen). `remember` bounds the work, inside the time.
                .timeout(REQUEST_TIME),
        )
}

/// Serve `site` on `addr` until interrupted; `ready` hears the address bound (port 0 picks
/// a free one).
pub async fn serve(site: Arc<Site>, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    // The council and themes pages read every document: read them now, not on the first
    // person's request (seconds at 10,000 letters).
    let warm = site.clone();
    tokio::task::spawn_blocking(move || warm.documents().map(|_| ()));
    ready(listener.local_addr()?);
    connections::serve(listener, router(site), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}

/// Answer from [`Answers`] when this address was answered since the last commit; keep
/// what is answered (successes only: an error may be the moment's). The answer is worked
/// out in a task of its own, so one that outlasts the request's time limit is still kept
/// for the next asker (a themes page over 10,000 letters takes seconds); at most
/// [`CONCURRENT`] are worked out at once, and one at a time per address.
async fn remember(State(site): State<Arc<Site>>, request: Request, next: Next) -> Response {
    // Only what is asked for is kept: a POST is the router's to refuse (regression: it was
    // answered with the GET's kept page).
    if !matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD) {
        return next.run(request).await;
    }
    let key = answer_key(request.uri());
    site.refresh();
    // Tasks outlive their requests: past this many, a new one is refused at once rather
    // than queued behind answers nobody may be waiting for (review: re-asking an answer
    // never kept built an unbounded queue of them).
    if site.tasks.fetch_add(1, Ordering::SeqCst) >= MAX_TASKS {
        site.tasks.fetch_sub(1, Ordering::SeqCst);
        return Unanswered::Busy.text();
    }
    let asker = Asker::new(&site, &key);
    let work = tokio::spawn(async move {
        let _task = Task(site.clone());
        let turn = site.turns.lock().unwrap_or_else(|p| p.into_inner()).entry(key.clone()).or_default().clone();
        let mine = turn.lock().await;
        let seq = site.seen();
        let hit = site.answers.lock().unwrap_or_else(|p| p.into_inner()).get(seq, &key);
        let response = match hit {
            Some(kept) => {
                let mut r = (StatusCode::OK, kept.body).into_response();
                *r.headers_mut() = kept.headers;
                r
            }
            None => work_out(&site, seq, key.clone(), request, next).await,
        };
        drop(mine);
        // The last one waiting clears the turn (a race only lets two work once each).
        let mut turns = site.turns.lock().unwrap_or_else(|p| p.into_inner());
        if Arc::strong_count(&turn) <= 2 {
            turns.remove(&key);
        }
        response
    });
    let response = work.await.unwrap_or_else(|_| Unanswered::Failed.text());
    drop(asker);
    response
}

/// Tasks answering at once, kept or worked out, their requests waiting or gone.
const MAX_TASKS: usize = 8 * CONCURRENT;

/// One request waiting for the answer at its address: counted in [`Site::askers`] while
/// it waits, so work nobody waits for any more is not started.
struct Asker {
    site: Arc<Site>,
    key: String,
}

impl Asker {
    fn new(site: &Arc<Site>, key: &str) -> Asker {
        *site.askers.lock().unwrap_or_else(|p| p.into_inner()).entry(key.to_string()).or_default() += 1;
        Asker { site: site.clone(), key: key.to_string() }
    }
}

impl Drop for Asker {
    fn drop(&mut self) {
        let mut askers = self.site.askers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = askers.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                askers.remove(&self.key);
            }
        }
    }
}

/// A task of [`remember`]'s, counted in [`Site::tasks`] until it ends, however it ends.
struct Task(Arc<Site>);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.tasks.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Answers waiting for a worker past which a new one is refused at once: under a burst of
/// new questions the queue stays short enough to be answered within the time limit, rather
/// than every request timing out behind work nobody waits for any more (regression: forty
/// clients asking new addresses got no answer at all, and the stylesheet with them).
const MAX_WAITING: usize = 2 * CONCURRENT;

/// Work out an answer nobody has kept: with a worker, unless too many wait for one, and
/// only if someone still waits for it.
async fn work_out(site: &Site, seq: u64, key: String, request: Request, next: Next) -> Response {
    let _permit = match site.workers.try_acquire() {
        Ok(permit) => permit,
        Err(_) => {
            if site.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
                site.waiting.fetch_sub(1, Ordering::SeqCst);
                return Unanswered::Busy.text();
            }
            let permit = site.workers.acquire().await;
            site.waiting.fetch_sub(1, Ordering::SeqCst);
            match permit {
                Ok(permit) => permit,
                Err(_) => return Unanswered::Failed.text(),
            }
        }
    };
    // Every request for this address has gone (their time ran out while this waited):
    // nothing to work out for anyone.
    if !site.askers.lock().unwrap_or_else(|p| p.into_inner()).contains_key(&key) {
        return Unanswered::Busy.text();
    }
    answer_and_keep(site, seq, key, next.run(request).await).await
}

/// The address an answer is kept under: its path and the parameters the pages read, in
/// the order given. Regression: any other parameter (`?x=1`, `?x=2` …, or a link's
/// tracking tags) made every request a new answer worked out from scratch, and a few
/// clients so kept every worker busy.
fn answer_key(uri: &axum::http::Uri) -> String {
    let Some(query) = uri.query() else { return uri.path().to_string() };
    let read = form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| params::READ.contains(&k.as_ref()));
    let kept = form_urlencoded::Serializer::new(String::new()).extend_pairs(read).finish();
    if kept.is_empty() {
        return uri.path().to_string();
    }
    format!("{}?{kept}", uri.path())
}

async fn answer_and_keep(site: &Site, seq: u64, key: String, response: Response) -> Response {
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    // Every page is built in memory before it is sent, so this copies nothing new.
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else { return (StatusCode::INTERNAL_SERVER_ERROR, "the answer could not be sent").into_response() };
    site.answers.lock().unwrap_or_else(|p| p.into_inner()).keep(seq, key, Kept { headers: parts.headers.clone(), body: body.clone() });
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// Headers on every answer: no script, no other origin, no sniffing, no framing.
async fn secure(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// Why a request got no answer: the request's fault (4xx), the engine's reason, or the
/// engine's task failing (ours).
#[derive(Debug, thiserror::Error)]
enum Unanswered {
    #[error(transparent)]
    Bad(#[from] BadRequest),
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("{0}")]
    NotFound(String),
    #[error("the request could not be answered (an internal error); try again or another question")]
    Failed,
    #[error("the server is busy answering other questions; try again in a few seconds")]
    Busy,
}

impl Unanswered {
    fn status(&self) -> StatusCode {
        match self {
            Unanswered::Query(QueryError::Index(_)) | Unanswered::Failed => StatusCode::INTERNAL_SERVER_ERROR,
            Unanswered::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Unanswered::NotFound(_) => StatusCode::NOT_FOUND,
            Unanswered::Bad(_) | Unanswered::Query(_) => StatusCode::BAD_REQUEST,
        }
    }

    fn json(&self) -> Response {
        (self.status(), axum::Json(serde_json::json!({ "error": self.to_string() }))).into_response()
    }

    fn text(&self) -> Response {
        let mut r = (self.status(), self.to_string()).into_response();
        if matches!(self, Unanswered::Busy) {
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        r
    }
}

/// Run `work` off the async threads (it reads the index and may take a while).
async fn blocking<T: Send + 'static>(site: &Arc<Site>, work: impl FnOnce(&Site) -> Result<T, Unanswered> + Send + 'static) -> Result<T, Unanswered> {
    let site = site.clone();
    tokio::task::spawn_blocking(move || work(&site)).await.unwrap_or(Err(Unanswered::Failed))
}

/// The engine's answer to a search page's request.
async fn answer(site: &Arc<Site>, ask: &Ask) -> Result<peerscope_query::Answer, Unanswered> {
    let ask = ask.clone();
    blocking(site, move |site| {
        let filter = site.filter(&ask)?;
        let page = Page { offset: (ask.page - 1) * COUNCILS_PER_PAGE, limit: COUNCILS_PER_PAGE };
        Ok(site.engine().answer_page(&ask.q, &filter, page)?)
    })
    .await
}

async fn search_page(State(site): State<Arc<Site>>, RawQuery(raw): RawQuery) -> Response {
    let ask = match Ask::parse(raw.as_deref()) {
        Ok(a) => a,
        // The question stays in the box to be mended, whatever else was wrong.
        Err(e) => return html(StatusCode::BAD_REQUEST, page::search(&Ask { page: 1, q: Ask::question_of(raw.as_deref()), ..Ask::default() }, None, Some(&e.0), &site.taxonomy)),
    };
    if ask.q.is_empty() && ask.pairs.is_empty() {
        // The box sent empty (or only spaces) is asked for a question, not shown the empty
        // page again as if nothing had happened.
        let sent_empty = raw.as_deref().is_some_and(|r| r.split('&').any(|p| p == "q" || p.starts_with("q=")));
        let nudge = sent_empty.then_some("Type a question in the box first, for example “councils flagged for waiting lists”.");
        return html(StatusCode::OK, page::search(&ask, None, nudge, &site.taxonomy));
    }
    match answer(&site, &ask).await {
        Ok(a) => html(StatusCode::OK, page::search(&ask, Some(&a), None, &site.taxonomy)),
        Err(e) => html(e.status(), page::search(&ask, None, Some(&e.to_string()), &site.taxonomy)),
    }
}

async fn api_query(State(site): State<Arc<Site>>, RawQuery(raw): RawQuery) -> Response {
    let ask = match Ask::parse(raw.as_deref()) {
        Ok(a) => a,
        Err(e) => return Unanswered::from(e).json(),
    };
    match answer(&site, &ask).await {
        Ok(a) => axum::Json(a).into_response(),
        Err(e) => e.json(),
    }
}

/// The findings of a search, as export rows.
async fn rows(site: &Arc<Site>, raw: Option<&str>) -> Result<(Ask, Vec<peerscope_query::export::FindingRow>), Unanswered> {
    let ask = Ask::parse(raw)?;
    let asked = ask.clone();
    let rows = blocking(site, move |site| {
        let filter = site.filter(&asked)?;
        Ok(site.engine().matching_rows(&asked.q, &filter)?)
    })
    .await?;
    Ok((ask, rows))
}

async fn export_csv(State(site): State<Arc<Site>>, RawQuery(raw): RawQuery) -> Response {
    match rows(&site, raw.as_deref()).await {
        Ok((_, rows)) => {
            let mut body = Vec::new();
            // Written to memory: only an allocation failure could fail it.
            let _ = peerscope_query::export::write_csv(&mut body, &rows, true);
            download(body, "text/csv; charset=utf-8", "peerscope-findings.csv")
        }
        Err(e) => e.text(),
    }
}

async fn export_jsonl(State(site): State<Arc<Site>>, RawQuery(raw): RawQuery) -> Response {
    match rows(&site, raw.as_deref()).await {
        Ok((_, rows)) => {
            let mut body = Vec::new();
            let _ = peerscope_query::export::write_jsonl(&mut body, &rows);
            download(body, "application/x-ndjson; charset=utf-8", "peerscope-findings.jsonl")
        }
        Err(e) => e.text(),
    }
}

async fn atom_feed(State(site): State<Arc<Site>>, RawQuery(raw): RawQuery) -> Response {
    match rows(&site, raw.as_deref()).await {
        Ok((ask, rows)) => {
            let title = if ask.q.is_empty() { "peerscope: findings".to_string() } else { format!("peerscope: {}", ask.q) };
            let body = feed::atom(&title, &ask.href("/feed"), &rows);
            let mut r = (StatusCode::OK, body).into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"));
            r
        }
        Err(e) => e.text(),
    }
}

fn download(body: Vec<u8>, content_type: &'static str, name: &'static str) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")).unwrap_or(HeaderValue::from_static("attachment")));
    r
}

/// A stored document by id, or why not.
async fn record(site: &Arc<Site>, id: String) -> Result<DocumentRecord, Unanswered> {
    if !peerscope_store::is_content_id(&id) {
        return Err(Unanswered::Bad(BadRequest(format!("{id:?} is not a document id (64 hexadecimal digits)"))));
    }
    blocking(site, move |site| site.index.document(&id).map_err(QueryError::from)?.ok_or_else(|| Unanswered::NotFound(format!("no document {id} in this data directory")))).await
}

async fn document_page(State(site): State<Arc<Site>>, Path(id): Path<String>) -> Response {
    match record(&site, id).await {
        Ok(r) => html(StatusCode::OK, document::page(&r)),
        Err(e) => html(e.status(), page::layout("Error: document", maud::html! { h1 class="govuk-heading-l" { "Document" } p class="govuk-body" role="alert" { (page::sentence(&e.to_string())) } })),
    }
}

async fn api_document(State(site): State<Arc<Site>>, Path(id): Path<String>) -> Response {
    match record(&site, id).await {
        Ok(r) => axum::Json(serde_json::json!({ "id": r.id, "sources": r.sources, "document": r.document, "text": r.text })).into_response(),
        Err(e) => e.json(),
    }
}

/// A document's bytes as published, as a download: a stranger's HTML is never shown as a
/// page of this site.
async fn document_raw(State(site): State<Arc<Site>>, Path(id): Path<String>) -> Response {
    let found = match record(&site, id.clone()).await {
        Ok(r) => r,
        Err(e) => return e.text(),
    };
    let site2 = site.clone();
    let bytes = blocking(&site, move |_| site2.blobs.raw(&id).map_err(|e| Unanswered::NotFound(format!("the raw bytes of {id} cannot be read: {e}")))).await;
    match bytes {
        Ok(Some(bytes)) => {
            let ext = match found.document.format.as_str() {
                f @ ("pdf" | "html" | "docx" | "doc" | "pptx" | "ppt") => f,
                _ => "txt",
            };
            let mut r = (StatusCode::OK, bytes).into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
            h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&format!("attachment; filename=\"{}.{ext}\"", found.id)).unwrap_or(HeaderValue::from_static("attachment")));
            r
        }
        Ok(None) => Unanswered::NotFound(format!("the raw bytes of {} are not kept in this data directory", found.id)).text(),
        Err(e) => e.text(),
    }
}

/// A council's profile, or why not.
async fn profile(site: &Arc<Site>, name: String, raw: Option<String>) -> Result<(peerscope_query::profile::CouncilProfile, HashMap<String, String>), Unanswered> {
    let ask = Ask::parse(raw.as_deref())?;
    blocking(site, move |site| {
        if site.councils.lookup(&name).is_none() {
            return Err(Unanswered::NotFound(format!("no English council with social care duties is called {name:?}; nearest: {}", site.councils.nearest(&name).join(", "))));
        }
        let filter = site.filter(&ask)?;
        let docs = site.documents()?;
        let profile = peerscope_query::profile::profile(&name, docs.iter().map(|d| (&d.document, d.sources.as_slice())), &filter, &site.councils, &site.taxonomy).ok_or_else(|| Unanswered::NotFound(format!("no council {name:?}")))?;
        // The document of each source the profile names (its own documents, and other
        // councils' praised on its themes), for links to the findings in them.
        let named: std::collections::HashSet<&str> = profile.sources().collect();
        let ids = docs.iter().flat_map(|d| d.sources.iter().filter(|s| named.contains(s.as_str())).map(|s| (s.clone(), d.id.clone()))).collect();
        Ok((profile, ids))
    })
    .await
}

async fn council_page(State(site): State<Arc<Site>>, Path(name): Path<String>, RawQuery(raw): RawQuery) -> Response {
    match profile(&site, name, raw).await {
        Ok((p, ids)) => {
            let ids: HashMap<&str, &str> = ids.iter().map(|(s, i)| (s.as_str(), i.as_str())).collect();
            html(StatusCode::OK, council::page(&p, &ids))
        }
        Err(e) => html(e.status(), page::layout("Error: council", maud::html! { h1 class="govuk-heading-l" { "Council" } p class="govuk-body" role="alert" { (page::sentence(&e.to_string())) } })),
    }
}

async fn api_council(State(site): State<Arc<Site>>, Path(name): Path<String>, RawQuery(raw): RawQuery) -> Response {
    match profile(&site, name, raw).await {
        Ok((p, _)) => axum::Json(p).into_response(),
        Err(e) => e.json(),
    }
}

/// The themes table, the region × year cells, and how many undated findings a year filter
/// left out of both.
type ThemeTables = (Vec<peerscope_query::recurring::RecurringTheme>, peerscope_query::recurring::RegionYearCells, usize);

async fn theme_tables(site: &Arc<Site>, ask: Ask) -> Result<ThemeTables, Unanswered> {
    blocking(site, move |site| {
        let filter = site.filter(&ask)?;
        let docs = site.documents()?;
        let pairs = || docs.iter().map(|d| (&d.document, d.sources.as_slice()));
        Ok((
            peerscope_query::recurring::recurring(pairs(), &filter, &site.taxonomy),
            peerscope_query::recurring::by_region_and_year(pairs(), &filter),
            peerscope_query::recurring::undated_left_out(pairs(), &filter),
        ))
    })
    .await
}

async fn themes_page(State(site): State<Arc<Site>>, RawQuery(raw): RawQuery) -> Response {
    let ask = match Ask::parse(raw.as_deref()) {
        Ok(a) => a,
        Err(e) => return html(StatusCode::BAD_REQUEST, themes::page(&Ask::default(), &site.councils.regions(), (&[], &Default::default(), 0), Some(&e.0))),
    };
    let regions = site.councils.regions();
    match theme_tables(&site, ask.clone()).await {
        Ok((table, cells, undated)) => html(StatusCode::OK, themes::page(&ask, &regions, (&table, &cells, undated), None)),
        Err(e) => html(e.status(), themes::page(&ask, &regions, (&[], &Default::default(), 0), Some(&e.to_string()))),
    }
}

async fn api_themes(State(site): State<Arc<Site>>, RawQuery(raw): RawQuery) -> Response {
    let ask = match Ask::parse(raw.as_deref()) {
        Ok(a) => a,
        Err(e) => return Unanswered::from(e).json(),
    };
    match theme_tables(&site, ask).await {
        Ok((table, cells, undated)) => {
            let by_region_and_year: Vec<serde_json::Value> = cells.iter().map(|((r, y), n)| serde_json::json!({ "region": r, "year": y, "findings": n })).collect();
            axum::Json(serde_json::json!({ "themes": table, "by_region_and_year": by_region_and_year, "undated_left_out": undated })).into_response()
        }
        Err(e) => e.json(),
    }
}

async fn stylesheet() -> Response {
    let mut r = (StatusCode::OK, STYLES).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    r
}

/// An unknown address: a page with the way back (the API's callers read the status).
async fn not_found() -> Response {
    html(StatusCode::NOT_FOUND, page::layout("No such page", maud::html! {
        h1 class="govuk-heading-l" { "No such page" }
        p class="govuk-body" { "Nothing is at this address. " a class="govuk-link" href="/" { "Search the findings" } " or see " a class="govuk-link" href="/themes" { "the themes" } "." }
    }))
}

fn html(status: StatusCode, body: maud::Markup) -> Response {
    let mut r = (status, body.into_string()).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_kept_under_the_parameters_pages_read() {
        let key = |u: &str| answer_key(&u.parse().unwrap());
        assert_eq!(key("/council/Walsall?x=1"), "/council/Walsall");
        assert_eq!(key("/council/Walsall?x=1"), key("/council/Walsall?utm_source=mail"));
        assert_eq!(key("/?q=carers&x=2&kind=strength"), "/?q=carers&kind=strength");
        assert_eq!(key("/themes"), "/themes");
        assert_ne!(key("/?q=carers&page=2"), key("/?q=carers"));
    }
}
