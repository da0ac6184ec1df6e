//! The polite HTTP client: one request at a time per host with a minimum gap between them
//! (hosts in parallel; a robots.txt Crawl-delay longer than the gap is honoured), robots.txt
//! rules obeyed, an honest User-Agent, Retry-After honoured on 429 and 503, bounded
//! exponential backoff with jitter on 5xx, resets and timeouts, timeouts,
//! a redirect limit and a body size cap. Redirects are followed here, not by the HTTP
//! library, so every hop is a request like any other: through its host's gate and delay,
//! after its host's robots.txt, and only to http or https. A host that answers 403 (a
//! firewall refusing automated clients) is reported once and left alone for the rest of
//! the run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER};
use url::Url;

use crate::config::Settings;
use crate::robots::Robots;
use crate::FetchError;

/// A successful answer: the body (complete, within the size cap) and its validators.
#[derive(Debug, Clone)]
pub struct Page {
    /// Where the body finally came from (after redirects).
    pub url: Url,
    pub status: u16,
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The answer to a conditional request.
#[derive(Debug, Clone)]
pub enum Answer {
    Page(Page),
    /// 304: what we hold is current.
    NotModified,
}

/// What one request brought: an answer, or where to go next.
enum Sent {
    Answer(Answer),
    Redirect(Url),
}

/// Validators from an earlier fetch, for a conditional GET.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Per-host state: the gate that serialises requests, robots rules, and a refusal.
#[derive(Default)]
struct Host {
    /// Held for the whole of a request; holds when the last one to this host ended.
    gate: tokio::sync::Mutex<Option<Instant>>,
    robots: tokio::sync::OnceCell<Robots>,
    refused: Mutex<Option<u16>>,
}

pub struct PoliteClient {
    http: reqwest::Client,
    settings: Settings,
    user_agent: String,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

/// "peerscope/0.1.0 (+mailto:someone@example.org)".
pub fn user_agent(contact: Option<&str>) -> String {
    let version = env!("CARGO_PKG_VERSION");
    match contact {
        Some(c) => format!("peerscope/{version} (+{c})"),
        None => format!("peerscope/{version} (+https://github.com/peerscope)"),
    }
}

impl PoliteClient {
    pub fn new(settings: Settings) -> Result<PoliteClient, FetchError> {
        let user_agent = user_agent(settings.user_agent_contact.as_deref());
        let http = reqwest::Client::builder()
            .user_agent(user_agent.clone())
            .connect_timeout(Duration::from_millis(settings.connect_timeout_ms))
            .timeout(Duration::from_millis(settings.timeout_ms))
            // Each hop is followed by `get`, politely (see the module's notes).
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| FetchError::Config(format!("HTTP client: {e}")))?;
        Ok(PoliteClient { http, settings, user_agent, hosts: Mutex::new(HashMap::new()) })
    }

    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn host(&self, url: &Url) -> Arc<Host> {
        let key = host_key(url);
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts.entry(key).or_default().clone()
    }

