//! Builds a scale corpus for benchmarks from real findings: every finding extracted from
//! `corpus/` and `tests/genre/docs/` becomes material for synthetic peer challenge letters,
//! one per council per review year, with Strengths / Areas for development / Recommendations
//! sections and a pointer to another council now and then.
//!
//! ```text
//! cargo run --release --example scale_corpus -- OUT_DIR [FINDINGS [PER_LETTER]]   # default 100000, 66
//! ```
//!
//! 150 councils over ten years (2015–2024); deterministic, so runs compare. PER_LETTER 31
//! gives letters of the shape the speed issue measured (10,000 letters, ~315,000 findings).

use std::fmt::Write as _;
use std::path::PathBuf;

use peerscope_extract::Extractor;
use peerscope_model::{Councils, FindingKind};

/// xorshift64*: small, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

fn real_findings() -> [Vec<String>; 3] {
    let x = Extractor::new().expect("built-in councils and themes");
    let mut out: [Vec<String>; 3] = Default::default();
    for dir in ["corpus", "tests/genre/docs"] {
        for entry in std::fs::read_dir(dir).expect("run from the repository root").flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "txt") || path.to_string_lossy().contains("LICENSE") {
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else { continue };
            let Ok(doc) = x.extract(&path.display().to_string(), &bytes) else { continue };
            for f in doc.document.findings {
                let slot = match f.kind {
                    FindingKind::Strength => 0,
                    FindingKind::AreaForDevelopment => 1,
                    FindingKind::Recommendation => 2,
                    FindingKind::BestPractice => continue,
                };
                // One line per bullet: the text without line breaks or the reviewed council's name.
                out[slot].push(f.text.replace('\n', " "));
            }
        }
    }
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "target/scale-corpus".into()));
    let target: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let findings = real_findings();
    let councils = Councils::builtin().expect("built-in councils");
    let councils: Vec<_> = councils.all().iter().take(150).collect();
    std::fs::create_dir_all(&out).expect("creating the output directory");
    let per_doc: usize = args.next().and_then(|n| n.parse().ok()).filter(|&n| n >= 3).unwrap_or(66);
    let docs = target.div_ceil(per_doc);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut bytes = 0;
    for i in 0..docs {
        let council = councils[i % councils.len()];
        let year = 2015 + (i / councils.len()) % 10;
        let mut text = String::new();
        let _ = writeln!(text, "{} – Adult Social Care Peer Challenge\n", council.official_name);
        let _ = writeln!(text, "Dear Director,\n\nThe peer team was on site from 3 – 5 March {year}. This letter sets out our findings.\n");
        for (slot, heading) in [(0, "Strengths"), (1, "Areas for development"), (2, "Recommendations")] {
            let _ = writeln!(text, "{heading}\n");
            for _ in 0..per_doc / 3 {
                let _ = writeln!(text, "• {}", rng.pick(&findings[slot]));
            }
            text.push('\n');
        }
        let other = councils[(i * 7 + 3) % councils.len()];
        let _ = writeln!(text, "Some ideas for best practice development\n\n• {} have an integrated workforce plan which could be looked at.\n", other.name);
        let _ = writeln!(text, "Yours sincerely,\nLead Peer");
        let name = format!("{:04}_{}_{year}.txt", i, council.name.to_lowercase().replace([' ', ','], "-"));
        bytes += text.len();
        std::fs::write(out.join(name), text).expect("writing a document");
    }
    eprintln!("{docs} documents, {} councils, 2015–2024, about {} findings, {:.1} MB in {}", councils.len(), docs * (per_doc + 1), bytes as f64 / 1e6, out.display());
}
