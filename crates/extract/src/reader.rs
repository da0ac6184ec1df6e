//! The learned reader: whether each unit of a document is a finding, and of which kind.
//!
//! The structure walk ([`crate::findings`]) finds the units (list items, sentences of prose,
//! table cells) and the context each sits in: the kind its heading announces, the list it is
//! in, whether minutes retell the review there, and what the old cue rules would make of it.
//! Units the walk never weighs (sentences of minutes outside a retelling, lines after an
//! intro it ignored) are added too. Every unit becomes a feature vector ([`features`]): that
//! context, the cue weights, and the unit's and its heading's static sentence embedding
//! ([`crate::embed`]). A small trained head ([`Head`], multinomial logistic regression, its
//! weights in `model/reader.json`) gives each unit a probability per class; the most likely
//! class that is a kind makes the finding, and its probability is the finding's confidence.
//!
//! Training lives here too ([`Head::train`]): deterministic full-batch optimisation, so the
//! committed weights are rebuilt exactly by `scripts/train_reader.sh` from the committed
//! annotations.

use rustc_hash::FxHashMap as HashMap;

use peerscope_model::text::Fnv1a;
use peerscope_model::{Finding, FindingKind};
use serde::{Deserialize, Serialize};

use crate::embed::StaticEmbeddings;
use crate::findings::FindingContext;
use crate::structure::{Block, BlockKind, SectionKind};
use crate::{cues, sentences::sentences};

/// The classes the head chooses between: not a finding, then each kind.
pub const CLASSES: [Option<FindingKind>; 5] =
    [None, Some(FindingKind::Strength), Some(FindingKind::AreaForDevelopment), Some(FindingKind::Recommendation), Some(FindingKind::BestPractice)];

/// The class index of a kind (0 is "not a finding").
pub fn class_of(kind: Option<FindingKind>) -> usize {
    CLASSES.iter().position(|c| *c == kind).unwrap_or(0)
}

/// Bumped whenever the feature layout changes: a head trained on another layout is refused.
pub const FEATURES_VERSION: u32 = 4;

/// One unit of a document and the context the walk saw it in.
#[derive(Debug, Clone)]
pub struct Unit {
    pub start: usize,
    pub end: usize,
    /// The kind the section announces; `None` for a unit the walk did not weigh.
    pub section: Option<SectionKind>,
    pub section_name: Option<String>,
    pub is_item: bool,
    /// A sentence of minutes known to retell the review.
    pub retold: bool,
    /// What the cue rules decided.
    pub rule: Option<FindingKind>,
}

impl Unit {
    pub fn weighed(start: usize, end: usize, section: SectionKind, section_name: Option<String>, is_item: bool, retold: bool, rule: Option<FindingKind>) -> Unit {
        Unit { start, end, section: Some(section), section_name, is_item, retold, rule }
    }
}

/// A unit with its features and, when the rules made it a finding, that finding.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub unit: Unit,
    /// The features before the n-gram block ([`dense_len`] of them).
    pub features: Vec<f32>,
    /// The n-gram buckets the unit sets (to 1.0), ascending: the block is mostly zeros,
    /// so it is kept sparse and never written out or multiplied in full.
    pub ngrams: Vec<u16>,
    pub rule_finding: Option<Finding>,
}

impl Candidate {
    /// The whole feature vector ([`feature_len`] entries), as training reads it.
    pub fn full_features(&self) -> Vec<f32> {
        let mut x = self.features.clone();
        let base = x.len();
        x.resize(base + NGRAM_BUCKETS, 0.0);
        for &i in &self.ngrams {
            x[base + usize::from(i)] = 1.0;
        }
        x
    }

    /// The unit as a finding of `kind`: the rules' finding when they made one (it keeps
    /// their section and pointers), else one made from the unit.
    pub fn as_finding(&self, text: &str, kind: FindingKind, themes: impl FnOnce(&str) -> Vec<String>) -> Finding {
        let mut f = self.rule_finding.clone().unwrap_or_else(|| {
            let s = &text[self.unit.start..self.unit.end];
            Finding {
                kind,
                text: s.to_string(),
                section: self.unit.section_name.clone(),
                themes: themes(s),
                start: self.unit.start,
                end: self.unit.end,
                council: None,
                also: Vec::new(),
                confidence: 1.0,
            }
        });
        f.kind = kind;
        f
    }
}

