//! Shared by the tests that run the real binary: where the repository is, the binary with a
//! data directory, and the loopback HTTP server with faults.
#![allow(dead_code)] // each test crate uses its own part of this

pub mod server;

use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `peerscope` binary run from the repository root with `--data DATA`, quiet as under CI.
pub fn peerscope(data: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_peerscope"));
    cmd.current_dir(root()).env("CI", "1").arg("--data").arg(data);
    cmd
}
