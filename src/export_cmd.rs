//! `peerscope export --format csv|jsonl [filters]`: one row per finding with its council, GSS
//! code, region, review type, year, kind, themes, text, section, source and byte span.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use peerscope_query::export::{rows, FindingRow, CSV_HEADER};

use crate::filter_args::FilterArgs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Jsonl,
}

pub fn run(data: &Path, format: Format, out: Option<&Path>, bom: bool, filters: &FilterArgs) -> anyhow::Result<ExitCode> {
    let filter = filters.filter()?;
    let stored = crate::data::open_for_reading(data)?.documents()?;
    let rows = rows(stored.iter().map(|d| (d.id.as_str(), &d.document, d.sources.as_slice())), &filter);
    let mut sink: Box<dyn Write> = match out {
        Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match format {
        Format::Csv => write_csv(&mut sink, &rows, bom)?,
        Format::Jsonl => {
            for r in &rows {
                serde_json::to_writer(&mut sink, r)?;
                sink.write_all(b"\n")?;
            }
        }
    }
    sink.flush()?;
    if let Some(path) = out {
        eprintln!("peerscope: {} findings written to {}", rows.len(), path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// RFC 4180 CSV (every field that needs it quoted), UTF-8, optionally with a byte-order
/// mark so spreadsheet programs read the encoding right; no cell a spreadsheet would run.
fn write_csv(sink: &mut dyn Write, rows: &[FindingRow], bom: bool) -> anyhow::Result<()> {
    if bom {
        sink.write_all("\u{feff}".as_bytes())?;
    }
    let mut w = csv::WriterBuilder::new().from_writer(sink);
    w.write_record(CSV_HEADER).map_err(csv_error)?;
    for r in rows {
        // Text that starts like a formula is written so a spreadsheet shows it, not runs it.
        w.write_record(r.csv_record()).map_err(csv_error)?;
    }
    w.flush()?;
    Ok(())
}

/// A write error inside csv is an io error (a closed pipe stays recognisable as one).
fn csv_error(e: csv::Error) -> anyhow::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io.into(),
        other => anyhow::anyhow!("writing CSV: {other:?}"),
    }
}