/// Every unit of the document: the walk's, reconciled with the findings the rules made of
/// them (a finding may have grown by a sentence that finishes it, or taken a retold list
/// item's kind), then the sentences the walk passed over.
pub fn units(text: &str, blocks: &[Block], trace: Vec<Unit>, rule_findings: &[Finding]) -> Vec<(Unit, Option<Finding>)> {
    let mut units: Vec<(Unit, Option<Finding>)> = Vec::new();
    let mut by_start: HashMap<usize, usize> = HashMap::default();
    for u in trace {
        if by_start.contains_key(&u.start) {
            continue;
        }
        by_start.insert(u.start, units.len());
        units.push((u, None));
    }
    for f in rule_findings {
        match by_start.get(&f.start) {
            Some(&i) => {
                let (u, slot) = &mut units[i];
                u.end = f.end;
                u.rule = Some(f.kind);
                *slot = Some(f.clone());
            }
            None => {
                let u = Unit { start: f.start, end: f.end, section: None, section_name: f.section.clone(), is_item: false, retold: false, rule: Some(f.kind) };
                by_start.insert(f.start, units.len());
                units.push((u, Some(f.clone())));
            }
        }
    }
    let mut covered: Vec<(usize, usize)> = units.iter().map(|(u, _)| (u.start, u.end)).collect();
    covered.sort_unstable();
    let overlaps = |s: usize, e: usize| {
        let i = covered.partition_point(|&(cs, _)| cs < e);
        covered[..i].iter().rev().take(64).any(|&(cs, ce)| cs < e && s < ce)
    };
    let mut heading: Option<String> = None;
    let mut extra = Vec::new();
    for b in blocks {
        match b.kind {
            BlockKind::Heading => heading = Some(text[b.start..b.end].trim_end_matches([':', '-', ' ']).to_string()),
            BlockKind::TableRow => {}
            BlockKind::Item { .. } | BlockKind::Paragraph => {
                let is_item = matches!(b.kind, BlockKind::Item { .. });
                let spans = if is_item && !overlaps(b.start, b.end) { vec![(b.start, b.end)] } else { sentences(text, b.start, b.end) };
                for (s, e) in spans {
                    if !overlaps(s, e) && text[s..e].split_whitespace().count() >= 2 {
                        extra.push(Unit { start: s, end: e, section: None, section_name: heading.clone(), is_item, retold: false, rule: None });
                    }
                }
            }
        }
    }
    units.extend(extra.into_iter().map(|u| (u, None)));
    units.sort_by_key(|(u, _)| u.start);
    split_prose(text, units)
}

/// A list item of this many sentences or more is a numbered paragraph, not a bullet: it is
/// decided a sentence at a time like prose. A bullet is one finding, with at most a second
/// sentence that finishes the first (`GUIDELINES.md`); LGA reports number their paragraphs
/// ("1. There is a clear vision ... There are many good ideas ..."), and the walk reads
/// those as items. (Cross-validated on the real documents when chosen: 3 gave coarse 0.739
/// against 0.690 for never and 0.706 for 2; the seeds held out read 0.811, 0.806, 0.780.)
const ITEM_OF_SENTENCES: usize = 3;

/// A unit of prose longer than one sentence is decided a sentence at a time: a finding is one
/// sentence of prose (`GUIDELINES.md`), and a paragraph of an executive summary mixes praise,
/// concern and advice. List items stay whole unless they are paragraphs ([`ITEM_OF_SENTENCES`]).
fn split_prose(text: &str, units: Vec<(Unit, Option<Finding>)>) -> Vec<(Unit, Option<Finding>)> {
    let mut out = Vec::with_capacity(units.len());
    for (u, f) in units {
        let spans = sentences(text, u.start, u.end);
        if spans.len() < if u.is_item { ITEM_OF_SENTENCES } else { 2 } {
            out.push((u, f));
            continue;
        }
        for (s, e) in spans {
            if text[s..e].split_whitespace().count() >= 2 {
                out.push((Unit { start: s, end: e, ..u.clone() }, None));
            }
        }
    }
    out
}

/// Features that are not embeddings, by name (the head records them, so a changed layout
/// is noticed).
pub const STRUCTURE_FEATURES: [&str; 38] = [
    "rule:none", "rule:strength", "rule:area", "rule:recommendation", "rule:best_practice",
    "section:strengths", "section:development", "section:development_and_recommendations", "section:recommendations",
    "section:best_practice", "section:neutral", "section:findings", "section:not_findings", "section:unweighed",
    "item", "retold", "minutes",
    "cue:praise", "cue:concern", "cue:advice", "cue:need", "cue:explicit",
    "cue:praise_first", "cue:concern_then_advice", "cue:outside_asides",
    "not_finding", "process", "pointer", "other_council",
    "log_words", "position", "question", "quotation", "short", "attributed", "intro",
    "turn:praise", "turn:concern",
];

