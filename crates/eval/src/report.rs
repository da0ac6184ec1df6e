//! Summing scores over documents and rendering them: the per-kind, segmentation, coarse
//! and strict tables, the kinds the passages found were read as (a finding whose sense is
//! turned around), what each minimum confidence would keep, metadata agreement, and each
//! missed or spurious finding by document.

use std::fmt::Write as _;

use serde::Serialize;

use crate::{kind_index, prf, score_doc, Counts, Mode, Side, KINDS, META};

/// One document's scores and what went wrong in it.
#[derive(Debug, Clone, Serialize)]
pub struct DocScore {
    pub name: String,
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub f1: f64,
    /// Coarse counts (areas for development and recommendations one kind): tp, fp, fn.
    pub coarse: [usize; 3],
    /// Metadata fields that disagree: (field, gold, predicted).
    pub meta_wrong: Vec<(String, Option<String>, Option<String>)>,
    /// Gold findings nobody found: (kind, text).
    pub missed: Vec<(String, String)>,
    /// Predictions that match nothing: (kind, text).
    pub spurious: Vec<(String, String)>,
}

/// Precision, recall and F1 of one line of a table.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Summary {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Summary {
    fn of(c: [usize; 3]) -> Summary {
        let (precision, recall, f1) = prf(c);
        Summary { precision, recall, f1, tp: c[0], fp: c[1], fn_: c[2] }
    }
}

/// Scores summed over documents (micro averages).
#[derive(Debug, Clone, Default)]
pub struct Report {
    strict: [[usize; 3]; 4],
    segmentation: [usize; 3],
    coarse: [usize; 3],
    meta_ok: [usize; 5],
    /// Per threshold of [`MIN_CONFIDENCES`], what the predictions kept at it score (the
    /// first, 0, keeps them all).
    by_confidence: [AtConfidence; MIN_CONFIDENCES.len()],
    pub docs: Vec<DocScore>,
}

/// The thresholds `--min-confidence` is shown at: what each would keep and cost.
pub const MIN_CONFIDENCES: [f64; 6] = [0.0, 0.5, 0.6, 0.7, 0.8, 0.9];

/// The predictions a `--min-confidence` keeps, scored.
#[derive(Debug, Clone, Copy, Default)]
struct AtConfidence {
    kept: usize,
    coarse: [usize; 3],
    kinds_read: [[usize; 4]; 4],
}

fn add(into: &mut [usize; 3], c: &Counts) {
    for k in &c.per_kind {
        for x in 0..3 {
            into[x] += k[x];
        }
    }
}

impl Report {
    pub fn new() -> Report {
        Report::default()
    }

    /// Scores one document and adds it to the totals.
    pub fn add(&mut self, name: &str, gold: &Side, pred: &Side) {
        let strict = score_doc(gold, pred, Mode::Strict);
        let found = score_doc(gold, pred, Mode::Segmentation);
        add(&mut self.segmentation, &found);
        let found_coarse = score_doc(gold, pred, Mode::Coarse);
        for (at, &min) in self.by_confidence.iter_mut().zip(&MIN_CONFIDENCES) {
            // A threshold every prediction meets (0; any, for the cue rules' certain findings)
            // keeps them all: their scores are the ones just made.
            if pred.items.iter().all(|i| i.confidence >= min) {
                at.add(gold, pred, &found, &found_coarse);
            } else {
                let kept = pred.at_least(min);
                at.add(gold, &kept, &score_doc(gold, &kept, Mode::Segmentation), &score_doc(gold, &kept, Mode::Coarse));
            }
        }
        let mut coarse = [0; 3];
        add(&mut coarse, &found_coarse);
        for (total, n) in self.coarse.iter_mut().zip(coarse) {
            *total += n;
        }
        for (k, counts) in strict.per_kind.iter().enumerate() {
            for (total, n) in self.strict[k].iter_mut().zip(counts) {
                *total += n;
            }
        }
        let mut meta_wrong = Vec::new();
        for (m, field) in META.iter().enumerate() {
            let (g, p) = (gold.meta(field), pred.meta(field));
            if g == p {
                self.meta_ok[m] += 1;
            } else {
                meta_wrong.push((field.to_string(), g.map(str::to_string), p.map(str::to_string)));
            }
        }
        let mut total = [0; 3];
        add(&mut total, &strict);
        let item = |i: &crate::Item| (i.kind.clone(), i.text.clone());
        self.docs.push(DocScore {
            name: name.to_string(),
            tp: total[0],
            fp: total[1],
            fn_: total[2],
            f1: prf(total).2,
            coarse,
            meta_wrong,
            missed: strict.missed.iter().map(|&j| item(&gold.items[j])).collect(),
            spurious: strict.spurious.iter().map(|&i| item(&pred.items[i])).collect(),
        });
    }

