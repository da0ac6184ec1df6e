//! Scoring extracted findings against gold annotations.
//!
//! This is the measuring stick for extraction: the same rules as the shared `score.py`
//! (token overlap, one-to-one matching best pair first, repeats counted neither way, micro
//! averages over documents), so a user can measure peerscope on documents they annotated
//! themselves. It works on JSON values, gold and prediction alike, so it needs nothing from
//! the extractor: the binary extracts and hands both sides over.
//!
//! [`score_doc`] scores one document; [`Report`] sums documents and renders the tables and
//! the lists of missed and spurious findings.

mod report;
mod tokens;

pub use report::{DocScore, Report, Summary, BOOTSTRAP_ROUNDS, MIN_CONFIDENCES};
pub use tokens::tokens;

use std::collections::{HashMap, HashSet};

use serde_json::Value;

/// The finding kinds, in the order the tables print them.
pub const KINDS: [&str; 4] = ["strength", "area_for_development", "recommendation", "best_practice"];

/// The metadata fields compared exactly.
pub const META: [&str; 5] = ["council", "doc_kind", "service", "review_type", "review_year"];

/// Errors reading an annotation or a prediction.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{0}: not JSON: {1}")]
    Json(String, #[source] serde_json::Error),
    #[error("{0}: expected a JSON object with a \"findings\" list")]
    Shape(String),
}

/// How kinds are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Kinds must agree.
    Strict,
    /// Kinds are ignored: is the passage a finding at all?
    Segmentation,
    /// `area_for_development` and `recommendation` are one kind.
    Coarse,
}

/// One finding as the scorer sees it.
#[derive(Debug, Clone)]
pub struct Item {
    pub kind: String,
    pub text: String,
    /// How sure the reader was (a prediction's `confidence`); 1 when not given, as in gold.
    pub confidence: f64,
    tokens: HashSet<String>,
}

impl Item {
    pub fn new(kind: &str, text: &str) -> Item {
        Item { kind: kind.to_string(), text: text.to_string(), confidence: 1.0, tokens: tokens(text) }
    }
}

/// The findings and metadata of one side (gold or prediction) of one document.
#[derive(Debug, Clone)]
pub struct Side {
    pub items: Vec<Item>,
    meta: HashMap<&'static str, Option<String>>,
}

impl Side {
    /// Reads `{"findings": [{"kind", "text"}...], "council": ..., ...}`; `name` labels errors.
    pub fn from_json(name: &str, value: &Value) -> Result<Side, EvalError> {
        let obj = value.as_object().ok_or_else(|| EvalError::Shape(name.to_string()))?;
        let findings = match obj.get("findings") {
            Some(Value::Array(list)) => list.as_slice(),
            None => &[],
            Some(_) => return Err(EvalError::Shape(name.to_string())),
        };
        let items = findings
            .iter()
            .map(|f| Item {
                confidence: f.get("confidence").and_then(Value::as_f64).unwrap_or(1.0),
                ..Item::new(f.get("kind").and_then(Value::as_str).unwrap_or(""), f.get("text").and_then(Value::as_str).unwrap_or(""))
            })
            .collect();
        let meta = META.iter().map(|&m| (m, meta_value(obj.get(m), m))).collect();
        Ok(Side { items, meta })
    }

    pub fn parse(name: &str, json: &str) -> Result<Side, EvalError> {
        let value: Value = serde_json::from_str(json).map_err(|e| EvalError::Json(name.to_string(), e))?;
        Side::from_json(name, &value)
    }

    pub fn meta(&self, field: &str) -> Option<&str> {
        self.meta.get(field).and_then(|v| v.as_deref())
    }

    /// This side with only the findings read with at least `min` confidence: what
    /// `--min-confidence min` would have kept.
    pub fn at_least(&self, min: f64) -> Side {
        Side { items: self.items.iter().filter(|i| i.confidence >= min).cloned().collect(), meta: self.meta.clone() }
    }
}

/// `str(v).strip().lower()`, with a council given as an object read by its `name`.
fn meta_value(v: Option<&Value>, field: &str) -> Option<String> {
    let v = match v? {
        Value::Object(o) if field == "council" => o.get("name")?,
        v => v,
    };
    let s = match v {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        other => other.to_string(),
    };
    Some(s.trim().to_lowercase())
}