/// The length of a feature vector for embeddings of `dims` dimensions: the structure
/// features, the unit's embedding, its heading's embedding, its neighbours' embedding.
pub fn feature_len(dims: usize) -> usize {
    dense_len(dims) + NGRAM_BUCKETS
}

/// The features before the n-gram block: the structure features and the three embeddings.
pub fn dense_len(dims: usize) -> usize {
    STRUCTURE_FEATURES.len() + 3 * dims
}

/// Hashed word unigrams and bigrams of the unit: the phrases that tell a kind ("not
/// universal", "may want", "less evident") which a mean of token vectors blurs.
pub const NGRAM_BUCKETS: usize = 1024;
// A unit's buckets are gathered in a bitset of 64-bit words and kept as `u16`s.
const _: () = assert!(NGRAM_BUCKETS.is_multiple_of(64) && NGRAM_BUCKETS <= 1 << 16);

fn lower(w: &str) -> impl Iterator<Item = u8> + '_ {
    w.bytes().map(|b| b.to_ascii_lowercase())
}

/// The n-gram buckets `s` sets, ascending, each once.
fn ngrams(s: &str) -> Vec<u16> {
    let mut set = [0u64; NGRAM_BUCKETS / 64];
    // Words hashed as they are read, lower-cased byte by byte (ASCII; other letters as they
    // are): no allocation per word.
    let mut mark = |h: u64| {
        let b = (h % NGRAM_BUCKETS as u64) as usize;
        set[b / 64] |= 1 << (b % 64);
    };
    let mut previous: Option<&str> = None;
    for w in s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).take(200) {
        mark(Fnv1a::of(lower(w)));
        if let Some(p) = previous {
            mark(Fnv1a::of(lower(p).chain([b' ']).chain(lower(w))));
        }
        previous = Some(w);
    }
    let mut out = Vec::with_capacity(set.iter().map(|w| w.count_ones() as usize).sum());
    for (i, &word) in set.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            out.push((i * 64 + bits.trailing_zeros() as usize) as u16);
            bits &= bits - 1;
        }
    }
    out
}

/// Fills each candidate's neighbour slot with the mean embedding of the units before and
/// after it: findings come in runs, and the sentence next door says what kind of passage
/// this is (a team list, a retelling, a findings section).
pub fn add_context(candidates: &mut [Candidate], dims: usize) {
    let base = STRUCTURE_FEATURES.len();
    let own = base..base + dims;
    let mut previous = vec![0.0f32; dims];
    for i in 0..candidates.len() {
        let next: Option<Vec<f32>> = candidates.get(i + 1).map(|n| n.features[own.clone()].to_vec());
        let current = candidates[i].features[own.clone()].to_vec();
        let slot = &mut candidates[i].features[base + 2 * dims..base + 3 * dims];
        for (j, s) in slot.iter_mut().enumerate() {
            *s = 0.5 * (if i > 0 { previous[j] } else { 0.0 } + next.as_ref().map_or(0.0, |n| n[j]));
        }
        previous = current;
    }
}

/// Reuses the embedding of a heading across the units under it.
#[derive(Default)]
pub struct HeadingCache {
    cache: HashMap<String, Vec<f32>>,
}

