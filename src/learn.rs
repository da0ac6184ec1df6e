//! Training the reader and measuring it honestly.
//!
//! A labelled document is an annotation (GOLD_DIR/NAME.json) and the document it annotates.
//! Each unit the extractor reads is labelled by the scorer's own matching rule (SCORING.md):
//! the kind of the gold finding it would match best, or "not a finding". `train` fits a head
//! on every labelled document; `cross_validate` splits the measured documents by council,
//! trains on the other councils' documents (and on the unmeasured sets, less any document of
//! a held-out council) and scores each fold on what it did not see, beside the cue rules.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use peerscope_eval::{Report, Side};
use peerscope_extract::reader::{self, Head, TrainOptions};
use peerscope_extract::{Extractor, Read, Reader};
use peerscope_model::FindingKind;
use serde_json::Value;

/// One annotated document, read up to the decision on its units.
pub struct Labelled {
    pub name: String,
    /// The reviewed council as the annotation names it (lower case): the unit of splitting.
    pub council: String,
    /// Counted in reported figures (real documents); else only trained on (genre set).
    pub measured: bool,
    /// A real published document (not one written here).
    pub real: bool,
    pub source_type: &'static str,
    pub gold: Side,
    pub read: Read,
    pub labels: Vec<usize>,
}

/// A set of annotations, the directory of the documents they annotate, and whether its
/// figures are reported.
pub struct Set {
    pub gold: PathBuf,
    pub docs: PathBuf,
    pub measured: bool,
    /// Real published documents (the seeds, tests/real), not the genre set written here.
    pub real: bool,
}

/// Reads every annotated document of `sets`. A document that cannot be read is reported by
/// name and counted; the rest go on.
pub fn load(extractor: &Extractor, sets: &[Set]) -> anyhow::Result<(Vec<Labelled>, usize)> {
    let mut out = Vec::new();
    let mut failed = 0;
    for set in sets {
        let mut origins = HashMap::new();
        for gold_path in crate::eval_cmd::gold_files(&set.gold)? {
            match load_one(extractor, &gold_path, set, &mut origins) {
                Ok(l) => out.push(l),
                Err(e) => {
                    failed += 1;
                    eprintln!("peerscope: {}: {}", gold_path.display(), crate::describe(&e));
                }
            }
        }
    }
    Ok((out, failed))
}

fn load_one(extractor: &Extractor, gold_path: &Path, set: &Set, origins: &mut HashMap<PathBuf, HashMap<String, String>>) -> anyhow::Result<Labelled> {
    let text = std::fs::read_to_string(gold_path).context("reading annotation")?;
    let value: Value = serde_json::from_str(&text).context("annotation is not JSON")?;
    let name = crate::eval_cmd::stem(gold_path);
    let gold = Side::from_json(&gold_path.display().to_string(), &value)?;
    let doc_path = crate::eval_cmd::document_for(&set.docs, &value, &name)?;
    let bytes = crate::ingest::read_capped(&doc_path)?;
    let origin = crate::origin::of_file(&doc_path, origins);
    let read = extractor.read(&doc_path.display().to_string(), &origin, &bytes).with_context(|| format!("extracting {}", doc_path.display()))?;
    let labels = label(&read, &value);
    let council = value.get("council").and_then(Value::as_str).unwrap_or("").to_lowercase();
    Ok(Labelled { name, council, measured: set.measured, real: set.real, source_type: source_type(&value), gold, read, labels })
}

/// Each unit's class: the kind of the gold finding it matches best, else 0.
fn label(read: &Read, gold: &Value) -> Vec<usize> {
    let findings: Vec<(Option<FindingKind>, &str)> = gold
        .get("findings")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|f| (f.get("kind").and_then(Value::as_str).and_then(FindingKind::parse), f.get("text").and_then(Value::as_str).unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    let text = &read.extracted.text;
    read.candidates
        .iter()
        .map(|c| {
            let unit = &text[c.unit.start..c.unit.end];
            let best = findings
                .iter()
                .filter_map(|(k, g)| {
                    let (ok, score) = peerscope_eval::passage_match(unit, g);
                    (ok && k.is_some()).then_some((score, *k))
                })
                .max_by(|a, b| a.0.total_cmp(&b.0));
            best.map_or(0, |(_, k)| reader::class_of(k))
        })
        .collect()
}

/// What kind of source an annotated document is, for the per-type table: a near miss
/// (another service, or no peer review) first, then by document kind.
fn source_type(gold: &Value) -> &'static str {
    let field = |f: &str| gold.get(f).and_then(Value::as_str).unwrap_or("");
    let asc = matches!(field("service"), "adult-social-care" | "safeguarding-adults");
    let peer = matches!(field("review_type"), "lga-peer-challenge" | "adass-regional-peer-challenge" | "unknown");
    if !asc || !peer {
        return "negative";
    }
    match field("doc_kind") {
        "peer-report" | "scrutiny-report" => "report",
        "scrutiny-minutes" => "minutes",
        "press-release" => "press release",
        _ => "web page",
    }
}

