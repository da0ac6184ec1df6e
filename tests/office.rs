//! Word and PowerPoint files through the real binary: a letter and a feedback deck are read
//! with their headings and lists, by `extract`, `ingest` and a `fetch` of a ModernGov
//! attachment; a zip bomb, a file cut short and a spreadsheet are clear errors naming the
//! file, and the run goes on. The fixtures are written by `tests/office/make_office.py`.

mod support;

use std::path::PathBuf;

use support::server::{Reply, TestServer};
use support::{peerscope, root};

fn fixture(name: &str) -> PathBuf {
    root().join("tests/office").join(name)
}

fn extract_json(name: &str) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_peerscope")).arg("extract").arg("--json").arg(fixture(name)).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn kinds_and_texts(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["findings"].as_array().unwrap().iter().map(|f| (f["kind"].as_str().unwrap().to_string(), f["text"].as_str().unwrap().to_string())).collect()
}

/// Regression: `.docx` attachments were "binary content that is neither PDF, HTML nor
/// text", every night.
#[test]
fn a_word_letter_is_read_by_its_headings_and_lists() {
    let doc = extract_json("letter.docx");
    assert_eq!(doc["format"], "docx", "{doc}");
    assert_eq!(doc["council"]["name"], "Wakefield", "{doc}");
    assert_eq!(doc["review_year"], 2024, "{doc}");
    let found = kinds_and_texts(&doc);
    let want = [
        ("strength", "Staff were proud to work for the council and spoke highly of their managers."),
        ("strength", "The front door is responsive and people get advice quickly."),
        ("area_for_development", "Too many people are waiting for an assessment of their needs."),
        ("recommendation", "Reduce the waiting list for occupational therapy assessments."),
    ];
    assert_eq!(found, want.map(|(k, t)| (k.to_string(), t.to_string())), "{doc}");
}

#[test]
fn a_powerpoint_deck_is_read_slide_by_slide() {
    let doc = extract_json("deck.pptx");
    assert_eq!(doc["format"], "pptx", "{doc}");
    let found = kinds_and_texts(&doc);
    assert!(found.contains(&("strength".into(), "Carers spoke warmly of the support they receive from the carers centre.".into())), "{found:?}");
    assert!(found.contains(&("area_for_development".into(), "Direct payments are taken up by too few people and the offer is not well understood.".into())), "{found:?}");
    // The slide titles are headings, not findings.
    assert!(!found.iter().any(|(_, t)| t.starts_with("Strengths") || t.starts_with("Areas for")), "{found:?}");
}

#[test]
fn a_bomb_a_cut_file_and_a_spreadsheet_are_named_errors_and_the_run_goes_on() {
    let input = tempfile::tempdir().unwrap();
    for name in ["letter.docx", "deck.pptx", "bomb.docx", "cut.docx", "budget.xlsx"] {
        std::fs::copy(fixture(name), input.path().join(name)).unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    let data = data.path().join("d");
    let out = peerscope(&data).arg("ingest").arg(input.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let said = format!("{stdout}{stderr}");
    for (name, why) in [("bomb.docx", "expands to more than"), ("cut.docx", "cut short")] {
        assert!(said.lines().any(|l| l.contains(name) && l.contains(why)), "{name}: {said}");
    }
    // A directory's spreadsheet is not a document by its name; asked for by name, it is refused.
    assert!(said.contains("2 new, 0 updated, 0 unchanged, 2 failed"), "{said}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_peerscope")).arg("extract").arg(input.path().join("budget.xlsx")).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("budget.xlsx") && stderr.contains("a spreadsheet"), "{stderr}");
    // The two that could be read answer questions.
    let q = peerscope(&data).args(["query", "waiting for an assessment", "--json"]).output().unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&q.stdout).unwrap();
    assert!(answer.to_string().contains("letter.docx"), "{answer}");
    let q = peerscope(&data).args(["query", "direct payments", "--json"]).output().unwrap();
    assert!(String::from_utf8_lossy(&q.stdout).contains("deck.pptx"));
}

/// A ModernGov item's Word attachment is fetched, read and answers questions.
#[test]
fn a_fetched_word_attachment_is_read() {
    let server = TestServer::start();
    let base = server.base();
    server.route("/robots.txt", vec![Reply::status(404)]);
    let letter = std::fs::read(fixture("letter.docx")).unwrap();
    server.route("/documents/s100/letter.docx", vec![Reply::ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document", letter)]);
    let data = tempfile::tempdir().unwrap();
    let data = data.path().join("d");
    let sources = data.with_extension("sources.toml");
    std::fs::write(&sources, format!("[fetch]\nper_host_delay_ms = 10\n\n[[page]]\nurl = \"{base}/documents/s100/letter.docx\"\n")).unwrap();
    let out = peerscope(&data).arg("fetch").arg("--sources").arg(&sources).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let export = peerscope(&data).args(["export", "--format", "jsonl", "--all-services"]).output().unwrap();
    let rows: Vec<serde_json::Value> = String::from_utf8(export.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows.iter().all(|r| r["url"].as_str().is_some_and(|u| u.ends_with("letter.docx"))), "{rows:?}");
}
