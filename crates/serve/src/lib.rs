//! `peerscope serve`: the web page and JSON API over the index, for people who do not use a
//! terminal. The engine (`peerscope-query`) answers; this crate only serves its answers.
//!
//! Read-only (no route changes the data), bound to loopback unless told otherwise, and
//! bounded: query length, concurrent requests and time per request. Every text from a
//! document is escaped by the templates (maud escapes by default), pages carry a
//! Content-Security-Policy that allows no script at all and no other origin, and a
//! malformed request is a 4xx with a message. A writer may ingest in another process: the
//! index is refreshed at most once a second, so new findings appear once committed.

mod page;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use peerscope_index::FindingIndex;
use peerscope_model::{Councils, Taxonomy};
use peerscope_query::{Engine, Filter, QueryError};
use serde::Deserialize;

/// The serve crate's one error type.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

/// The longest question taken, in bytes.
pub const MAX_QUERY_BYTES: usize = 500;
/// Requests answered at once; more wait their turn.
const CONCURRENT: usize = 16;
/// The longest a request may take.
const REQUEST_TIME: Duration = Duration::from_secs(10);
/// Councils listed per answer.
const COUNCILS_SHOWN: usize = 10;

/// What every request reads: the index (refreshed to see a writer's commits) and the
/// reference data.
pub struct Site {
    index: FindingIndex,
    councils: Councils,
    taxonomy: Taxonomy,
    refreshed: Mutex<Instant>,
}

impl Site {
    pub fn new(index: FindingIndex, councils: Councils, taxonomy: Taxonomy) -> Site {
        Site { index, councils, taxonomy, refreshed: Mutex::new(Instant::now()) }
    }

    /// See what writers committed, at most once a second.
    fn refresh(&self) {
        let mut last = self.refreshed.lock().unwrap_or_else(|p| p.into_inner());
        if last.elapsed() >= Duration::from_secs(1) {
            // A failed refresh keeps answering from what was read before.
            let _ = self.index.refresh();
            *last = Instant::now();
        }
    }

    fn engine(&self) -> Engine<'_> {
        Engine { index: &self.index, councils: &self.councils, taxonomy: &self.taxonomy }
    }
}

/// The routes, with their bounds.
pub fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route("/", get(search_page))
        .route("/api/query", get(api_query))
        .fallback(not_found)
        .with_state(site)
        .layer(axum::middleware::map_response(secure))
        .layer(
            tower::ServiceBuilder::new()
                .layer(axum::error_handling::HandleErrorLayer::new(|_: tower::BoxError| async { (StatusCode::SERVICE_UNAVAILABLE, "the request took too long; try a narrower question") }))
                .timeout(REQUEST_TIME)
                .concurrency_limit(CONCURRENT),
        )
}

/// Serve `site` on `addr` until interrupted; `ready` hears the address bound (port 0 picks
/// a free one).
pub async fn serve(site: Arc<Site>, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
    ready(listener.local_addr()?);
    axum::serve(listener, router(site)).with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// Headers on every answer: no script, no other origin, no sniffing, no framing.
async fn secure(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[derive(Deserialize)]
struct Ask {
    #[serde(default)]
    q: String,
}

/// A question refused before it is asked: too long.
fn too_long(q: &str) -> Option<Response> {
    (q.len() > MAX_QUERY_BYTES).then(|| (StatusCode::BAD_REQUEST, format!("the question is {} bytes long; at most {MAX_QUERY_BYTES} are taken", q.len())).into_response())
}

async fn search_page(State(site): State<Arc<Site>>, Query(ask): Query<Ask>) -> Response {
    if let Some(refused) = too_long(&ask.q) {
        return refused;
    }
    site.refresh();
    let q = ask.q.trim().to_string();
    let answer = if q.is_empty() { None } else { Some(ask_engine(&site, &q).await) };
    let (status, body) = match answer {
        None => (StatusCode::OK, page::search(&q, None, None)),
        Some(Ok(a)) => (StatusCode::OK, page::search(&q, Some(&a), None)),
        Some(Err(e)) => (status_of(&e), page::search(&q, None, Some(&e.to_string()))),
    };
    (status, maud::PreEscaped(body.into_string())).into_response_html()
}

async fn api_query(State(site): State<Arc<Site>>, Query(ask): Query<Ask>) -> Response {
    if let Some(refused) = too_long(&ask.q) {
        return refused;
    }
    site.refresh();
    match ask_engine(&site, ask.q.trim()).await {
        Ok(answer) => axum::Json(answer).into_response(),
        Err(e) => (status_of(&e), axum::Json(serde_json::json!({ "error": e.to_string() }))).into_response(),
    }
}

/// Why a question got no answer: the engine's reason (the question's fault, or the
/// index's), or the engine's task failing (ours).
#[derive(Debug, thiserror::Error)]
enum Unanswered {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("the question could not be answered (an internal error); try again or another question")]
    Failed,
}

/// The engine's answer, computed off the async threads (it reads the index).
async fn ask_engine(site: &Arc<Site>, q: &str) -> Result<peerscope_query::Answer, Unanswered> {
    let site = site.clone();
    let q = q.to_string();
    match tokio::task::spawn_blocking(move || site.engine().answer_filtered(&q, &Filter::default(), COUNCILS_SHOWN)).await {
        Ok(answer) => Ok(answer?),
        Err(_) => Err(Unanswered::Failed),
    }
}

fn status_of(e: &Unanswered) -> StatusCode {
    match e {
        Unanswered::Query(QueryError::Index(_)) | Unanswered::Failed => StatusCode::INTERNAL_SERVER_ERROR,
        Unanswered::Query(_) => StatusCode::BAD_REQUEST,
    }
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such page: try / to search").into_response()
}

trait HtmlResponse {
    fn into_response_html(self) -> Response;
}

impl HtmlResponse for (StatusCode, maud::PreEscaped<String>) {
    fn into_response_html(self) -> Response {
        let mut r = (self.0, self.1 .0).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        r
    }
}
