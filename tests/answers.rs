//! The answers for the three users, through the real binary over the corpus and the genre
//! documents: recurring themes for a region, a council's profile with repeats, comparators
//! and who to learn from, exports a statistics package reads, and typed filters.

mod support;

use std::path::Path;

use support::{peerscope, root};

use serde_json::Value;


/// A data directory holding the corpus and the genre documents.
fn data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = peerscope(dir.path()).args(["ingest", "corpus", "tests/genre/docs"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

/// What a command prints for people.
fn text(data: &Path, args: &[&str]) -> String {
    let out = peerscope(data).args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(data: &Path, args: &[&str]) -> Value {
    let out = peerscope(data).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn themes_for_a_region_count_councils_and_findings_by_kind() {
    let d = data();
    let table = json(d.path(), &["themes", "--json", "--region", "West Midlands"]);
    let rows = table.as_array().unwrap();
    assert!(!rows.is_empty());
    let councils = peerscope_model::Councils::builtin().unwrap();
    for r in rows {
        for c in r["councils"].as_array().unwrap() {
            let council = councils.lookup(c.as_str().unwrap()).unwrap_or_else(|| panic!("{c} is not a council"));
            assert_eq!(council.region, "West Midlands", "{c}");
        }
        let by_kind: u64 = ["strengths", "areas_for_development", "recommendations", "best_practice"].iter().map(|k| r[k].as_u64().unwrap()).sum();
        assert_eq!(by_kind, r["findings"].as_u64().unwrap());
    }
    // Ordered by how many councils a theme recurs across.
    let n: Vec<usize> = rows.iter().map(|r| r["councils"].as_array().unwrap().len()).collect();
    assert!(n.windows(2).all(|w| w[0] >= w[1]), "{n:?}");
    // The text form names the themes and the councils.
    let out = peerscope(d.path()).args(["themes", "--region", "West Midlands", "--since", "2015"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("councils") && text.contains("Walsall"), "{text}");
}

/// Regression (issue 11, item 6): the taxonomy mixed CQC's quality statements with topics
/// that repeated them ("Leadership and governance" beside "Governance, management and
/// sustainability"), so `themes` listed one finding two or three times. Now there are two
/// axes, each finding counted once per CQC theme, shown apart, and filters take either.
#[test]
fn themes_are_two_axes_and_a_finding_counts_once_per_cqc_theme() {
    let d = data();
    let rows = json(d.path(), &["themes", "--json"]);
    let rows = rows.as_array().unwrap();
    let level = |r: &Value| r["level"].as_str().unwrap().to_string();
    assert!(rows.iter().all(|r| ["cqc-theme", "quality-statement", "topic"].contains(&level(r).as_str())), "{rows:#?}");
    let taxonomy = peerscope_model::Taxonomy::builtin().unwrap();
    // Each CQC theme counts the distinct findings (by council and text) that touch any of
    // its quality statements, read from the export.
    let export = peerscope(d.path()).args(["export", "--format", "jsonl"]).output().unwrap();
    let findings: Vec<Value> = export.stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
    for c in rows.iter().filter(|r| level(r) == "cqc-theme") {
        let statements = taxonomy.expand(c["theme"].as_str().unwrap());
        assert!(!statements.is_empty());
        let mut distinct = std::collections::HashSet::new();
        for f in &findings {
            let themes = f["themes"].as_str().unwrap();
            let council = f["council"].as_str().unwrap();
            if themes.split(';').any(|t| statements.iter().any(|s| s == t)) {
                // The same finding published in several forms counts once (as `themes` keys
                // it); one of no known council is counted too, as the answers count it.
                let words: String = f["text"].as_str().unwrap().chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).take(160).collect();
                distinct.insert((council.to_lowercase(), f["review_year"].to_string(), words));
            }
        }
        assert_eq!(c["findings"].as_u64().unwrap() as usize, distinct.len(), "{}", c["label"]);
        let under: u64 = rows.iter().filter(|r| level(r) == "quality-statement" && r["group"] == c["theme"]).map(|r| r["findings"].as_u64().unwrap()).sum();
        assert!(under >= c["findings"].as_u64().unwrap(), "{}", c["label"]);
    }
    // No topic is a quality statement under another name.
    for (topic, statement) in [("Leadership and governance", "Governance, management and sustainability"), ("Reablement and prevention", "Supporting people to live healthier lives")] {
        assert!(rows.iter().any(|r| r["label"] == statement && level(r) == "quality-statement"));
        assert!(!rows.iter().any(|r| r["label"] == topic), "{topic} is still a topic");
    }
    // A CQC theme filters by its quality statements.
    let out = peerscope(d.path()).args(["themes", "--json", "--theme", "leadership"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&peerscope(d.path()).args(["themes"]).output().unwrap().stdout).into_owned();
    assert!(text.contains("CQC assessment framework") && text.contains("\nTopics"), "{text}");
}

#[test]
fn a_council_profile_shows_repeats_comparators_and_who_to_learn_from() {
    let d = data();
    let p = json(d.path(), &["council", "Walsall", "--json"]);
    assert_eq!(p["council"]["gss_code"], "E08000030");
    let years: Vec<i64> = p["documents"].as_array().unwrap().iter().filter_map(|d| d["year"].as_i64()).collect();
    assert!(years.contains(&2015) && years.contains(&2018), "{years:?}");
    let reviews = p["repeated"].as_array().unwrap().iter().find(|r| r["theme"] == "reviews").unwrap_or_else(|| panic!("{:#}", p["repeated"]));
    assert_eq!(reviews["summary"], "flagged again in 2018 after 2015");
    let comparators = p["comparators"].as_array().unwrap();
    assert!(comparators.iter().any(|c| c["council"]["name"] == "Coventry" && c["basis"] == "same region and type"), "{comparators:#?}");
    assert!(comparators.iter().any(|c| c["basis"] == "similar findings"));
    let workforce = p["learn_from"].as_array().unwrap().iter().find(|l| l["theme"] == "workforce").expect("workforce is an area for Walsall");
    assert!(workforce["pointers"].as_array().unwrap().iter().any(|x| x["council"] == "Herefordshire"), "{workforce:#}");
    assert!(!workforce["praised"].as_array().unwrap().is_empty());
    // Regression: the council a pointer names, none of whose own reviews is held, had a
    // page that said only "no reviews": it says whose reviews point to it.
    let herefordshire = json(d.path(), &["council", "Herefordshire", "--json"]);
    let named_by = herefordshire["named_by"].as_array().unwrap_or_else(|| panic!("{herefordshire:#}"));
    assert!(named_by.iter().any(|x| x["council"] == "Walsall" && x["source"].as_str().is_some_and(|s| s.contains("walsall"))), "{named_by:#?}");
    assert!(text(d.path(), &["council", "Herefordshire"]).contains("Other councils' reviews point to Herefordshire's practice"));
    let out = peerscope(d.path()).args(["council", "Nowhere"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Nowhere"));
}

#[test]
fn exports_open_cleanly_with_provenance() {
    let d = data();
    let out = peerscope(d.path()).args(["export", "--format", "csv", "--bom", "--kind", "recommendation", "--theme", "workforce"]).output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.starts_with("\u{feff}".as_bytes()));
    let mut reader = csv::Reader::from_reader(&out.stdout[3..]);
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "council");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert!(!rows.is_empty());
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    for r in &rows {
        assert_eq!(&r[col("kind")], "recommendation");
        assert!(r[col("themes")].split(';').any(|t| t == "workforce"));
        assert!(r[col("gss_code")].starts_with('E'));
        let (start, end): (usize, usize) = (r[col("start")].parse().unwrap(), r[col("end")].parse().unwrap());
        assert!(start < end);
    }
    // Every row's span points at its text in that source's extracted text.
    let r = &rows[0];
    let text = peerscope(d.path()).args(["extract", "--text", &r[col("source")]]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert_eq!(&text[r[col("start")].parse::<usize>().unwrap()..r[col("end")].parse::<usize>().unwrap()], &r[col("text")]);
    // A page ingested with a sources.toml beside it is cited by its public address too
    // (regression: the export named only the local path).
    let out = peerscope(d.path()).args(["export", "--format", "jsonl", "--council", "Croydon"]).output().unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!lines.is_empty() && lines.iter().all(|l| l["url"].as_str().unwrap().starts_with("https://")), "{lines:#?}");

    let out = peerscope(d.path()).args(["export", "--format", "jsonl", "--council", "Walsall", "--since", "2018"]).output().unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| l["council"] == "Walsall" && l["review_year"] == 2018));
    // Other services are left out unless asked for.
    let out = peerscope(d.path()).args(["export", "--format", "jsonl", "--council", "Bury"]).output().unwrap();
    assert!(out.stdout.is_empty());
    let out = peerscope(d.path()).args(["export", "--format", "jsonl", "--council", "Bury", "--all-services"]).output().unwrap();
    assert!(!out.stdout.is_empty());
}

#[test]
fn filters_typed_or_flagged_narrow_the_answer_and_bad_queries_say_why() {
    let d = data();
    let a = json(d.path(), &["query", "--json", "councils in the West Midlands flagged for review performance"]);
    let councils = a["councils"].as_array().unwrap();
    assert!(!councils.is_empty());
    assert!(councils.iter().all(|c| c["council"]["region"] == "West Midlands"), "{councils:#?}");
    let a = json(d.path(), &["query", "--json", "carers", "--since", "2018", "--review-type", "adass"]);
    for c in a["councils"].as_array().unwrap() {
        for f in c["findings"].as_array().unwrap() {
            assert!(f["year"].as_u64().unwrap() >= 2018);
        }
    }
    // Words inside quotes are the phrase, not filters (issue 11, item 4), and the filters
    // read from a question are shown.
    let a = json(d.path(), &["query", "--json", "\"engage with regional and national networks in the West Midlands\""]);
    assert_eq!(a["intent"]["filter"]["review_types"], serde_json::json!([]), "{}", a["intent"]);
    assert_eq!(a["intent"]["filter"]["regions"], serde_json::json!([]), "{}", a["intent"]);
    let out = peerscope(d.path()).args(["query", "councils in the West Midlands flagged for review performance since 2014"]).output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.lines().any(|l| l.starts_with("Looking for:") && l.contains("in West Midlands") && l.contains("reviews since 2014")), "{shown}");
    // Answers are not built from a word nobody wrote (issue 11, item 5): "payroll audit"
    // listed councils through the theme "audit" touches, "housing benefit backlog" through
    // "backlog".
    let a = json(d.path(), &["query", "--json", "payroll audit"]);
    assert_eq!(a["councils"], serde_json::json!([]), "{a}");
    assert_eq!(a["best_practice"], serde_json::json!([]), "{a}");
    assert_eq!(a["unmatched"], serde_json::json!(["payroll"]), "{a}");
    let a = json(d.path(), &["query", "--json", "housing benefit backlog"]);
    assert_eq!(a["councils"], serde_json::json!([]), "{a}");
    let out = peerscope(d.path()).args(["query", "payroll audit"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("No finding mentions 'payroll'"));
    let a = json(d.path(), &["query", "--json", "\"case recording\""]);
    for c in a["councils"].as_array().unwrap() {
        for f in c["findings"].as_array().unwrap() {
            assert!(f["text"].as_str().unwrap().to_lowercase().contains("case record"), "{f}");
        }
    }
    // Everything that would silently answer nothing is refused the same way, with the names
    // to use (issue 11, item 7: these returned nothing while `council Narnia` was refused).
    let refused = [
        (vec!["query", "the councils"], "nothing to look for"),
        (vec!["query", "carers", "--kind", "praise"], "unknown kind"),
        (vec!["themes", "--theme", "nonsense"], "unknown theme"),
        (vec!["query", "carers", "--limit", "0"], "at least 1"),
        (vec!["query", "carers", "--council", "Narnia"], "nearest: "),
        (vec!["export", "--format", "csv", "--council", "Narnia"], "nearest: "),
        (vec!["council", "Narnia"], "nearest: "),
        (vec!["query", "carers", "--council", ""], "needs a name"),
        (vec!["query", "carers", "--region", "Atlantis"], "the regions: East Midlands"),
        (vec!["query", "carers 2024-2015"], "the first year is after the second"),
    ];
    for (args, says) in refused {
        let out = peerscope(d.path()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    // Help points at files a user has, not at the project's private material.
    let out = peerscope(d.path()).args(["eval", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(!help.contains("../shared") && help.contains("tests/gold/GUIDELINES.md"), "{help}");
}

/// Regression (issue 10, query time): copies of a finding are told apart from different
/// findings by a key the index keeps, so only the findings shown are read. The same
/// finding published in two letters is shown once, with the other letter "also in";
/// findings that differ, even by one word, are shown apart.
#[test]
fn a_finding_published_twice_is_shown_once_with_its_other_source() {
    let docs = tempfile::tempdir().unwrap();
    let letter = |extra: &str| {
        format!(
            "Torbay Council – Adult Social Care Peer Challenge\n\nDear Director,\n\nThe peer team was on site from 3 – 5 March 2024. This letter sets out our findings.\n\n\
             Areas for development\n\n\
             • The performance on reviews of care packages remains below the regional average, and many people have not had a review for more than a year.\n\
             • {extra}\n\nYours sincerely,\nThe peer team\n"
        )
    };
    std::fs::write(docs.path().join("torbay_letter.txt"), letter("The performance on reviews remains concerning and the backlog of reviews is growing.")).unwrap();
    std::fs::write(docs.path().join("torbay_minutes.txt"), letter("The performance on reviews remains concerning and the backlog of reviews is not falling.")).unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = peerscope(data.path()).arg("ingest").arg(docs.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer = json(data.path(), &["query", "--json", "councils flagged for review performance"]);
    let torbay = answer["councils"].as_array().unwrap().iter().find(|c| c["council"]["name"] == "Torbay").unwrap_or_else(|| panic!("{answer:#}"));
    let findings = torbay["findings"].as_array().unwrap();
    let texts: Vec<&str> = findings.iter().map(|f| f["text"].as_str().unwrap()).collect();
    let shared = findings.iter().filter(|f| f["text"].as_str().unwrap().starts_with("The performance on reviews of care packages")).collect::<Vec<_>>();
    assert_eq!(shared.len(), 1, "{texts:#?}");
    let (source, also) = (shared[0]["source"].as_str().unwrap(), shared[0]["also_in"].as_array().unwrap());
    assert_eq!(also.len(), 1, "{:#}", shared[0]);
    assert_ne!(also[0].as_str().unwrap(), source);
    assert!(["torbay_letter.txt", "torbay_minutes.txt"].iter().all(|f| source.ends_with(f) || also[0].as_str().unwrap().ends_with(f)), "{:#}", shared[0]);
    // The two wordings of the second finding are two findings.
    assert!(texts.iter().any(|t| t.ends_with("is growing.")) && texts.iter().any(|t| t.ends_with("is not falling.")), "{texts:#?}");
    // Regression: the facets counted each copy ("Torbay (4)" beside "3 matching findings").
    let facet = |field: &str| answer["facets"].as_array().unwrap().iter().find(|f| f["field"] == field).cloned().unwrap_or_else(|| panic!("{answer:#}"));
    let council = facet("council");
    assert_eq!(council["values"][0]["count"], torbay["matched"], "{council:#}");
    assert_eq!(answer["findings_counted"], torbay["matched"], "{answer:#}");
}

/// Regression: a question with no words to rank by ("concerns in the South West") gives
/// every finding the same score, and copies of a finding were told apart by their score,
/// so each council showed "1 matching finding" whatever it had, and the text answer said
/// `topic ""`.
#[test]
fn findings_that_score_alike_are_still_counted_apart() {
    let docs = tempfile::tempdir().unwrap();
    std::fs::write(
        docs.path().join("torbay_letter.txt"),
        "Torbay Council – Adult Social Care Peer Challenge\n\nDear Director,\n\nThe peer team was on site from 3 – 5 March 2024. This letter sets out our findings.\n\n\
         Areas for development\n\n\
         • The performance on reviews of care packages remains below the regional average.\n\
         • The backlog of occupational therapy assessments is growing and waits are long.\n\
         • Carers told us that they find it hard to get a carers assessment on time.\n\nYours sincerely,\nThe peer team\n",
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = peerscope(data.path()).arg("ingest").arg(docs.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer = json(data.path(), &["query", "--json", "concerns in the South West"]);
    assert_eq!(answer["intent"]["topic"], "", "{answer:#}");
    let torbay = answer["councils"].as_array().unwrap().iter().find(|c| c["council"]["name"] == "Torbay").unwrap_or_else(|| panic!("{answer:#}"));
    assert_eq!(torbay["matched"], 3, "{torbay:#}");
    assert_eq!(torbay["findings"].as_array().unwrap().len(), 3, "{torbay:#}");
    let text = peerscope(data.path()).args(["query", "concerns in the South West"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("3 matching findings") && !text.contains("topic \"\""), "{text}");
    // A question for recurring themes, which findings never mention, is sent to `themes`.
    let text = peerscope(data.path()).args(["query", "recurring themes in the South West"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("`peerscope themes --region \"South West\"`"), "{text}");
    // A misspelt council is a word no finding holds: the answer says which council is meant.
    let answer = json(data.path(), &["query", "--json", "Torbey recommendations"]);
    assert_eq!(answer["unmatched"], serde_json::json!(["torbey"]), "{answer:#}");
    assert_eq!(answer["did_you_mean"], serde_json::json!(["Torbay"]), "{answer:#}");
}

/// Regressions found by asking the `council` command what an officer would: two councils
/// named together showed the second alone; a filter that left nothing said the council had
/// never been reviewed; "City of York" was Hull; a mistyped `--data` was made into an empty
/// data directory by a command that only reads.
#[test]
fn the_council_command_says_what_it_was_asked_and_why_it_shows_nothing() {
    let d = data();
    let run = |args: &[&str]| peerscope(d.path()).args(args).output().unwrap();
    let two = run(&["council", "Torbay", "Walsall"]);
    assert!(!two.status.success());
    assert!(String::from_utf8_lossy(&two.stderr).contains("names 2 councils (Torbay, Walsall)"), "{}", String::from_utf8_lossy(&two.stderr));
    let filtered = run(&["council", "Walsall", "--since", "2090"]);
    let text = String::from_utf8_lossy(&filtered.stdout);
    assert!(filtered.status.success() && text.contains("No findings of Walsall match these filters") && !text.contains("No reviews of"), "{text}");
    let york = run(&["council", "City", "of", "York"]);
    assert!(String::from_utf8_lossy(&york.stdout).starts_with("York —"), "{}", String::from_utf8_lossy(&york.stdout));
    let elsewhere = tempfile::tempdir().unwrap();
    let missing = elsewhere.path().join("mistyped");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_peerscope")).current_dir(elsewhere.path()).arg("--data").arg(&missing).arg("themes").output().unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("does not exist"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!missing.exists());
    // Nor beside the shipped corpus, where the default data directory is made from it.
    let out = peerscope(&missing).arg("themes").output().unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("does not exist"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!missing.exists());
    // Nor is a folder of other files (`--data ~`) written into.
    std::fs::write(elsewhere.path().join("mine.txt"), "a letter").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_peerscope")).current_dir(root()).arg("--data").arg(elsewhere.path()).arg("export").arg("--format").arg("csv").output().unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not a peerscope data directory"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!elsewhere.path().join("store").exists());
}

/// Regression: an answer showed a council's best five findings of, say, 26 and no way to
/// the rest; now it says how many more and how to see them, and asked about one council it
/// lists them all.
#[test]
fn an_answer_says_how_to_see_a_councils_other_findings() {
    let d = data();
    let text = text(d.path(), &["query", "workforce"]);
    assert!(text.contains("more: ask about Walsall alone (--council \"Walsall\") to see them all"), "{text}");
    let one = json(d.path(), &["query", "--json", "workforce", "--council", "walsall"]);
    let walsall = &one["councils"][0];
    assert_eq!(walsall["council"]["name"], "Walsall");
    assert!(walsall["matched"].as_u64().unwrap() > 5, "{walsall:#}");
    assert_eq!(walsall["findings"].as_array().unwrap().len() as u64, walsall["matched"].as_u64().unwrap().min(50), "{walsall:#}");
}

/// Regression: "carers in Walsal" said only that no finding holds "walsal" with the rest
/// ("Walsal" stems as "Walsall" does, so some findings hold it), with no suggestion.
#[test]
fn a_misspelt_council_that_matches_some_words_is_still_suggested() {
    let d = data();
    let text = text(d.path(), &["query", "carers in Walsal"]);
    assert!(text.contains("Did you mean Walsall?"), "{text}");
}

/// Regression: the example of a theme was the first concern seen, and one finding tagged
/// with six themes was the example of nine of 34: the examples did not show the themes.
#[test]
fn each_theme_is_shown_by_a_finding_about_it() {
    let d = data();
    let table = json(d.path(), &["themes", "--json"]);
    let rows = table.as_array().unwrap();
    let mut uses: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for r in rows {
        if let Some(text) = r["example"]["text"].as_str() {
            *uses.entry(text).or_default() += 1;
        }
    }
    assert!(rows.len() > 10 && uses.len() > 10, "themes with examples: {} of {}", uses.len(), rows.len());
    let most = uses.values().max().copied().unwrap_or(0);
    assert!(most <= 3, "one example shows {most} of {} themes: {uses:#?}", rows.len());
}

/// Regression: Torbay's one 2024 review was listed three times under "Reviews and
/// documents" (its text, its web page under another title, a council's copy cut short).
#[test]
fn a_reviews_copies_are_one_line_of_its_council_profile() {
    let d = data();
    let p = json(d.path(), &["council", "Torbay", "--json"]);
    let docs = p["documents"].as_array().unwrap();
    let report = docs.iter().find(|x| x["sources"].as_array().unwrap().iter().any(|s| s.as_str().unwrap().ends_with("torbay_lga-feedback-report_2024.txt"))).unwrap_or_else(|| panic!("{p:#}"));
    let sources: Vec<&str> = report["sources"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    for copy in ["corpus/torbay_lga-feedback-report_2024.html", "corpus/real/11_torbay_lga-feedback-report.txt"] {
        assert!(sources.contains(&copy), "{sources:?}");
    }
    let years: Vec<Option<i64>> = docs.iter().map(|x| x["year"].as_i64()).collect();
    let order: Vec<(bool, Option<i64>)> = years.iter().map(|y| (y.is_none(), *y)).collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "oldest first, undated last: {years:?}");
}

/// Regression: choosing a theme facet ("Finance and savings (3)" beside "councils flagged
/// for waiting lists") listed every finance finding (53), the question's topic dropped.
#[test]
fn a_theme_facet_narrows_the_answer_to_the_findings_it_counts() {
    let d = data();
    let question = "councils flagged for waiting lists";
    let a = json(d.path(), &["query", "--json", question]);
    let facets = a["facets"].as_array().unwrap();
    let themes = facets.iter().find(|f| f["field"] == "theme").unwrap()["values"].as_array().unwrap();
    assert!(themes.len() >= 3, "{themes:#?}");
    for t in themes {
        let narrowed = json(d.path(), &["query", "--json", question, "--theme", t["value"].as_str().unwrap()]);
        assert_eq!(narrowed["findings_counted"], t["count"], "theme {}", t["value"]);
    }
    // Regression: with a theme already chosen, another theme's facet ("Finance and savings
    // (19)" beside Leadership) widened the answer to either theme (230 findings).
    let a = json(d.path(), &["query", "--json", "", "--theme", "leadership"]);
    let facets = a["facets"].as_array().unwrap();
    let themes = facets.iter().find(|f| f["field"] == "theme").unwrap()["values"].as_array().unwrap();
    assert!(themes.len() >= 3, "{themes:#?}");
    for t in themes {
        let narrowed = json(d.path(), &["query", "--json", "", "--theme", "leadership", "--theme", t["value"].as_str().unwrap()]);
        assert_eq!(narrowed["findings_counted"], t["count"], "leadership and {}", t["value"]);
    }
}

/// Regression: findings of no known review year vanished under a year filter without a
/// word (Bexley's 57: "strengths in Bexley since 2020" said only that nothing matched).
#[test]
fn a_year_filter_says_how_many_undated_findings_it_left_out() {
    let d = data();
    let a = json(d.path(), &["query", "--json", "strengths in Bexley since 2020"]);
    assert!(a["undated_left_out"].as_u64().unwrap_or(0) > 0, "{a:#}");
    assert!(text(d.path(), &["query", "strengths in Bexley since 2020"]).contains("of no known review year are left out"));
    let without = json(d.path(), &["query", "--json", "strengths in Bexley"]);
    assert!(without.get("undated_left_out").is_none(), "{without:#}");
    let out = peerscope(d.path()).args(["export", "--format", "csv", "--council", "Bexley", "--since", "2020"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("of no known review year are left out by --since/--until"), "{out:?}");
}

/// Regression: "carers in Kent" (no Kent document held) read "kent" as a word and answered
/// "Did you mean Kent?"; the page's suggestion was not a link. (Brent here: a name that is
/// also a word, and no document of its reviews among these.)
#[test]
fn a_council_with_nothing_held_is_said_to_have_nothing_held() {
    let d = data();
    let a = json(d.path(), &["query", "--json", "carers in Brent"]);
    assert_eq!(a["intent"]["filter"]["councils"], serde_json::json!(["Brent"]), "{a:#}");
    assert_eq!(a["not_held"], serde_json::json!(["Brent"]), "{a:#}");
    let shown = text(d.path(), &["query", "brent"]);
    assert!(shown.contains("No findings of Brent are held") && !shown.contains("Did you mean Brent"), "{shown}");
    assert!(text(d.path(), &["query", "carers in walsal"]).contains("Did you mean Walsall?"));
    // A council typed as a word whose findings are held is suggested, not said to have none
    // (Kent's genre document is held; no finding on carers holds "kent").
    let shown = text(d.path(), &["query", "carers kent"]);
    assert!(shown.contains("Did you mean Kent?") && !shown.contains("No findings of Kent"), "{shown}");
}

/// Regression: "carers in Liverpool" said "none of its peer challenge documents has been
/// ingested", but Liverpool's report is held: its stored copy, cut at 2,000 characters,
/// holds no finding. That is now what is said.
#[test]
fn a_council_whose_documents_hold_no_finding_is_not_said_to_have_none_ingested() {
    let d = data();
    let a = json(d.path(), &["query", "--json", "carers in Liverpool"]);
    assert_eq!(a["held_without_findings"], serde_json::json!(["Liverpool"]), "{a:#}");
    assert!(a.get("not_held").is_none(), "{a:#}");
    let shown = text(d.path(), &["query", "carers in Liverpool"]);
    assert!(shown.contains("Liverpool's documents are held, but no finding was read from them") && !shown.contains("has been ingested"), "{shown}");
}

/// Regression: `themes --since 2022` left out the findings of no known year (Bexley's
/// report) without a word, where `export` and `query` said so. It now says how many, the
/// same count as `export`'s, and stdout stays the table.
#[test]
fn themes_under_a_year_filter_say_how_many_undated_findings_they_left_out() {
    let d = data();
    let themes = peerscope(d.path()).args(["themes", "--since", "2022", "--json"]).output().unwrap();
    let said = String::from_utf8_lossy(&themes.stderr).into_owned();
    assert!(said.contains("of no known review year are left out by --since/--until"), "{said}");
    let _: Value = serde_json::from_slice(&themes.stdout).unwrap();
    let export = peerscope(d.path()).args(["export", "--format", "csv", "--since", "2022"]).output().unwrap();
    let count = |s: &str| s.split_whitespace().find_map(|w| w.parse::<usize>().ok());
    assert_eq!(count(&said), count(&String::from_utf8_lossy(&export.stderr)), "{said}");
    let all = peerscope(d.path()).args(["themes"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&all.stderr).contains("left out"));
}

/// Regression: findings of a document whose council is not known were counted (7) but
/// listed under no council (5 shown) without a word. The answer now says how many.
#[test]
fn findings_of_no_known_council_are_said_to_be_counted_but_not_listed() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(
        docs.join("letter.txt"),
        "Adult Social Care Peer Challenge: feedback letter, March 2024\n\nStrengths\n\n- Carers spoke warmly of the carers centre and the support they receive.\n\nAreas for development\n\n- Carers wait too long for a carers assessment.\n",
    )
    .unwrap();
    let out = peerscope(dir.path()).args(["ingest"]).arg(&docs).arg("corpus/walsall_scrutiny-report_2015.txt").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let a = json(dir.path(), &["query", "--json", "carers"]);
    assert!(a["without_council"].as_u64().unwrap_or(0) >= 1, "{a:#}");
    let listed: usize = a["councils"].as_array().unwrap().iter().map(|c| c["matched"].as_u64().unwrap() as usize).sum();
    assert_eq!(listed + a["without_council"].as_u64().unwrap() as usize, a["findings_counted"].as_u64().unwrap() as usize, "{a:#}");
    assert!(text(dir.path(), &["query", "carers"]).contains("whose council is not known"));
}

/// Regression: a count followed to its search said another number. The index told copies
/// of a finding apart by all their words and `themes`, `council` and `export` by their
/// first 160 letters; the themes table counted a finding under the themes of its first copy
/// only (Walsall's PDF copy runs on into the next paragraph and names the budget); and an
/// answer left pointers to other councils' practice out of a council's count. Walsall's
/// page said 150 findings, its search 146; "Leadership, areas for development: 49" led to 50.
#[test]
fn every_count_of_themes_and_a_council_page_is_what_its_search_and_export_count() {
    let d = data();
    let counted = |args: &[&str]| {
        let mut q = vec!["query", "--json", ""];
        q.extend_from_slice(args);
        let answer = json(d.path(), &q);
        let mut e = vec!["export", "--format", "jsonl"];
        e.extend_from_slice(args);
        let out = peerscope(d.path()).args(&e).output().unwrap();
        let rows = String::from_utf8_lossy(&out.stdout).lines().count() as u64;
        assert_eq!(answer["findings_counted"].as_u64(), Some(rows), "{args:?}: query against export");
        rows
    };
    let kinds = [("strengths", "strength"), ("areas_for_development", "area_for_development"), ("recommendations", "recommendation"), ("best_practice", "best_practice")];
    for row in json(d.path(), &["themes", "--json"]).as_array().unwrap() {
        let theme = row["theme"].as_str().unwrap();
        assert_eq!(Some(counted(&["--theme", theme])), row["findings"].as_u64(), "theme {theme}");
        for (field, kind) in kinds {
            assert_eq!(Some(counted(&["--theme", theme, "--kind", kind])), row[field].as_u64(), "theme {theme}, {kind}");
        }
    }
    let walsall = json(d.path(), &["council", "Walsall", "--json"]);
    for t in walsall["themes"].as_array().unwrap() {
        let theme = t["theme"].as_str().unwrap();
        for (i, (_, kind)) in kinds.iter().enumerate() {
            assert_eq!(Some(counted(&["--council", "Walsall", "--theme", theme, "--kind", kind])), t["counts"][i].as_u64(), "Walsall, {theme}, {kind}");
        }
    }
    // Each document's count is its own findings; its copies' findings are not counted twice.
    let held: u64 = walsall["documents"].as_array().unwrap().iter().map(|d| d["findings"].as_u64().unwrap()).sum();
    assert_eq!(counted(&["--council", "Walsall"]), held, "{:#}", walsall["documents"]);
}

/// Regression: an export that matched nothing wrote its header alone and said nothing, so
/// a pipeline could not tell a council not reviewed from one whose documents held no
/// finding; `--bom` with JSON lines was ignored without a word.
#[test]
fn an_export_that_matches_nothing_says_so_and_what_is_held() {
    let d = data();
    let said = |args: &[&str]| {
        let out = peerscope(d.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let rutland = said(&["export", "--format", "csv", "--council", "Rutland"]);
    assert!(rutland.contains("no findings match") && rutland.contains("no document of Rutland is held"), "{rutland}");
    let bcp = said(&["export", "--format", "csv", "--council", "BCP"]);
    assert!(bcp.contains("1 document of Bournemouth, Christchurch and Poole is held, but the reader found no finding"), "{bcp}");
    assert!(!said(&["export", "--format", "csv", "--council", "Walsall"]).contains("no findings match"));
    assert!(said(&["export", "--format", "jsonl", "--bom", "--council", "Walsall"]).contains("--bom applies to CSV only"));
}
