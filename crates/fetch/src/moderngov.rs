//! ModernGov democracy sites: find the agenda items that concern a peer challenge and fetch
//! their minutes and linked documents, skipping everything else unread.
//!
//! Through the web service (`GetCommittees` → `GetMeetings` → `GetMeeting`), or, when the
//! service answers 403 or 404, fails with a 5xx or answers with a web page, through the
//! HTML pages (`mgListCommittees.aspx` →
//! `ieListMeetings.aspx` → `ieListDocuments.aspx` → `mgAi.aspx`). Dates go to the service
//! as dd/mm/yyyy and are filtered again here, because some sites ignore them.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use crate::config::ModernGovSource;
use crate::{FetchError, Fetcher, SourceReport};

/// A calendar date, enough to compare meeting dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A date that is one: "31/02/2020" is not (regression: it was taken).
    fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => return None,
        };
        ((1..=days).contains(&day) && year >= 1900).then_some(Date { year, month, day })
    }

    /// "2015-01-01", or with a time after it ("2026-11-20T00:00:00": how some sites' web
    /// services write a meeting's date).
    pub fn parse_iso(s: &str) -> Option<Date> {
        let s = s.trim();
        let day = match s.get(10..11) {
            Some("T" | " ") => &s[..10],
            _ => s,
        };
        let mut it = day.splitn(3, '-');
        Date::new(it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.parse().ok()?)
    }

    /// "13/01/2026", as ModernGov writes dates.
    pub fn parse_dmy(s: &str) -> Option<Date> {
        let mut it = s.trim().splitn(3, '/');
        let (d, m, y) = (it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.trim().get(..4)?.parse().ok()?);
        Date::new(y, m, d)
    }

    /// A date as a meeting link writes it: "9 Jul 2024 10.00 am", "Wednesday, 14th
    /// February, 2024 6.30 pm" or "14/02/2024".
    pub fn parse_text(s: &str) -> Option<Date> {
        const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
        if let Some(d) = s.split_whitespace().find_map(Date::parse_dmy) {
            return Some(d);
        }
        let words: Vec<String> = s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_ascii_lowercase).collect();
        words.windows(3).find_map(|w| {
            let day: u8 = w[0].trim_end_matches(|c: char| c.is_alphabetic()).parse().ok()?;
            let month = MONTHS.iter().position(|m| w[1].starts_with(m))? as u8 + 1;
            let year: u16 = w[2].parse().ok()?;
            Date::new(year, month, day)
        })
    }

    pub fn dmy(&self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    pub fn days(&self) -> i64 {
        let (y, m, d) = (i64::from(self.year) - i64::from(self.month <= 2), i64::from(self.month), i64::from(self.day));
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn today() -> Date {
        let days = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400) as i64;
        civil_from_days(days)
    }
}

