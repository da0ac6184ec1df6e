//! `peerscope fetch` against a real HTTP server on loopback (tests/support/server.rs),
//! serving responses shaped like real ModernGov web-service answers and LGA pages, with
//! faults. The assertions are on what the server saw — order, gaps, requests in flight per
//! host, User-Agent, retries — and on what the data directory holds afterwards.

mod support;

use std::path::Path;
use std::time::Duration;

use support::server::{Fault, Reply, TestServer};
use support::{peerscope, root};


fn fetch(data: &Path, sources: &str) -> (i32, String, String) {
    let file = data.with_extension("sources.toml");
    std::fs::write(&file, sources).unwrap();
    let out = peerscope(data).arg("fetch").arg("--sources").arg(&file).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn committees_xml(list: &[(&str, &str)]) -> String {
    let items: String = list
        .iter()
        .map(|(id, t)| format!("<committee><committeeid>{id}</committeeid><committeetitle>{t}</committeetitle><committeedeleted>False</committeedeleted><committeeexpired>False</committeeexpired><committeecategory>Scrutiny</committeecategory></committee>"))
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<committees><committeescount> {}</committeescount>{items}</committees>", list.len())
}

fn meetings_xml(committee: &str, list: &[(&str, &str, &str)]) -> String {
    let items: String = list
        .iter()
        .map(|(id, date, status)| format!("<meeting><meetingid>{id}</meetingid><meetingdate>{date}</meetingdate><meetingstatus>{status}</meetingstatus><meetingtime>10.00 am</meetingtime></meeting>"))
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<getmeetings><meetingscount> {n}</meetingscount><committee><committeeid>{committee}</committeeid><committeetitle>T</committeetitle><committeemeetings>{items}</committeemeetings></committee></getmeetings>", n = list.len())
}

struct Item<'a> {
    id: &'a str,
    title: &'a str,
    minutes: String,
    docs: Vec<(&'a str, String)>,
}

fn meeting_xml(id: &str, date: &str, items: &[Item]) -> String {
    let items: String = items
        .iter()
        .map(|i| {
            let docs: String = i
                .docs
                .iter()
                .map(|(t, u)| format!("<linkeddoc><attachmentid>1</attachmentid><title>{t}</title><isurl>False</isurl><url>{u}</url><isrestricted>False</isrestricted></linkeddoc>"))
                .collect();
            format!(
                "<agendaitem><agendaitemid>{}</agendaitemid><agendaitemtitle>{}</agendaitemtitle><agendatext>\n</agendatext><minutesnonemptyhtmlbody>{}</minutesnonemptyhtmlbody><isrestricted>False</isrestricted><linkeddocuments>{docs}</linkeddocuments></agendaitem>",
                i.id,
                xml_escape(i.title),
                xml_escape(&i.minutes)
            )
        })
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<meeting><meetingid>{id}</meetingid><meetingdate>{date}</meetingdate><meetingstatus>Confirmed</meetingstatus><agendapublished>True</agendapublished><minutepublished>True</minutepublished><agendaitems>{items}</agendaitems></meeting>")
}

/// The Rotherham seed's minutes as the HTML a ModernGov item holds.
fn seed_minutes() -> String {
    let text = std::fs::read_to_string(root().join("corpus/rotherham_scrutiny-minutes_2024.txt")).unwrap();
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("<p>{}</p>", xml_escape(l))).collect()
}

fn corpus_pdf() -> Vec<u8> {
    std::fs::read(root().join("corpus/leicester_scrutiny-report_2016.pdf")).unwrap()
}

/// A ModernGov site: two committees (one filtered out), meetings in and out of range and a
/// cancelled one, a relevant item with minutes and a PDF, an irrelevant item with a PDF.
fn moderngov_site(s: &TestServer) {
    let base = s.base();
    s.route("/robots.txt", vec![Reply::ok("text/plain", "User-agent: *\nDisallow: /private/\n")]);
    s.route(
        "/mgWebService.asmx/GetCommittees",
        vec![Reply::status(503), Reply::ok("text/xml", committees_xml(&[("7", "Health Select Commission"), ("8", "Licensing Committee")]))],
    );
    s.route(
        "/mgWebService.asmx/GetMeetings?lCommitteeId=7",
        vec![Reply::ok("text/xml", meetings_xml("7", &[("70", "09/07/2024", "Confirmed"), ("71", "12/03/2019", "Confirmed"), ("72", "10/09/2024", "Cancelled")]))],
    );
    let items = [
        Item { id: "700", title: "LGA Adult Social Care Peer Review", minutes: seed_minutes(), docs: vec![("Peer challenge letter", format!("{base}/documents/s100/letter.pdf"))] },
        Item { id: "701", title: "Minutes of the previous meeting", minutes: "<p>Agreed as a correct record.</p>".into(), docs: vec![("Minutes", format!("{base}/documents/s101/minutes.pdf"))] },
    ];
    s.route("/mgWebService.asmx/GetMeeting?lMeetingId=70", vec![Reply::ok("text/xml", meeting_xml("70", "09/07/2024", &items))]);
    s.route(
        "/documents/s100/letter.pdf",
        vec![Reply::status(429).header("Retry-After", "1"), Reply::ok("application/pdf", corpus_pdf())],
    );
    s.route("/documents/s101/minutes.pdf", vec![Reply::ok("application/pdf", corpus_pdf())]);
}

fn moderngov_sources(s: &TestServer, delay_ms: u64) -> String {
    format!(
        "[fetch]\nuser_agent_contact = \"mailto:tests@example.org\"\nper_host_delay_ms = {delay_ms}\nbackoff_ms = 100\ntimeout_ms = 5000\n\n[[moderngov]]\ncouncil = \"Rotherham\"\nbase = \"{}\"\nsince = \"2023-01-01\"\ncommittees = \"(?i)select|scrutiny\"\n",
        s.base()
    )
}

