//! `peerscope serve` through the real binary on a loopback port: the search page and the
//! JSON API answer, every text from a stranger's document is escaped, pages allow no script,
//! and bad requests are 4xx with a message. (Browser checks come with the rest of the web
//! page; these read the HTTP answers themselves.)

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use support::{peerscope, root};

/// The server, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(data: &std::path::Path) -> Server {
    let mut child = peerscope(data).args(["serve", "--bind", "127.0.0.1:0"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().trim_start_matches("serving http://").trim_end_matches('/').to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{line:?}");
    Server { child, addr }
}

/// GET `target`: the status, the headers (lower-cased) and the body.
fn get(server: &Server, target: &str) -> (u16, String, String) {
    request(server, "GET", target)
}

fn data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let hostile = root().join("tests/hostile/script_findings.txt");
    let out = peerscope(dir.path()).args(["ingest", "corpus/walsall_scrutiny-report_2015.txt"]).arg(&hostile).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

#[test]
fn the_search_page_and_api_answer_and_escape_every_text() {
    let d = data();
    let server = start(d.path());
    let (status, head, page) = get(&server, "/?q=councils+flagged+for+review+performance");
    assert_eq!(status, 200, "{page}");
    assert!(head.contains("content-security-policy: default-src 'none'"), "{head}");
    // Each "Read it in its document" names its finding to a screen reader (regression: a
    // dozen identical link texts).
    assert!(page.contains("Read it in its document<span class=\"govuk-visually-hidden\">: "), "{page}");
    assert!(page.contains("Walsall"), "{page}");
    // The hostile page's findings are shown, as text.
    assert!(page.contains("&lt;script&gt;alert('finding')") && page.contains("&lt;img src=x onerror"), "the hostile findings are not shown as text: {page}");
    assert!(page.contains("&lt;script&gt;alert('title')"), "the hostile title is not shown as text: {page}");
    assert!(!page.contains("<script"), "a script got through: {page}");
    assert!(!page.contains("<img"), "an element got through: {page}");
    assert!(!page.contains("href=\"javascript:"), "a javascript: link: {page}");
    // The question itself is escaped where it is echoed.
    let (status, _, page) = get(&server, "/?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E+reviews");
    assert!(status == 200 || status == 400, "{status}");
    assert!(!page.contains("<script"), "{page}");
    // The API answers as `query --json` does.
    let (status, head, json) = get(&server, "/api/query?q=councils+flagged+for+review+performance");
    assert_eq!(status, 200);
    assert!(head.contains("application/json"), "{head}");
    let answer: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(answer["councils"].as_array().unwrap().iter().any(|c| c["council"]["name"] == "Walsall"), "{json}");
}

/// Regression: the filters in force read "kind: area_for_development", a mistyped topic
/// got a no without a question to try, and a first visit offered nothing to follow.
#[test]
fn the_page_speaks_in_words_and_offers_questions_to_follow() {
    let d = data();
    let server = start(d.path());
    let (_, _, home) = get(&server, "/");
    assert!(home.contains("Questions to start from") && home.contains("href=\"/?q=councils+flagged+for+review+performance\""), "{home}");
    let (status, _, page) = get(&server, "/?q=carers&kind=area_for_development&theme=workforce");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Kind of finding: <strong>area for development</strong>"), "{page}");
    assert!(page.contains("Theme: <strong>Workforce"), "{page}");
    assert!(!page.contains("area_for_development</strong>"), "{page}");
    // A CQC theme, which stands for several quality statements, by its label too.
    let (_, _, page) = get(&server, "/?q=carers&theme=leadership");
    assert!(page.contains("Theme: <strong>") && !page.contains("Theme: <strong>leadership"), "{page}");
    let (_, _, page) = get(&server, "/?q=safegaurding+concerns&region=West+Midlands");
    assert!(page.contains("Did you mean <a class=\"govuk-link\" href=\"/?q=safeguarding+concerns&amp;region=West+Midlands\">safeguarding</a>?"), "{page}");
}

#[test]
fn bad_requests_are_4xx_with_a_message() {
    let d = data();
    let server = start(d.path());
    let long = "a".repeat(600);
    let (status, _, body) = get(&server, &format!("/api/query?q={long}"));
    assert_eq!(status, 400);
    assert!(body.contains("at most 500"), "{body}");
    let (status, _, body) = get(&server, "/api/query?q=the+councils");
    assert_eq!(status, 400);
    assert!(body.contains("nothing to look for"), "{body}");
    let (status, head, body) = get(&server, "/no/such/page");
    assert_eq!(status, 404);
    assert!(head.contains("text/html") && body.contains("No such page") && body.contains("href=\"/\""), "a page with the way back: {body}");
    // Regression: a POST after a GET of the same address was answered with the GET's kept
    // page (200); the router refuses it, saying which method it takes.
    assert_eq!(get(&server, "/?q=carers").0, 200);
    for method in ["POST", "OPTIONS", "DELETE"] {
        let (status, head, _) = request(&server, method, "/?q=carers");
        assert_eq!(status, 405, "{method}: {head}");
        assert!(head.contains("allow: get,head"), "{method}: {head}");
    }
}

/// Regression: a connection that sent nothing, half a request's headers, or nothing after
/// its answer was kept open for ever, and a thousand of them used up the server's file
/// descriptors. Each is now closed by the server (after its header deadline).
#[test]
fn connections_that_send_nothing_are_closed_by_the_server() {
    let d = data();
    let server = start(d.path());
    let nothing = TcpStream::connect(&server.addr).unwrap();
    let mut half = TcpStream::connect(&server.addr).unwrap();
    write!(half, "GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    let mut answered = TcpStream::connect(&server.addr).unwrap();
    write!(answered, "GET /themes HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    for (what, mut s) in [("nothing sent", nothing), ("half the headers", half), ("idle after an answer", answered)] {
        // Far longer than the server's deadlines: a read that times out here was never closed.
        s.set_read_timeout(Some(std::time::Duration::from_secs(120))).unwrap();
        let mut rest = Vec::new();
        let end = s.read_to_end(&mut rest);
        assert!(end.is_ok(), "{what}: the server kept the connection open ({end:?})");
    }
}

/// `method` `target`, with no body: the status, the headers (lower-cased) and the body.
fn request(server: &Server, method: &str, target: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(&server.addr).unwrap();
    write!(s, "{method} {target} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", server.addr).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_lowercase(), body.to_string())
}

#[test]
fn every_page_answers_escapes_and_sends_downloads_as_downloads() {
    let d = data();
    let server = start(d.path());
    let (_, _, json) = get(&server, "/api/query?q=reviews+overdue&council=Walsall");
    let answer: serde_json::Value = serde_json::from_str(&json).unwrap();
    let hostile = answer["councils"][0]["findings"].as_array().unwrap().iter().find(|f| f["text"].as_str().unwrap().contains("<script>")).expect("the hostile finding is answered").clone();
    let doc = hostile["document"].as_str().unwrap();
    // The document page: the stranger's text shown as text, the finding marked where it
    // stands with its kind.
    let (status, _, page) = get(&server, &format!("/document/{doc}"));
    assert_eq!(status, 200);
    assert!(!page.contains("<script") && !page.contains("<img") && page.contains("&lt;script&gt;alert('finding')"), "{page}");
    assert!(page.contains(&format!("id=\"at-{}\"", hostile["start"])), "the finding is marked at its start");
    // Raw bytes are a download, never a page of this site.
    let (status, head, body) = get(&server, &format!("/document/{doc}/raw"));
    assert_eq!(status, 200);
    assert!(head.contains("content-type: application/octet-stream") && head.contains("content-disposition: attachment"), "{head}");
    assert!(body.contains("<script>alert('title')</script>"), "the bytes as published");
    // Council and themes pages, and their JSON.
    for (path, says) in [("/council/Walsall", "Findings by theme"), ("/themes", "Findings by theme and kind"), ("/themes?region=West+Midlands&kind=strength", "Findings by region and year"), ("/api/council/Walsall", "\"learn_from\""), ("/api/themes", "\"by_region_and_year\"")] {
        let (status, _, page) = get(&server, path);
        assert_eq!(status, 200, "{path}");
        assert!(page.contains(says), "{path}: {page}");
        // JSON keeps the text exactly (served as JSON, never sniffed as a page).
        assert!(path.starts_with("/api/") || !page.contains("<script"), "{path}");
    }
    // Regression: the themes page drew the CQC themes and 15 topics and left the others
    // (Safeguarding, Governance …) out without a word; its table lists every theme.
    let (_, _, api) = get(&server, "/api/themes");
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    let (_, _, page) = get(&server, "/themes");
    let labels: Vec<&str> = api["themes"].as_array().unwrap().iter().map(|t| t["label"].as_str().unwrap()).collect();
    assert!(labels.len() > 19, "{labels:?}");
    for label in labels {
        let label = label.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        assert!(page.contains(&format!(">{label}</th>")) || page.contains(&format!("</span>{label}</th>")), "{label} missing from /themes");
    }
    // Downloads of a search, and its feed, escaped for what reads them.
    let (status, head, csv) = get(&server, "/export.csv?q=reviews+overdue&council=Walsall");
    assert_eq!(status, 200);
    assert!(head.contains("text/csv") && head.contains("attachment"), "{head}");
    assert!(csv.contains("council,gss_code,region"), "{csv}");
    // A download names each row's public address (a page ingested beside its sources.toml).
    let out = peerscope(d.path()).args(["ingest", "corpus/real/27_croydon_press-release-lga-peer-review.txt"]).output().unwrap();
    assert!(out.status.success());
    // The server looks for new commits at most once a second: ask until it has seen it.
    let mut csv = String::new();
    for _ in 0..50 {
        csv = get(&server, "/export.csv?council=Croydon").2;
        if csv.lines().count() > 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(csv.lines().count() > 1 && csv.lines().skip(1).all(|l| l.ends_with(",https://news.croydon.gov.uk/peer-review-highlights-strong-vision-for-adult-social-care/")), "{csv}");
    // Regression: best practice was left out of the downloads (a header alone for
    // `kind=best_practice`) and its page said "No council's findings match".
    let cli = peerscope(d.path()).args(["export", "--format", "csv", "--kind", "best_practice"]).output().unwrap();
    let cli_rows = String::from_utf8(cli.stdout).unwrap().lines().count() - 1;
    assert!(cli_rows > 0);
    let (_, _, csv) = get(&server, "/export.csv?kind=best_practice");
    assert_eq!(csv.lines().count() - 1, cli_rows, "{csv}");
    let (_, _, page) = get(&server, "/?kind=best_practice");
    assert!(!page.contains("No council") && page.contains("Walsall"), "{page}");
    let (status, head, feed) = get(&server, "/feed?q=reviews+overdue&council=Walsall");
    assert_eq!(status, 200);
    assert!(head.contains("application/atom+xml"), "{head}");
    assert!(feed.contains("<entry>") && feed.contains("&lt;script&gt;") && !feed.contains("<script"), "{feed}");
    // Regression: every page reached by a filter was titled "Search the findings", and
    // an error page kept the title of a good one.
    let title = |page: &str| page.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or("").to_string();
    assert!(title(&get(&server, "/?council=Walsall").2).starts_with("Findings: Council: Walsall"));
    assert!(title(&get(&server, "/?q=carers&kind=praise").2).starts_with("Error: carers"));
    assert!(title(&get(&server, "/council/Narnia").2).starts_with("Error:"));
    // Regression: a council page's examples of a theme did not say they were a few, nor
    // lead to the rest.
    assert!(get(&server, "/council/Walsall").2.contains(" findings of Walsall on "));
    // Regression: the box sent empty showed the empty page again, without a word.
    assert!(get(&server, "/?q=+").2.contains("Type a question in the box first"));
    assert!(!get(&server, "/").2.contains("Type a question in the box first"));
    // Malformed requests: 4xx with a message naming what is wrong.
    for (path, code, says) in [
        ("/?q=carers&page=0", 400, "page"),
        ("/?q=carers&council=Narnia", 400, "nearest"),
        ("/?q=carers&year=abc", 400, "not a year"),
        ("/?q=carers&kind=praise", 400, "unknown kind"),
        ("/document/zz", 400, "not a document id"),
        (&format!("/document/{}", "0".repeat(64)), 404, "no document"),
        ("/document/..%2F..%2Fetc%2Fpasswd/raw", 400, "not a document id"),
        ("/council/Narnia", 404, "nearest"),
    ] {
        let (status, _, body) = get(&server, path);
        assert_eq!(status, code, "{path}: {body}");
        assert!(body.to_lowercase().contains(says), "{path}: {body}");
    }
    // Regression: the page's error messages began in lower case.
    assert!(get(&server, "/?q=carers&kind=praise").2.contains("<p class=\"govuk-body\">Unknown kind"));
}

#[test]
fn the_page_keeps_answering_while_a_writer_ingests_and_shows_what_it_commits() {
    let d = data();
    let server = start(d.path());
    let question = "/api/query?q=councils+flagged+for+carers";
    let councils = |json: &str| -> Vec<String> {
        let a: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
        a["councils"].as_array().unwrap().iter().map(|c| c["council"]["name"].as_str().unwrap().to_string()).collect()
    };
    assert!(!councils(&get(&server, question).2).contains(&"Torbay".to_string()));
    let mut writer = peerscope(d.path()).args(["ingest", "corpus"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let mut answered = 0;
    let seen = loop {
        let (status, _, json) = get(&server, question);
        assert_eq!(status, 200, "a request during the ingest was refused: {json}");
        answered += 1;
        let found = councils(&json).contains(&"Torbay".to_string());
        if let Some(exit) = writer.try_wait().unwrap() {
            assert!(exit.success());
            break found;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    // Once the writer has committed, the page shows its findings within a refresh (1 s).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut now = seen;
    while !now {
        assert!(std::time::Instant::now() < deadline, "Torbay's findings never appeared after the ingest committed");
        std::thread::sleep(std::time::Duration::from_millis(200));
        now = councils(&get(&server, question).2).contains(&"Torbay".to_string());
    }
    assert!(answered > 1, "every request during the ingest was answered ({answered})");
}

#[test]
fn a_strangers_host_header_never_reaches_anyones_feed() {
    // Regression: the feed's links were made absolute from the request's Host, and answers
    // are kept by address, so one request with a forged Host pointed every later reader's
    // links at the forger's site.
    let d = data();
    let server = start(d.path());
    let mut s = TcpStream::connect(&server.addr).unwrap();
    write!(s, "GET /feed?q=reviews+overdue HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n").unwrap();
    let mut forged = String::new();
    s.read_to_string(&mut forged).unwrap();
    assert!(forged.contains("<entry>"), "{forged}");
    let (_, _, feed) = get(&server, "/feed?q=reviews+overdue");
    assert!(!forged.contains("evil.example") && !feed.contains("evil.example"), "{feed}");
    assert!(feed.contains("<link href=\"/document/"), "links are relative to the feed: {feed}");
}

/// Regressions found by using the page as a council officer would: a kind alone (the target
/// of the page's own "remove" links) was a 400; a council's findings past the best five
/// were out of reach; the council page's findings linked to the top of their documents;
/// undated findings were missing from the region-and-year table; a long question with
/// curly quotes was refused and the box emptied.
#[test]
fn the_page_reaches_every_finding_it_counts() {
    let d = tempfile::tempdir().unwrap();
    let out = peerscope(d.path()).args(["ingest", "corpus/walsall_scrutiny-report_2015.txt", "corpus/real/01_bexley_lga-feedback-report.txt", "corpus/real/17_croydon_scrutiny-minutes.txt"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let server = start(d.path());
    let (status, _, page) = get(&server, "/?kind=strength");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("matching findings"), "{page}");
    // More matching findings than shown: a link to all of them, which shows them.
    let (_, _, page) = get(&server, "/?q=workforce");
    let link = page.split("href=\"").skip(1).map(|s| s.split('"').next().unwrap().replace("&amp;", "&")).find(|h| h.contains("council=Walsall")).unwrap_or_else(|| panic!("no link to all of Walsall's findings: {page}"));
    assert!(page.contains("matching findings of Walsall"), "{page}");
    let (status, _, all) = get(&server, &link);
    assert_eq!(status, 200);
    assert!(all.matches("Read it in its document").count() > 5, "{link}: {all}");
    // Regression: one council's 51st finding was out of reach (page 2 said "all on earlier
    // pages"). Its pages go through its findings, each once, until all are seen.
    let (_, _, api) = get(&server, "/api/query?council=Walsall");
    let matched = serde_json::from_str::<serde_json::Value>(&api).unwrap()["councils"][0]["matched"].as_u64().unwrap() as usize;
    assert!(matched > peerscope_query::OF_ONE_COUNCIL, "Walsall has {matched} findings: too few to need a second page");
    let mut seen = std::collections::HashSet::new();
    for page_no in 1.. {
        let (status, _, page) = get(&server, &format!("/?council=Walsall&page={page_no}"));
        assert_eq!(status, 200, "{page}");
        let listed = page.split("<section class=\"council\"").nth(1).and_then(|s| s.split("</section>").next()).unwrap_or("");
        let ids: Vec<String> = listed.split("href=\"/document/").skip(1).map(|s| s.split('"').next().unwrap().to_string()).filter(|h| h.contains("#at-")).collect();
        for id in &ids {
            assert!(seen.insert(id.clone()), "page {page_no} lists {id} again");
        }
        if !page.contains("rel=\"next\"") {
            break;
        }
        assert!(page_no < 10, "the pages never end");
    }
    assert_eq!(seen.len(), matched, "the pages listed {} of Walsall's {matched} findings", seen.len());
    // The council page links each finding to its place in its document.
    let (_, _, council) = get(&server, "/council/Walsall");
    assert!(council.contains("#at-"), "{council}");
    // Each of its hundred "read it in its document" names its finding to a screen reader.
    assert!(council.contains("read it in its document<span class=\"govuk-visually-hidden\">: "), "{council}");
    // A document's list of findings links each by its words, not only its kind.
    let doc = council.split("href=\"/document/").nth(1).and_then(|s| s.split(['#', '"']).next()).unwrap();
    let (_, _, page) = get(&server, &format!("/document/{doc}"));
    assert!(!page.contains(">strength</a>") && !page.contains(">area for development</a>"), "{page}");
    assert!(council.contains("class=\"ps-scroll\""), "wide tables scroll on a phone");
    // Regression: a year whose documents hold no finding led to a search that found none
    // (Croydon's 2020 minutes only announce the review).
    let (_, _, croydon) = get(&server, "/council/Croydon");
    assert!(croydon.contains(">2020<") && !croydon.contains("year=2020"), "{croydon}");
    // Findings whose review year is not known are counted in their own column.
    let (_, _, themes) = get(&server, "/themes");
    assert!(themes.contains("year not known"), "{themes}");
    // 450 characters with curly quotes: more than 500 bytes, fewer than 500 characters.
    let long = "“carers” – ".repeat(40);
    let q: String = form_urlencoded_like(&long);
    let (status, _, page) = get(&server, &format!("/?q={q}"));
    assert_eq!(status, 200, "{page}");
    let (status, _, page) = get(&server, "/?q=carers+in+Walsall&page=0");
    assert_eq!(status, 400);
    assert!(page.contains("value=\"carers in Walsall\""), "the question stays in the box: {page}");
}

/// Percent-encoding of a question for an address (every byte outside A–Z, a–z, 0–9).
fn form_urlencoded_like(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
