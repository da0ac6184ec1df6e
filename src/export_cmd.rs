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
    let rows = match filter.min_confidence {
        // Copies are folded first and the row kept is the surest copy's, so a finding is
        // kept when any copy reaches the bar, as `query` keeps it.
        Some(least) if !all_copies => {
            let mut rows = fold_copies(rows_of(&stored, &peerscope_query::Filter { min_confidence: None, ..filter.clone() }), false);
            rows.retain(|r| r.confidence >= least);
            rows
        }
        _ => fold_copies(rows_of(&stored, &filter), all_copies),
    };
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
    // Findings of no known year are not in a year's range: said, so a researcher does not
    // take the rows for all the evidence.
    if filter.since.is_some() || filter.until.is_some() {
        let any_year = peerscope_query::Filter { since: None, until: None, ..filter.clone() };
        let undated = fold_copies(rows_of(&stored, &any_year), false).iter().filter(|r| r.review_year.is_none()).count();
        if undated > 0 {
            eprintln!("peerscope: {undated} finding{} of no known review year {} left out by --since/--until", if undated == 1 { "" } else { "s" }, if undated == 1 { "is" } else { "are" });
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn rows_of(stored: &[peerscope_index::DocumentRecord], filter: &peerscope_query::Filter) -> Vec<peerscope_query::export::FindingRow> {
    rows(stored.iter().map(|d| (d.id.as_str(), &d.document, d.sources.as_slice())), filter)
}