#[test]
fn a_moderngov_site_is_walked_politely_and_a_second_run_downloads_nothing_again() {
    let server = TestServer::start();
    moderngov_site(&server);
    let data = tempfile::tempdir().unwrap();
    let data = data.path().join("data");
    let (code, out, err) = fetch(&data, &moderngov_sources(&server, 200));
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("2 fetched, 0 unchanged, 1 skipped as irrelevant, 0 failed"), "{out}\n{err}");
    assert!(out.contains("data: 2 documents"), "{out}");

    let seen = server.seen();
    let targets: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
    assert_eq!(targets[0], "/robots.txt", "robots.txt comes first: {targets:?}");
    assert_eq!(server.count("/mgWebService.asmx/GetCommittees"), 2, "503 then retried: {targets:?}");
    assert_eq!(server.count("/documents/s100/letter.pdf"), 2, "429 then retried: {targets:?}");
    assert_eq!(server.count("/documents/s101"), 0, "an irrelevant item's documents are not read");
    assert_eq!(server.count("/mgWebService.asmx/GetMeetings?lCommitteeId=8"), 0, "filtered committee");
    assert_eq!(server.count("/mgWebService.asmx/GetMeeting?lMeetingId=71"), 0, "out of the date window");
    assert_eq!(server.count("/mgWebService.asmx/GetMeeting?lMeetingId=72"), 0, "cancelled");
    assert!(seen.iter().any(|s| s.target.contains("sFromDate=01/01/2023")), "dates go as dd/mm/yyyy: {targets:?}");
    for s in &seen {
        assert!(s.user_agent.starts_with("peerscope/") && s.user_agent.contains("mailto:tests@example.org"), "{}", s.user_agent);
        assert_eq!(s.in_flight, 1, "one request at a time per host");
    }
    for pair in seen.windows(2) {
        let gap = pair[1].start.saturating_duration_since(pair[0].end);
        assert!(gap >= Duration::from_millis(190), "gap {gap:?} before {}", pair[1].target);
    }
    let letters: Vec<_> = seen.iter().filter(|s| s.target == "/documents/s100/letter.pdf").collect();
    assert!(letters[1].start.duration_since(letters[0].end) >= Duration::from_millis(950), "Retry-After: 1 honoured");

    // The minutes item is kept under its mgAi.aspx address and answers questions.
    let q = peerscope(&data).args(["query", "--json", "praised for political leadership"]).output().unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&q.stdout).unwrap();
    let sources: Vec<String> = answer["councils"].as_array().unwrap().iter().flat_map(|c| c["findings"].as_array().unwrap().iter().map(|f| f["source"].as_str().unwrap().to_string())).collect();
    assert!(sources.iter().any(|s| s.ends_with("/mgAi.aspx?ID=700")), "{answer:#}");

    // Second run: the committees' listings again, but the meeting (months past, all its
    // items read) is not asked for again, no document is downloaded, nothing re-ingested.
    let before = server.seen().len();
    let (code, out, err) = fetch(&data, &moderngov_sources(&server, 50));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 fetched, 0 unchanged"), "{out}");
    assert!(out.contains("1 past meeting not asked for again: an earlier run read all its items"), "{out}");
    assert!(out.contains("ingested 0 new or changed documents"), "{out}");
    let again: Vec<String> = server.seen()[before..].iter().map(|s| s.target.clone()).collect();
    assert!(again.iter().all(|t| t.starts_with("/robots.txt") || t.starts_with("/mgWebService.asmx/")), "{again:?}");
    assert_eq!(again.len(), 3, "robots, committees, meetings: {again:?}");

    // A changed relevance pattern could make other items relevant: the meeting is read
    // again, its documents (held already) are still not downloaded.
    let before = server.seen().len();
    let sources = moderngov_sources(&server, 50).replacen("[fetch]\n", "[fetch]\nrelevant = \"(?i)peer (?:review|challenge)|sector[- ]led\"\n", 1);
    let (code, out, err) = fetch(&data, &sources);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("0 fetched, 2 unchanged"), "{out}");
    let again: Vec<String> = server.seen()[before..].iter().map(|s| s.target.clone()).collect();
    assert_eq!(again.len(), 4, "robots, committees, meetings, meeting: {again:?}");
}