    pub fn kind(&self, kind: &str) -> Option<Summary> {
        KINDS.iter().position(|k| *k == kind).map(|k| Summary::of(self.strict[k]))
    }

    /// All kinds, kinds must agree.
    pub fn strict(&self) -> Summary {
        let mut all = [0; 3];
        for k in &self.strict {
            for x in 0..3 {
                all[x] += k[x];
            }
        }
        Summary::of(all)
    }

    pub fn coarse(&self) -> Summary {
        Summary::of(self.coarse)
    }

    pub fn segmentation(&self) -> Summary {
        Summary::of(self.segmentation)
    }

    /// How far a pooled F1 moves with the documents drawn: its 2.5th and 97.5th percentiles
    /// over `rounds` resamplings of the documents with replacement (the bootstrap), `strict`
    /// or coarse. Findings come in documents (one report can hold a fifth of a set's), so
    /// this, not the count of findings, says what a figure is worth. Deterministic: the
    /// draws come from a fixed seed.
    pub fn interval(&self, strict: bool, rounds: usize) -> Option<(f64, f64)> {
        bootstrap(&[self], strict, rounds, |f| f[0])
    }

    /// The same for this report's F1 minus `other`'s, the two resampled together (the same
    /// documents, read two ways): whether one reader is better than another beyond chance.
    /// `None` unless both scored the same documents in the same order.
    pub fn interval_against(&self, other: &Report, strict: bool, rounds: usize) -> Option<(f64, f64)> {
        let same = self.docs.len() == other.docs.len() && self.docs.iter().zip(&other.docs).all(|(a, b)| a.name == b.name);
        if !same {
            return None;
        }
        bootstrap(&[self, other], strict, rounds, |f| f[0] - f[1])
    }

    /// Of the passages found as findings, how many of each gold kind (row) were read as each
    /// kind (column), in [`KINDS`] order: the diagonal is right, the rest is a finding filed
    /// under the wrong kind.
    pub fn kinds_read(&self) -> [[usize; 4]; 4] {
        self.by_confidence[0].kinds_read
    }

    /// The confusions that turn a finding's sense around: (strengths read as an area for
    /// development or a recommendation, areas for development and recommendations read as
    /// strengths). A council told to fix its waiting lists filed as praised is the second.
    pub fn praise_swapped(&self) -> (usize, usize) {
        praise_swapped(&self.kinds_read())
    }

    /// How many documents have `field` right.
    pub fn meta_ok(&self, field: &str) -> usize {
        META.iter().position(|m| *m == field).map_or(0, |m| self.meta_ok[m])
    }