/// The features of one unit: the dense ones, and the n-gram buckets it sets.
pub fn features(text: &str, unit: &Unit, ctx: &FindingContext, embeddings: &StaticEmbeddings, headings: &mut HeadingCache) -> (Vec<f32>, Vec<u16>) {
    let s = &text[unit.start..unit.end];
    let dims = embeddings.dims();
    let mut x = vec![0.0f32; dense_len(dims)];
    let mut set = |i: usize, v: f32| x[i] = v;
    set(class_of(unit.rule), 1.0);
    let section = match unit.section {
        Some(SectionKind::Strengths) => 5,
        Some(SectionKind::Development) => 6,
        Some(SectionKind::DevelopmentAndRecommendations) => 7,
        Some(SectionKind::Recommendations) => 8,
        Some(SectionKind::BestPractice) => 9,
        Some(SectionKind::Neutral) => 10,
        Some(SectionKind::Findings) => 11,
        Some(SectionKind::NotFindings) => 12,
        None => 13,
    };
    set(section, 1.0);
    set(14, f32::from(unit.is_item));
    set(15, f32::from(unit.retold));
    set(16, f32::from(ctx.minutes));
    let (evidence, others) = crate::findings::evidence(text, (unit.start, unit.end), ctx);
    let c = evidence.cues;
    for (i, v) in [c.praise, c.concern, c.advice, c.need, c.explicit].into_iter().enumerate() {
        set(17 + i, v.max(0.0).ln_1p());
    }
    set(22, f32::from(c.praise_first));
    set(23, f32::from(c.concern_then_advice));
    set(24, f32::from(c.outside_asides));
    set(25, f32::from(evidence.not_finding));
    set(26, f32::from(evidence.process));
    set(27, f32::from(evidence.pointer));
    set(28, f32::from(!others.is_empty()));
    let words = s.split_whitespace().count();
    set(29, (words as f32).ln_1p());
    set(30, unit.start as f32 / text.len().max(1) as f32);
    set(31, f32::from(s.trim_end().ends_with('?')));
    set(32, f32::from(cues::is_quotation(s)));
    set(33, f32::from(words < 5));
    set(34, f32::from(crate::minutes::is_attributed(s)));
    set(35, f32::from(crate::findings::is_intro(s)));
    // What the sentence says after it turns ("... in place but the delivery was less well
    // defined"): the annotators read the kind from there.
    if let Some(after) = cues::after_turn(s) {
        let t = cues::weigh(after);
        set(36, t.praise.ln_1p());
        set(37, (t.concern + t.need).ln_1p());
    }
    let base = STRUCTURE_FEATURES.len();
    embeddings.embed_into(s, &mut x[base..base + dims]);
    if let Some(name) = unit.section_name.as_deref() {
        let e = headings.cache.entry(name.to_string()).or_insert_with(|| {
            let mut v = vec![0.0; dims];
            embeddings.embed_into(name, &mut v);
            v
        });
        x[base + dims..base + 2 * dims].copy_from_slice(e);
    }
    (x, ngrams(s))
}

/// Errors reading a trained head.
#[derive(Debug, thiserror::Error)]
pub enum HeadError {
    #[error("reader weights are not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("reader weights were trained on features version {found}, this build reads version {expected}: retrain with scripts/train_reader.sh")]
    Version { found: u32, expected: u32 },
    #[error("reader weights have the wrong shape: {0}")]
    Shape(String),
}

/// A trained head: feature standardisation and one weight row per class.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Head {
    pub features_version: u32,
    pub embedding_dims: usize,
    pub classes: Vec<String>,
    pub structure_features: Vec<String>,
    /// What it was trained on and how (provenance, not read back).
    pub trained_on: TrainedOn,
    pub mean: Vec<f32>,
    pub scale: Vec<f32>,
    pub bias: Vec<f32>,
    pub weights: Vec<Vec<f32>>,
    /// A unit is a finding when the probability of "not a finding" is below this.
    #[serde(default = "half")]
    pub finding_below: f32,
    /// What [`Head::probabilities`] reads (derived, not stored).
    #[serde(skip)]
    fused: Fused,
}

fn half() -> f32 {
    0.5
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TrainedOn {
    pub documents: usize,
    pub units: usize,
    pub per_class: Vec<usize>,
    pub options: TrainOptions,
}

/// How a head is trained. The defaults are the shipped head's.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainOptions {
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    /// Weight of a finding's example against a non-finding's (findings are the minority).
    pub finding_weight: f32,
    /// Weight of a real published document's units against those of a document written
    /// here (the genre set fits the cue rules better than real pages do).
    pub real_weight: f32,
    /// The decision threshold the head is shipped with (see [`Head::finding_below`]).
    pub finding_below: f32,
    /// The most a rare kind's units are weighted up for their rarity (1 = not at all).
    #[serde(default = "one")]
    pub max_rarity: f32,
}

fn one() -> f32 {
    1.0
}

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions { epochs: 300, learning_rate: 0.05, l2: 0.3, finding_weight: 1.5, real_weight: 2.0, finding_below: 0.4, max_rarity: 2.0 }
    }
}

/// One unit to learn from: its features, its class, and how much it counts.
#[derive(Debug, Clone)]
pub struct Example {
    pub features: Vec<f32>,
    pub class: usize,
    pub weight: f32,
}