#[test]
fn faults_are_retried_or_reported_and_broken_bodies_are_never_stored() {
    let server = TestServer::start();
    let page = |title: &str| format!("<html><head><title>{title}</title></head><body><main><h1>{title}</h1><h2>Strengths</h2><ul><li>Staff are proud to work for the council and morale is high.</li></ul></main></body></html>");
    server.route("/robots.txt", vec![Reply::ok("text/plain", "User-agent: *\nDisallow: /private/\n")]);
    server.route("/reset", vec![Reply::status(200).fault(Fault::Reset), Reply::ok("text/html", page("Reset once peer challenge"))]);
    server.route("/slow", vec![Reply::ok("text/html", page("Slow")).fault(Fault::Delay(Duration::from_secs(3)))]);
    server.route("/cut", vec![Reply::ok("application/pdf", corpus_pdf()).fault(Fault::CutBody)]);
    server.route("/loop", vec![Reply::status(302).header("Location", "/loop")]);
    server.route("/private/", vec![Reply::ok("text/html", page("Private"))]);
    server.route("/gone", vec![Reply::status(404)]);
    server.route("/forbidden", vec![Reply::status(403)]);
    server.route("/after-forbidden", vec![Reply::ok("text/html", page("After"))]);
    let (b, o) = (server.base(), server.other_host_base());
    let sources = format!(
        "[fetch]\nper_host_delay_ms = 20\nbackoff_ms = 50\nmax_retries = 2\ntimeout_ms = 1000\nmax_redirects = 3\n\n\
         [[page]]\nurl = \"{b}/reset\"\n[[page]]\nurl = \"{b}/slow\"\n[[page]]\nurl = \"{b}/cut\"\n[[page]]\nurl = \"{b}/loop\"\n\
         [[page]]\nurl = \"{b}/private/report\"\n[[page]]\nurl = \"{b}/gone\"\n[[page]]\nurl = \"{o}/forbidden\"\n"
    );
    let data = tempfile::tempdir().unwrap();
    let data = data.path().join("data");
    let (code, out, err) = fetch(&data, &sources);
    // Every source was tried and what failed is listed; the exit status says something did,
    // so a nightly job can tell (regression: it was 0 whatever failed).
    assert_eq!(code, 1, "{out}\n{err}");
    for (what, why) in [("/slow", "timed out"), ("/cut", "cut short"), ("/loop", "too many redirects"), ("/private/report", "robots.txt"), ("/gone", "HTTP 404 (Not Found)"), ("/forbidden", "HTTP 403 (Forbidden)")] {
        let line = out.lines().find(|l| l.contains("failed:") && l.contains(what)).unwrap_or_else(|| panic!("no failure line for {what}:\n{out}"));
        assert!(line.contains(why), "{line}");
        // Regression: the address was said twice ("failed: URL: URL: HTTP 404").
        assert_eq!(line.matches("http").count(), 1, "{line}");
    }
    assert!(out.contains(&format!("page {b}/reset: 1 fetched")), "{out}");
    assert_eq!(server.count("/reset"), 2, "a reset is retried");
    assert_eq!(server.count("/slow"), 3, "a timeout is retried up to max_retries");
    assert_eq!(server.count("/gone"), 1, "a 404 is not retried");
    assert_eq!(server.count("/private/"), 0, "robots.txt is obeyed");
    assert!(out.contains("data: 1 documents"), "only the good page is a document: {out}");

    // A host that refused once is left alone for the rest of the run: the two sources run
    // in parallel, so either may ask first, but nothing is asked of it after the 403.
    let second = format!("[fetch]\nper_host_delay_ms = 20\n\n[[page]]\nurl = \"{o}/forbidden\"\n[[page]]\nurl = \"{o}/after-forbidden\"\n");
    let before = server.seen().len();
    let (code, out, _) = fetch(&data, &second);
    assert_eq!(code, 1, "the refused pages failed: {out}");
    let asked: Vec<String> = server.seen()[before..].iter().filter(|s| s.host.starts_with("localhost")).map(|s| s.target.clone()).collect();
    let refused_at = asked.iter().position(|t| t == "/forbidden").expect("the refusing page was asked");
    assert!(asked[refused_at + 1..].is_empty(), "asked after a 403: {asked:?}");
    if !asked.iter().any(|t| t == "/after-forbidden") {
        assert!(out.contains("refused automated requests"), "{out}");
    }
}

#[test]
fn an_unusable_sources_file_is_exit_status_2() {
    let data = tempfile::tempdir().unwrap();
    let (code, _, err) = fetch(&data.path().join("d"), "[[moderngov]]\nbase = \"not a url\"\n");
    assert_eq!(code, 2);
    assert!(err.contains("not a url"), "{err}");
    let (code, _, err) = fetch(&data.path().join("d"), "[fetch]\nper_host_delay_ms = 10\n");
    assert_eq!(code, 2);
    assert!(err.contains("no sources"), "{err}");
    // Regression: a misspelt council left every document of the site without one, silently.
    let (code, _, err) = fetch(&data.path().join("d"), "[[moderngov]]\nbase = \"http://127.0.0.1:9\"\ncouncil = \"Stokton-on-Tees\"\n");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Stokton-on-Tees") && err.contains("Stockton-on-Tees"), "{err}");
}

#[test]
fn lga_reports_on_several_pages_become_one_document() {
    let server = TestServer::start();
    let idx = "/our-support/peer-challenges";
    let listing = format!(
        "<html><body><main><a href=\"{idx}/adult-social-care-peer-1\">Adult social care peer challenge: Torbay</a> \
         <a href=\"{idx}/adult-social-care-peer-2\">Adult social care peer challenge: Walsall</a> \
         <a href=\"{idx}/corporate-peer-challenge-dorset\">Corporate peer challenge: Dorset</a> <a href=\"/about\">About</a></main></body></html>"
    );
    server.route("/robots.txt", vec![Reply::status(404)]);
    server.route(idx, vec![Reply::ok("text/html", listing)]);
    let torbay = std::fs::read(root().join("corpus/torbay_lga-feedback-report_2024.html")).unwrap();
    server.route(&format!("{idx}/adult-social-care-peer-1"), vec![Reply::ok("text/html", torbay).header("ETag", "\"t1\"")]);
    let contents = format!(
        "<html><head><title>Walsall adult social care peer challenge</title></head><body><main><h1>Walsall Council: Adult Social Care Peer Challenge, 2 - 4 November 2015</h1>\
         <ul><li><a href=\"{idx}/adult-social-care-peer-2/strengths\">Strengths</a></li><li><a href=\"{idx}/adult-social-care-peer-2/areas\">Areas for consideration</a></li></ul></main></body></html>"
    );
    server.route(&format!("{idx}/adult-social-care-peer-2"), vec![Reply::ok("text/html", contents)]);
    server.route(
        &format!("{idx}/adult-social-care-peer-2/strengths"),
        vec![Reply::ok("text/html", "<html><body><main><h2>Strengths</h2><ul><li>The voluntary sector is a vibrant and enthusiastic partner of Walsall Council.</li></ul></main></body></html>")],
    );
    server.route(
        &format!("{idx}/adult-social-care-peer-2/areas"),
        vec![Reply::ok("text/html", "<html><body><main><h2>Areas for consideration</h2><ul><li>The performance on reviews of care packages remains concerning in Walsall.</li></ul></main></body></html>")],
    );
    let data = tempfile::tempdir().unwrap();
    let data = data.path().join("data");
    let sources = format!("[fetch]\nper_host_delay_ms = 20\n\n[[lga]]\nindex = \"{}{idx}\"\n", server.base());
    let (code, out, err) = fetch(&data, &sources);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 fetched, 0 unchanged, 1 skipped as irrelevant, 0 failed"), "{out}\n{err}");
    assert_eq!(server.count(&format!("{idx}/corporate")), 0);
    let q = peerscope(&data).args(["query", "--json", "councils flagged for review performance"]).output().unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&q.stdout).unwrap();
    let walsall = answer["councils"].as_array().unwrap().iter().find(|c| c["council"]["name"] == "Walsall").unwrap_or_else(|| panic!("{answer:#}"));
    assert!(walsall["findings"][0]["source"].as_str().unwrap().ends_with("/adult-social-care-peer-2"), "kept under the contents page");

    // Again: the page with an ETag is asked conditionally.
    let (_, out, _) = fetch(&data, &sources);
    assert!(out.contains("0 fetched, 2 unchanged"), "{out}");
    let torbay_asks: Vec<_> = server.seen().into_iter().filter(|s| s.target.ends_with("/adult-social-care-peer-1")).collect();
    assert_eq!(torbay_asks.last().unwrap().if_none_match.as_deref(), Some("\"t1\""));
}