/// Days since 1970-01-01 to a date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    Date { year, month, day }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Committee {
    pub id: String,
    pub title: String,
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub id: String,
    pub date: Option<Date>,
    pub cancelled: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgendaItem {
    pub id: String,
    pub title: String,
    pub text: String,
    pub minutes: String,
    pub restricted: bool,
    pub documents: Vec<LinkedDoc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkedDoc {
    pub title: String,
    pub url: String,
    pub restricted: bool,
}

fn text_of(node: roxmltree::Node, tag: &str) -> String {
    node.children().find(|c| c.has_tag_name(tag)).and_then(|c| c.text()).unwrap_or("").trim().to_string()
}

/// Escaped HTML comes out of the XML parser once unescaped; some sites escape twice.
fn unescape_twice_escaped(s: String) -> String {
    if s.contains("&lt;") && !s.contains('<') {
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
    } else {
        s
    }
}

/// Elements nested deeper than this are refused before parsing: the web service's replies
/// are a few levels deep, and a reply of thousands of nested elements overflowed the
/// stack of the thread reading it, which took the whole run down.
const MOST_XML_DEPTH: usize = 256;

/// Parse `xml` and read owned values out of it with `read`.
fn with_xml<T>(url: &str, xml: &[u8], read: impl FnOnce(&roxmltree::Document) -> T) -> Result<T, FetchError> {
    let text = String::from_utf8_lossy(xml);
    if nesting_depth(&text) > MOST_XML_DEPTH {
        return Err(FetchError::Xml { url: url.to_string(), message: format!("elements nested more than {MOST_XML_DEPTH} deep") });
    }
    // The parser checks each attribute against the element's others: an element of 100,000
    // took 28 s, a million would take most of an hour (regression). The service's carry
    // none or a few.
    if !peerscope_html::attribute_cuts(text.as_bytes(), peerscope_html::MAX_ATTRIBUTES).is_empty() {
        return Err(FetchError::Xml { url: url.to_string(), message: format!("an element with more than {} attributes", peerscope_html::MAX_ATTRIBUTES) });
    }
    let doc = roxmltree::Document::parse(&text).map_err(|e| FetchError::Xml { url: url.to_string(), message: e.to_string() })?;
    // A well-formed page ("<html><body>Down for maintenance</body></html>") parses, and
    // holds no committee: it is not the web service's answer, which is said.
    if doc.root_element().tag_name().name().eq_ignore_ascii_case("html") {
        return Err(FetchError::Xml { url: url.to_string(), message: "a web page, not the web service's answer".into() });
    }
    Ok(read(&doc))
}

/// How deep `xml`'s elements nest, counted without parsing. Quoted attribute values are
/// skipped (a `/>` inside one closes nothing); declarations, comments and CDATA open
/// nothing, though a `<` inside them may count as an element: an over-count, never an
/// under-count, of a tag that is in fact nested.
fn nesting_depth(xml: &str) -> usize {
    let b = xml.as_bytes();
    let (mut i, mut depth, mut most) = (0, 0usize, 0);
    while let Some(at) = b[i..].iter().position(|&c| c == b'<') {
        i += at + 1;
        match b.get(i) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b'?' | b'!') => {}
            _ => {
                let (mut quote, mut prev, mut closed) = (None, 0u8, false);
                while let Some(&c) = b.get(i) {
                    match quote {
                        Some(q) if c == q => quote = None,
                        Some(_) => {}
                        None if c == b'"' || c == b'\'' => quote = Some(c),
                        None if c == b'>' => {
                            closed = prev == b'/';
                            break;
                        }
                        None => {}
                    }
                    prev = c;
                    i += 1;
                }
                if !closed {
                    depth += 1;
                    most = most.max(depth);
                }
            }
        }
    }
    most
}

pub fn parse_committees(url: &str, xml: &[u8]) -> Result<Vec<Committee>, FetchError> {
    with_xml(url, xml, |doc| {
        doc.descendants()
        .filter(|n| n.has_tag_name("committee"))
        .map(|n| Committee { id: text_of(n, "committeeid"), title: text_of(n, "committeetitle"), deleted: text_of(n, "committeedeleted").eq_ignore_ascii_case("true") })
        .filter(|c| !c.id.is_empty())
        .collect()
    })
}

pub fn parse_meetings(url: &str, xml: &[u8]) -> Result<Vec<Meeting>, FetchError> {
    with_xml(url, xml, |doc| {
        doc.descendants()
        .filter(|n| n.has_tag_name("meeting"))
        .map(|n| Meeting {
            id: text_of(n, "meetingid"),
            date: Date::parse_dmy(&text_of(n, "meetingdate")).or_else(|| Date::parse_iso(&text_of(n, "meetingdate"))),
            cancelled: text_of(n, "meetingstatus").eq_ignore_ascii_case("cancelled"),
        })
        .filter(|m| !m.id.is_empty())
        .collect()
    })
}