/// Gold coverage, prediction precision and their harmonic mean.
fn pair_score(p: &HashSet<String>, g: &HashSet<String>) -> (f64, f64, f64) {
    let inter = p.intersection(g).count();
    if p.is_empty() || g.is_empty() || inter == 0 {
        return (0.0, 0.0, 0.0);
    }
    let (cg, cp) = (inter as f64 / g.len() as f64, inter as f64 / p.len() as f64);
    (cg, cp, 2.0 * cg * cp / (cg + cp))
}

/// Whether a predicted passage would match a gold passage of the same kind, and the pair's
/// score (SCORING.md, rule 2): what labels a unit when a reader is trained.
pub fn passage_match(predicted: &str, gold: &str) -> (bool, f64) {
    matches(&tokens(predicted), &tokens(gold))
}

fn matches(p: &HashSet<String>, g: &HashSet<String>) -> (bool, f64) {
    let (cg, cp, s) = pair_score(p, g);
    (cg >= 0.6 && cp >= 0.2, s)
}

fn fold(kind: &str, mode: Mode) -> &str {
    match (mode, kind) {
        (Mode::Coarse, "area_for_development") => "recommendation",
        _ => kind,
    }
}

fn kind_index(kind: &str) -> Option<usize> {
    KINDS.iter().position(|k| *k == kind)
}

/// The outcome of one document in one mode: per-kind true/false positives and negatives,
/// and which predictions and gold findings were left unmatched.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub per_kind: [[usize; 3]; 4],
    /// Indices of predictions counted as false positives.
    pub spurious: Vec<usize>,
    /// Indices of gold findings nobody matched.
    pub missed: Vec<usize>,
    /// For each matched prediction, the gold finding it matched.
    pub matched: Vec<(usize, usize)>,
}

/// Scores one document's predictions against its gold findings.
pub fn score_doc(gold: &Side, pred: &Side, mode: Mode) -> Counts {
    let ignore_kind = mode == Mode::Segmentation;
    let gs: Vec<&str> = gold.items.iter().map(|g| fold(&g.kind, mode)).collect();
    let ps: Vec<&str> = pred.items.iter().map(|p| fold(&p.kind, mode)).collect();
    let mut cands = Vec::new();
    for (i, p) in pred.items.iter().enumerate() {
        for (j, g) in gold.items.iter().enumerate() {
            if !ignore_kind && ps[i] != gs[j] {
                continue;
            }
            let (ok, s) = matches(&p.tokens, &g.tokens);
            if ok {
                cands.push((s, i, j));
            }
        }
    }
    // Best score first; ties go to the later prediction, then the later gold (as Python's
    // reverse sort of (score, i, j) tuples does).
    cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
    let (mut pm, mut gm) = (HashMap::new(), HashMap::new());
    for (_, i, j) in cands {
        if pm.contains_key(&i) || gm.contains_key(&j) {
            continue;
        }
        pm.insert(i, j);
        gm.insert(j, i);
    }
    let mut out = Counts::default();
    for (i, p) in pred.items.iter().enumerate() {
        let kind = kind_index(ps[i]).unwrap_or(0);
        if let Some(&j) = pm.get(&i) {
            let k = if ignore_kind { kind_index(gs[j]).unwrap_or(0) } else { kind };
            out.per_kind[k][0] += 1;
            out.matched.push((i, j));
            continue;
        }
        let repeat = (0..gold.items.len())
            .any(|j| gm.contains_key(&j) && (ignore_kind || gs[j] == ps[i]) && matches(&p.tokens, &gold.items[j].tokens).0);
        if !repeat {
            out.per_kind[kind][1] += 1;
            out.spurious.push(i);
        }
    }
    for (j, g) in gs.iter().enumerate() {
        if !gm.contains_key(&j) {
            if let Some(k) = kind_index(g) {
                out.per_kind[k][2] += 1;
            }
            out.missed.push(j);
        }
    }
    out
}

/// Precision, recall and F1 from true positives, false positives and false negatives.
pub fn prf([tp, fp, fn_]: [usize; 3]) -> (f64, f64, f64) {
    let p = if tp + fp > 0 { tp as f64 / (tp + fp) as f64 } else { 0.0 };
    let r = if tp + fn_ > 0 { tp as f64 / (tp + fn_) as f64 } else { 0.0 };
    let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    (p, r, f)
}

#[cfg(test)]
mod tests;
