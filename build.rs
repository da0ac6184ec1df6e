//! Links the `peerscope` binary as a position-dependent executable.
//!
//! Why: a position-independent (PIE) build carries about 58,000 relative relocations
//! (pointers in vtables and the static tables of the crates it uses). The dynamic loader
//! writes each of them at start-up, copying some 300 pages of the binary: a third of the
//! page faults and about a tenth of the wall-clock time of a whole-process `query` (issue
//! 10's 10 ms goal). A fixed-address binary needs none of that. What it gives up is the
//! randomised load address of the binary's own code (libraries, heap and stack stay
//! randomised); peerscope's parsers of untrusted input are safe Rust.
//!
//! Only the binaries are linked so (`rustc-link-arg-bins`): tests, examples and the
//! libraries are untouched. The objects stay position-independent; only the link differs.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