pub fn parse_meeting(url: &str, xml: &[u8]) -> Result<Vec<AgendaItem>, FetchError> {
    with_xml(url, xml, |doc| {
        doc.descendants()
        .filter(|n| n.has_tag_name("agendaitem"))
        .map(|n| AgendaItem {
            id: text_of(n, "agendaitemid"),
            title: text_of(n, "agendaitemtitle"),
            text: unescape_twice_escaped(text_of(n, "agendatext")),
            minutes: unescape_twice_escaped(text_of(n, "minutesnonemptyhtmlbody")),
            restricted: text_of(n, "isrestricted").eq_ignore_ascii_case("true"),
            documents: n
                .descendants()
                .filter(|d| d.has_tag_name("linkeddoc"))
                .map(|d| LinkedDoc { title: text_of(d, "title"), url: text_of(d, "url"), restricted: text_of(d, "isrestricted").eq_ignore_ascii_case("true") })
                .filter(|d| !d.url.is_empty())
                .collect(),
        })
        .filter(|i| !i.id.is_empty())
        .collect()
    })
}

/// The HTML document peerscope keeps for an agenda item's minutes, addressed by its
/// `mgAi.aspx?ID=` page.
pub fn minutes_page(item: &AgendaItem, committee: &str, date: Option<Date>) -> String {
    let when = date.map(|d| d.dmy()).unwrap_or_default();
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        "<!doctype html><html><head><title>{t} - {c} - {when}</title></head><body><main class=\"mgContent\"><h1>Agenda item</h1><h2>{t}</h2><p>{c}, meeting of {when}</p><h3>Minutes:</h3>{m}</main></body></html>",
        t = esc(&item.title),
        c = esc(committee),
        m = item.minutes,
    )
}

/// Attachment URLs may come back as http:// for an https:// site.
fn document_url(base: &Url, raw: &str) -> Option<Url> {
    let mut u = base.join(raw.trim()).ok()?;
    if base.scheme() == "https" && u.scheme() == "http" && u.host_str() == base.host_str() {
        u.set_scheme("https").ok()?;
    }
    Some(u)
}

/// The folder that holds `mgWebService.asmx`, with a trailing slash.
fn base_url(source: &ModernGovSource) -> Result<Url, FetchError> {
    let mut s = source.base.trim_end_matches('/').to_string();
    s.push('/');
    Url::parse(&s).map_err(|_| FetchError::BadUrl(source.base.clone()))
}

struct Window {
    since: Date,
    until: Date,
}

impl Window {
    fn of(source: &ModernGovSource) -> Window {
        Window {
            since: source.since.as_deref().and_then(Date::parse_iso).unwrap_or(Date { year: 2010, month: 1, day: 1 }),
            until: source.until.as_deref().and_then(Date::parse_iso).unwrap_or_else(Date::today),
        }
    }

    fn contains(&self, d: Option<Date>) -> bool {
        d.is_some_and(|d| d >= self.since && d <= self.until)
    }
}

/// An error's words without the address it names first.
fn reason_only(e: &FetchError, url: &str) -> String {
    let words = e.to_string();
    words.strip_prefix(url).and_then(|w| w.strip_prefix(": ")).map_or(words.clone(), str::to_string)
}

/// A committee's or meeting's id as the site gave it, put in an address only when it is a
/// number, as ModernGov's are (regression: "../../x?a=b&c" went into the query string).
fn as_id<'a>(id: &'a str, site: &Url) -> Result<&'a str, FetchError> {
    let id = id.trim();
    if !id.is_empty() && id.len() <= 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id)
    } else {
        Err(FetchError::Xml { url: site.to_string(), message: format!("the id {:?} given by the site is not a number", id.chars().take(40).collect::<String>()) })
    }
}

/// A `committees` pattern must match at least one of the site's committees: one that
/// matches none (a misspelling, a committee renamed) is an error naming a few of the
/// titles it could have matched, not a run that reads nothing and says so quietly.
pub(crate) fn check_some_match(source: &ModernGovSource, wanted: Option<&Regex>, titles: &[&str]) -> Result<(), FetchError> {
    let (Some(re), Some(pattern)) = (wanted, source.committees.as_deref()) else { return Ok(()) };
    if titles.is_empty() || titles.iter().any(|t| re.is_match(t)) {
        return Ok(());
    }
    const SHOWN: usize = 5;
    let mut examples = titles.iter().take(SHOWN).map(|t| format!("\u{201c}{t}\u{201d}")).collect::<Vec<_>>().join(", ");
    if titles.len() > SHOWN {
        examples.push_str(", \u{2026}");
    }
    Err(FetchError::NoCommitteeMatched { site: source.base.clone(), pattern: pattern.to_string(), count: titles.len(), examples })
}

