//! `peerscope export --format csv|jsonl [filters]`: one row per finding with its council, GSS
//! code, region, review type, year, kind, themes, text, section, source and byte span.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use peerscope_query::export::{fold_copies, rows, write_csv, write_jsonl};

use crate::filter_args::FilterArgs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Jsonl,
}

pub fn run(data: &Path, format: Format, out: Option<&Path>, bom: bool, all_copies: bool, filters: &FilterArgs) -> anyhow::Result<ExitCode> {
    let filter = filters.filter()?;
    let stored = crate::data::open_for_reading(data)?.documents()?;
    // Copies are folded before the years and the confidence are checked: the surest copy
    // stands for a finding, kept when any copy reaches the bar (as `query` keeps it), and
    // the findings of no known year a year filter leaves out are counted on the way.
    let loose = peerscope_query::Filter { since: None, until: None, min_confidence: filter.min_confidence.filter(|_| all_copies), ..filter.clone() };
    let mut rows = fold_copies(rows_of(&stored, &loose), all_copies);
    let undated = if filter.since.is_some() || filter.until.is_some() { rows.iter().filter(|r| r.review_year.is_none()).count() } else { 0 };
    rows.retain(|r| filter.keeps_year(r.review_year) && filter.min_confidence.is_none_or(|m| r.confidence >= m));
    let mut sink: Box<dyn Write> = match out {
        Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match format {
        Format::Csv => write_csv(&mut sink, &rows, bom)?,
        Format::Jsonl => write_jsonl(&mut sink, &rows)?,
    }
    sink.flush()?;
    if let Some(path) = out {
        eprintln!("peerscope: {} findings written to {}", rows.len(), path.display());
    }
    if undated > 0 {
        eprintln!("peerscope: {}", peerscope_query::undated_left_out(undated, "by --since/--until"));
    }
    if rows.is_empty() {
        // Said, not only a header: a pipeline must tell "not reviewed" from "nothing found".
        eprintln!("peerscope: no findings match; only the header was written");
        for council in &filter.councils {
            eprintln!("peerscope: {}", what_is_held_of(&stored, council));
        }
    }
    if bom && format != Format::Csv {
        eprintln!("peerscope: --bom applies to CSV only; the JSON lines have none");
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether any document of `council` is held, said of a council none of whose findings
/// an export holds.
fn what_is_held_of(stored: &[peerscope_index::DocumentRecord], council: &str) -> String {
    let held = stored.iter().filter(|d| d.document.council.as_ref().is_some_and(|c| c.name == council)).count();
    match held {
        0 => format!("no document of {council} is held"),
        n => format!("{n} document{} of {council} {} held, but the reader found no finding in {} (or none passes the other filters)", if n == 1 { "" } else { "s" }, if n == 1 { "is" } else { "are" }, if n == 1 { "it" } else { "them" }),
    }
}

fn rows_of(stored: &[peerscope_index::DocumentRecord], filter: &peerscope_query::Filter) -> Vec<peerscope_query::export::FindingRow> {
    rows(stored.iter().map(|d| (d.id.as_str(), &d.document, d.sources.as_slice())), filter)
}