#[test]
fn hosts_are_fetched_in_parallel_but_one_host_one_request_at_a_time() {
    let server = TestServer::start();
    server.route("/robots.txt", vec![Reply::status(404)]);
    let page = "<html><body><main><h2>Strengths</h2><ul><li>Carers praised the support they received from the council.</li></ul></main></body></html>";
    for p in ["/a", "/b", "/c"] {
        server.route(p, vec![Reply::ok("text/html", format!("{page}{p}")).fault(Fault::Delay(Duration::from_millis(400)))]);
    }
    let (b, o) = (server.base(), server.other_host_base());
    let sources = format!("[fetch]\nper_host_delay_ms = 0\n\n[[page]]\nurl = \"{b}/a\"\n[[page]]\nurl = \"{b}/b\"\n[[page]]\nurl = \"{o}/c\"\n");
    let data = tempfile::tempdir().unwrap();
    let (code, out, err) = fetch(&data.path().join("d"), &sources);
    assert_eq!(code, 0, "{out}{err}");
    let seen = server.seen();
    let get = |t: &str| seen.iter().find(|s| s.target == t).unwrap().clone();
    let (a, bb, c) = (get("/a"), get("/b"), get("/c"));
    let overlap = |x: &support::server::Seen, y: &support::server::Seen| x.start < y.end && y.start < x.end;
    assert!(!overlap(&a, &bb), "two requests to one host at once");
    assert!(overlap(&c, &a) || overlap(&c, &bb), "the other host waited for this one");
}

#[test]
fn a_crawl_delay_in_robots_txt_widens_the_gap() {
    let server = TestServer::start();
    server.route("/robots.txt", vec![Reply::ok("text/plain", "User-agent: *\nCrawl-delay: 1\n")]);
    server.route("/p", vec![Reply::ok("text/html", "<html><body><main><p>The team praised the carers offer of the council.</p></main></body></html>")]);
    let b = server.base();
    let sources = format!("[fetch]\nper_host_delay_ms = 0\n\n[[page]]\nurl = \"{b}/p1\"\n[[page]]\nurl = \"{b}/p2\"\n");
    let data = tempfile::tempdir().unwrap();
    let (code, out, err) = fetch(&data.path().join("d"), &sources);
    assert_eq!(code, 0, "{out}{err}");
    let seen = server.seen();
    for pair in seen.windows(2) {
        let gap = pair[1].start.saturating_duration_since(pair[0].end);
        assert!(gap >= Duration::from_millis(950), "gap {gap:?} before {}", pair[1].target);
    }
}

/// A ModernGov site with one relevant item whose eight appendices each take 250 ms.
/// Regression (issue 10): a past meeting was marked settled as soon as its items were read,
/// but its documents were extracted and indexed only at the end of the run. A run killed in
/// between (here: while it waits for a second, slow meeting) left the first meeting settled
/// and its documents never ingested: the next run skipped it for ever.
#[test]
fn a_fetch_killed_after_reading_a_meeting_ingests_it_next_time() {
    let server = TestServer::start();
    let base = server.base();
    server.route("/robots.txt", vec![Reply::status(404)]);
    server.route("/mgWebService.asmx/GetCommittees", vec![Reply::ok("text/xml", committees_xml(&[("7", "Health Select Commission")]))]);
    server.route(
        "/mgWebService.asmx/GetMeetings?lCommitteeId=7",
        vec![Reply::ok("text/xml", meetings_xml("7", &[("70", "09/07/2024", "Confirmed"), ("71", "10/09/2024", "Confirmed")]))],
    );
    let item = Item { id: "700", title: "LGA Adult Social Care Peer Review", minutes: seed_minutes(), docs: vec![("Peer challenge letter", format!("{base}/documents/s100/letter.pdf"))] };
    server.route("/mgWebService.asmx/GetMeeting?lMeetingId=70", vec![Reply::ok("text/xml", meeting_xml("70", "09/07/2024", &[item]))]);
    server.route("/documents/s100/letter.pdf", vec![Reply::ok("application/pdf", corpus_pdf())]);
    server.route(
        "/mgWebService.asmx/GetMeeting?lMeetingId=71",
        vec![Reply::ok("text/xml", meeting_xml("71", "10/09/2024", &[])).fault(Fault::Delay(Duration::from_secs(2)))],
    );
    let data = tempfile::tempdir().unwrap();
    let data = data.path().join("data");
    let file = data.with_extension("sources.toml");
    let sources = moderngov_sources(&server, 50);
    std::fs::write(&file, &sources).unwrap();
    let mut child = peerscope(&data).arg("fetch").arg("--sources").arg(&file).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let started = std::time::Instant::now();
    while server.count("/mgWebService.asmx/GetMeeting?lMeetingId=71") == 0 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(server.count("/documents/s100/letter.pdf"), 1, "the first meeting was read before the kill");

    let (code, out, err) = fetch(&data, &sources);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("data: 2 documents"), "the minutes and the letter: {out}");
    let q = peerscope(&data).args(["query", "--json", "praised for political leadership"]).output().unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&q.stdout).unwrap();
    assert!(answer.to_string().contains("/mgAi.aspx?ID=700"), "{answer:#}");
}