/// Walk one ModernGov site.
pub async fn run(f: &Fetcher, source: &ModernGovSource, report: &mut SourceReport) -> Result<(), FetchError> {
    let base = base_url(source)?;
    let committees_url = base.join("mgWebService.asmx/GetCommittees?lDummy=0").map_err(|_| FetchError::BadUrl(source.base.clone()))?;
    // A site whose web service is switched off (403, 404), failing (5xx after the retries)
    // or answering with something other than its XML (a maintenance page) is read through
    // its HTML pages, which often still work (regression: a 500 lost the whole site).
    let committees = match f.listing(&committees_url).await.and_then(|xml| parse_committees(committees_url.as_str(), &xml)) {
        Ok(committees) => committees,
        Err(e @ (FetchError::Status { status: 403 | 404 | 500..=599, .. } | FetchError::Xml { .. })) => {
            report.note(format!("{committees_url}: web service unavailable ({}), reading the HTML pages", reason_only(&e, committees_url.as_str())));
            return crate::moderngov_html::run(f, source, &base, report).await;
        }
        Err(e) => return Err(e),
    };
    let wanted = source.committees.as_deref().map(Regex::new).transpose().map_err(|e| FetchError::Config(e.to_string()))?;
    let window = Window::of(source);
    let live: Vec<Committee> = committees.into_iter().filter(|c| !c.deleted).collect();
    let titles: Vec<&str> = live.iter().map(|c| c.title.as_str()).collect();
    check_some_match(source, wanted.as_ref(), &titles)?;
    for c in &live {
        if wanted.as_ref().is_some_and(|re| !re.is_match(&c.title)) {
            continue;
        }
        report.step(&c.title);
        if let Err(e) = committee(f, &base, c, &window, report).await {
            report.fail(format!("committee {}", c.title), &e);
        }
    }
    Ok(())
}

async fn committee(f: &Fetcher, base: &Url, c: &Committee, window: &Window, report: &mut SourceReport) -> Result<(), FetchError> {
    let url = base
        .join(&format!("mgWebService.asmx/GetMeetings?lCommitteeId={}&sFromDate={}&sToDate={}", as_id(&c.id, base)?, window.since.dmy(), window.until.dmy()))
        .map_err(|_| FetchError::BadUrl(c.id.clone()))?;
    let xml = f.listing(&url).await?;
    let meetings = parse_meetings(url.as_str(), &xml)?;
    // A meeting whose date cannot be read cannot be put in the window: said, not dropped
    // without a word.
    let undated = meetings.iter().filter(|m| !m.cancelled && m.date.is_none()).count();
    if undated > 0 {
        report.note(format!("{}: {undated} meeting{} with no date that could be read, not opened", c.title, if undated == 1 { "" } else { "s" }));
    }
    for m in meetings {
        if m.cancelled || !window.contains(m.date) {
            continue;
        }
        report.step(&format!("{}: meeting of {}", c.title, m.date.map(|d| d.dmy()).unwrap_or_default()));
        // A meeting whose id is no number is a failure of its own, not of its committee.
        let url = match as_id(&m.id, base).and_then(|id| base.join(&format!("mgWebService.asmx/GetMeeting?lMeetingId={id}")).map_err(|_| FetchError::BadUrl(m.id.clone()))) {
            Ok(url) => url,
            Err(e) => {
                report.fail(format!("{}: meeting {}", c.title, m.id.chars().take(40).collect::<String>()), &e);
                continue;
            }
        };
        let past = m.date.is_some_and(|d| Date::today().days() - d.days() > SETTLE_DAYS);
        if past && f.is_settled(url.as_str()) {
            report.settled += 1;
            continue;
        }
        let items = match f.listing(&url).await.and_then(|xml| parse_meeting(url.as_str(), &xml)) {
            Ok(items) => items,
            Err(e) => {
                report.fail(url.to_string(), &e);
                continue;
            }
        };
        let failures = report.failed.len();
        for item in items {
            agenda_item(f, base, &c.title, m.date, &item, report).await;
        }
        if past && report.failed.len() == failures {
            // Marked by the caller once the meeting's documents are stored and indexed: a
            // run killed before then reads the meeting again.
            report.settle.push(url.to_string());
        }
    }
    Ok(())
}