/// A head trained on `docs`.
pub fn train(docs: &[&Labelled], opts: &TrainOptions) -> Head {
    let examples: Vec<reader::Example> = docs
        .iter()
        .flat_map(|d| {
            let weight = if d.real { opts.real_weight } else { 1.0 };
            d.read.candidates.iter().zip(&d.labels).map(move |(c, &class)| reader::Example { features: c.full_features(), class, weight })
        })
        .collect();
    let dims = peerscope_extract::embed::StaticEmbeddings::builtin().map(|e| e.dims()).unwrap_or(0);
    Head::train(&examples, dims, docs.len(), opts)
}

/// Cross-validated reports: the learned reader and the cue rules over the same documents,
/// overall and per source type.
pub struct CrossValidation {
    pub folds: usize,
    pub councils: usize,
    pub learned: Report,
    pub rules: Report,
    pub learned_by_type: BTreeMap<&'static str, Report>,
    pub rules_by_type: BTreeMap<&'static str, Report>,
    /// Each unit given its own label: what a perfect decision on these units would score,
    /// so what is lost to segmentation shows.
    pub ceiling: Report,
}

/// Folds by council: councils ordered by how many measured documents they have, dealt out
/// in turn, so folds are of a size and a council's documents are never split.
fn assign_folds(docs: &[Labelled], folds: usize) -> HashMap<String, usize> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for d in docs.iter().filter(|d| d.measured) {
        *count.entry(d.council.as_str()).or_default() += 1;
    }
    let mut councils: Vec<(&str, usize)> = count.into_iter().collect();
    councils.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    councils.iter().enumerate().map(|(i, (c, _))| (c.to_string(), i % folds.max(1))).collect()
}

pub fn cross_validate(extractor: &Extractor, docs: &[Labelled], folds: usize, opts: &TrainOptions, units: Option<&Path>) -> anyhow::Result<CrossValidation> {
    let fold_of = assign_folds(docs, folds);
    if let Some(path) = units {
        write_units(docs, &fold_of, path).with_context(|| format!("writing the units to {}", path.display()))?;
    }
    let mut cv = CrossValidation {
        folds,
        councils: fold_of.len(),
        learned: Report::new(),
        rules: Report::new(),
        learned_by_type: BTreeMap::new(),
        rules_by_type: BTreeMap::new(),
        ceiling: Report::new(),
    };
    for fold in 0..folds {
        let held_out = |d: &Labelled| fold_of.get(&d.council) == Some(&fold);
        let training: Vec<&Labelled> = docs.iter().filter(|d| !held_out(d)).collect();
        let head = Arc::new(train(&training, opts));
        for d in docs.iter().filter(|d| d.measured && held_out(d)) {
            let learned = predicted(extractor, d, &Reader::Learned(head.clone()))?;
            let rules = predicted(extractor, d, &Reader::Rules)?;
            cv.learned.add(&d.name, &d.gold, &learned);
            cv.rules.add(&d.name, &d.gold, &rules);
            cv.ceiling.add(&d.name, &d.gold, &ceiling(d)?);
            cv.learned_by_type.entry(d.source_type).or_default().add(&d.name, &d.gold, &learned);
            cv.rules_by_type.entry(d.source_type).or_default().add(&d.name, &d.gold, &rules);
        }
    }
    Ok(cv)
}