impl Head {
    /// Reads weights written by [`Head::to_json`].
    pub fn from_json(json: &str) -> Result<Head, HeadError> {
        let mut head: Head = serde_json::from_str(json)?;
        if head.features_version != FEATURES_VERSION {
            return Err(HeadError::Version { found: head.features_version, expected: FEATURES_VERSION });
        }
        let n = feature_len(head.embedding_dims);
        let ok = head.mean.len() == n && head.scale.len() == n && head.bias.len() == CLASSES.len() && head.weights.len() == CLASSES.len() && head.weights.iter().all(|w| w.len() == n);
        if !ok || head.structure_features != STRUCTURE_FEATURES {
            return Err(HeadError::Shape(format!("expected {} classes of {n} features", CLASSES.len())));
        }
        head.fuse();
        Ok(head)
    }

    /// Weights as JSON, rounded so the file is stable and small.
    pub fn to_json(&self) -> String {
        let round = |v: &[f32]| v.iter().map(|x| (x * 1e5).round() / 1e5).collect::<Vec<f32>>();
        let h = Head {
            mean: round(&self.mean),
            scale: round(&self.scale),
            bias: round(&self.bias),
            weights: self.weights.iter().map(|w| round(w)).collect(),
            ..self.clone()
        };
        serde_json::to_string(&h).unwrap_or_default()
    }

    /// The probability of each class for a unit whose features are `dense` and then the
    /// n-gram block with `ngrams` set ([`Candidate`]); a whole vector may be passed as
    /// `dense` with no `ngrams`.
    pub fn probabilities(&self, dense: &[f32], ngrams: &[u16]) -> [f32; 5] {
        let mut z = self.fused.scores(dense, ngrams);
        softmax(&mut z);
        z
    }

    fn fuse(&mut self) {
        // Standardisation folded into the weights once: w·((x - m)·s) = (w·s)·x - (w·s)·m.
        let rows: Vec<Vec<f32>> = self.weights.iter().map(|w| w.iter().zip(&self.scale).map(|(w, s)| w * s).collect()).collect();
        let bias = rows.iter().zip(&self.bias).map(|(w, b)| b - dot(w, &self.mean)).collect();
        self.fused = Fused::new(rows, bias, dense_len(self.embedding_dims));
    }

    /// Multinomial logistic regression by full-batch gradient descent (Adam, its step decayed
    /// to zero on a cosine) from zero
    /// weights: the same examples give the same head, bit for bit.
    pub fn train(examples: &[Example], dims: usize, documents: usize, opts: &TrainOptions) -> Head {
        let n_features = feature_len(dims);
        let (mean, scale) = standardisation(examples, n_features);
        let xs: Vec<Vec<f32>> = examples.iter().map(|e| e.features.iter().zip(&mean).zip(&scale).map(|((v, m), s)| (v - m) * s).collect()).collect();
        let k = CLASSES.len();
        let mut w = vec![vec![0.0f32; n_features]; k];
        let mut b = vec![0.0f32; k];
        let mut adam = Adam::new(k * (n_features + 1));
        // Rare classes (pointers to other councils are a few dozen units) count more: each
        // class's weight grows with the square root of how much rarer it is than the
        // commonest kind, so a handful of pointers is not drowned by the L2 penalty.
        let mut count = [0usize; 5];
        for e in examples {
            count[e.class] += 1;
        }
        let commonest_kind = count[1..].iter().copied().max().unwrap_or(1).max(1) as f32;
        let rarity = |c: usize| if c == 0 { 1.0 } else { opts.finding_weight * (commonest_kind / count[c].max(1) as f32).sqrt().min(opts.max_rarity) };
        let weight = |e: &Example| e.weight * rarity(e.class);
        let total: f32 = examples.iter().map(weight).sum::<f32>().max(1.0);
        for epoch in 0..opts.epochs {
            let mut gw = vec![vec![0.0f32; n_features]; k];
            let mut gb = vec![0.0f32; k];
            for (x, e) in xs.iter().zip(examples) {
                let mut z = [0.0f32; 5];
                for c in 0..k {
                    z[c] = b[c] + dot(&w[c], x);
                }
                softmax(&mut z);
                let scale = weight(e) / total;
                for c in 0..k {
                    let g = (z[c] - f32::from(c == e.class)) * scale;
                    gb[c] += g;
                    axpy(g, x, &mut gw[c]);
                }
            }
            for c in 0..k {
                for j in 0..n_features {
                    gw[c][j] += opts.l2 * w[c][j];
                }
            }
            // The step shrinks to nothing by the last epoch (cosine), so training settles on
            // the optimum instead of stopping wherever Adam's steps happen to leave it: with a
            // fixed step, merely reordering a sum moved the cross-validated F1 by 0.04.
            let decay = 0.5 * (1.0 + (std::f32::consts::PI * epoch as f32 / opts.epochs as f32).cos());
            adam.step(&mut w, &mut b, &gw, &gb, opts.learning_rate * decay);
        }
        let mut per_class = vec![0; k];
        for e in examples {
            per_class[e.class] += 1;
        }
        let mut head = Head {
            features_version: FEATURES_VERSION,
            embedding_dims: dims,
            classes: CLASSES.iter().map(|c| c.map_or("none", |k| k.as_str()).to_string()).collect(),
            structure_features: STRUCTURE_FEATURES.iter().map(|s| s.to_string()).collect(),
            trained_on: TrainedOn { documents, units: examples.len(), per_class, options: opts.clone() },
            mean,
            scale,
            bias: b,
            weights: w,
            finding_below: opts.finding_below,
            fused: Fused::default(),
        };
        head.fuse();
        head
    }
}