    /// The tables, laid out as `score.py` prints them, then per-document lines.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let line = |out: &mut String, name: &str, s: Summary| {
            let _ = writeln!(out, "{name:<22}{:7.3}{:7.3}{:7.3}   {}/{}/{}", s.precision, s.recall, s.f1, s.tp, s.fp, s.fn_);
        };
        let _ = writeln!(out, "{:<22}{:>7}{:>7}{:>7}   tp/fp/fn", "kind", "P", "R", "F1");
        for k in KINDS {
            line(&mut out, k, self.kind(k).unwrap_or(Summary::of([0; 3])));
        }
        line(&mut out, "segmentation", self.segmentation());
        line(&mut out, "coarse (afd=rec)", self.coarse());
        if let Some((lo, hi)) = self.interval(false, BOOTSTRAP_ROUNDS) {
            let _ = writeln!(out, "{:<22}{lo:.3} – {hi:.3}   (95%, documents resampled {BOOTSTRAP_ROUNDS} times)", "coarse F1 interval");
        }
        out.push_str(&self.kinds_read_table());
        out.push_str(&self.confidence_table());
        let n = self.docs.len();
        for m in META {
            let _ = writeln!(out, "metadata {m:<13}{}/{n}", self.meta_ok(m));
        }
        for d in &self.docs {
            let _ = writeln!(out, "  {:<45} F1 {:.3}  tp {} fp {} fn {}", d.name, d.f1, d.tp, d.fp, d.fn_);
        }
        let s = self.strict();
        let _ = writeln!(out, "all kinds F1 {:.3} (P {:.3} R {:.3}) over {n} documents", s.f1, s.precision, s.recall);
        out
    }

    /// The passages found, by gold kind and kind read, and how many had their sense turned
    /// around (praise read as concern or advice, or the reverse).
    pub fn kinds_read_table(&self) -> String {
        let mut out = String::new();
        let short = ["strength", "area", "recommend", "pointer"];
        let _ = writeln!(out, "{:<26}{:>10}{:>10}{:>10}{:>10}", "found: gold kind, read as", short[0], short[1], short[2], short[3]);
        for (g, row) in self.kinds_read().iter().enumerate() {
            let _ = writeln!(out, "  {:<24}{:>10}{:>10}{:>10}{:>10}", short[g], row[0], row[1], row[2], row[3]);
        }
        let (praise, concern) = self.praise_swapped();
        let _ = writeln!(out, "{:<26}{} strengths read as concerns or advice, {} concerns or advice read as strengths", "sense turned around", praise, concern);
        out
    }

    /// What each `--min-confidence` of [`MIN_CONFIDENCES`] would keep of the predictions and
    /// how the kept ones score (coarse), with the findings whose sense they turn around:
    /// for choosing a threshold for an export.
    pub fn confidence_table(&self) -> String {
        let mut out = String::new();
        let all = self.by_confidence[0].kept.max(1) as f64;
        let _ = writeln!(out, "{:<22}{:>6}{:>7}{:>7}{:>7}   sense turned around", "--min-confidence", "kept", "P", "R", "F1");
        for (at, min) in self.by_confidence.iter().zip(MIN_CONFIDENCES) {
            let s = Summary::of(at.coarse);
            let (praise, concern) = praise_swapped(&at.kinds_read);
            let _ = writeln!(out, "  {min:<20.1}{:>5.0}%{:7.3}{:7.3}{:7.3}   {praise} + {concern}", 100.0 * at.kept as f64 / all, s.precision, s.recall, s.f1);
        }
        out
    }

    /// [`Report::confidence_table`]'s figures as JSON.
    fn confidence_json(&self) -> serde_json::Value {
        self.by_confidence
            .iter()
            .zip(MIN_CONFIDENCES)
            .map(|(at, min)| serde_json::json!({ "min_confidence": min, "kept": at.kept, "coarse": Summary::of(at.coarse), "praise_swapped": praise_swapped(&at.kinds_read) }))
            .collect()
    }

    /// Each document's wrong metadata, missed findings and spurious findings.
    pub fn errors(&self) -> String {
        let mut out = String::new();
        for d in &self.docs {
            if d.meta_wrong.is_empty() && d.missed.is_empty() && d.spurious.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n== {} ({} missed, {} spurious)", d.name, d.missed.len(), d.spurious.len());
            for (field, g, p) in &d.meta_wrong {
                let _ = writeln!(out, "  metadata {field}: gold {}, predicted {}", g.as_deref().unwrap_or("-"), p.as_deref().unwrap_or("-"));
            }
            for (kind, text) in &d.missed {
                let _ = writeln!(out, "  missed   [{kind}] {text}");
            }
            for (kind, text) in &d.spurious {
                let _ = writeln!(out, "  spurious [{kind}] {text}");
            }
        }
        out
    }

    /// The figures as JSON (the shape of `score.py --json`, plus the error lists).
    pub fn to_json(&self) -> serde_json::Value {
        let n = self.docs.len().max(1) as f64;
        serde_json::json!({
            "docs": self.docs.len(),
            "kinds": KINDS.iter().map(|k| (k.to_string(), serde_json::to_value(self.kind(k)).unwrap_or_default())).collect::<serde_json::Map<_, _>>(),
            "all": self.strict(),
            "segmentation": self.segmentation(),
            "kinds_read": { "kinds": KINDS, "gold_by_read": self.kinds_read() },
            "by_min_confidence": self.confidence_json(),
            "coarse": self.coarse(),
            "coarse_interval": self.interval(false, BOOTSTRAP_ROUNDS),
            "all_interval": self.interval(true, BOOTSTRAP_ROUNDS),
            "metadata": META.iter().map(|m| (m.to_string(), serde_json::json!(self.meta_ok(m) as f64 / n))).collect::<serde_json::Map<_, _>>(),
            "per_doc": self.docs,
        })
    }
}

