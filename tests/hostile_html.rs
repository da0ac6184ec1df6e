//! Pages shaped to make an HTML parser work for minutes or gigabytes, through the real
//! binary: each is read (its text kept), not refused and not hung on. Before pages were
//! parsed within bounds (`peerscope-html`) these took 15–34 s each and one 4.3 GB.

use std::process::Command;

const SENTENCE: &str = "The performance on reviews remains concerning.";

fn extract_text(page: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.html");
    std::fs::write(&file, page).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_peerscope")).arg("extract").arg("--text").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status.code());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn page(body: &str) -> String {
    format!("<!DOCTYPE html><html><head><title>Peer challenge</title></head><body><main><h2>Areas for development</h2><p>{SENTENCE}</p>{body}</main></body></html>")
}

#[test]
fn stray_end_tags_that_nest_a_hundred_thousand_deep() {
    let text = extract_text(&page(&"<div></span>".repeat(100_000)));
    assert!(text.contains(SENTENCE), "{}", &text[..text.len().min(500)]);
}

#[test]
fn a_hundred_thousand_self_closed_divs() {
    let text = extract_text(&page(&"<div/>".repeat(100_000)));
    assert!(text.contains(SENTENCE), "{}", &text[..text.len().min(500)]);
}

#[test]
fn open_formatting_elements_then_misnested_blocks() {
    let bold: String = (0..998).map(|i| format!("<b class=c{i}>")).collect();
    let text = extract_text(&page(&format!("{bold}{}", "</div><div>x".repeat(20_000))));
    assert!(text.contains(SENTENCE), "{}", &text[..text.len().min(500)]);
    assert!(text.matches('x').count() >= 20_000);
}

/// Regression (issue 11, item 8): a 50 MB line was one finding, and a query printed 52 MB
/// (110 MB as JSON). Findings are capped, their spans exact, and an answer stays small.
#[test]
fn a_huge_line_makes_neither_a_huge_finding_nor_a_huge_answer() {
    let data = tempfile::tempdir().unwrap();
    let docs = tempfile::tempdir().unwrap();
    // One run-on item with no sentence end: nothing splits it.
    let line = "performance on reviews remains concerning and waiting lists are long and ".repeat(15_000);
    let file = docs.path().join("walsall_long.txt");
    std::fs::write(&file, format!("Walsall Council adult social care peer challenge 2019\n\nAreas for development\n\n- {line}\n")).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_peerscope")).env("CI", "1").arg("--data").arg(data.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    run(&["ingest", file.to_str().unwrap()]);
    let answer = run(&["query", "--json", "councils flagged for review performance"]);
    assert!(answer.len() < 100_000, "an answer of {} bytes", answer.len());
    let exported = run(&["export", "--format", "jsonl"]);
    let text = String::from_utf8(run(&["extract", "--text", file.to_str().unwrap()])).unwrap();
    let rows: Vec<serde_json::Value> = exported.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
    assert!(!rows.is_empty());
    for row in rows {
        let (start, end) = (row["start"].as_u64().unwrap() as usize, row["end"].as_u64().unwrap() as usize);
        assert!(end - start <= 3000, "a finding of {} bytes", end - start);
        assert_eq!(&text[start..end], row["text"].as_str().unwrap());
    }
}