    /// GET `url` politely, conditionally when `validators` are given, following redirects
    /// hop by hop, each one as polite as the first.
    pub async fn get(&self, url: &Url, validators: Option<&Validators>) -> Result<Answer, FetchError> {
        // Said before robots.txt is looked for: `file:`, `javascript:` are no web pages.
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::NotHttp(url.to_string()));
        }
        let mut current = url.clone();
        for _ in 0..=self.settings.max_redirects {
            match self.get_one(&current, validators).await? {
                Sent::Answer(answer) => return Ok(answer),
                Sent::Redirect(next) => {
                    if !matches!(next.scheme(), "http" | "https") {
                        return Err(FetchError::RedirectScheme { url: current.to_string(), to: next.to_string() });
                    }
                    current = next;
                }
            }
        }
        Err(FetchError::Redirects { url: url.to_string() })
    }

    /// One hop: the host's refusal and robots.txt checked, then the request, retried.
    async fn get_one(&self, url: &Url, validators: Option<&Validators>) -> Result<Sent, FetchError> {
        let host = self.host(url);
        if let Some(status) = *host.refused.lock().unwrap_or_else(|p| p.into_inner()) {
            return Err(FetchError::HostRefused { host: host_key(url), status });
        }
        let robots = host.robots.get_or_init(|| self.load_robots(url, &host)).await;
        if !robots.allows(url) {
            return Err(match robots.unreadable_because() {
                Some(why) => FetchError::RobotsUnreadable { url: url.to_string(), why: why.to_string() },
                None => FetchError::RobotsDisallowed(url.to_string()),
            });
        }
        let mut attempt = 0;
        loop {
            let result = self.attempt(url, validators, &host).await;
            let retry_in = match &result {
                Err(FetchError::RetryAfter { url: _, wait }) => Some(*wait),
                Err(e) if e.is_transient() => Some(self.backoff(attempt)),
                _ => None,
            };
            match retry_in {
                Some(wait) if attempt < self.settings.max_retries => {
                    attempt += 1;
                    tokio::time::sleep(wait).await;
                }
                _ => return result,
            }
        }
    }

    /// Bounded exponential backoff with full jitter.
    fn backoff(&self, attempt: u32) -> Duration {
        let cap = self.settings.max_backoff_ms;
        let exp = self.settings.backoff_ms.saturating_mul(1u64 << attempt.min(16)).min(cap);
        Duration::from_millis(exp / 2 + fastrand::u64(0..=exp / 2))
    }

    /// One request through the host's gate.
    async fn attempt(&self, url: &Url, validators: Option<&Validators>, host: &Host) -> Result<Sent, FetchError> {
        let mut last = host.gate.lock().await;
        // Checked and set under the gate: a request queued behind a refusal is not sent.
        if let Some(status) = *host.refused.lock().unwrap_or_else(|p| p.into_inner()) {
            return Err(FetchError::HostRefused { host: host_key(url), status });
        }
        if let Some(at) = *last {
            // The configured gap, or the site's own Crawl-delay when it asks for more.
            let asked = host.robots.get().and_then(Robots::crawl_delay).unwrap_or_default();
            let gap = Duration::from_millis(self.settings.per_host_delay_ms).max(asked);
            let since = at.elapsed();
            if since < gap {
                tokio::time::sleep(gap - since).await;
            }
        }
        let result = self.send(url, validators).await;
        *last = Some(Instant::now());
        // A firewall's 403. (A 403 from the ModernGov web service alone means the service is
        // off for us; the HTML pages are tried before the host is given up.)
        if matches!(result, Err(FetchError::Status { status: 403, .. })) && !url.path().contains("mgWebService.asmx") {
            *host.refused.lock().unwrap_or_else(|p| p.into_inner()) = Some(403);
        }
        result
    }

    async fn send(&self, url: &Url, validators: Option<&Validators>) -> Result<Sent, FetchError> {
        let mut req = self.http.get(url.clone());
        if let Some(v) = validators {
            if let Some(etag) = v.etag.as_deref().and_then(|e| HeaderValue::from_str(e).ok()) {
                req = req.header(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = v.last_modified.as_deref().and_then(|e| HeaderValue::from_str(e).ok()) {
                req = req.header(IF_MODIFIED_SINCE, lm);
            }
        }
        let mut resp = req.send().await.map_err(|e| FetchError::from_reqwest(url, e))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        match status {
            304 => return Ok(Sent::Answer(Answer::NotModified)),
            301 | 302 | 303 | 307 | 308 => {
                let location = headers.get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok());
                return match location.and_then(|l| url.join(l.trim()).ok()) {
                    Some(next) => Ok(Sent::Redirect(next)),
                    None => Err(FetchError::Status { url: url.to_string(), status }),
                };
            }
            429 | 503 => {
                let wait = retry_after(&headers).unwrap_or(Duration::from_millis(self.settings.backoff_ms));
                if wait > Duration::from_millis(self.settings.max_retry_after_ms) {
                    return Err(FetchError::Status { url: url.to_string(), status });
                }
                return Err(FetchError::RetryAfter { url: url.to_string(), wait });
            }
            200..=299 => {}
            _ => return Err(FetchError::Status { url: url.to_string(), status }),
        }
        let max = self.settings.max_body_bytes;
        let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > max) {
            return Err(FetchError::TooLarge { url: url.to_string(), limit: max });
        }
        let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(max) as usize);
        while let Some(chunk) = resp.chunk().await.map_err(|e| FetchError::from_reqwest(url, e))? {
            if bytes.len() as u64 + chunk.len() as u64 > max {
                return Err(FetchError::TooLarge { url: url.to_string(), limit: max });
            }
            bytes.extend_from_slice(&chunk);
        }
        if declared.is_some_and(|n| n != bytes.len() as u64) {
            return Err(FetchError::Truncated { url: url.to_string() });
        }
        let header = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_string);
        Ok(Sent::Answer(Answer::Page(Page {
            url: resp.url().clone(),
            status,
            bytes,
            content_type: header(CONTENT_TYPE),
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        })))
    }

    /// One request for robots.txt, following up to five redirects (RFC 9309, 2.3.1.2: an
    /// http site's robots.txt often moves to https); past that, or off http(s), the last
    /// answer stands (a redirect: unavailable, so allowed).
    async fn send_robots(&self, robots_url: &Url) -> Result<Sent, FetchError> {
        let mut result = self.send(robots_url, None).await;
        for _ in 0..5 {
            let Ok(Sent::Redirect(next)) = &result else { break };
            if !matches!(next.scheme(), "http" | "https") {
                break;
            }
            let next = next.clone();
            result = self.send(&next, None).await;
        }
        result
    }

    /// robots.txt for the host of `url`: missing (4xx) allows everything; a server error or
    /// no answer, after the retries any request has, disallows everything for this run
    /// (RFC 9309, 2.3.1). Retried because one reset or 503 would otherwise leave a whole
    /// site unread until the next night (regression).
    async fn load_robots(&self, url: &Url, host: &Host) -> Robots {
        let Ok(robots_url) = url.join("/robots.txt") else { return Robots::allow_all() };
        let mut last = host.gate.lock().await;
        let mut attempt = 0;
        let result = loop {
            let result = self.send_robots(&robots_url).await;
            let retry_in = match &result {
                Err(FetchError::RetryAfter { wait, .. }) => Some(*wait),
                Err(e) if e.is_transient() => Some(self.backoff(attempt)),
                _ => None,
            };
            match retry_in {
                Some(wait) if attempt < self.settings.max_retries => {
                    attempt += 1;
                    tokio::time::sleep(wait.max(Duration::from_millis(self.settings.per_host_delay_ms))).await;
                }
                _ => break result,
            }
        };
        *last = Some(Instant::now());
        match result {
            Ok(Sent::Answer(Answer::Page(p))) => Robots::parse(&self.user_agent, &p.bytes),
            Ok(Sent::Redirect(_)) => Robots::allow_all(),
            Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => Robots::allow_all(),
            Err(e) => Robots::unreadable(reason(&e)),
            Ok(Sent::Answer(_)) => Robots::unreadable("not a page".to_string()),
        }
    }
}

/// What went wrong, without the URL an error names (robots.txt's, not the page asked for).
fn reason(e: &FetchError) -> String {
    match e {
        FetchError::Status { status, .. } => format!("HTTP {status}{}", crate::error::status_words(*status)),
        FetchError::TooLarge { limit, .. } => format!("larger than {limit} bytes"),
        FetchError::Timeout { .. } => "timed out".to_string(),
        FetchError::Truncated { .. } => "cut short".to_string(),
        FetchError::Network { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// "host:port" of a URL: the unit of politeness.
pub fn host_key(url: &Url) -> String {
    format!("{}:{}", url.host_str().unwrap_or(""), url.port_or_known_default().unwrap_or(0))
}

/// Retry-After as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}