fn slow_appendices_site() -> TestServer {
    let server = TestServer::start();
    let base = server.base();
    server.route("/robots.txt", vec![Reply::status(404)]);
    server.route("/mgWebService.asmx/GetCommittees", vec![Reply::ok("text/xml", committees_xml(&[("7", "Adult Social Care Scrutiny Panel")]))]);
    server.route("/mgWebService.asmx/GetMeetings?lCommitteeId=7", vec![Reply::ok("text/xml", meetings_xml("7", &[("70", "09/07/2024", "Confirmed")]))]);
    let docs: Vec<(&str, String)> = (0..8).map(|i| ("Appendix", format!("{base}/documents/s{i}/appendix.html"))).collect();
    let item = Item { id: "700", title: "ADASS peer challenge feedback", minutes: seed_minutes(), docs };
    server.route("/mgWebService.asmx/GetMeeting?lMeetingId=70", vec![Reply::ok("text/xml", meeting_xml("70", "09/07/2024", &[item]))]);
    for i in 0..8 {
        let body = format!("<html><body><main><h2>Areas for development</h2><ul><li>Appendix {i}: waiting lists for assessments are too long.</li></ul></main></body></html>");
        server.route(&format!("/documents/s{i}/"), vec![Reply::ok("text/html", body).fault(Fault::Delay(Duration::from_millis(250)))]);
    }
    server
}

#[test]
fn a_fetch_killed_half_way_resumes_without_downloading_again() {
    let server = slow_appendices_site();
    let base = server.base();
    let data = tempfile::tempdir().unwrap();
    let data = data.path().join("data");
    let file = data.with_extension("sources.toml");
    let sources = format!("[fetch]\nper_host_delay_ms = 50\n\n[[moderngov]]\nbase = \"{base}\"\nsince = \"2024-01-01\"\n");
    std::fs::write(&file, &sources).unwrap();
    let mut child = peerscope(&data).arg("fetch").arg("--sources").arg(&file).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    // Wait until some documents have arrived, then kill it mid-way.
    let started = std::time::Instant::now();
    while server.count("/documents/") < 3 && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let first_run = server.count("/documents/");
    assert!(first_run < 8, "killed before the end ({first_run} documents asked)");

    let (code, out, err) = fetch(&data, &sources);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("data: 9 documents"), "the minutes and all 8 appendices: {out}");
    for i in 0..8 {
        let n = server.count(&format!("/documents/s{i}/"));
        assert!((1..=2).contains(&n), "appendix {i} asked {n} times");
    }
    // Only a document in flight at the kill may be asked twice.
    assert!(server.count("/documents/") <= 9, "{} document requests", server.count("/documents/"));
}

#[test]
fn without_the_web_service_the_html_pages_are_walked() {
    // Switched off (404), failing (500: regression, the whole site was lost), or answering
    // a maintenance page instead of its XML.
    for service in [Reply::status(404), Reply::status(500), Reply::ok("text/html", "<html><body>Down for maintenance</body></html>")] {
        html_pages_walked_when_the_service_answers(service);
    }
}

fn html_pages_walked_when_the_service_answers(service: Reply) {
    let server = TestServer::start();
    server.route("/robots.txt", vec![Reply::status(404)]);
    server.route("/mgWebService.asmx/", vec![service]);
    server.route("/mgListCommittees.aspx", vec![Reply::ok("text/html", "<html><body><div class=\"mgContent\"><a href=\"mgCommitteeDetails.aspx?ID=7\">Health Select Commission</a> <a href=\"mgCommitteeDetails.aspx?ID=8\">Licensing Committee</a></div></body></html>")]);
    // A municipal year's page: a meeting in the window, one after it, one cancelled.
    server.route(
        "/ieListMeetings.aspx?CId=7",
        vec![Reply::ok(
            "text/html",
            "<html><body><a href=\"ieListDocuments.aspx?CId=7&amp;MId=70\">9 Jul 2024 10.00 am</a> <a href=\"ieListDocuments.aspx?CId=7&amp;MId=71\">12 Feb 2025 10.00 am</a> <a href=\"ieListDocuments.aspx?CId=7&amp;MId=72\">1 Aug 2024 10.00 am CANCELLED</a></body></html>",
        )],
    );
    server.route(
        "/ieListDocuments.aspx?CId=7&MId=70",
        vec![Reply::ok("text/html", "<html><body><a href=\"mgAi.aspx?ID=700\">LGA Adult Social Care Peer Review</a> <a href=\"mgAi.aspx?ID=701\">Minutes of the previous meeting</a></body></html>")],
    );
    let page = std::fs::read(root().join("corpus/rotherham_scrutiny-minutes_2024.html")).unwrap();
    server.route("/mgAi.aspx?ID=700", vec![Reply::ok("text/html", page)]);
    let data = tempfile::tempdir().unwrap();
    let sources = format!("[fetch]\nper_host_delay_ms = 10\nmax_retries = 1\nbackoff_ms = 10\n\n[[moderngov]]\nbase = \"{}\"\nsince = \"2024-01-01\"\nuntil = \"2024-12-31\"\ncommittees = \"(?i)select\"\n", server.base());
    let (code, out, err) = fetch(&data.path().join("d"), &sources);
    // The two attachments this site lists are not served: failed, and the exit status says so.
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("web service unavailable"), "{out}");
    assert!(out.contains("1 fetched, 0 unchanged, 1 skipped as irrelevant"), "{out}");
    assert_eq!(server.count("/mgAi.aspx?ID=701"), 0);
    assert_eq!(server.count("/ieListMeetings.aspx?CId=8"), 0);
    assert_eq!(server.count("/ieListMeetings.aspx?CId=7&Year=2024"), 1);
    assert_eq!(server.count("/ieListDocuments.aspx?CId=7&MId=71"), 0, "a meeting after `until` is not opened");
    assert_eq!(server.count("/ieListDocuments.aspx?CId=7&MId=72"), 0, "a cancelled meeting is not opened");
}

