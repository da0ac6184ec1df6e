//! `sources.toml`: where to fetch from and how politely.
//!
//! ```toml
//! [fetch]
//! user_agent_contact = "mailto:someone@example.org"   # appended to "peerscope/<version>"
//! per_host_delay_ms = 500                              # minimum gap between requests to one host
//!
//! [[moderngov]]
//! council = "Leicester"                 # optional hint; extraction still decides
//! base = "https://cabinet.leicester.gov.uk"
//! since = "2015-01-01"                  # optional; until = "..." too
//! committees = "(?i)adult|social care|health|scrutiny|cabinet"
//!
//! [[lga]]
//! index = "https://www.local.gov.uk/..."
//!
//! [[page]]
//! url = "https://example.gov.uk/lga-peer-review-report"
//! ```

use serde::Deserialize;

use crate::FetchError;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    #[serde(default)]
    pub fetch: Settings,
    #[serde(default)]
    pub moderngov: Vec<ModernGovSource>,
    #[serde(default)]
    pub lga: Vec<LgaSource>,
    #[serde(default)]
    pub page: Vec<PageSource>,
}

/// How to behave towards the sites.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// A way to reach whoever runs this fetch, put in the User-Agent.
    pub user_agent_contact: Option<String>,
    /// Minimum gap between two requests to one host.
    pub per_host_delay_ms: u64,
    pub connect_timeout_ms: u64,
    /// Time allowed for a whole request, body included.
    pub timeout_ms: u64,
    /// Bodies larger than this are refused (and not stored).
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    /// Attempts after the first on 5xx, 429, resets and timeouts.
    pub max_retries: u32,
    /// First backoff; doubled per retry, with jitter, capped by `max_backoff_ms`.
    pub backoff_ms: u64,
    pub max_backoff_ms: u64,
    /// Longest Retry-After honoured; a server asking for longer is tried again next run.
    pub max_retry_after_ms: u64,
    /// What makes an agenda item or a page relevant (over its title and text).
    pub relevant: String,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            user_agent_contact: None,
            per_host_delay_ms: 500,
            connect_timeout_ms: 10_000,
            timeout_ms: 60_000,
            max_body_bytes: 64 << 20,
            max_redirects: 5,
            max_retries: 3,
            backoff_ms: 1_000,
            max_backoff_ms: 30_000,
            max_retry_after_ms: 120_000,
            relevant: r"(?i)peer[- ](?:challenge|review)|sector[- ]led improvement|preparation for assurance".to_string(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModernGovSource {
    pub council: Option<String>,
    pub base: String,
    pub since: Option<String>,
    pub until: Option<String>,
    /// Committees whose titles match are searched; all when absent.
    pub committees: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LgaSource {
    pub index: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageSource {
    pub url: String,
}

impl Sources {
    /// Parse and check a sources file; `name` labels errors.
    pub fn parse(name: &str, text: &str) -> Result<Sources, FetchError> {
        let sources: Sources = toml::from_str(text).map_err(|e| FetchError::Config(format!("{name}: {e}")))?;
        sources.check().map_err(|e| FetchError::Config(format!("{name}: {e}")))?;
        Ok(sources)
    }

    fn check(&self) -> Result<(), String> {
        regex::Regex::new(&self.fetch.relevant).map_err(|e| format!("fetch.relevant: {e}"))?;
        // It goes into every request's User-Agent header (regression: a line break there
        // failed as "HTTP client: builder error", naming neither file nor setting).
        if self.fetch.user_agent_contact.as_deref().is_some_and(|c| c.chars().any(|ch| ch.is_control())) {
            return Err("fetch.user_agent_contact: holds a line break or another control character, which no HTTP header may".into());
        }
        if self.fetch.max_redirects > 20 {
            return Err(format!("fetch.max_redirects: {} is more than the 20 any site needs", self.fetch.max_redirects));
        }
        for m in &self.moderngov {
            url::Url::parse(&m.base).map_err(|e| format!("moderngov base {}: {e}", m.base))?;
            if let Some(p) = &m.committees {
                regex::Regex::new(p).map_err(|e| format!("moderngov committees {p}: {e}"))?;
            }
            for d in [&m.since, &m.until].into_iter().flatten() {
                crate::moderngov::Date::parse_iso(d).ok_or_else(|| format!("moderngov {}: date {d} is not YYYY-MM-DD", m.base))?;
            }
            // Regression: a window the wrong way round fetched nothing and said nothing.
            if let (Some(since), Some(until)) = (m.since.as_deref().and_then(crate::moderngov::Date::parse_iso), m.until.as_deref().and_then(crate::moderngov::Date::parse_iso)) {
                if since > until {
                    return Err(format!("moderngov {}: since {} is after until {}", m.base, since.dmy(), until.dmy()));
                }
            }
        }
        for l in &self.lga {
            url::Url::parse(&l.index).map_err(|e| format!("lga index {}: {e}", l.index))?;
        }
        for p in &self.page {
            url::Url::parse(&p.url).map_err(|e| format!("page {}: {e}", p.url))?;
        }
        if self.moderngov.is_empty() && self.lga.is_empty() && self.page.is_empty() {
            return Err("no sources: add [[moderngov]], [[lga]] or [[page]] entries".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_example_parses() {
        let s = Sources::parse("sources.example.toml", include_str!("../../../sources.example.toml")).unwrap();
        assert!(!s.moderngov.is_empty() && !s.lga.is_empty());
        assert_eq!(s.fetch.per_host_delay_ms, 500);
        assert!(s.fetch.user_agent_contact.is_some());
    }

    #[test]
    fn mistakes_are_named() {
        let e = Sources::parse("x.toml", "[[moderngov]]\nbase = \"https://a.gov.uk\"\nsince = \"01/01/2015\"\n").unwrap_err();
        assert!(e.to_string().contains("01/01/2015"), "{e}");
        let e = Sources::parse("x.toml", "[fetch]\nper_host_delay = 5\n[[page]]\nurl = \"https://a\"\n").unwrap_err();
        assert!(e.to_string().contains("per_host_delay"), "{e}");
        // Regressions: each of these ran, or failed without naming the setting.
        for (file, says) in [
            ("[[moderngov]]\nbase = \"https://a.gov.uk\"\nsince = \"2024-01-01\"\nuntil = \"2023-01-01\"\n", "is after until"),
            ("[[moderngov]]\nbase = \"https://a.gov.uk\"\nsince = \"2020-02-31\"\n", "2020-02-31"),
            ("[fetch]\nuser_agent_contact = \"me\\r\\nX: y\"\n[[page]]\nurl = \"https://a\"\n", "fetch.user_agent_contact"),
            ("[fetch]\nmax_redirects = 4294967295\n[[page]]\nurl = \"https://a\"\n", "fetch.max_redirects"),
        ] {
            let e = Sources::parse("x.toml", file).unwrap_err().to_string();
            assert!(e.contains(says) && e.starts_with("x.toml"), "{e}");
        }
    }
}
