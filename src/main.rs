//! The `peerscope` command line: a thin layer over the engine crates.
//!
//! `extract` reads files into documents; `ingest` stores and indexes them; `query` answers
//! questions; `eval` scores extraction against hand annotations. PDFs are parsed in a child process (the hidden `__pdf-text` command) so a
//! hostile file cannot take the run down.

mod cli;
mod data;
mod eval_cmd;
mod extract_cmd;
mod ingest;
mod pdf_child;
mod query_cmd;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("peerscope: error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