/// Per-feature mean and inverse standard deviation (features that never vary keep scale 1).
fn standardisation(examples: &[Example], n: usize) -> (Vec<f32>, Vec<f32>) {
    let count = examples.len().max(1) as f64;
    let mut mean = vec![0.0f64; n];
    for e in examples {
        for (m, x) in mean.iter_mut().zip(&e.features) {
            *m += f64::from(*x);
        }
    }
    mean.iter_mut().for_each(|m| *m /= count);
    let mut var = vec![0.0f64; n];
    for e in examples {
        for ((v, m), x) in var.iter_mut().zip(&mean).zip(&e.features) {
            let d = f64::from(*x) - m;
            *v += d * d;
        }
    }
    let scale = var.iter().map(|v| {
        let sd = (v / count).sqrt();
        if sd > 1e-6 { (1.0 / sd) as f32 } else { 1.0 }
    });
    (mean.iter().map(|m| *m as f32).collect(), scale.collect())
}

struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
    t: i32,
}

impl Adam {
    fn new(n: usize) -> Adam {
        Adam { m: vec![0.0; n], v: vec![0.0; n], t: 0 }
    }

    fn step(&mut self, w: &mut [Vec<f32>], b: &mut [f32], gw: &[Vec<f32>], gb: &[f32], lr: f32) {
        const B1: f32 = 0.9;
        const B2: f32 = 0.999;
        self.t += 1;
        let (c1, c2) = (1.0 - B1.powi(self.t), 1.0 - B2.powi(self.t));
        let params = w.iter_mut().zip(gw).flat_map(|(wc, gc)| wc.iter_mut().zip(gc.iter())).chain(b.iter_mut().zip(gb.iter()));
        for ((p, g), (m, v)) in params.zip(self.m.iter_mut().zip(self.v.iter_mut())) {
            *m = B1 * *m + (1.0 - B1) * g;
            *v = B2 * *v + (1.0 - B2) * g * g;
            *p -= lr * (*m / c1) / ((*v / c2).sqrt() + 1e-8);
        }
    }
}

/// Eight running sums, so the compiler can keep them in one vector register (a single sum
/// must be added in order, one lane at a time).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// A head's weights as [`Head::probabilities`] reads them: per class, the trained weights
/// times the standardisation's scale, and a bias less the mean's share; and the n-gram
/// block's weights again bucket by bucket, every class's side by side, so the few buckets a
/// unit sets are read in one pass.
#[derive(Debug, Clone, Default)]
struct Fused {
    rows: Vec<Vec<f32>>,
    bias: Vec<f32>,
    /// Where the n-gram block starts.
    offset: usize,
    by_bucket: Vec<[f32; 5]>,
}

impl Fused {
    fn new(rows: Vec<Vec<f32>>, bias: Vec<f32>, offset: usize) -> Fused {
        let n = rows.first().map_or(0, Vec::len);
        let by_bucket = (offset..n).map(|j| std::array::from_fn(|k| rows.get(k).map_or(0.0, |r| r[j]))).collect();
        Fused { rows, bias, offset, by_bucket }
    }

