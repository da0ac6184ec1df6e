use super::*;

fn side(items: &[(&str, &str)]) -> Side {
    Side { items: items.iter().map(|(k, t)| Item::new(k, t)).collect(), meta: HashMap::new() }
}

#[test]
fn tokens_drop_stop_words_single_letters_and_punctuation() {
    let t = tokens("The Council's DoLS back-log is a concern (2019)");
    let mut v: Vec<_> = t.into_iter().collect();
    v.sort();
    assert_eq!(v, ["2019", "back", "concern", "council", "dols", "log"]);
}

#[test]
fn a_match_needs_coverage_of_gold_and_some_precision() {
    let gold = side(&[("strength", "Staff are proud to work for the council")]);
    let whole = side(&[("strength", "Staff are proud to work for the council and morale is good across teams")]);
    let fragment = side(&[("strength", "Staff are proud")]);
    assert_eq!(score_doc(&gold, &whole, Mode::Strict).per_kind[0], [1, 0, 0]);
    assert_eq!(score_doc(&gold, &fragment, Mode::Strict).per_kind[0], [0, 1, 1]);
}

#[test]
fn repeats_count_neither_way_and_kinds_fold_in_coarse() {
    let gold = side(&[("area_for_development", "Waiting lists for assessments are too long")]);
    let pred = side(&[
        ("recommendation", "Waiting lists for assessments are too long"),
        ("recommendation", "Waiting lists for assessments are too long."),
    ]);
    let strict = score_doc(&gold, &pred, Mode::Strict);
    assert_eq!(strict.per_kind[1], [0, 0, 1]);
    assert_eq!(strict.per_kind[2], [0, 2, 0]);
    let coarse = score_doc(&gold, &pred, Mode::Coarse);
    assert_eq!(coarse.per_kind[2], [1, 0, 0], "second copy is a repeat");
    let seg = score_doc(&gold, &pred, Mode::Segmentation);
    assert_eq!(seg.per_kind[1], [1, 0, 0], "segmentation counts under the gold kind");
}

#[test]
fn best_pair_wins_one_to_one() {
    let gold = side(&[("strength", "carers support is strong"), ("strength", "carers support is strong and valued by families")]);
    let pred = side(&[("strength", "carers support is strong and valued by families")]);
    let c = score_doc(&gold, &pred, Mode::Strict);
    assert_eq!(c.matched, [(0, 1)]);
    assert_eq!(c.missed, [0]);
}

