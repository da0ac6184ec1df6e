//! Command-line arguments and dispatch.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::pdf_child::ReaderChoice;

/// The data directory when `--data` is not given: made from the shipped corpus on first use.
pub const DEFAULT_DATA: &str = "./peerscope-data";

#[derive(Parser)]
#[command(name = "peerscope", version, about = "Searchable evidence from English adult social care peer challenges")]
pub struct Cli {
    /// The data directory (sled store + tantivy index).
    #[arg(long, global = true, env = "PEERSCOPE_DATA", default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Read files (text, HTML or PDF, sniffed by content) into documents with findings.
    Extract {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print JSON (the default prints a readable summary).
        #[arg(long)]
        json: bool,
        /// Write DIR/<file stem>.json per file instead of printing.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Print the extracted text that finding offsets point into.
        #[arg(long, conflicts_with_all = ["json", "out"])]
        text: bool,
        /// Print every unit the reader weighed with its probabilities per kind.
        #[arg(long, conflicts_with_all = ["json", "out", "text"])]
        explain: bool,
        #[arg(long, value_enum, default_value_t)]
        reader: ReaderChoice,
    },
    /// Extract, store and index documents (default: corpus/).
    Ingest {
        paths: Vec<PathBuf>,
        /// Which reader decides findings; switching extracts every document again.
        #[arg(long, value_enum, default_value_t)]
        reader: ReaderChoice,
    },
    /// Ask a question: "councils flagged for review performance", "praised for carers".
    Query {
        /// The question, in words (quotes optional): "councils flagged for review
        /// performance", "praised for carers in the West Midlands since 2015".
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
        /// Print the answer as JSON (the web API's `/api/query`).
        #[arg(long)]
        json: bool,
        /// How many councils to list.
        #[arg(long, default_value_t = 10, value_parser = at_least_one)]
        limit: usize,
        #[command(flatten)]
        filters: crate::filter_args::FilterArgs,
    },
    /// Fetch new and changed documents from the sources in FILE (ModernGov sites, the LGA,
    /// single pages), politely, then extract and index them.
    Fetch {
        #[arg(long, value_name = "FILE")]
        sources: PathBuf,
        /// Which reader decides findings (see `ingest --reader`).
        #[arg(long, value_enum, default_value_t)]
        reader: ReaderChoice,
    },
    /// Recurring themes across councils: councils and findings per theme, split by kind.
    Themes {
        #[command(flatten)]
        filters: crate::filter_args::FilterArgs,
        /// Print the table as JSON.
        #[arg(long)]
        json: bool,
        /// How many topics to list (the CQC framework's themes are always all shown).
        #[arg(long, default_value_t = 40, value_parser = at_least_one)]
        limit: usize,
    },
    /// A council's profile: reviews, findings by theme, repeats, comparators, who to learn from.
    Council {
        /// The council, as people write it (quotes optional): Walsall, "City of York",
        /// "London Borough of Bexley", Herts.
        #[arg(required = true, num_args = 1..)]
        name: Vec<String>,
        #[command(flatten)]
        filters: crate::filter_args::FilterArgs,
        /// Print the profile as JSON.
        #[arg(long)]
        json: bool,
    },
    /// One row per finding with council, GSS code, region, review type, year, kind, themes,
    /// text, section, source and byte span; a finding published in several forms is one row,
    /// the other sources in `also_in`.
    Export {
        /// csv (for spreadsheets) or jsonl (one JSON object per line).
        #[arg(long, value_enum)]
        format: crate::export_cmd::Format,
        /// Write to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Start the CSV with a UTF-8 byte-order mark (for spreadsheet programs).
        #[arg(long)]
        bom: bool,
        /// A row for every published copy of a finding (a report's PDF and its web page),
        /// each naming the others in `also_in`.
        #[arg(long)]
        all_copies: bool,
        #[command(flatten)]
        filters: crate::filter_args::FilterArgs,
    },
    /// Serve the web page and JSON API over the data directory (read-only; loopback unless
    /// --bind says otherwise). `/?q=QUESTION` searches, `/api/query?q=QUESTION` answers as
    /// `query --json` does.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
        bind: std::net::SocketAddr,
    },
    /// Score extraction against hand annotations: GOLD_DIR/NAME.json annotates DOCS_DIR/NAME.*
    /// (format and rules: tests/gold/GUIDELINES.md and tests/gold/SCORING.md in the repository).
    Eval {
        gold: PathBuf,
        docs: PathBuf,
        #[arg(long)]
        json: bool,
        /// Only the tables, without the lists of missed and spurious findings.
        #[arg(long)]
        brief: bool,
        /// Also write each document's predictions as DIR/NAME.json.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Score the cue rules instead of the shipped reader.
        #[arg(long, conflicts_with = "reader")]
        rules: bool,
        /// Which trained reader to score (the encoder's figure on documents it was trained
        /// on is a training figure: README gives its cross-validated one, made by
        /// scripts/finetune_experiment.sh, as cross-validation here trains heads only).
        #[arg(long, value_enum, conflicts_with = "cross_validate")]
        reader: Option<ReaderChoice>,
        /// Train the reader on some councils' documents and score it on the others'
        /// (folds by council), beside the cue rules: no figure comes from a document the
        /// model was trained on.
        #[arg(long)]
        cross_validate: bool,
        #[arg(long, default_value_t = 5, requires = "cross_validate")]
        folds: usize,
        /// Further annotated documents to train on but not to score (GOLD_DIR DOCS_DIR;
        /// repeatable), such as the genre set.
        #[arg(long, num_args = 2, value_names = ["GOLD_DIR", "DOCS_DIR"], requires = "cross_validate")]
        train_also: Vec<PathBuf>,
        /// More measured sets (GOLD_DIR DOCS_DIR; repeatable), scored with the first.
        #[arg(long, num_args = 2, value_names = ["GOLD_DIR", "DOCS_DIR"], requires = "cross_validate")]
        with: Vec<PathBuf>,
        /// Also write every unit of the cross-validation (its text, heading, label, fold and
        /// the head's features) as JSON lines to FILE, for experiments with other models.
        #[arg(long, value_name = "FILE", requires = "cross_validate")]
        units: Option<PathBuf>,
        /// Also train the heads with these training options changed (OPTION=VALUE,...; the
        /// options: EPOCHS, LR, L2, FINDING_WEIGHT, REAL_WEIGHT, MAX_RARITY, FINDING_BELOW)
        /// and print the variant's figures with the 95% interval of its difference from the
        /// heads above, the same documents resampled for both.
        #[arg(long, value_name = "OPTION=VALUE,...", requires = "cross_validate")]
        against: Option<String>,
    },
    /// Train the reader on annotated documents (GOLD_DIR DOCS_DIR pairs) and write its
    /// weights (the shipped ones: scripts/train_reader.sh).
    Train {
        #[arg(required = true, num_args = 2.., value_names = ["GOLD_DIR", "DOCS_DIR"])]
        sets: Vec<PathBuf>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    #[command(name = "__pdf-text", hide = true)]
    PdfText,
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::PdfText => Ok(crate::pdf_child::run()),
        Command::Extract { files, json, out, text, explain, reader } => crate::extract_cmd::run(&files, json, out.as_deref(), text, explain, reader),
        Command::Ingest { paths, reader } => crate::ingest::run(&cli.data, &paths, reader),
        Command::Council { name, filters, json } => crate::council_cmd::run(&cli.data, &name.join(" "), &filters, json),
        Command::Themes { filters, json, limit } => crate::themes_cmd::run(&cli.data, &filters, json, limit),
        Command::Export { format, out, bom, all_copies, filters } => crate::export_cmd::run(&cli.data, format, out.as_deref(), bom, all_copies, &filters),
        Command::Fetch { sources, reader } => crate::fetch_cmd::run(&cli.data, &sources, reader),
        Command::Serve { bind } => crate::serve_cmd::run(&cli.data, bind),
        Command::Eval { gold, docs, json, brief, out, rules, reader, cross_validate, folds, train_also, with, units, against } => {
            if cross_validate {
                let sets = crate::eval_cmd::Measured { gold: &gold, docs: &docs, with: &with, train_also: &train_also };
                return crate::eval_cmd::cross_validate(&sets, folds, brief, units.as_deref(), against.as_deref());
            }
            crate::eval_cmd::run(&crate::eval_cmd::Options { gold: &gold, docs: &docs, json, brief, out: out.as_deref(), rules, reader: reader.unwrap_or_default() })
        }
        Command::Train { sets, out } => crate::eval_cmd::train(&sets, &out),
        Command::Query { text, json, limit, filters } => crate::query_cmd::run(&cli.data, &text.join(" "), json, limit, &filters.filter()?),
    }
}

/// A count of things to show: 0 would show nothing and look like "nothing matches".
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}