/// Regression: a `committees` pattern matching none of a site's committees (misspelt, or
/// the committee renamed) read nothing and reported "0 fetched", exit status 0, every night.
/// It is now a failure naming the pattern and some of the committees there are, by the web
/// service and by the HTML pages alike.
#[test]
fn a_committees_pattern_matching_nothing_is_a_failure_that_names_the_committees() {
    for service in [true, false] {
        let server = TestServer::start();
        server.route("/robots.txt", vec![Reply::status(404)]);
        if service {
            server.route("/mgWebService.asmx/GetCommittees", vec![Reply::ok("text/xml", committees_xml(&[("7", "Health Select Commission"), ("8", "Licensing Committee")]))]);
        } else {
            server.route("/mgWebService.asmx/", vec![Reply::status(404)]);
            server.route("/mgListCommittees.aspx", vec![Reply::ok("text/html", "<html><body><a href=\"mgCommitteeDetails.aspx?ID=7\">Health Select Commission</a> <a href=\"mgCommitteeDetails.aspx?ID=8\">Licensing Committee</a></body></html>")]);
        }
        let data = tempfile::tempdir().unwrap();
        let sources = format!("[fetch]\nper_host_delay_ms = 10\n\n[[moderngov]]\nbase = \"{}\"\nsince = \"2024-01-01\"\ncommittees = \"(?i)scrutiny\"\n", server.base());
        let (code, out, err) = fetch(&data.path().join("d"), &sources);
        assert_eq!(code, 1, "service {service}: {out}{err}");
        let said = format!("{out}{err}");
        assert!(said.contains("matches none of its 2 committees"), "service {service}: {said}");
        assert!(said.contains("Health Select Commission") && said.contains("Licensing Committee"), "service {service}: {said}");
        assert_eq!(server.count("/mgWebService.asmx/GetMeetings"), 0);
        assert_eq!(server.count("/ieListMeetings.aspx"), 0);
    }
}

/// A ModernGov page that never names its council is filed under the council the sources
/// file gives for that site (the loopback host names none).
#[test]
fn the_sources_files_council_names_a_page_that_never_writes_it() {
    let server = TestServer::start();
    server.route("/robots.txt", vec![Reply::status(404)]);
    server.route("/mgWebService.asmx/GetCommittees", vec![Reply::ok("text/xml", committees_xml(&[("7", "Adults and Health Scrutiny Panel")]))]);
    server.route("/mgWebService.asmx/GetMeetings?lCommitteeId=7", vec![Reply::ok("text/xml", meetings_xml("7", &[("70", "09/07/2024", "Confirmed")]))]);
    let minutes = "<p>The Director of Adult Social Care presented the findings of the LGA peer challenge held in March 2024.</p>\
        <p>The peer team found that the front door was responsive and that staff were proud to work for the Council.</p>\
        <p>The peer team found that too many people were waiting for an assessment of their needs.</p>\
        <p>RESOLVED that the findings be noted.</p>";
    let items = [Item { id: "700", title: "LGA Adult Social Care Peer Challenge", minutes: minutes.into(), docs: vec![] }];
    server.route("/mgWebService.asmx/GetMeeting?lMeetingId=70", vec![Reply::ok("text/xml", meeting_xml("70", "09/07/2024", &items))]);
    let data = tempfile::tempdir().unwrap();
    let data = data.path().join("d");
    let sources = format!("[fetch]\nper_host_delay_ms = 10\n\n[[moderngov]]\ncouncil = \"Wakefield\"\nbase = \"{}\"\nsince = \"2024-01-01\"\n", server.base());
    let (code, out, err) = fetch(&data, &sources);
    assert_eq!(code, 0, "{out}{err}");
    let export = peerscope(&data).args(["export", "--format", "jsonl", "--all-services"]).output().unwrap();
    let rows: Vec<serde_json::Value> = String::from_utf8(export.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!rows.is_empty(), "{out}{err}");
    assert!(rows.iter().all(|r| r["council"] == "Wakefield"), "{rows:?}");
}

