//! The learned reader through the real binary: its confidence in the JSON contract, the
//! query index and exports, `--min-confidence`, a file's published URL from the
//! `sources.toml` beside it, training that reproduces itself, and the cross-validated
//! figure on the real documents held at its measured level.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{peerscope, root};

fn run_json(data: &Path, args: &[&str]) -> Value {
    let out = peerscope(data).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn jsonl(data: &Path, args: &[&str]) -> Vec<Value> {
    let out = peerscope(data).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn every_finding_carries_a_confidence_and_min_confidence_keeps_the_surer_ones() {
    let d = tempfile::tempdir().unwrap();
    let doc = run_json(d.path(), &["extract", "--json", "corpus/walsall_scrutiny-report_2015.txt"]);
    let findings = doc["findings"].as_array().unwrap();
    assert!(findings.len() > 50);
    let confidences: Vec<f64> = findings.iter().map(|f| f["confidence"].as_f64().unwrap()).collect();
    assert!(confidences.iter().all(|c| (0.0..=1.0).contains(c)), "{confidences:?}");
    assert!(confidences.iter().any(|c| *c < 0.9), "a learned reader is not certain of everything");

    let ingest = peerscope(d.path()).args(["ingest", "corpus"]).output().unwrap();
    assert!(ingest.status.success(), "{}", String::from_utf8_lossy(&ingest.stderr));
    let all = jsonl(d.path(), &["export", "--format", "jsonl"]);
    let sure = jsonl(d.path(), &["export", "--format", "jsonl", "--min-confidence", "0.9"]);
    assert!(!sure.is_empty() && sure.len() < all.len(), "{} of {}", sure.len(), all.len());
    assert!(sure.iter().all(|r| r["confidence"].as_f64().unwrap() >= 0.9));

    // The query index filters on it too, and shows it with each finding.
    let q = ["query", "--json", "councils flagged for review performance"];
    let answer = run_json(d.path(), &q);
    let shown = |a: &Value| -> Vec<f64> {
        a["councils"].as_array().unwrap().iter().flat_map(|c| c["findings"].as_array().unwrap().iter().map(|f| f["confidence"].as_f64().unwrap())).collect()
    };
    assert!(!shown(&answer).is_empty());
    let strict = run_json(d.path(), &[&q[..], &["--min-confidence", "0.95"]].concat());
    assert!(shown(&strict).iter().all(|c| *c >= 0.95), "{:?}", shown(&strict));
    let out = peerscope(d.path()).args(["export", "--format", "csv", "--min-confidence", "1.5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an impossible confidence is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("between 0 and 1"));
}

/// The encoder reader's findings carry a confidence too, and a data directory holds one
/// reader's findings: switching readers extracts a stored document again instead of calling
/// it unchanged.
#[test]
fn switching_to_the_encoder_reader_extracts_again() {
    let d = tempfile::tempdir().unwrap();
    let doc = "corpus/leicester_scrutiny-report_2016.txt";
    let encoded = run_json(d.path(), &["extract", "--json", "--reader", "encoder", doc]);
    let findings = encoded["findings"].as_array().unwrap();
    assert!(findings.len() > 5, "{encoded:#}");
    assert!(findings.iter().all(|f| (0.0..=1.0).contains(&f["confidence"].as_f64().unwrap())));

    let ingest = |args: &[&str]| {
        let out = peerscope(d.path()).arg("ingest").args(args).arg(doc).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(ingest(&[]).contains("1 new"));
    assert!(ingest(&[]).contains("1 unchanged"));
    assert!(ingest(&["--reader", "encoder"]).contains("1 updated"), "another reader's findings are not kept as current");
    // Every finding a row, those of the same words too (a plain export folds them).
    let exported = jsonl(d.path(), &["export", "--format", "jsonl", "--all-copies"]);
    assert_eq!(exported.len(), findings.len(), "the store holds the encoder's findings");
    assert!(ingest(&["--reader", "encoder"]).contains("1 unchanged"));
    assert!(ingest(&[]).contains("1 updated"));
}

#[test]
fn a_sources_file_beside_documents_gives_their_url_and_its_host_names_the_council() {
    let d = tempfile::tempdir().unwrap();
    let docs = d.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    // A ModernGov page that never writes "Telford and Wrekin Council" in full.
    std::fs::copy(root().join("tests/real/docs/02_telford-and-wrekin_cabinet-minutes.txt"), docs.join("minutes.txt")).unwrap();
    std::fs::write(docs.join("sources.toml"), "[[document]]\nfile = \"minutes.txt\"\nurl = \"https://democracy.telford.gov.uk/ieIssueDetails.aspx?IId=6986\"\n").unwrap();
    let doc = run_json(d.path(), &["extract", "--json", docs.join("minutes.txt").to_str().unwrap()]);
    // `extract` reads the sources file as `ingest` does, so it shows what is stored (it
    // once ignored it, and its council and url differed from the export's).
    assert_eq!(doc["url"], "https://democracy.telford.gov.uk/ieIssueDetails.aspx?IId=6986");
    assert_eq!(doc["council"]["name"], "Telford and Wrekin", "{doc:#}");
    let ingest = peerscope(d.path()).arg("ingest").arg(&docs).output().unwrap();
    assert!(ingest.status.success(), "{}", String::from_utf8_lossy(&ingest.stderr));
    let rows = jsonl(d.path(), &["export", "--format", "jsonl", "--all-services"]);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["council"] == "Telford and Wrekin"), "{rows:?}");
    // A broken sources file is reported and the documents are read without it.
    std::fs::write(docs.join("sources.toml"), "[[document]\n").unwrap();
    std::fs::write(docs.join("minutes.txt"), std::fs::read_to_string(docs.join("minutes.txt")).unwrap() + "\nA late addition.\n").unwrap();
    let again = peerscope(d.path()).arg("ingest").arg(&docs).output().unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("sources.toml"), "{}", String::from_utf8_lossy(&again.stderr));
}

/// Regression: a `sources.toml` URL of `javascript:alert(1)` was stored as the document's
/// address and exported; only http(s) addresses are taken, and the others are named.
#[test]
fn a_sources_file_address_that_is_no_web_address_is_left_out_and_said() {
    let d = tempfile::tempdir().unwrap();
    let docs = d.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::copy(root().join("corpus/walsall_scrutiny-report_2015.txt"), docs.join("report.txt")).unwrap();
    std::fs::write(docs.join("sources.toml"), "[[document]]\nfile = \"report.txt\"\nurl = \"javascript:alert(1)\"\n").unwrap();
    let ingest = peerscope(d.path()).arg("ingest").arg(&docs).output().unwrap();
    assert!(ingest.status.success(), "{}", String::from_utf8_lossy(&ingest.stderr));
    let said = String::from_utf8_lossy(&ingest.stderr);
    assert!(said.contains("report.txt") && said.contains("not an http or https address"), "{said}");
    let rows = jsonl(d.path(), &["export", "--format", "jsonl"]);
    assert!(!rows.is_empty() && rows.iter().all(|r| r["url"] == ""), "{rows:?}");
}

/// The committed head is what `scripts/train_reader.sh` makes from the committed
/// annotations: a change to the features or to what the rules read (a document's kind sets
/// its units' minutes flag) that is not followed by retraining fails here, not weeks later.
#[test]
fn the_shipped_head_is_what_the_training_script_makes() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("reader.json");
    let o = peerscope(d.path())
        .args(["train", "--out"])
        .arg(&out)
        .args(["tests/gold", "corpus", "tests/real/gold", "tests/real/docs", "tests/genre/gold", "tests/genre/docs"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shipped = std::fs::read(root().join("crates/extract/model/reader.json")).unwrap();
    assert!(std::fs::read(&out).unwrap() == shipped, "crates/extract/model/reader.json is not what the training script makes: run bash scripts/train_reader.sh");
}

#[test]
fn training_is_deterministic() {
    let d = tempfile::tempdir().unwrap();
    let train = |out: &Path| {
        let o = peerscope(d.path()).args(["train", "--out"]).arg(out).args(["tests/gold", "corpus"]).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read(out).unwrap()
    };
    let (a, b) = (train(&d.path().join("a.json")), train(&d.path().join("b.json")));
    assert!(a == b, "two trainings on the same annotations differ");
    let head: Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(head["trained_on"]["documents"], 5);
}

/// The honest figure: each real document read by a head that never saw its council. Held
/// at its measured level (coarse 0.706, strict 0.643 when written; 0.760, 0.701 with prose and
/// numbered paragraphs read a sentence at a time, the turn features, and training that
/// settles) with room for the data's own variance (a noise feature moves it by ~0.01).
#[test]
fn the_cross_validated_reader_holds_on_real_documents_and_beats_the_cue_rules() {
    let d = tempfile::tempdir().unwrap();
    let units = d.path().join("units.jsonl");
    let out = peerscope(d.path())
        .args(["eval", "--cross-validate", "tests/real/gold", "tests/real/docs", "--brief"])
        .args(["--train-also", "tests/gold", "corpus", "--train-also", "tests/genre/gold", "tests/genre/docs"])
        // A variant with the shipped threshold spelt out: the same heads, so no difference.
        .args(["--against", "finding_below=0.4"])
        .arg("--units")
        .arg(&units)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8(out.stdout).unwrap();
    units_are_the_cross_validations(&units);
    let row = |name: &str| -> Vec<f64> {
        let line = table.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no {name} line in\n{table}"));
        line[name.len()..].split_whitespace().filter_map(|x| x.parse().ok()).collect()
    };
    let (coarse, strict) = (row("coarse (afd=rec)"), row("strict (all kinds)"));
    assert!(table.contains("32 documents"), "{table}");
    assert!(coarse[2] >= 0.74, "learned coarse F1 fell to {}:\n{table}", coarse[2]);
    assert!(strict[2] >= 0.68, "learned strict F1 fell to {}:\n{table}", strict[2]);
    assert!(coarse[2] > coarse[5], "the learned reader no longer beats the cue rules:\n{table}");
    // And beyond chance: the documents resampled, the difference's interval stays above 0.
    let minus = table.lines().find(|l| l.starts_with("learned minus rules")).unwrap_or_else(|| panic!("no interval line in\n{table}"));
    let low: f64 = minus.split_whitespace().find_map(|w| w.parse().ok()).unwrap_or_else(|| panic!("no figure in {minus}"));
    assert!(low > 0.0, "the learned reader's lead over the cue rules is within chance: {minus}");
    let variant = table.lines().find(|l| l.starts_with("variant minus options above")).unwrap_or_else(|| panic!("no variant line in\n{table}"));
    assert!(variant.contains("coarse +0.000 to +0.000, strict +0.000 to +0.000"), "the same options trained different heads: {variant}");
}

/// `--units` writes every unit the cross-validation decides on, each with its fold and
/// label, so another model can be measured on the same units and folds: the measured
/// documents' units carry one of the five folds, a training-only document its council's
/// fold or -1 (no measured council of its own), and the 32 measured documents all appear.
fn units_are_the_cross_validations(path: &std::path::Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let rows: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(rows.len() > 1000, "only {} units", rows.len());
    let mut measured_docs = std::collections::BTreeSet::new();
    for r in &rows {
        let fold = r["fold"].as_i64().unwrap();
        let class = r["y"].as_u64().unwrap();
        assert!(class < 5, "{r}");
        assert_eq!(r["structure"].as_array().unwrap().len(), 38, "{r}");
        if r["measured"].as_bool().unwrap() {
            assert!((0..5).contains(&fold), "{r}");
            measured_docs.insert(r["doc"].as_str().unwrap().to_string());
        } else {
            assert!(fold == -1 || (0..5).contains(&fold), "{r}");
        }
    }
    assert_eq!(measured_docs.len(), 32);
    assert!(rows.iter().any(|r| r["y"].as_u64() != Some(0)), "no unit is labelled a finding");
}
