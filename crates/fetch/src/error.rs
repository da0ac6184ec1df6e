//! The fetch crate's one error type. Every variant names the URL (or host, or file) it is
//! about, so a report line says what failed and why.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    Config(String),
    #[error("{url}: HTTP {status}{}", status_words(*status))]
    Status { url: String, status: u16 },
    #[error("{url}: asked to wait {wait:?}")]
    RetryAfter { url: String, wait: Duration },
    #[error("{host} refused automated requests (HTTP {status}); left alone for this run")]
    HostRefused { host: String, status: u16 },
    #[error("{0}: disallowed by robots.txt")]
    RobotsDisallowed(String),
    /// RFC 9309: a robots.txt that cannot be read (a server error, no connection, too
    /// large) disallows everything, but the reason is not the file's rules.
    #[error("{url}: not fetched, as robots.txt could not be read ({why}) and that means everything is disallowed")]
    RobotsUnreadable { url: String, why: String },
    #[error("{0}: not an http or https address")]
    NotHttp(String),
    #[error("{url}: body larger than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: body cut short")]
    Truncated { url: String },
    /// An address naming a file (".pdf") answered with a web page: a site's "document not
    /// available" or sign-in page, which kept would stand for the document for ever.
    #[error("{url}: asked for a {expected} file and got a web page instead (an error or sign-in page?); not kept, so the next run asks again")]
    NotTheDocument { url: String, expected: String },
    #[error("{url}: timed out")]
    Timeout { url: String },
    #[error("{url}: too many redirects")]
    Redirects { url: String },
    #[error("{url}: redirected to {to}, which is not an http or https address; not followed")]
    RedirectScheme { url: String, to: String },
    #[error("{url}: {message}")]
    Network { url: String, message: String },
    #[error("{url}: not the expected XML: {message}")]
    Xml { url: String, message: String },
    #[error("{0}: not a usable URL")]
    BadUrl(String),
    /// A `committees` pattern that matches none of a site's committees reads nothing, and
    /// a nightly run that said "0 fetched" could not be told from a quiet night.
    #[error("{site}: the committees pattern {pattern:?} matches none of its {count} committees ({examples}); nothing was read")]
    NoCommitteeMatched { site: String, pattern: String, count: usize, examples: String },
    #[error(transparent)]
    Store(#[from] peerscope_store::StoreError),
}

/// What an HTTP status says, for people: " (Not Found)", " (Too Many Requests)"; nothing
/// for a status without a standard reason.
pub(crate) fn status_words(status: u16) -> String {
    reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).map_or_else(String::new, |r| format!(" ({r})"))
}

impl FetchError {
    /// Worth trying again after a pause: server errors, rate limits, resets, timeouts and
    /// bodies cut short.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Status { status, .. } => (500..=599).contains(status) && *status != 501,
            FetchError::RetryAfter { .. } | FetchError::Truncated { .. } | FetchError::Timeout { .. } | FetchError::Network { .. } => true,
            _ => false,
        }
    }

    pub(crate) fn from_reqwest(url: &url::Url, e: reqwest::Error) -> FetchError {
        let url = url.to_string();
        if e.is_timeout() {
            FetchError::Timeout { url }
        } else if e.is_redirect() {
            FetchError::Redirects { url }
        } else if e.is_body() || e.is_decode() {
            // The connection ended before the body did.
            FetchError::Truncated { url }
        } else {
            // Resets, refused connections, bodies ended early: the source chain says which.
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message = format!("{message}: {s}");
                source = s.source();
            }
            FetchError::Network { url, message }
        }
    }
}