/// Regression: an item titled "LGA Peer&nbsp;Review" (a no-break space, as text pasted from
/// Word has) and one titled for something else whose attachment is the peer team's letter
/// were skipped as irrelevant.
#[test]
fn items_are_relevant_by_a_no_break_space_or_an_attachments_title() {
    let server = TestServer::start();
    let base = server.base();
    server.route("/robots.txt", vec![Reply::status(404)]);
    server.route("/mgWebService.asmx/GetCommittees", vec![Reply::ok("text/xml", committees_xml(&[("7", "Adults and Health Scrutiny Panel")]))]);
    server.route("/mgWebService.asmx/GetMeetings?lCommitteeId=7", vec![Reply::ok("text/xml", meetings_xml("7", &[("70", "09/07/2024", "Confirmed")]))]);
    let items = [
        Item { id: "700", title: "LGA Peer\u{a0}Review of Adult Social Care", minutes: "<p>The peer&nbsp;team found that the front door was responsive.</p>".into(), docs: vec![] },
        Item { id: "701", title: "Adult Social Care Assurance Update", minutes: String::new(), docs: vec![("Appendix A - ADASS Peer Challenge Letter", format!("{base}/documents/s100/letter.pdf"))] },
        Item { id: "702", title: "Minutes of the previous meeting", minutes: "<p>Agreed.</p>".into(), docs: vec![("Minutes", format!("{base}/documents/s101/minutes.pdf"))] },
    ];
    server.route("/mgWebService.asmx/GetMeeting?lMeetingId=70", vec![Reply::ok("text/xml", meeting_xml("70", "09/07/2024", &items))]);
    server.route("/documents/s100/letter.pdf", vec![Reply::ok("application/pdf", corpus_pdf())]);
    server.route("/documents/s101/minutes.pdf", vec![Reply::ok("application/pdf", corpus_pdf())]);
    let data = tempfile::tempdir().unwrap();
    let sources = format!("[fetch]\nper_host_delay_ms = 10\n\n[[moderngov]]\ncouncil = \"Wakefield\"\nbase = \"{base}\"\nsince = \"2024-01-01\"\n");
    let (code, out, err) = fetch(&data.path().join("d"), &sources);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 fetched, 0 unchanged, 1 skipped as irrelevant"), "{out}");
    assert_eq!(server.count("/documents/s100/letter.pdf"), 1);
    assert_eq!(server.count("/documents/s101/minutes.pdf"), 0);
}

/// Regression: an attachment's address answering a "Document not available" page (HTTP 200)
/// was kept as the document, shown as a web page in the council's profile, and the PDF
/// that later appeared at the address was never asked for.
#[test]
fn a_web_page_where_a_pdf_was_asked_for_is_not_kept() {
    let server = TestServer::start();
    let base = server.base();
    server.route("/robots.txt", vec![Reply::status(404)]);
    server.route("/report.pdf", vec![Reply::ok("text/html", "<!DOCTYPE html><html><body><h1>Document not available</h1></body></html>"), Reply::ok("application/pdf", corpus_pdf())]);
    let data = tempfile::tempdir().unwrap();
    let sources = format!("[fetch]\nper_host_delay_ms = 10\nmax_retries = 0\n\n[[page]]\nurl = \"{base}/report.pdf\"\n");
    let (code, out, err) = fetch(&data.path().join("d"), &sources);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("asked for a PDF file and got a web page"), "{out}");
    assert!(out.contains("data: 0 documents"), "{out}");
    let (code, out, err) = fetch(&data.path().join("d"), &sources);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 fetched") && out.contains("data: 1 documents"), "{out}");
}

/// Not a check: prints a first and a second run against the test site with the requests
/// each made, for the record. `cargo test --release --test fetch demo -- --ignored --nocapture`
#[test]
#[ignore]
fn demo_runs_against_the_test_site() {
    let server = TestServer::start();
    moderngov_site(&server);
    let data = tempfile::tempdir().unwrap();
    let data = data.path().join("data");
    for run in ["first", "second"] {
        let before = server.seen().len();
        let (code, out, _) = fetch(&data, &moderngov_sources(&server, 500));
        let seen = server.seen();
        println!("== {run} run: exit {code}, {} requests", seen.len() - before);
        for s in &seen[before..] {
            println!("   {:>6} ms  {}", s.start.duration_since(seen[0].start).as_millis(), s.target);
        }
        print!("{out}");
    }
}

