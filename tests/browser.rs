//! The web page in a real browser: Debian's headless Chromium, driven over WebDriver
//! (chromedriver) by fantoccini, against `peerscope serve` on a loopback port over the
//! corpus and a stranger's document holding `<script>`, `<img onerror>` and `javascript:`.
//! A person's path through it: type a question, click a facet, open a finding in its
//! document, open a council, read a chart's table, download the CSV, read the feed, and
//! reach the content by keyboard. axe-core (vendored, `tests/browser/axe.min.js`) checks
//! every page against WCAG 2.2 AA and must find nothing. Screenshots of every page are
//! written to `target/screenshots/` for review.
//!
//! Needs `chromium` and `chromium-driver` (Debian packages; `scripts/test.sh` installs them
//! when absent). Without them this test fails, saying so: a browser test that skips itself
//! quietly would pass on a machine where nothing was checked.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use support::{peerscope, root};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const AXE: &str = include_str!("browser/axe.min.js");

/// A child process stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(data: &Path) -> (Running, String) {
    let mut child = peerscope(data).args(["serve", "--bind", "127.0.0.1:0"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.trim().trim_start_matches("serving ").trim_end_matches('/').to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{line:?}");
    (Running(child), base)
}

fn chromedriver() -> (Running, String) {
    assert!(Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists(), "the browser test needs Debian's chromium and chromium-driver: run scripts/test.sh, or apt-get install chromium chromium-driver");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(CHROMEDRIVER).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    (Running(child), url)
}

async fn browser(driver: &str, profile: &Path, downloads: &Path) -> Client {
    // Background networking off: this machine's network is closed, and the page must not
    // need it anyway.
    let caps = json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                     format!("--user-data-dir={}", profile.display())],
            "prefs": { "download.default_directory": downloads.display().to_string(), "download.prompt_for_download": false }
        }
    });
    let Value::Object(caps) = caps else { unreachable!() };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector).capabilities(caps).connect(driver).await.expect("a WebDriver session with headless Chromium")
}

