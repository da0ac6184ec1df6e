//! `peerscope themes [filters]`: what keeps coming up across councils — theme × councils and
//! findings, split by kind, with an example finding and the councils under each.

use std::path::Path;
use std::process::ExitCode;

use peerscope_model::Taxonomy;
use peerscope_query::recurring::{recurring, undated_left_out, RecurringTheme};

use crate::filter_args::FilterArgs;

pub fn run(data: &Path, filters: &FilterArgs, json: bool, limit: usize) -> anyhow::Result<ExitCode> {
    let filter = filters.filter()?;
    let stored = crate::data::open_for_reading(data)?.documents()?;
    let taxonomy = Taxonomy::builtin()?;
    let mut table = recurring(stored.iter().map(|d| (&d.document, d.sources.as_slice())), &filter, &taxonomy);
    // The framework's rows are few and fixed; `--limit` cuts the list of topics.
    let mut topics = 0;
    table.retain(|t| t.level != "topic" || {
        topics += 1;
        topics <= limit
    });
    let undated = undated_left_out(stored.iter().map(|d| (&d.document, d.sources.as_slice())), &filter);
    if json {
        crate::outln!("{}", serde_json::to_string_pretty(&table)?);
    } else {
        crate::out!("{}", render(&table));
    }
    if undated > 0 {
        // Beside the table, not in it: stdout stays the table (or its JSON) alone.
        eprintln!("peerscope: {}", peerscope_query::undated_left_out(undated, "by --since/--until"));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn render(table: &[RecurringTheme]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if table.is_empty() {
        out.push_str("No findings match these filters.\n");
        return out;
    }
    let row = |out: &mut String, label: &str, t: &RecurringTheme| {
        let _ = writeln!(out, "{:<44} {:>8} {:>8}  {:>9} {:>6} {:>6} {:>6}", peerscope_model::text::clip_chars(label, 44), t.councils.len(), t.findings, t.strengths, t.areas_for_development, t.recommendations, t.best_practice);
    };
    let header = |out: &mut String, axis: &str| {
        let _ = writeln!(out, "{:<44} {:>8} {:>8}  {:>9} {:>6} {:>6} {:>6}", axis, "councils", "findings", "strengths", "areas", "recs", "ideas");
    };
    // The framework: each CQC theme (a finding counted once however many of its statements
    // it touches), its quality statements under it.
    let cqc: Vec<&RecurringTheme> = table.iter().filter(|t| t.level == "cqc-theme").collect();
    if !cqc.is_empty() {
        header(&mut out, "CQC assessment framework");
        for c in cqc {
            row(&mut out, &c.label, c);
            for q in table.iter().filter(|t| t.level == "quality-statement" && t.group == c.theme) {
                row(&mut out, &format!("  {}", q.label), q);
            }
        }
        out.push('\n');
    }
    if table.iter().any(|t| t.level == "topic") {
        header(&mut out, "Topics");
        for t in table.iter().filter(|t| t.level == "topic") {
            row(&mut out, &t.label, t);
        }
        out.push('\n');
    }
    let _ = writeln!(out, "(The two lists are two ways of sorting the same findings: a finding may appear in both, never twice in one.)\n");
    for t in table.iter().filter(|t| t.level != "cqc-theme") {
        let _ = writeln!(out, "{} — {}", t.label, t.councils.join(", "));
        if let Some(e) = &t.example {
            let year = e.year.map(|y| format!(", {y}")).unwrap_or_default();
            let _ = writeln!(out, "   e.g. [{}] {} ({}{year}) — {}", e.kind.label(), peerscope_model::text::clip_chars(&e.text, 220), e.council, e.source);
        }
    }
    out
}

