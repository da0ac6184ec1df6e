//! Benchmarks of the pipeline's hot parts on the shipped corpus:
//! extraction throughput per format (bytes/s of the files, chars/s of their text) with the learned reader and, as the baseline
//! measured in the same run, with the cue rules alone (their ratio is what the model costs);
//! the same with the encoder reader (text); the embedding of one sentence and the encoder's
//! forward pass over one; and query latency on an index of the corpus.
//!
//! Run: `cargo bench --bench pipeline`. Whole-process timings: `scripts/bench_ingest.sh`.

use std::path::PathBuf;

use divan::counter::{BytesCount, CharsCount};
use divan::Bencher;
use peerscope_extract::Extractor;
use peerscope_index::FindingIndex;
use peerscope_model::{Councils, Taxonomy};
use peerscope_query::Engine;

/// The binary's allocator (src/main.rs), so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn corpus(ext: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("corpus/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext) && !p.to_string_lossy().contains("LICENSE"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).expect("readable corpus file")))
        .collect();
    out.sort();
    out
}

#[divan::bench(args = ["txt", "html", "pdf"])]
fn extract(bencher: Bencher, ext: &str) {
    bench_extraction(bencher, Extractor::new().expect("shipped reference data"), ext);
}

/// The baseline: the same documents decided by the cue rules alone. The rules need no
/// features, so the difference is the learned reader's whole cost: units, features, head.
#[divan::bench(args = ["txt", "html", "pdf"])]
fn extract_rules(bencher: Bencher, ext: &str) {
    bench_extraction(bencher, Extractor::with_reader(peerscope_extract::Reader::Rules).expect("shipped reference data"), ext);
}

/// The encoder reader on the same documents (`--reader encoder`): what its accuracy costs,
/// as a ratio to `extract` in the same run. Text only: the other formats add the same
/// per-unit cost to their own parsing.
#[divan::bench(args = ["txt"], sample_count = 3, sample_size = 1)]
fn extract_encoder(bencher: Bencher, ext: &str) {
    let reader = peerscope_extract::Reader::encoder().expect("shipped encoder");
    bench_extraction(bencher, Extractor::with_reader(reader).expect("shipped reference data"), ext);
}

/// Every corpus file of one format through `extractor`, counted two ways: the files' bytes,
/// and the characters of the text recovered from them. A PDF holds about 2.7 bytes per
/// character of its text (an HTML page 1.3), so bytes/s flatters the formats that wrap
/// their text, and chars/s is the rate a reader of text is held to.
fn bench_extraction(bencher: Bencher, extractor: Extractor, ext: &str) {
    let files = corpus(ext);
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let chars: usize = files.iter().map(|(_, b)| extractor.text(b).expect("corpus extracts").0.chars().count()).sum();
    bencher.counter(BytesCount::new(bytes)).counter(CharsCount::new(chars)).bench(|| {
        for (name, bytes) in &files {
            divan::black_box(extractor.extract(name, bytes).expect("corpus extracts"));
        }
    });
}

/// What the encoder costs per sentence: one forward pass of the fine-tuned encoder.
#[divan::bench]
fn encode_sentence(bencher: Bencher) {
    let encoder = peerscope_extract::encoder::Encoder::builtin().expect("shipped encoder");
    let sentence = "The performance on reviews remains concerning, the directorate should consider setting a clear target for the year.";
    let structure = [0.0f32; 38];
    bencher.counter(BytesCount::new(sentence.len())).bench_local(|| encoder.probabilities("Areas for development", divan::black_box(sentence), &structure));
}

/// What the model costs per sentence: tokenising and averaging the static embedding.
#[divan::bench]
fn embed_sentence(bencher: Bencher) {
    let table = peerscope_extract::embed::StaticEmbeddings::builtin().expect("shipped embeddings");
    let sentence = "The performance on reviews remains concerning, the directorate should consider setting a clear target for the year.";
    let mut out = vec![0.0; table.dims()];
    bencher.counter(BytesCount::new(sentence.len())).bench_local(|| table.embed_into(divan::black_box(sentence), &mut out));
}

#[divan::bench(args = ["councils flagged for review performance", "praised for carers", "best practice for co-production", "direct payments"])]
fn query(bencher: Bencher, q: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let extractor = Extractor::new().expect("shipped reference data");
    let mut index = FindingIndex::open(dir.path()).expect("index");
    for ext in ["txt", "html", "pdf"] {
        for (name, bytes) in corpus(ext) {
            let doc = extractor.extract(&name, &bytes).expect("corpus extracts").document;
            index.upsert(&name, std::slice::from_ref(&name), &doc, "").expect("indexed");
        }
    }
    index.commit(1).expect("committed");
    let councils = Councils::builtin().expect("councils");
    let taxonomy = Taxonomy::builtin().expect("themes");
    let engine = Engine { index: &index, councils: &councils, taxonomy: &taxonomy };
    bencher.bench(|| divan::black_box(engine.answer(q, 10).expect("answer")));
}

/// Tagging findings with their themes: every line of the corpus's text files through the
/// taxonomy's matcher (called once per finding at extraction).
#[divan::bench]
fn tag_themes(bencher: Bencher) {
    let taxonomy = Taxonomy::builtin().expect("shipped taxonomy");
    taxonomy.compile().expect("shipped patterns compile");
    let lines: Vec<String> = corpus("txt").iter().flat_map(|(_, b)| String::from_utf8_lossy(b).lines().filter(|l| l.len() > 40).map(str::to_string).collect::<Vec<_>>()).collect();
    let total: usize = lines.iter().map(String::len).sum();
    bencher.counter(BytesCount::new(total)).bench(|| {
        for l in &lines {
            divan::black_box(taxonomy.themes_of(l));
        }
    });
}
