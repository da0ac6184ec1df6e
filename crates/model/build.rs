//! The shipped taxonomy (`corpus/themes.toml`, edited by people) is turned into JSON at
//! build time: every command that answers a question reads it at start-up, and parsing
//! TOML cost a query process 2.3 M instructions (5% of an answer) where JSON costs a
//! fraction. The TOML stays the source; a malformed one fails the build with its error.

use std::path::Path;

fn main() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/themes.toml");
    println!("cargo::rerun-if-changed={}", source.display());
    let text = std::fs::read_to_string(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
    let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
    let json = serde_json::to_string(&value).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("themes.json");
    std::fs::write(&out, json).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
