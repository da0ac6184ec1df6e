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
