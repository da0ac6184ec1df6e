//! Extraction throughput on one core over a directory of documents: every file read by the
//! shipped extractor (or, given `rules` after the file count, by the cue rules alone) twice, the first pass warming its caches (the lexicons' lazy DFAs), the
//! second measured. `measured` is its own function so that an instruction count can be
//! limited to it:
//!
//! ```text
//! cargo run --release --example extract_throughput -- target/scale-letters-10000-31 2000
//! valgrind --tool=callgrind --toggle-collect='extract_throughput::measured' \
//!     target/release/examples/extract_throughput target/scale-letters-10000-31 600
//! ```

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or_else(|| anyhow::anyhow!("usage: extract_throughput DIR [FILES [rules]]"))?;
    let most: usize = args.next().map_or(Ok(usize::MAX), |s| s.parse())?;
    let extractor = match args.next().as_deref() {
        Some("rules") => peerscope_extract::Extractor::with_reader(peerscope_extract::Reader::Rules)?,
        _ => peerscope_extract::Extractor::new()?,
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)?.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    files.sort();
    files.truncate(most);
    let docs = files.iter().map(|p| Ok((p.display().to_string(), std::fs::read(p)?))).collect::<anyhow::Result<Vec<_>>>()?;
    let bytes: usize = docs.iter().map(|d| d.1.len()).sum();
    for pass in ["warm-up", "measured"] {
        let started = std::time::Instant::now();
        let findings = if pass == "warm-up" { warm(&extractor, &docs) } else { measured(&extractor, &docs) };
        let s = started.elapsed().as_secs_f64();
        println!("{pass}: {} files, {:.1} MB in {s:.2} s: {:.2} MB/s, {findings} findings", docs.len(), bytes as f64 / 1e6, bytes as f64 / 1e6 / s);
    }
    Ok(())
}

/// In reverse order: a body identical to `measured`'s would be merged with it by the
/// compiler, and an instruction count limited to `measured` would count both passes.
#[inline(never)]
fn warm(extractor: &peerscope_extract::Extractor, docs: &[(String, Vec<u8>)]) -> usize {
    let reversed: Vec<(String, Vec<u8>)> = docs.iter().rev().cloned().collect();
    read_all(extractor, &reversed)
}

#[inline(never)]
fn measured(extractor: &peerscope_extract::Extractor, docs: &[(String, Vec<u8>)]) -> usize {
    read_all(extractor, docs)
}

/// Findings in all of `docs`; a file that fails counts none (its error is printed).
fn read_all(extractor: &peerscope_extract::Extractor, docs: &[(String, Vec<u8>)]) -> usize {
    docs.iter()
        .map(|(name, bytes)| match extractor.extract(name, bytes) {
            Ok(e) => e.document.findings.len(),
            Err(e) => {
                eprintln!("{name}: {e}");
                0
            }
        })
        .sum()
}
