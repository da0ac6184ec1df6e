//! An Atom feed per search (RFC 4287): the findings of the search, newest review first, so
//! a lead can subscribe to "councils in the North West flagged for DoLS" and see what each
//! nightly fetch adds (a feed reader shows entries whose id it has not seen). Every text is
//! escaped for XML.

use peerscope_query::export::FindingRow;

/// Entries in one feed.
const ENTRIES: usize = 100;

/// The feed of `rows` for the search at `self_href`. Links are relative: a feed reader
/// resolves them against the feed's own address. (Not the request's `Host`: answers are
/// kept by address, and a stranger's `Host` would then point everyone's links elsewhere.)
pub fn atom(title: &str, self_href: &str, rows: &[FindingRow]) -> String {
    let mut rows: Vec<&FindingRow> = rows.iter().collect();
    // Atom needs a date on every entry. A finding whose review's year is not known takes
    // the feed's newest (its summary says "year unknown"); a feed with no year at all takes
    // this year's (regression: "1970-01-01", which feed readers showed and sorted by).
    let newest = rows.iter().filter_map(|r| r.review_year).max().unwrap_or_else(peerscope_query::intent::this_year);
    // Newest first by the dates given; the search's order among findings of one year.
    rows.sort_by_key(|r| std::cmp::Reverse(r.review_year.unwrap_or(newest)));
    rows.truncate(ENTRIES);
    let updated = date(newest);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!("<title>{}</title>\n", xml(title)));
    out.push_str(&format!("<id>urn:peerscope:search:{}</id>\n", xml(&form_urlencoded::byte_serialize(self_href.as_bytes()).collect::<String>())));
    out.push_str(&format!("<link rel=\"self\" href=\"{}\"/>\n", xml(self_href)));
    out.push_str(&format!("<updated>{updated}</updated>\n<author><name>peerscope</name></author>\n"));
    for r in rows {
        let kind = peerscope_model::FindingKind::parse(&r.kind).map_or(r.kind.as_str(), |k| k.label());
        let href = format!("/document/{}#at-{}", r.document_id, r.start);
        out.push_str("<entry>\n");
        out.push_str(&format!("<title>{}</title>\n", xml(&format!("{} — {kind}: {}", r.council, peerscope_model::text::clip_chars(&r.text, 90)))));
        out.push_str(&format!("<id>urn:peerscope:finding:{}:{}-{}</id>\n", xml(&r.document_id), r.start, r.end));
        out.push_str(&format!("<link href=\"{}\"/>\n", xml(&href)));
        out.push_str(&format!("<updated>{}</updated>\n", date(r.review_year.unwrap_or(newest))));
        out.push_str(&format!("<summary>{}</summary>\n", xml(&format!("{kind} ({}, {}): {} — from “{}”, {}", r.council, r.review_year.map(|y| y.to_string()).unwrap_or_else(|| "year unknown".into()), r.text, r.title, r.source))));
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// A review year as an Atom date (the first of January: reviews are dated by year).
fn date(year: i32) -> String {
    format!("{:04}-01-01T00:00:00Z", year.clamp(0, 9999))
}

/// Text escaped for XML, with the characters XML 1.0 cannot hold left out.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_and_control_characters_never_reach_the_feed() {
        assert_eq!(super::xml("<script>&\"'\u{1}x"), "&lt;script&gt;&amp;&quot;&apos;x");
    }

    /// Regression: a finding of no known year was dated 1970-01-01.
    #[test]
    fn an_undated_finding_takes_the_feeds_newest_date() {
        let row = |year: Option<i32>| peerscope_query::export::FindingRow {
            council: "Bexley".into(),
            gss_code: String::new(),
            region: String::new(),
            review_type: String::new(),
            review_year: year,
            service: String::new(),
            doc_kind: String::new(),
            kind: "strength".into(),
            themes: String::new(),
            text: "Carers are valued.".into(),
            section: String::new(),
            points_to: String::new(),
            title: String::new(),
            source: "a.txt".into(),
            start: 0,
            end: 18,
            confidence: 1.0,
            document_id: "d".into(),
            also_in: String::new(),
            url: String::new(),
        };
        let feed = super::atom("t", "/feed", &[row(None), row(Some(2022))]);
        assert!(!feed.contains("1970") && feed.matches("<updated>2022-01-01T00:00:00Z</updated>").count() == 3, "{feed}");
        let feed = super::atom("t", "/feed", &[row(None)]);
        assert!(!feed.contains("1970") && peerscope_query::intent::this_year() >= 2025, "{feed}");
    }
}