/// Every unit of every labelled document as one JSON line: its document, council, fold (-1:
/// trained on in every fold), whether it is measured and real, its class, its text and
/// section heading, and the head's features. Other models can then be cross-validated on
/// exactly these units and folds (scripts/finetune_experiment.sh).
fn write_units(docs: &[Labelled], fold_of: &HashMap<String, usize>, path: &Path) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for d in docs {
        let text = &d.read.extracted.text;
        let fold = fold_of.get(&d.council).map_or(-1, |&f| f as i64);
        for (i, (c, &class)) in d.read.candidates.iter().zip(&d.labels).enumerate() {
            let line = serde_json::json!({
                "doc": d.name, "council": d.council, "fold": fold, "measured": d.measured, "real": d.real,
                "source_type": d.source_type, "i": i, "y": class,
                "text": text.get(c.unit.start..c.unit.end).unwrap_or(""), "section": c.unit.section_name, "item": c.unit.is_item,
                "structure": &c.features[..reader::STRUCTURE_FEATURES.len().min(c.features.len())],
                "dense": c.features, "ngrams": c.ngrams,
            });
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    Ok(())
}

fn predicted(extractor: &Extractor, d: &Labelled, reader: &Reader) -> anyhow::Result<Side> {
    let extracted = extractor.finish(d.read.clone(), reader)?;
    let json = serde_json::to_value(&extracted.document)?;
    Ok(Side::from_json(&d.name, &json)?)
}

/// The document with each unit's label as its finding.
fn ceiling(d: &Labelled) -> anyhow::Result<Side> {
    let mut doc = d.read.extracted.document.clone();
    let text = &d.read.extracted.text;
    doc.findings = d
        .read
        .candidates
        .iter()
        .zip(&d.labels)
        .filter_map(|(c, &y)| {
            let kind = reader::CLASSES[y]?;
            Some(c.as_finding(text, kind, |_| Vec::new()))
        })
        .collect();
    Ok(Side::from_json(&d.name, &serde_json::to_value(&doc)?)?)
}

/// An interval of F1 as the tables print it ("-" when there was nothing to resample).
fn span(interval: Option<(f64, f64)>) -> String {
    interval.map_or_else(|| "-".to_string(), |(lo, hi)| format!("{lo:.3}–{hi:.3}"))
}

/// An interval of a difference of F1s, signed.
fn signed_span(interval: Option<(f64, f64)>) -> String {
    interval.map_or_else(|| "-".to_string(), |(lo, hi)| format!("{lo:+.3} to {hi:+.3}"))
}

impl CrossValidation {
    /// This run (heads trained with other options) against `base`: its figures, and the
    /// interval of its difference from `base`'s learned reader on the same documents.
    pub fn against(&self, base: &CrossValidation, spec: &str) -> String {
        let mut out = String::new();
        let rounds = peerscope_eval::BOOTSTRAP_ROUNDS;
        let _ = writeln!(out, "Variant: the heads trained with {spec}");
        for (name, s) in [("coarse (afd=rec)", self.learned.coarse()), ("strict (all kinds)", self.learned.strict())] {
            let _ = writeln!(out, "{name:<26}   {:.3} {:.3} {:.3}", s.precision, s.recall, s.f1);
        }
        let _ = writeln!(
            out,
            "{:<26}   coarse {}, strict {}   (95%; the same documents resampled {rounds} times)",
            "variant minus options above",
            signed_span(self.learned.interval_against(&base.learned, false, rounds)),
            signed_span(self.learned.interval_against(&base.learned, true, rounds))
        );
        out
    }

    /// The two readers side by side: per kind, segmentation, coarse, strict, metadata, then
    /// coarse and strict per source type.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let n = self.learned.docs.len();
        let _ = writeln!(out, "Cross-validated by council: {} folds over {} councils, {n} documents (each scored by a head that never saw its council)\n", self.folds, self.councils);
        let _ = writeln!(out, "{:<26}{:>22}{:>22}", "", "learned reader P/R/F1", "cue rules P/R/F1");
        let row = |out: &mut String, name: &str, a: peerscope_eval::Summary, b: peerscope_eval::Summary| {
            let _ = writeln!(out, "{name:<26}   {:.3} {:.3} {:.3}     {:.3} {:.3} {:.3}", a.precision, a.recall, a.f1, b.precision, b.recall, b.f1);
        };
        for k in peerscope_eval::KINDS {
            if let (Some(a), Some(b)) = (self.learned.kind(k), self.rules.kind(k)) {
                row(&mut out, k, a, b);
            }
        }
        row(&mut out, "segmentation", self.learned.segmentation(), self.rules.segmentation());
        row(&mut out, "coarse (afd=rec)", self.learned.coarse(), self.rules.coarse());
        row(&mut out, "strict (all kinds)", self.learned.strict(), self.rules.strict());
        // How much the figures above are worth: one document can hold a fifth of the findings.
        let rounds = peerscope_eval::BOOTSTRAP_ROUNDS;
        let (learned, rules) = (&self.learned, &self.rules);
        let _ = writeln!(out, "{:<26}   coarse {}, strict {}", "95% interval", span(learned.interval(false, rounds)), span(learned.interval(true, rounds)));
        let _ = writeln!(
            out,
            "{:<26}   coarse {}, strict {}   (95%; documents resampled {rounds} times)",
            "learned minus rules",
            signed_span(learned.interval_against(rules, false, rounds)),
            signed_span(learned.interval_against(rules, true, rounds))
        );
        // The confusion that turns a finding's sense around, which no F1 above singles out.
        let swapped = |r: &Report| {
            let (praise, concern) = r.praise_swapped();
            format!("{praise} + {concern}")
        };
        let _ = writeln!(out, "{:<26}   {:<22}{}   (strengths read as concern or advice + the reverse)", "sense turned around", swapped(learned), swapped(rules));
        let c = self.ceiling.coarse();
        let _ = writeln!(out, "{:<26}   {:.3} {:.3} {:.3}     (a perfect decision on these units)", "ceiling (coarse)", c.precision, c.recall, c.f1);
        for m in peerscope_eval::META {
            let _ = writeln!(out, "metadata {m:<17}{:>17}/{n}", self.learned.meta_ok(m));
        }
        // What a researcher's `--min-confidence` keeps of the learned reader's findings, held
        // out: the threshold's price in recall, and the praise-for-concern mix-ups it drops.
        let _ = writeln!(out, "\nlearned reader, kept by confidence (coarse):");
        out.push_str(&self.learned.confidence_table());
        let _ = writeln!(out, "\nper source type (F1)        learned coarse/strict   rules coarse/strict");
        for (t, l) in &self.learned_by_type {
            let Some(r) = self.rules_by_type.get(t) else { continue };
            let _ = writeln!(
                out,
                "  {:<16} {:>2} docs          {:.3} / {:.3}           {:.3} / {:.3}",
                t,
                l.docs.len(),
                l.coarse().f1,
                l.strict().f1,
                r.coarse().f1,
                r.strict().f1
            );
        }
        out
    }
}