impl AtConfidence {
    /// Adds the predictions `kept` of one document: `found` and `coarse` are their scores in
    /// segmentation and coarse mode. Each passage found (kinds aside) is counted by its gold
    /// kind and the kind it was read as.
    fn add(&mut self, gold: &Side, kept: &Side, found: &Counts, coarse: &Counts) {
        self.kept += kept.items.len();
        add(&mut self.coarse, coarse);
        for &(i, j) in &found.matched {
            if let (Some(g), Some(p)) = (kind_index(&gold.items[j].kind), kind_index(&kept.items[i].kind)) {
                self.kinds_read[g][p] += 1;
            }
        }
    }
}

/// (strengths read as concerns or advice, concerns or advice read as strengths).
fn praise_swapped(k: &[[usize; 4]; 4]) -> (usize, usize) {
    (k[0][1] + k[0][2], k[1][0] + k[2][0])
}

/// Resamplings behind an interval: cheap (milliseconds), and enough that on the 37 real
/// documents a change of seed moved an interval's ends by 0.002–0.004 (a paired
/// difference's by up to 0.012).
pub const BOOTSTRAP_ROUNDS: usize = 2000;

/// The 2.5th and 97.5th percentiles of `statistic` of the reports' pooled F1s over
/// `rounds` draws of their documents (the same draw for every report).
fn bootstrap(reports: &[&Report], strict: bool, rounds: usize, statistic: impl Fn(&[f64]) -> f64) -> Option<(f64, f64)> {
    let counts: Vec<Vec<[usize; 3]>> =
        reports.iter().map(|r| r.docs.iter().map(|d| if strict { [d.tp, d.fp, d.fn_] } else { d.coarse }).collect()).collect();
    let n = counts.first().map_or(0, Vec::len);
    if n == 0 || rounds == 0 {
        return None;
    }
    let mut rng = SplitMix64(0x5eed_5eed);
    let mut draws: Vec<f64> = (0..rounds)
        .map(|_| {
            let picks: Vec<usize> = (0..n).map(|_| (rng.next() % n as u64) as usize).collect();
            let f1s: Vec<f64> = counts
                .iter()
                .map(|docs| {
                    let mut pooled = [0; 3];
                    for &i in &picks {
                        for (total, n) in pooled.iter_mut().zip(docs[i]) {
                            *total += n;
                        }
                    }
                    prf(pooled).2
                })
                .collect();
            statistic(&f1s)
        })
        .collect();
    draws.sort_by(f64::total_cmp);
    let at = |q: f64| draws[((q * (rounds - 1) as f64).round() as usize).min(rounds - 1)];
    Some((at(0.025), at(0.975)))
}

/// A small deterministic generator for the bootstrap (SplitMix64): its draws need only be
/// spread evenly, and the same on every machine.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