    /// Each class's `bias + dot(row, x)` for the vector `x` made of `dense`, then zeros
    /// except 1.0 at bucket `i` of the n-gram block for each `i` of `ones` (ascending, each
    /// once). Bit for bit what [`dot`] gives on the whole vector: each of its eight running
    /// sums gets the same nonzero terms in the same order, and adding a zero term to a sum
    /// never changes it.
    fn scores(&self, dense: &[f32], ones: &[u16]) -> [f32; 5] {
        let n = self.rows.first().map_or(0, Vec::len);
        let whole = n - n % 8;
        let dense = &dense[..dense.len().min(n)];
        let chunked = dense.len().min(whole) / 8 * 8;
        let classes = self.rows.len().min(5);
        let mut acc = [[0.0f32; 8]; 5];
        // The entries past the last whole chunk, summed apart as `dot` sums them.
        let mut rest = [0.0f32; 8];
        for (row, acc) in self.rows.iter().zip(acc.iter_mut()) {
            for (x, y) in row[..chunked].chunks_exact(8).zip(dense[..chunked].chunks_exact(8)) {
                for i in 0..8 {
                    acc[i] += x[i] * y[i];
                }
            }
        }
        for (j, &v) in dense.iter().enumerate().skip(chunked) {
            if j < whole {
                for (row, acc) in self.rows.iter().zip(acc.iter_mut()) {
                    acc[j % 8] += row[j] * v;
                }
            } else {
                rest[j - whole] = v;
            }
        }
        for &i in ones {
            let (i, j) = (usize::from(i), self.offset + usize::from(i));
            let Some(w) = self.by_bucket.get(i) else { continue };
            if j < whole {
                for k in 0..classes {
                    acc[k][j % 8] += w[k];
                }
            } else if j < n {
                rest[j - whole] = 1.0;
            }
        }
        let mut z = [0.0f32; 5];
        for k in 0..classes {
            let tail: f32 = self.rows[k][whole..].iter().zip(&rest).map(|(x, y)| x * y).sum();
            z[k] = self.bias[k] + (acc[k].iter().sum::<f32>() + tail);
        }
        z
    }
}

fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// Scores to probabilities, in place (shifted by the largest, so no score overflows).
pub(crate) fn softmax(z: &mut [f32]) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
}

