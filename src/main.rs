//! The `peerscope` command line: a thin layer over the engine crates.
//!
//! `extract` reads files into documents; `ingest` stores and indexes them; `query` answers
//! questions; `eval` scores extraction against hand annotations. PDFs are parsed in a child process (the hidden `__pdf-text` command) so a
//! hostile file cannot take the run down.

mod cli;
mod council_cmd;
mod data;
mod eval_cmd;
mod export_cmd;
mod extract_cmd;
mod fetch_cmd;
mod filter_args;
mod ingest;
mod learn;
mod origin;
mod pdf_child;
mod query_cmd;
mod serve_cmd;
mod themes_cmd;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `println!` that hands a failed write (a closed pipe: `peerscope query ... | head`) back to
/// the caller as an error instead of panicking.
#[macro_export]
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($t)*)?
    }};
}

/// `print!` that returns a failed write as an error (see [`outln!`]).
#[macro_export]
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($t)*)?
    }};
}

/// A reader that stopped reading (`| head`) is not an error worth reporting.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let io = c.downcast_ref::<std::io::Error>().map(|io| io.kind());
        // serde_json wraps the writer's error in its own (`export --format jsonl | head`).
        let json = c.downcast_ref::<serde_json::Error>().and_then(|j| j.io_error_kind());
        io.or(json) == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// An error and its causes on one line, each cause once: library errors often repeat their
/// source in their own message ("store database: IO error: ..."), which `{:#}` would print
/// twice.
pub fn describe(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => std::process::ExitCode::SUCCESS,
        Err(e) if data::is_disk_full(&e) => {
            eprintln!("peerscope: error: no space left on the device: {}", describe(&e));
            eprintln!("peerscope: what was stored before is kept and still answers; free some space and run the command again");
            std::process::ExitCode::from(3)
        }
        Err(e) => {
            eprintln!("peerscope: error: {}", describe(&e));
            std::process::ExitCode::from(2)
        }
    }
}
