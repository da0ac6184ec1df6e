//! Query latency in-process over a data directory's index: each query of a fixed set is
//! answered many times, and the p50 and p99 of all answers are printed.
//!
//! ```text
//! cargo run --release --example query_latency -- DATA_DIR [ROUNDS] [QUESTION]
//! ```

use std::time::Instant;

use peerscope_index::FindingIndex;
use peerscope_model::{Councils, Taxonomy};
use peerscope_query::Engine;

const QUERIES: &[&str] = &[
    "councils flagged for review performance",
    "praised for carers",
    "best practice for co-production",
    "concerns about DoLS",
    "councils in the North West flagged for workforce since 2019",
    "direct payments",
    "\"case recording\"",
    "recommended market shaping",
];

fn main() {
    let mut args = std::env::args().skip(1);
    let data = std::path::PathBuf::from(args.next().expect("usage: query_latency DATA_DIR [ROUNDS] [QUESTION]"));
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(50);
    // One question instead of the set, to profile it alone.
    let asked = args.next();
    let questions: Vec<&str> = match &asked {
        Some(q) => vec![q.as_str()],
        None => QUERIES.to_vec(),
    };
    // Read-only, as the `query` command opens it: works while a writer ingests.
    let index = FindingIndex::open_read_only(&data.join("index")).expect("opening the index").expect("an index built by this version: run `peerscope ingest` first");
    let councils = Councils::builtin().expect("councils");
    let taxonomy = Taxonomy::builtin().expect("themes");
    let engine = Engine { index: &index, councils: &councils, taxonomy: &taxonomy };
    let mut times = Vec::new();
    for q in questions {
        let _ = engine.answer(q, 10); // warm
        let mut mine = Vec::new();
        for _ in 0..rounds {
            let t = Instant::now();
            let answer = engine.answer(q, 10).expect("an answer");
            std::hint::black_box(answer);
            mine.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        mine.sort_by(f64::total_cmp);
        println!("{:<62} p50 {:>7.2} ms  p99 {:>7.2} ms", q, mine[mine.len() / 2], mine[(mine.len() * 99) / 100]);
        times.extend(mine);
    }
    times.sort_by(f64::total_cmp);
    println!("all {} answers over {} findings: p50 {:.2} ms, p99 {:.2} ms", times.len(), index.len(), times[times.len() / 2], times[(times.len() * 99) / 100]);
}
