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
    let rows = fold_copies(rows(stored.iter().map(|d| (d.id.as_str(), &d.document, d.sources.as_slice())), &filter), all_copies);
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
    Ok(ExitCode::SUCCESS)
}