#[test]
fn metadata_reads_council_objects_and_numbers() {
    let gold = Side::parse("g", r#"{"council":"Leicester","review_year":2016,"doc_kind":"peer-report","findings":[]}"#).unwrap();
    let pred = Side::parse("p", r#"{"council":{"name":"leicester","gss":"E06000016"},"review_year":2016,"doc_kind":"scrutiny-report","findings":[]}"#).unwrap();
    let mut r = Report::new();
    r.add("doc", &gold, &pred);
    assert_eq!(r.meta_ok("council"), 1);
    assert_eq!(r.meta_ok("review_year"), 1);
    assert_eq!(r.meta_ok("doc_kind"), 0);
    assert!(r.errors().contains("metadata doc_kind: gold peer-report, predicted scrutiny-report"));
}

#[test]
fn malformed_input_is_an_error_naming_the_file() {
    let e = Side::parse("notes.json", "{not json").unwrap_err();
    assert!(e.to_string().starts_with("notes.json"));
    assert!(Side::parse("list.json", "[1,2]").is_err());
}

#[test]
fn the_interval_spans_the_documents_spread_and_is_the_same_every_run() {
    let good = side(&[("strength", "Staff are proud to work for the council"), ("area_for_development", "Waiting lists for assessments are too long")]);
    let missed = side(&[]);
    let mut r = Report::new();
    for i in 0..20 {
        // Half the documents read perfectly, half not at all: pooled F1 0.67.
        r.add(&format!("d{i}"), &good, if i % 2 == 0 { &good } else { &missed });
    }
    let (lo, hi) = r.interval(false, 2000).unwrap();
    let f1 = r.coarse().f1;
    assert!(lo < f1 && f1 < hi, "{lo} < {f1} < {hi}");
    assert!(hi - lo > 0.1 && lo > 0.3 && hi < 0.95, "a wide interval for so mixed a set: {lo}..{hi}");
    assert_eq!(r.interval(false, 2000), Some((lo, hi)), "the same draws every run");
    let mut same = Report::new();
    for i in 0..20 {
        same.add(&format!("d{i}"), &good, &good);
    }
    assert_eq!(same.interval(true, 500), Some((1.0, 1.0)), "documents that agree leave nothing to resample");
    assert_eq!(Report::new().interval(false, 100), None);
}

#[test]
fn a_reader_better_on_every_document_is_better_beyond_chance() {
    let gold = side(&[("strength", "Staff are proud to work for the council"), ("area_for_development", "Waiting lists for assessments are too long")]);
    let half = side(&[("strength", "Staff are proud to work for the council")]);
    let (mut better, mut worse) = (Report::new(), Report::new());
    for i in 0..12 {
        better.add(&format!("d{i}"), &gold, &gold);
        worse.add(&format!("d{i}"), &gold, if i % 3 == 0 { &gold } else { &half });
    }
    let (lo, hi) = better.interval_against(&worse, false, 1000).unwrap();
    assert!(lo > 0.0 && hi > lo, "{lo}..{hi}");
    let (lo, hi) = worse.interval_against(&better, false, 1000).unwrap();
    assert!(hi < 0.0, "{lo}..{hi}");
    let mut other_docs = Report::new();
    other_docs.add("elsewhere", &gold, &gold);
    assert_eq!(better.interval_against(&other_docs, false, 10), None, "different documents cannot be paired");
}

#[test]
fn a_finding_read_as_the_wrong_kind_is_counted_where_it_was_filed() {
    let gold = side(&[
        ("area_for_development", "Waiting lists for assessments are too long"),
        ("strength", "Carers speak highly of the short breaks offer"),
        ("recommendation", "The council should publish its market position statement"),
    ]);
    let pred = side(&[
        ("strength", "Waiting lists for assessments are too long"),
        ("strength", "Carers speak highly of the short breaks offer"),
        ("area_for_development", "The council should publish its market position statement"),
        ("strength", "Nothing of the kind was annotated here at all"),
    ]);
    let mut r = Report::new();
    r.add("doc", &gold, &pred);
    let k = r.kinds_read();
    assert_eq!(k[1][0], 1, "an area for development filed as a strength");
    assert_eq!(k[0][0], 1);
    assert_eq!(k[2][1], 1, "advice read as an area: same sense, not turned around");
    assert_eq!(k.iter().flatten().sum::<usize>(), 3, "a spurious finding is no confusion");
    assert_eq!(r.praise_swapped(), (0, 1));
    assert!(r.table().contains("0 strengths read as concerns or advice, 1 concerns or advice read as strengths"), "{}", r.table());
    assert_eq!(r.to_json()["kinds_read"]["gold_by_read"][1][0], 1);
}

#[test]
fn a_minimum_confidence_keeps_the_surer_findings_and_scores_what_it_keeps() {
    let gold = Side::parse("g", r#"{"findings":[
        {"kind":"area_for_development","text":"Waiting lists for assessments are too long"},
        {"kind":"strength","text":"Carers speak highly of the short breaks offer"}]}"#)
    .unwrap();
    let pred = Side::parse("p", r#"{"findings":[
        {"kind":"strength","text":"Waiting lists for assessments are too long","confidence":0.45},
        {"kind":"strength","text":"Carers speak highly of the short breaks offer","confidence":0.93}]}"#)
    .unwrap();
    assert_eq!(pred.at_least(0.5).items.len(), 1);
    let mut r = Report::new();
    r.add("doc", &gold, &pred);
    let table = r.confidence_table();
    let line = |min: &str| table.lines().find(|l| l.trim_start().starts_with(min)).unwrap_or_default().to_string();
    assert!(line("0.0").contains("100%") && line("0.0").ends_with("0 + 1"), "{table}");
    assert!(line("0.5").contains("50%") && line("0.5").ends_with("0 + 0"), "{table}");
    assert!(line("0.9").contains("50%") && line("0.9").contains("1.000"), "the surer finding is right: {table}");
    let json = r.to_json();
    assert_eq!(json["by_min_confidence"][1]["kept"], 1);
    assert_eq!(json["by_min_confidence"][0]["praise_swapped"][1], 1);
}