fn screenshots() -> PathBuf {
    let dir = root().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Save what the page looks like, and run axe on it: every WCAG 2.x A/AA rule must pass.
async fn check_page(c: &Client, name: &str, checks: &mut usize) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
    // No script of the page may run (CSP), but WebDriver's may: axe is injected that way.
    c.execute(AXE, vec![]).await.unwrap();
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
                .then(r => done({ violations: r.violations.map(v => v.id + ': ' + v.help + ' — ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(' | ')), passes: r.passes.length }))
                .catch(e => done({ violations: ['axe failed: ' + e], passes: 0 }));",
            vec![],
        )
        .await
        .unwrap();
    let violations: Vec<String> = result["violations"].as_array().unwrap().iter().map(|v| v.as_str().unwrap_or("").to_string()).collect();
    assert!(violations.is_empty(), "axe on {name}: {violations:#?}");
    assert!(result["passes"].as_u64().unwrap_or(0) > 5, "axe on {name} checked almost nothing: {result}");
    *checks += 1;
}

/// The page's address once a click's navigation has reached an address holding `part`
/// (a click returns before the next page may have loaded).
async fn navigated(c: &Client, part: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let url = c.current_url().await.unwrap();
        if url.as_str().contains(part) {
            // The new page's body is there once the document is complete.
            let _ = c.wait().for_element(Locator::Css("body")).await;
            return url.to_string();
        }
        assert!(Instant::now() < deadline, "the click never led to an address holding {part:?}; still at {url}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
}

fn data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = peerscope(dir.path()).args(["ingest", "corpus"]).arg(root().join("tests/hostile/script_findings.txt")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_uses_every_page_in_a_real_browser_and_nothing_a_stranger_wrote_runs() {
    let d = data();
    let (_server, base) = serve(d.path());
    let (_driver, driver_url) = chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let c = browser(&driver_url, profile.path(), downloads.path()).await;
    let mut checks = 0;

    // The home page; the first Tab reaches the skip link (keyboard users skip the header).
    c.goto(&format!("{base}/")).await.unwrap();
    check_page(&c, "01-home", &mut checks).await;
    c.find(Locator::Css("body")).await.unwrap().send_keys("\u{E004}").await.unwrap();
    let focused = c.execute("return document.activeElement.textContent", vec![]).await.unwrap();
    assert_eq!(focused.as_str(), Some("Skip to main content"), "the first Tab stop");

    // Type a question and search.
    let q = c.find(Locator::Id("q")).await.unwrap();
    q.send_keys("councils flagged for review performance").await.unwrap();
    c.find(Locator::Css("form[role=search] button[type=submit]")).await.unwrap().click().await.unwrap();
    navigated(&c, "q=councils+flagged+for+review+performance").await;
    let heading = text_of(&c, "h2#councils").await;
    assert!(heading.starts_with("Councils 1 to"), "{heading}");
    assert!(!c.find_all(Locator::Css("section.council mark")).await.unwrap().is_empty(), "matched words are marked");
    check_page(&c, "02-search", &mut checks).await;

    // Nothing the stranger's document holds ran or was injected: no alert, no image, no
    // javascript: link, the script text shown as text.
    c.goto(&format!("{base}/?q=reviews+overdue&council=Walsall")).await.unwrap();
    assert!(c.get_alert_text().await.is_err(), "an alert is open: a stranger's script ran");
    let injected = c.execute("return [document.querySelectorAll('main img').length, document.querySelectorAll('a[href^=\"javascript\"]').length, document.querySelectorAll('main script').length, document.body.innerText.includes(\"<script>alert('finding')</script>\")]", vec![]).await.unwrap();
    assert_eq!(injected, json!([0, 0, 0, true]), "injected elements, or the script not shown as text");
    check_page(&c, "03-hostile-search", &mut checks).await;

    // Click a facet: the answer narrows to that region, and says so.
    c.goto(&format!("{base}/?q=councils+flagged+for+review+performance")).await.unwrap();
    let region = c.find(Locator::Css("nav[aria-label=Region] a")).await.unwrap();
    let region_name = region.text().await.unwrap();
    region.click().await.unwrap();
    navigated(&c, "region=").await;
    let filters = text_of(&c, "main").await;
    assert!(filters.contains(&format!("Region: {region_name}")), "the facet's filter is shown in force");
    for h in c.find_all(Locator::Css("section.council h3")).await.unwrap() {
        let t = h.text().await.unwrap();
        assert!(t.contains(&format!("({region_name})")), "{t} is not in {region_name}");
    }
    check_page(&c, "04-facet", &mut checks).await;

    // Open a finding in its document: the page scrolls to it, marked with its kind.
    let first = c.find(Locator::Css("section.council li a[href^='/document/']")).await.unwrap();
    let href = first.attr("href").await.unwrap().unwrap();
    first.click().await.unwrap();
    navigated(&c, "/document/").await;
    let anchor = href.split_once('#').map(|x| x.1.to_string()).unwrap();
    let target = c.execute("const t = document.querySelector(':target'); return t ? [t.id, t.tagName, t.querySelector('.ps-kind').textContent] : null", vec![]).await.unwrap();
    assert_eq!(target[0].as_str(), Some(anchor.as_str()), "the finding is the page's target: {target}");
    assert_eq!(target[1].as_str(), Some("MARK"));
    assert!(["strength", "area for development", "recommendation", "best practice"].iter().any(|k| target[2].as_str().unwrap_or("").eq_ignore_ascii_case(k)), "a text label names the kind: {target}");
    let top = c.execute("return document.querySelector(':target').getBoundingClientRect().top", vec![]).await.unwrap();
    assert!(top.as_f64().unwrap_or(-1.0) >= 0.0 && top.as_f64().unwrap_or(9999.0) < 1000.0, "the finding is in view: {top}");
    check_page(&c, "05-document", &mut checks).await;

    // The council page from a search's council link.
    c.goto(&format!("{base}/?q=councils+flagged+for+review+performance")).await.unwrap();
    let council = c.find(Locator::Css("section.council h3 a")).await.unwrap();
    let name = council.text().await.unwrap();
    council.click().await.unwrap();
    navigated(&c, "/council/").await;
    assert_eq!(text_of(&c, "h1").await, name);
    assert!(text_of(&c, "main").await.contains("Findings by theme"), "the council page lists findings by theme");
    check_page(&c, "06-council", &mut checks).await;

    // The themes page: the chart's table holds the numbers the bars link to.
    c.goto(&format!("{base}/themes")).await.unwrap();
    assert!(!c.find_all(Locator::Css("svg.ps-chart a")).await.unwrap().is_empty(), "bars link to their findings");
    let row = c.execute("const cells = [...[...document.querySelectorAll('table.govuk-table tbody tr')].find(tr => tr.querySelector('td')).querySelectorAll('td')].map(td => parseInt(td.textContent, 10)); return cells", vec![]).await.unwrap();
    let cells: Vec<i64> = row.as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    // Councils, four kinds, all: the kinds add up to the whole.
    assert_eq!(cells.len(), 6, "{cells:?}");
    assert_eq!(cells[1..5].iter().sum::<i64>(), cells[5], "the kinds of a theme add up to its findings: {cells:?}");
    check_page(&c, "07-themes", &mut checks).await;
    // Filtered like search: a region chosen in the form leaves only its row in the heat map.
    c.find(Locator::Id("region")).await.unwrap().select_by_value("West Midlands").await.unwrap();
    c.find(Locator::Css("form[action='/themes'] button")).await.unwrap().click().await.unwrap();
    navigated(&c, "region=West+Midlands").await;
    let regions = c.execute("return [...document.querySelectorAll('table.govuk-table')[1].querySelectorAll('tbody th')].map(th => th.textContent)", vec![]).await.unwrap();
    assert_eq!(regions, json!(["West Midlands"]), "the heat map's table");
    let bar = c.find(Locator::Css("svg.ps-chart a")).await.unwrap();
    let bar_href = bar.attr("href").await.unwrap().unwrap();
    assert!(bar_href.contains("theme=") && bar_href.contains("kind="), "{bar_href}");
    c.goto(&format!("{base}{bar_href}")).await.unwrap();
    assert!(text_of(&c, "h2#councils").await.starts_with("Councils 1 to"), "a bar's findings");
    check_page(&c, "08-bar-findings", &mut checks).await;

    // Download the CSV of a search: the file arrives with export's columns and a row per
    // finding, the stranger's formula-like cells made text.
    c.goto(&format!("{base}/?q=councils+flagged+for+review+performance")).await.unwrap();
    c.find(Locator::LinkText("CSV")).await.unwrap().click().await.unwrap();
    let csv = wait_for_file(downloads.path(), "peerscope-findings.csv").await;
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), peerscope_query::export::CSV_HEADER);
    let rows = reader.records().count();
    assert!(rows > 5, "{rows} rows");

    // Read the feed: newest review first.
    c.goto(&format!("{base}/feed?q=councils+flagged+for+review+performance")).await.unwrap();
    // Chromium shows a feed as its source text.
    let feed = c.execute("return document.body.innerText", vec![]).await.unwrap();
    let feed = feed.as_str().unwrap_or("");
    assert!(feed.contains("<feed") && feed.matches("<entry").count() > 5, "{}", &feed[..feed.len().min(500)]);
    let years: Vec<i32> = feed.match_indices("<updated>").skip(1).filter_map(|(i, _)| feed[i + 9..i + 13].parse().ok()).collect();
    assert!(years.windows(2).all(|w| w[0] >= w[1]), "entries newest first: {years:?}");
    std::fs::write(screenshots().join("09-feed.png"), c.screenshot().await.unwrap()).unwrap();

    // Praise, for the README's picture (none of the stranger's findings is praise).
    c.goto(&format!("{base}/?q=praised+for+carers")).await.unwrap();
    assert!(text_of(&c, "h2#councils").await.starts_with("Councils 1 to"));
    check_page(&c, "10-praised", &mut checks).await;

    c.close().await.unwrap();
    eprintln!("browser test: {checks} pages checked by axe (WCAG 2.2 AA), no violation; screenshots in {}", screenshots().display());
}

/// The contents of a downloaded file once the browser has finished writing it.
async fn wait_for_file(dir: &Path, name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let path = dir.join(name);
        if path.exists() && !dir.join(format!("{name}.crdownload")).exists() {
            if let Ok(s) = std::fs::read_to_string(&path) {
                if !s.is_empty() {
                    return s;
                }
            }
        }
        let present: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name()).collect();
        assert!(Instant::now() < deadline, "{name} was not downloaded; the download directory holds {present:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