/// A meeting this many days past has its minutes and papers published: once a run has read
/// all its items, later runs do not ask for it again (unless the relevance pattern changes).
const SETTLE_DAYS: i64 = 120;

async fn agenda_item(f: &Fetcher, base: &Url, committee: &str, date: Option<Date>, item: &AgendaItem, report: &mut SourceReport) {
    // An item can be titled for something else ("Adult Social Care Assurance Update") and
    // carry the peer team's letter as an attachment ("Appendix A – ADASS Peer Challenge
    // Letter"): its attachments' titles count too.
    let relevant = f.is_relevant(&item.title) || f.is_relevant(&item.text) || f.is_relevant(&item.minutes) || item.documents.iter().any(|d| f.is_relevant(&d.title));
    if item.restricted || !relevant {
        report.skipped += 1;
        return;
    }
    if !item.minutes.trim().is_empty() {
        if let Ok(page) = base.join(&format!("mgAi.aspx?ID={}", item.id)) {
            let html = minutes_page(item, committee, date);
            match f.keep_derived(&page, html.as_bytes()) {
                Ok(doc) => report.add(doc),
                Err(e) => report.fail(page.to_string(), &e),
            }
        }
    }
    report.step(&item.title);
    for d in item.documents.iter().filter(|d| !d.restricted) {
        let Some(url) = document_url(base, &d.url) else {
            report.fail(d.url.clone(), &FetchError::BadUrl(d.url.clone()));
            continue;
        };
        match f.document(&url, crate::Reuse::IfStored).await {
            Ok(doc) => report.add(doc),
            Err(e) => report.fail(url.to_string(), &e),
        }
    }
}

