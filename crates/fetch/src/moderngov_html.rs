//! ModernGov without the web service: the same walk through the HTML pages people use
//! (`mgListCommittees.aspx` → `ieListMeetings.aspx?CId=&Year=` → `ieListDocuments.aspx` →
//! `mgAi.aspx?ID=`), for sites that answer the service with 403 or 404. Meetings are kept
//! by the date their link gives, so `since` and `until` work to the day here too.

use regex::Regex;
use url::Url;

use crate::config::ModernGovSource;
use crate::moderngov::{links, Date};
use crate::{FetchError, Fetcher, Reuse, SourceReport};

fn query_id(url: &Url, key: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.into_owned())
}

fn page_is(url: &Url, name: &str) -> bool {
    url.path().to_ascii_lowercase().ends_with(&name.to_ascii_lowercase())
}

pub async fn run(f: &Fetcher, source: &ModernGovSource, base: &Url, report: &mut SourceReport) -> Result<(), FetchError> {
    let list = base.join("mgListCommittees.aspx").map_err(|_| FetchError::BadUrl(source.base.clone()))?;
    let html = f.listing(&list).await?;
    let wanted = source.committees.as_deref().map(Regex::new).transpose().map_err(|e| FetchError::Config(e.to_string()))?;
    let mut every: Vec<(String, String)> = Vec::new();
    for (url, title) in links(&list, &html) {
        if let Some(id) = query_id(&url, "ID").filter(|_| page_is(&url, "mgCommitteeDetails.aspx")) {
            if !every.iter().any(|(i, _)| *i == id) {
                every.push((id, title));
            }
        }
    }
    let titles: Vec<&str> = every.iter().map(|(_, t)| t.as_str()).collect();
    crate::moderngov::check_some_match(source, wanted.as_ref(), &titles)?;
    let committees: Vec<(String, String)> = every.iter().filter(|(_, t)| wanted.as_ref().is_none_or(|re| re.is_match(t))).cloned().collect();
    let since = source.since.as_deref().and_then(Date::parse_iso).unwrap_or(Date { year: 2010, month: 1, day: 1 });
    let until = source.until.as_deref().and_then(Date::parse_iso).unwrap_or_else(Date::today);
    // A page per municipal year (May to April): the calendar years of the window and the
    // year before, and each meeting's own date decides.
    for (id, title) in committees {
        let mut listed: Vec<Url> = Vec::new();
        for year in since.year.saturating_sub(1)..=until.year {
            let Ok(url) = base.join(&format!("ieListMeetings.aspx?CId={id}&Year={year}")) else { continue };
            match f.listing(&url).await {
                Ok(html) => meetings(&url, &html, (since, until), &mut listed),
                Err(e) => report.fail(format!("{title} {year}"), &e),
            }
        }
        for meeting in listed {
            match f.listing(&meeting).await {
                Ok(html) => items(f, base, &meeting, &html, report).await,
                Err(e) => report.fail(meeting.to_string(), &e),
            }
        }
    }
    Ok(())
}

/// The meetings a year's page lists, added to `listed` (once, though two years' pages may
/// both list a meeting) when their date (from the link's text) is in the window and they
/// were not cancelled or postponed; a link without a date is kept.
fn meetings(page: &Url, html: &[u8], (since, until): (Date, Date), listed: &mut Vec<Url>) {
    for (url, text) in links(page, html) {
        if !page_is(&url, "ieListDocuments.aspx") || listed.contains(&url) {
            continue;
        }
        let lower = text.to_ascii_lowercase();
        let in_window = Date::parse_text(&text).is_none_or(|d| since <= d && d <= until);
        if in_window && !lower.contains("cancelled") && !lower.contains("postponed") {
            listed.push(url);
        }
    }
}

async fn items(f: &Fetcher, base: &Url, page: &Url, html: &[u8], report: &mut SourceReport) {
    let mut seen: Vec<Url> = Vec::new();
    for (url, text) in links(page, html) {
        if !page_is(&url, "mgAi.aspx") || seen.contains(&url) {
            continue;
        }
        seen.push(url.clone());
        if !f.is_relevant(&text) {
            report.skipped += 1;
            continue;
        }
        match f.body(&url, Reuse::Revalidate).await {
            Ok((doc, bytes)) => {
                report.add(doc);
                for (doc_url, _) in links(&url, &bytes) {
                    let is_document = page_is(&doc_url, "mgConvert2PDF.aspx") || doc_url.path().contains("/documents/");
                    if is_document && doc_url.host_str() == base.host_str() {
                        match f.document(&doc_url, Reuse::IfStored).await {
                            Ok(d) => report.add(d),
                            Err(e) => report.fail(doc_url.to_string(), &e),
                        }
                    }
                }
            }
            Err(e) => report.fail(url.to_string(), &e),
        }
    }
}