/// Training options, with `PEERSCOPE_TRAIN_<OPTION>` (EPOCHS, LR, L2, FINDING_WEIGHT,
/// REAL_WEIGHT, MAX_RARITY, FINDING_BELOW) overriding the defaults, for experiments under
/// `eval --cross-validate`; the shipped head uses the defaults.
pub fn options_from_env() -> TrainOptions {
    let mut o = TrainOptions::default();
    for name in OPTION_NAMES {
        if let Some(v) = std::env::var(format!("PEERSCOPE_TRAIN_{name}")).ok().and_then(|v| v.parse::<f32>().ok()) {
            set_option(&mut o, name, v);
        }
    }
    o
}

/// `base` with the options of `spec` ("FINDING_BELOW=0.5,MAX_RARITY=3") changed.
pub fn options_with(mut base: TrainOptions, spec: &str) -> anyhow::Result<TrainOptions> {
    for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').with_context(|| format!("training option {pair:?} is not OPTION=VALUE"))?;
        let name = name.trim().to_ascii_uppercase();
        let value: f32 = value.trim().parse().with_context(|| format!("training option {name}: {value:?} is not a number"))?;
        anyhow::ensure!(value.is_finite() && value >= 0.0, "training option {name}: {value} is not a finite number of zero or more");
        anyhow::ensure!(set_option(&mut base, &name, value), "no training option {name}; the options: {}", OPTION_NAMES.join(", "));
    }
    Ok(base)
}

const OPTION_NAMES: [&str; 7] = ["EPOCHS", "LR", "L2", "FINDING_WEIGHT", "REAL_WEIGHT", "MAX_RARITY", "FINDING_BELOW"];

/// Set the option `name` (one of [`OPTION_NAMES`]); false for an unknown name.
fn set_option(o: &mut TrainOptions, name: &str, v: f32) -> bool {
    match name {
        // At least one epoch, and no more than a long run's worth, whatever was asked.
        "EPOCHS" => o.epochs = (v as usize).clamp(1, 100_000),
        "LR" => o.learning_rate = v,
        "L2" => o.l2 = v,
        "FINDING_WEIGHT" => o.finding_weight = v,
        "REAL_WEIGHT" => o.real_weight = v,
        "MAX_RARITY" => o.max_rarity = v,
        "FINDING_BELOW" => o.finding_below = v,
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variant_names_known_options_with_numbers() {
        let o = options_with(TrainOptions::default(), " finding_below=0.5 , MAX_RARITY=3,").unwrap();
        assert_eq!((o.finding_below, o.max_rarity), (0.5, 3.0));
        assert_eq!(o.l2, TrainOptions::default().l2, "options not named keep their defaults");
        assert_eq!(options_with(TrainOptions::default(), "EPOCHS=0").unwrap().epochs, 1);
        for bad in ["NOPE=1", "L2", "L2=abc", "L2=-1", "LR=inf"] {
            assert!(options_with(TrainOptions::default(), bad).is_err(), "{bad} accepted");
        }
    }
}