/// Not a check: a run killed half way and the run after it, with the requests each made.
/// `cargo test --release --test fetch demo_kill -- --ignored --nocapture`
#[test]
#[ignore]
fn demo_kill_half_way() {
    let server = slow_appendices_site();
    let base = server.base();
    let data = tempfile::tempdir().unwrap();
    let data = data.path().join("data");
    let file = data.with_extension("sources.toml");
    let sources = format!("[fetch]\nper_host_delay_ms = 100\n\n[[moderngov]]\nbase = \"{base}\"\nsince = \"2024-01-01\"\n");
    std::fs::write(&file, &sources).unwrap();
    let mut child = peerscope(&data).arg("fetch").arg("--sources").arg(&file).stdout(std::process::Stdio::null()).spawn().unwrap();
    while server.count("/documents/") < 4 {
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let killed = server.seen();
    println!("== killed (SIGKILL) after {} requests:", killed.len());
    for s in &killed {
        println!("   {}", s.target);
    }
    let (code, out, _) = fetch(&data, &sources);
    println!("== next run: exit {code}, {} requests:", server.seen().len() - killed.len());
    for s in &server.seen()[killed.len()..] {
        println!("   {}", s.target);
    }
    print!("{out}");
}

/// Regression (issue 11, item 2): reqwest followed redirects by itself, so a hop skipped the
/// per-host gap (6 of 8 gaps under 700 ms in two 3-hop chains) and a 302 to another host's
/// `/private/secret` was fetched and indexed without asking that host's robots.txt. Now
/// every hop is a polite request; and a redirect to `file:` is named as such, not "HTTP 302".
#[test]
fn every_redirect_hop_is_polite_and_obeys_robots_txt() {
    let server = TestServer::start();
    let (b, o) = (server.base(), server.other_host_base());
    let page = |title: &str| format!("<html><head><title>{title}</title></head><body><main><h1>{title}</h1><h2>Strengths</h2><ul><li>Staff are proud to work for the council and morale is high.</li></ul></main></body></html>");
    server.route("/robots.txt", vec![Reply::ok("text/plain", "User-agent: *\nDisallow: /private/\n")]);
    for chain in ["a", "b"] {
        server.route(&format!("/{chain}1"), vec![Reply::status(302).header("Location", &format!("/{chain}2"))]);
        server.route(&format!("/{chain}2"), vec![Reply::status(301).header("Location", &format!("{b}/{chain}3"))]);
        server.route(&format!("/{chain}3"), vec![Reply::ok("text/html", page(&format!("Peer challenge {chain}")))]);
    }
    server.route("/to-private", vec![Reply::status(302).header("Location", &format!("{o}/private/secret"))]);
    server.route("/private/", vec![Reply::ok("text/html", page("Secret"))]);
    server.route("/to-file", vec![Reply::status(302).header("Location", "file:///etc/passwd")]);
    let gap_ms = 300;
    let sources = format!(
        "[fetch]\nper_host_delay_ms = {gap_ms}\nmax_retries = 0\nmax_redirects = 5\n\n\
         [[page]]\nurl = \"{b}/a1\"\n[[page]]\nurl = \"{b}/b1\"\n[[page]]\nurl = \"{b}/to-private\"\n[[page]]\nurl = \"{b}/to-file\"\n"
    );
    let data = tempfile::tempdir().unwrap();
    let (code, out, err) = fetch(&data.path().join("data"), &sources);
    assert_eq!(code, 1, "the redirects refused are failures: {out}\n{err}");
    assert!(out.contains(&format!("page {b}/a1: 1 fetched")) && out.contains(&format!("page {b}/b1: 1 fetched")), "{out}");
    // The other host's robots.txt was asked, and its rule kept the secret unasked.
    assert_eq!(server.count("/private/"), 0, "{:?}", server.seen());
    assert!(server.seen().iter().any(|s| s.host.starts_with("localhost") && s.target == "/robots.txt"));
    let line = out.lines().find(|l| l.contains("failed:") && l.contains("/to-private")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("robots.txt"), "{line}");
    let line = out.lines().find(|l| l.contains("failed:") && l.contains("/to-file")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("not an http or https address"), "{line}");
    // Every request to one host waited the configured gap after the one before it ended.
    let mut seen: Vec<_> = server.seen().into_iter().filter(|s| s.host.starts_with("127.0.0.1")).collect();
    seen.sort_by_key(|s| s.start);
    let gaps: Vec<u128> = seen.windows(2).map(|w| w[1].start.saturating_duration_since(w[0].end).as_millis()).collect();
    assert!(gaps.len() >= 8, "{gaps:?}");
    // A little slack for the clocks of two processes' scheduling, none for skipping the gap.
    assert!(gaps.iter().all(|g| *g + 20 >= gap_ms), "gaps under {gap_ms} ms: {gaps:?}");
}

/// Regression: a page on a host that refuses connections, and a `file:` address, were both
/// reported as "disallowed by robots.txt", which sent people to read a file that was never
/// the reason. The report names the real one.
#[test]
fn a_page_not_fetched_says_why_not_robots_txt_when_it_was_not() {
    let data = tempfile::tempdir().unwrap();
    let sources = "[fetch]\nper_host_delay_ms = 0\nmax_retries = 0\n\n[[page]]\nurl = \"http://127.0.0.1:1/report\"\n[[page]]\nurl = \"file:///etc/passwd\"\n";
    let (_, stdout, stderr) = fetch(&data.path().join("d"), sources);
    let said = format!("{stdout}{stderr}");
    assert!(!said.contains("disallowed by robots.txt"), "{said}");
    assert!(said.contains("http://127.0.0.1:1/report: not fetched, as robots.txt could not be read"), "{said}");
    assert!(said.contains("file:///etc/passwd: not an http or https address"), "{said}");
}

/// Regression: one server error or reset from robots.txt disallowed its whole host for the
/// run, so a site that blinked once went unread until the next night. robots.txt is now
/// retried as any request is; only a host that keeps failing is left alone, and says why.
#[test]
fn a_robots_txt_that_fails_once_is_asked_again() {
    let server = TestServer::start();
    server.route("/robots.txt", vec![Reply::status(500), Reply::status(404)]);
    server.route("/report", vec![Reply::ok("text/plain", seed_minutes())]);
    let data = tempfile::tempdir().unwrap();
    let sources = format!("[fetch]\nper_host_delay_ms = 10\nmax_retries = 2\nbackoff_ms = 10\n\n[[page]]\nurl = \"{}/report\"\n", server.base());
    let (code, out, err) = fetch(&data.path().join("d"), &sources);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(server.count("/robots.txt"), 2, "{:?}", server.seen());
    assert_eq!(server.count("/report"), 1);

    // Failing every time: after the retries, the host is left alone and the report says so.
    let server = TestServer::start();
    server.route("/robots.txt", vec![Reply::status(500)]);
    let sources = format!("[fetch]\nper_host_delay_ms = 10\nmax_retries = 2\nbackoff_ms = 10\n\n[[page]]\nurl = \"{}/report\"\n", server.base());
    let (code, out, err) = fetch(&data.path().join("e"), &sources);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(server.count("/robots.txt"), 3, "{:?}", server.seen());
    assert!(format!("{out}{err}").contains("robots.txt could not be read (HTTP 500"), "{out}{err}");
    assert_eq!(server.count("/report"), 0);
}
