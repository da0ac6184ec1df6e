//! Links the `peerscope` binary at a fixed address on Linux (`-no-pie`).
//!
//! Why: a position-independent build carries some 58,000 relative relocations, and the
//! dynamic loader applies every one of them at each start (Rust links with `-z now`),
//! copying about 280 pages of `.data.rel.ro`. That was some 0.8 ms of a 10.8 ms
//! whole-process `peerscope query` at 10,000 letters (issue 10 asks ≤ 10 ms); at a fixed
//! address the linker resolves them once. Libraries, heap, stack and memory maps are still
//! placed at random; only the binary's own image is not. Set `PEERSCOPE_PIE=1` when
//! building to keep a position-independent binary.
fn main() {
    println!("cargo:rerun-if-env-changed=PEERSCOPE_PIE");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" && std::env::var_os("PEERSCOPE_PIE").is_none() {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
