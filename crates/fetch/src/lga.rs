//! The LGA's own reports: from a listing page to each adult social care peer challenge
//! report, including reports published as several pages (a contents page linking theme
//! pages), which are kept as one document under the contents page's address.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use crate::config::LgaSource;
use crate::moderngov::links;
use crate::{Change, Doc, FetchError, Fetcher, Reuse, SourceReport};

/// A link to an adult social care report, by its address or its words.
fn is_asc_report(url: &Url, text: &str) -> bool {
    static ASC: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)adult[- ]social[- ]care|preparation[- ]for[- ]assurance|safeguarding[- ]adults").unwrap_or_else(|e| panic!("{e}")));
    ASC.is_match(url.path()) || ASC.is_match(text)
}

fn same_site(a: &Url, b: &Url) -> bool {
    a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

fn without_fragment(mut u: Url) -> Url {
    u.set_fragment(None);
    u
}

pub async fn run(f: &Fetcher, source: &LgaSource, report: &mut SourceReport) -> Result<(), FetchError> {
    let index = Url::parse(&source.index).map_err(|_| FetchError::BadUrl(source.index.clone()))?;
    let html = f.listing(&index).await?;
    let mut reports: Vec<Url> = Vec::new();
    for (url, text) in links(&index, &html) {
        let url = without_fragment(url);
        if !same_site(&url, &index) || url == index || reports.contains(&url) {
            continue;
        }
        // Only links under the listing are reports; the rest is the site's navigation.
        if !url.path().starts_with(index.path().trim_end_matches('/')) {
            continue;
        }
        if is_asc_report(&url, &text) {
            reports.push(url);
        } else {
            report.skipped += 1;
        }
    }
    for url in reports {
        report.step(url.as_str());
        if let Err(e) = report_pages(f, &url, report).await {
            report.fail(url.to_string(), &e);
        }
    }
    Ok(())
}

/// One report: the page itself, or the contents page with its theme pages as one document.
async fn report_pages(f: &Fetcher, url: &Url, report: &mut SourceReport) -> Result<(), FetchError> {
    let (doc, bytes) = f.body(url, Reuse::Revalidate).await?;
    let prefix = format!("{}/", url.path().trim_end_matches('/'));
    let mut parts: Vec<Url> = Vec::new();
    for (link, _) in links(url, &bytes) {
        let link = without_fragment(link);
        if same_site(&link, url) && link.path().starts_with(&prefix) && !parts.contains(&link) {
            parts.push(link);
        }
    }
    if parts.is_empty() {
        report.add(doc);
        return Ok(());
    }
    let mut pages = vec![(doc.change, bytes)];
    for part in &parts {
        match f.body(part, Reuse::Revalidate).await {
            Ok((d, b)) => pages.push((d.change, b)),
            Err(e) => report.fail(part.to_string(), &e),
        }
    }
    let combined = combine(&pages.iter().map(|(_, b)| b.as_slice()).collect::<Vec<_>>());
    let mut whole = f.keep_derived(url, combined.as_bytes())?;
    if whole.change == Change::Unchanged && pages.iter().any(|(c, _)| *c != Change::Unchanged) {
        whole.change = Change::Changed;
    }
    report.add(Doc { ..whole });
    Ok(())
}

/// The main content of each page, in order, as one HTML document titled by the first.
pub fn combine(pages: &[&[u8]]) -> String {
    // In order of preference: the first that matches is the page's content.
    static MAIN: LazyLock<Vec<scraper::Selector>> = LazyLock::new(|| {
        ["main", "article", "#main-content", ".mgContent", "body"].iter().map(|s| scraper::Selector::parse(s).unwrap_or_else(|e| panic!("{e}"))).collect()
    });
    static TITLE: LazyLock<scraper::Selector> = LazyLock::new(|| scraper::Selector::parse("title").unwrap_or_else(|e| panic!("{e}")));
    let mut title = String::new();
    let mut body = String::new();
    for (i, page) in pages.iter().enumerate() {
        let doc = peerscope_html::parse_document(&String::from_utf8_lossy(page));
        if i == 0 {
            title = doc.select(&TITLE).next().map(|t| t.text().collect::<String>()).unwrap_or_default();
        }
        if let Some(main) = MAIN.iter().find_map(|sel| doc.select(sel).next()) {
            body.push_str(&format!("<section>{}</section>\n", main.inner_html()));
        }
    }
    let esc = title.replace('&', "&amp;").replace('<', "&lt;");
    format!("<!doctype html><html><head><title>{esc}</title></head><body><main>\n{body}</main></body></html>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combines_main_content_in_order() {
        let a = b"<html><head><title>Report</title></head><body><nav>menu</nav><main><h1>Contents</h1></main></body></html>";
        let b = b"<html><body><main><h2>Leadership</h2><p>Strong.</p></main><footer>f</footer></body></html>";
        let html = combine(&[a, b]);
        assert!(html.contains("<title>Report</title>"));
        assert!(html.find("Contents").unwrap() < html.find("Leadership").unwrap());
        assert!(!html.contains("menu") && !html.contains(">f<"));
    }
}