/// The findings a reader makes of the candidates, given each unit's probabilities per
/// class (by its index and itself): each unit's most likely class; a pointer needs another council named in it, else
/// its next most likely class counts.
pub fn decide(text: &str, candidates: &[Candidate], finding_below: f32, ctx: &FindingContext, probabilities: impl Fn(usize, &Candidate) -> [f32; 5]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        let p = probabilities(i, c);
        // A unit is a finding when "not a finding" is less likely than `head.finding_below`,
        // or when some kind is likelier than "not a finding" (with five classes a unit can be
        // a likelier area for development, 0.51, than not a finding, 0.43, and still miss
        // the threshold); its kind is then the likeliest kind it can be.
        let likeliest_kind = p[1..].iter().copied().fold(0.0f32, f32::max);
        if p[0] >= finding_below && p[0] >= likeliest_kind {
            continue;
        }
        let mut kinds: Vec<usize> = (1..CLASSES.len()).collect();
        kinds.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
        // Only a pointer needs the councils a unit names: look for them only then.
        let pointer = CLASSES[kinds[0]] == Some(FindingKind::BestPractice);
        let others = if pointer { crate::findings::other_councils(text, (c.unit.start, c.unit.end), ctx) } else { Vec::new() };
        let best = if pointer && others.is_empty() { kinds[1] } else { kinds[0] };
        let Some(kind) = CLASSES[best] else { continue };
        let mut f = c.as_finding(text, kind, |_| Vec::new());
        if kind == FindingKind::BestPractice {
            let mut it = others.into_iter();
            f.council = it.next();
            f.also = it.collect();
        } else {
            f.council = None;
            f.also.clear();
        }
        f.confidence = (p[best] * 1000.0).round() / 1000.0;
        out.push(f);
    }
    // Tagged one after another, not between the head's units: the taxonomy's automaton is
    // then still in the CPU's cache (interleaved, each tagging read it from memory again,
    // 5x slower: 2.3 CPU-seconds of an ingest of 10,000 letters).
    for f in &mut out {
        f.themes = ctx.taxonomy.themes_of(&f.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Examples whose class is told by one structure feature: the rules' verdict.
    fn examples(dims: usize) -> Vec<Example> {
        (0..60)
            .map(|i| {
                let y = i % 5;
                let mut x = vec![0.0; feature_len(dims)];
                x[y] = 1.0;
                x[29] = (i % 7) as f32 * 0.1;
                Example { features: x, class: y, weight: 1.0 }
            })
            .collect()
    }

    #[test]
    fn training_learns_a_separable_signal_and_is_deterministic() {
        let opts = TrainOptions { epochs: 80, l2: 1e-3, ..TrainOptions::default() };
        let a = Head::train(&examples(4), 4, 1, &opts);
        let b = Head::train(&examples(4), 4, 1, &opts);
        assert_eq!(a.to_json(), b.to_json(), "the same examples give the same head");
        for e in examples(4) {
            let p = a.probabilities(&e.features, &[]);
            let best = (0..5).max_by(|&i, &j| p[i].total_cmp(&p[j])).unwrap();
            assert_eq!(best, e.class, "{p:?}");
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        }
    }

    #[test]
    fn weights_round_trip_and_a_wrong_layout_is_refused() {
        let head = Head::train(&examples(2), 2, 1, &TrainOptions { epochs: 5, ..TrainOptions::default() });
        let back = Head::from_json(&head.to_json()).unwrap();
        assert_eq!(back.weights.len(), CLASSES.len());
        let mut old = head.clone();
        old.features_version = FEATURES_VERSION + 1;
        assert!(matches!(Head::from_json(&old.to_json()), Err(HeadError::Version { .. })));
        let mut short = head;
        short.mean.pop();
        assert!(matches!(Head::from_json(&short.to_json()), Err(HeadError::Shape(_))));
        assert!(matches!(Head::from_json("{"), Err(HeadError::Json(_))));
    }

    #[test]
    fn prose_and_numbered_paragraphs_are_read_a_sentence_at_a_time() {
        let text = "The vision is clear. Staff are proud. Waits are long.\n1. A bullet. That finishes it.\n";
        let item = |s: usize, e: usize| Unit { start: s, end: e, section: None, section_name: None, is_item: true, retold: false, rule: None };
        let para_end = text.find('\n').unwrap();
        let bullet_start = para_end + 4;
        let bullet_end = text.len() - 1;
        let units = vec![(Unit { is_item: false, ..item(0, para_end) }, None), (item(bullet_start, bullet_end), None)];
        let got: Vec<&str> = split_prose(text, units).iter().map(|(u, _)| &text[u.start..u.end]).collect();
        assert_eq!(got, ["The vision is clear.", "Staff are proud.", "Waits are long.", "A bullet. That finishes it."]);
        let numbered = "One thing is good. Another is not. A third needs work.";
        let got = split_prose(numbered, vec![(item(0, numbered.len()), None)]);
        assert_eq!(got.len(), ITEM_OF_SENTENCES, "an item of three sentences is a numbered paragraph");
        assert!(got.iter().all(|(u, _)| u.is_item), "its sentences keep the item's context");
    }

    proptest::proptest! {
        /// The sparse product is the dense one bit for bit, so keeping the n-grams sparse
        /// changes no decision and no confidence.
        #[test]
        fn the_sparse_scores_are_the_dense_dot(
            w in proptest::collection::vec(-4.0f32..4.0, 5..400),
            dense_share in 0.0f64..1.0,
            values in proptest::collection::vec(-2.0f32..2.0, 80),
            ones in proptest::collection::btree_set(0u16..80, 0..20),
        ) {
            let n = w.len() / 5;
            let rows: Vec<Vec<f32>> = w.chunks_exact(n).take(5).map(<[f32]>::to_vec).collect();
            let d = ((n as f64 * dense_share) as usize).min(n).min(values.len());
            let dense = &values[..d];
            let ones: Vec<u16> = ones.into_iter().filter(|&i| d + usize::from(i) < n).collect();
            let mut full = vec![0.0f32; n];
            full[..d].copy_from_slice(dense);
            for &i in &ones {
                full[d + usize::from(i)] = 1.0;
            }
            let bias = vec![0.25, -1.0, 0.0, 2.0, 0.5];
            let fused = Fused::new(rows.clone(), bias.clone(), d);
            let got = fused.scores(dense, &ones);
            for k in 0..5 {
                proptest::prop_assert_eq!(got[k].to_bits(), (bias[k] + dot(&rows[k], &full)).to_bits(), "class {}", k);
            }
        }
    }

    #[test]
    fn the_shipped_weights_fit_this_build() {
        let head = Head::from_json(crate::BUILTIN_HEAD).expect("model/reader.json: retrain with scripts/train_reader.sh");
        let dims = StaticEmbeddings::builtin().map(|e| e.dims()).unwrap_or(0);
        assert_eq!(head.embedding_dims, dims, "the reader was trained on embeddings of another size");
    }
}