/// Link targets in a page with their text, resolved against the page's URL.
pub(crate) fn links(page: &Url, html: &[u8]) -> Vec<(Url, String)> {
    static A: LazyLock<scraper::Selector> = LazyLock::new(|| scraper::Selector::parse("a[href]").unwrap_or_else(|e| panic!("{e}")));
    let doc = peerscope_html::parse_document(&String::from_utf8_lossy(html));
    doc.select(&A)
        .filter_map(|a| {
            let href = a.value().attr("href")?.trim().replace(' ', "%20");
            let url = page.join(&href).ok()?;
            Some((url, a.text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" ")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: a reply of 5,000 nested elements overflowed the stack and aborted the
    /// whole fetch; it is one source's error now.
    #[test]
    fn deeply_nested_replies_are_refused_not_parsed() {
        let deep = format!("<?xml version=\"1.0\"?>{}{}", "<a>".repeat(5000), "</a>".repeat(5000));
        let site = Url::parse("http://x/").unwrap();
        assert_eq!(as_id(" 70 ", &site).unwrap(), "70");
        assert!(as_id("../../x?a=b&c", &site).unwrap_err().to_string().contains("not a number"));
        assert!(Date::parse_dmy("31/02/2020").is_none() && Date::parse_dmy("29/02/2020").is_some() && Date::parse_dmy("29/02/2021").is_none());
        let many: String = (0..100_000).map(|i| format!(" a{i}=\"1\"")).collect();
        let wide = format!("<committees><committee{many}><committeeid>7</committeeid></committee></committees>");
        let e = parse_committees("http://x/", wide.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("more than 256 attributes"), "{e}");
        let e = parse_committees("http://x/", deep.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("nested more than") && e.contains("http://x/"), "{e}");
        assert_eq!(nesting_depth("<r><a x='/>'><b/><c></c></a></r>"), 3);
        assert_eq!(nesting_depth("<r><b/><b/><b/></r>"), 1);
        assert_eq!(nesting_depth("<?xml?><!-- c --><r/>"), 0);
        assert_eq!(nesting_depth("<r x=\"a>b\"><s>"), 2);
    }

    #[test]
    fn days_count_from_the_epoch_both_ways() {
        assert_eq!(Date { year: 1970, month: 1, day: 1 }.days(), 0);
        assert_eq!(Date { year: 2024, month: 3, day: 1 }.days() - Date { year: 2024, month: 2, day: 28 }.days(), 2);
        for n in [0, 59, 365, 11_000, 20_000, 20_600] {
            assert_eq!(civil_from_days(n).days(), n);
        }
    }

    #[test]
    fn meeting_link_dates() {
        assert_eq!(Date::parse_text("9 Jul 2024 10.00 am"), Date::new(2024, 7, 9));
        assert_eq!(Date::parse_text("Wednesday, 14th February, 2024 6.30 pm"), Date::new(2024, 2, 14));
        assert_eq!(Date::parse_text("14/02/2024"), Date::new(2024, 2, 14));
        assert_eq!(Date::parse_text("Health Select Commission"), None);
    }

    /// Regression: a service writing "2026-11-20T00:00:00" had its meetings dropped, unread
    /// and unreported.
    #[test]
    fn a_meetings_date_may_be_written_the_iso_way() {
        let xml = b"<getmeetings><meeting><meetingid>1</meetingid><meetingdate>2026-11-20T00:00:00</meetingdate><meetingstatus>Confirmed</meetingstatus></meeting><meeting><meetingid>2</meetingid><meetingdate></meetingdate></meeting></getmeetings>";
        let m = parse_meetings("m", xml).unwrap();
        assert_eq!(m[0].date, Some(Date { year: 2026, month: 11, day: 20 }));
        assert_eq!(m[1].date, None);
        assert_eq!(Date::parse_iso("2026-13-01"), None);
    }

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/moderngov");

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
    }

    #[test]
    fn reads_the_real_service_responses() {
        let c = parse_committees("c", &fixture("committees.xml")).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0], Committee { id: "312".into(), title: "Appointment Sub Committee for Director of Adult Social Services".into(), deleted: false });
        let m = parse_meetings("m", &fixture("meetings.xml")).unwrap();
        assert_eq!(m.len(), 2);
        assert!(m[0].cancelled && !m[1].cancelled);
        assert_eq!(m[1].date, Some(Date { year: 2026, month: 2, day: 10 }));
        let items = parse_meeting("x", &fixture("meeting_with_minutes.xml")).unwrap();
        assert_eq!(items[0].title, "Minutes");
        assert!(items[0].minutes.contains("<p class=\"MsoNormal\">"));
        assert!(items[0].documents[0].url.ends_with("mgConvert2PDF.aspx?ID=60860"));
    }

    #[test]
    fn dates_and_urls() {
        assert!(Date::parse_dmy(" 13/01/2026 ").unwrap() > Date::parse_iso("2025-12-31").unwrap());
        assert_eq!(Date::parse_iso("2015-01-01").unwrap().dmy(), "01/01/2015");
        assert_eq!(civil_from_days(0), Date { year: 1970, month: 1, day: 1 });
        assert_eq!(civil_from_days(20_000), Date { year: 2024, month: 10, day: 4 });
        let base = Url::parse("https://democracy.example.gov.uk/").unwrap();
        assert_eq!(document_url(&base, "http://democracy.example.gov.uk/mgConvert2PDF.aspx?ID=1").unwrap().scheme(), "https");
        assert!(parse_committees("bad.xml", b"<committees><committee>").is_err());
    }
}
