//! `peerscope serve`: the web page and JSON API (`peerscope-serve`) over the data
//! directory, read-only beside any writer. On an empty directory the shipped corpus is
//! ingested first, as `query` does.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use peerscope_model::{Councils, Taxonomy};
use peerscope_serve::Site;

pub fn run(data: &Path, bind: SocketAddr) -> anyhow::Result<ExitCode> {
    let index = crate::data::open_for_reading(data)?;
    let site = Arc::new(Site::new(index, peerscope_store::Blobs::of(data), Councils::builtin()?, Taxonomy::builtin()?));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(peerscope_serve::serve(site, bind, |addr| {
        // The address on stdout (port 0 picks one), how to stop on stderr.
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "serving http://{addr}/");
        let _ = out.flush();
        eprintln!("peerscope: serving {} read-only on http://{addr}/ ; Ctrl-C stops", data.display());
    }))?;
    Ok(ExitCode::SUCCESS)
}
