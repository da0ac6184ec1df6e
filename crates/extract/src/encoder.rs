//! The encoder reader: all-MiniLM-L6-v2 (a 6-layer BERT) fine-tuned to tell a unit's class
//! from its heading and text, with the structure features beside its mean-pooled output.
//! An option beside the shipped head ([`crate::reader::Head`]): it reads better on real
//! documents, and extraction with it takes some 300 times as long (README, "The reader").
//!
//! The weights (`model/encoder.bin`, int8 matrices with a scale per row, and
//! `model/encoder.json`, their layout and provenance) are built by
//! `scripts/train_encoder.sh` and compiled in; they are parsed, and the matrices widened to
//! f32, on first use only, so the head's users never pay for them. The forward pass is BERT's
//! (post-LayerNorm, exact GELU, no attention mask: one unit at a time, no padding), written
//! out here over `matrixmultiply`'s sgemm; `model/encoder_check.json` pins it to the Python
//! model's probabilities.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::embed::StaticEmbeddings;
use crate::reader::{CLASSES, FEATURES_VERSION, STRUCTURE_FEATURES};

/// A unit the shipped head gives "not a finding" a probability above this is left at that:
/// the encoder is not asked. On the cross-validation's units (README, "The reader") this
/// spares it 40% of them, and the figures move by a finding or two: coarse F1 0.797 with
/// every unit encoded, 0.800 at 0.95, 0.803 at 0.9, 0.797 at 0.8 (where it spares 54%).
pub const HEAD_SURE: f32 = 0.9;

/// The head's share of a unit's probabilities where the encoder is asked: the two models'
/// probabilities are averaged with this weight on the head's. Chosen on `tests/heldout`
/// (never trained on by either model; coarse F1 0.894 with the encoder alone, 0.897 at 0.3,
/// 0.901 at 0.5, **0.908 at 0.7**, 0.896 at 0.8, the head alone 0.867), then measured where
/// it was not chosen: held out by council on the seeds and `tests/real` together, coarse
/// 0.816 and 0.830 over two training seeds against 0.736 and 0.744 for the encoder alone
/// and 0.808 for the head (README, "The reader"). The two models err on different units:
/// the encoder on the seeds' long, structured reports, the head on phrasings it has not seen.
pub const HEAD_WEIGHT: f32 = 0.7;

/// A unit's probabilities from the head's and the encoder's.
pub fn blend(head: [f32; 5], encoder: [f32; 5]) -> [f32; 5] {
    std::array::from_fn(|k| HEAD_WEIGHT * head[k] + (1.0 - HEAD_WEIGHT) * encoder[k])
}

/// The most units of one document the encoder is asked about (some 18 s of one core): a
/// long LGA report has a few hundred to ask, and a hostile or runaway document of a million
/// sentences would otherwise hold a run for hours. Past it, the head decides the rest, and
/// extraction says so ([`crate::Extracted::notes`]). Units are decided a slice of 4,096 at
/// a time: within a slice the ones the head finds likeliest to be findings are asked first,
/// and earlier slices before later ones.
pub const MOST_UNITS: usize = 2000;

/// Which of a document's units (by the head's probabilities `head`) the encoder is asked
/// about, given that `budget` more may be: those the head is not sure are no finding, and if
/// they are more than `budget`, the `budget` of them likeliest to be findings (earliest first
/// among equals). In document order.
pub fn units_to_ask(head: &[[f32; 5]], budget: usize) -> Vec<usize> {
    let mut ask: Vec<usize> = (0..head.len()).filter(|&i| head[i][0] <= HEAD_SURE).collect();
    if ask.len() > budget {
        ask.sort_by(|&a, &b| head[a][0].total_cmp(&head[b][0]).then(a.cmp(&b)));
        ask.truncate(budget);
        ask.sort_unstable();
    }
    ask
}

/// `f` of every item, computed on every core (in order): a forward pass per unit is the
/// encoder reader's whole cost.
pub fn in_parallel<T: Sync>(items: &[T], f: impl Fn(&T) -> [f32; 5] + Sync) -> Vec<[f32; 5]> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 8 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(chunk).map(|part| s.spawn(|| part.iter().map(&f).collect::<Vec<_>>())).collect();
        // A worker panics only if `f` does; it would have on one thread too.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// Errors reading the encoder's weights.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EncoderError {
    #[error("encoder layout (encoder.json) is not valid: {0}")]
    Json(String),
    #[error("encoder was trained on features version {found}, this build reads version {expected}: retrain with scripts/train_encoder.sh")]
    Version { found: u32, expected: u32 },
    #[error("encoder weights: {0}")]
    Shape(String),
}

/// The layout `scripts/train_encoder.py` writes.
#[derive(Debug, Deserialize)]
struct Layout {
    format: u32,
    features_version: u32,
    structure_features: Vec<String>,
    classes: Vec<String>,
    hidden: usize,
    layers: usize,
    heads: usize,
    intermediate: usize,
    vocab: usize,
    max_positions: usize,
    layer_norm_eps: f32,
    max_len: usize,
    finding_below: f32,
    structure_mean: Vec<f32>,
    structure_sd: Vec<f32>,
    tensors: Vec<TensorEntry>,
}

#[derive(Debug, Deserialize)]
struct TensorEntry {
    name: String,
    shape: Vec<usize>,
    offset: usize,
    dtype: String,
    #[serde(default)]
    scales: Option<usize>,
}

/// A dense layer: `out × inp` weights, row-major, and a bias per output.
struct Linear {
    w: Vec<f32>,
    b: Vec<f32>,
    inp: usize,
    out: usize,
}

struct LayerNorm {
    g: Vec<f32>,
    b: Vec<f32>,
}

struct Layer {
    /// Query, key and value stacked: one product gives all three.
    qkv: Linear,
    attn_out: Linear,
    ln_attn: LayerNorm,
    up: Linear,
    down: Linear,
    ln_out: LayerNorm,
}

/// A fine-tuned encoder and the output layer over its pooled vector and the structure.
pub struct Encoder {
    hidden: usize,
    heads: usize,
    max_len: usize,
    eps: f32,
    /// Word embeddings stay int8 (30,522 rows; a unit reads a few dozen): `vocab × hidden`.
    words: Vec<i8>,
    word_scales: Vec<f32>,
    positions: Vec<f32>,
    types: Vec<f32>,
    ln_embed: LayerNorm,
    layers: Vec<Layer>,
    /// `classes × (hidden + structure)`.
    out: Linear,
    structure_mean: Vec<f32>,
    structure_sd: Vec<f32>,
    /// A unit is a finding when "not a finding" is less likely than this.
    pub finding_below: f32,
    /// The WordPiece tokenizer and vocabulary (the static embeddings').
    tokenizer: &'static StaticEmbeddings,
    cls: u32,
    sep: u32,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder").field("hidden", &self.hidden).field("layers", &self.layers.len()).finish_non_exhaustive()
    }
}

/// Reads tensors out of the blob by name, checking shapes and bounds.
struct Tensors<'a> {
    layout: &'a Layout,
    blob: &'a [u8],
}

impl Tensors<'_> {
    fn entry(&self, name: &str, shape: &[usize]) -> Result<&TensorEntry, EncoderError> {
        let e = self.layout.tensors.iter().find(|t| t.name == name).ok_or_else(|| EncoderError::Shape(format!("no tensor {name}")))?;
        if e.shape != shape {
            return Err(EncoderError::Shape(format!("{name} is {:?}, expected {shape:?}", e.shape)));
        }
        Ok(e)
    }

    fn bytes(&self, name: &str, at: usize, len: usize) -> Result<&[u8], EncoderError> {
        at.checked_add(len).and_then(|end| self.blob.get(at..end)).ok_or_else(|| EncoderError::Shape(format!("{name} runs past the end of encoder.bin")))
    }

    fn f32s(&self, name: &str, at: usize, n: usize) -> Result<Vec<f32>, EncoderError> {
        let b = self.bytes(name, at, n * 4)?;
        Ok(b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    /// An int8 matrix and its row scales, as stored.
    fn int8(&self, name: &str, rows: usize, cols: usize) -> Result<(Vec<i8>, Vec<f32>), EncoderError> {
        let e = self.entry(name, &[rows, cols])?;
        let scales = e.scales.filter(|_| e.dtype == "i8").ok_or_else(|| EncoderError::Shape(format!("{name} is not int8 with row scales")))?;
        let q = self.bytes(name, e.offset, rows * cols)?.iter().map(|&b| b as i8).collect();
        Ok((q, self.f32s(name, scales, rows)?))
    }

    /// A tensor as f32, widened from int8 if it is stored so.
    fn dense(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, EncoderError> {
        let e = self.entry(name, shape)?;
        let n = shape.iter().product();
        match e.dtype.as_str() {
            "f32" => self.f32s(name, e.offset, n),
            "i8" if shape.len() == 2 => {
                let (q, scales) = self.int8(name, shape[0], shape[1])?;
                Ok(q.chunks_exact(shape[1]).zip(&scales).flat_map(|(row, s)| row.iter().map(move |&v| f32::from(v) * s)).collect())
            }
            other => Err(EncoderError::Shape(format!("{name} has dtype {other}"))),
        }
    }

    fn linear(&self, prefix: &str, out: usize, inp: usize) -> Result<Linear, EncoderError> {
        Ok(Linear { w: self.dense(&format!("{prefix}.weight"), &[out, inp])?, b: self.dense(&format!("{prefix}.bias"), &[out])?, inp, out })
    }

    fn layer_norm(&self, prefix: &str, n: usize) -> Result<LayerNorm, EncoderError> {
        Ok(LayerNorm { g: self.dense(&format!("{prefix}.weight"), &[n])?, b: self.dense(&format!("{prefix}.bias"), &[n])? })
    }

    fn layer(&self, i: usize, h: usize, inter: usize) -> Result<Layer, EncoderError> {
        let p = format!("bert.encoder.layer.{i}");
        let (q, k, v) = (self.linear(&format!("{p}.attention.self.query"), h, h)?, self.linear(&format!("{p}.attention.self.key"), h, h)?, self.linear(&format!("{p}.attention.self.value"), h, h)?);
        let qkv = Linear { w: [q.w, k.w, v.w].concat(), b: [q.b, k.b, v.b].concat(), inp: h, out: 3 * h };
        Ok(Layer {
            qkv,
            attn_out: self.linear(&format!("{p}.attention.output.dense"), h, h)?,
            ln_attn: self.layer_norm(&format!("{p}.attention.output.LayerNorm"), h)?,
            up: self.linear(&format!("{p}.intermediate.dense"), inter, h)?,
            down: self.linear(&format!("{p}.output.dense"), h, inter)?,
            ln_out: self.layer_norm(&format!("{p}.output.LayerNorm"), h)?,
        })
    }
}

impl Encoder {
    /// The shipped encoder (`model/encoder.json`, `model/encoder.bin`), parsed on first use.
    pub fn builtin() -> Result<&'static Encoder, EncoderError> {
        static BUILTIN: OnceLock<Result<Encoder, EncoderError>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| Encoder::from_parts(include_str!("../model/encoder.json"), include_bytes!("../model/encoder.bin")))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Parses a layout and its weights (see `scripts/train_encoder.py`).
    pub fn from_parts(layout: &str, blob: &[u8]) -> Result<Encoder, EncoderError> {
        let l: Layout = serde_json::from_str(layout).map_err(|e| EncoderError::Json(e.to_string()))?;
        check_layout(&l)?;
        let t = Tensors { layout: &l, blob };
        let h = l.hidden;
        let (words, word_scales) = t.int8("bert.embeddings.word_embeddings.weight", l.vocab, h)?;
        let layers = (0..l.layers).map(|i| t.layer(i, h, l.intermediate)).collect::<Result<Vec<_>, _>>()?;
        let embeddings = StaticEmbeddings::builtin().map_err(|e| EncoderError::Shape(e.to_string()))?;
        let special = |tok: &str| embeddings.token_id(tok).ok_or_else(|| EncoderError::Shape(format!("the vocabulary has no {tok}")));
        Ok(Encoder {
            hidden: h,
            heads: l.heads,
            max_len: l.max_len.min(l.max_positions),
            eps: l.layer_norm_eps,
            words,
            word_scales,
            positions: t.dense("bert.embeddings.position_embeddings.weight", &[l.max_positions, h])?,
            types: t.dense("bert.embeddings.token_type_embeddings.weight", &[2, h])?,
            ln_embed: t.layer_norm("bert.embeddings.LayerNorm", h)?,
            layers,
            out: t.linear("out", CLASSES.len(), h + STRUCTURE_FEATURES.len())?,
            structure_mean: l.structure_mean,
            structure_sd: l.structure_sd,
            finding_below: l.finding_below,
            tokenizer: embeddings,
            cls: special("[CLS]")?,
            sep: special("[SEP]")?,
        })
    }

    /// The probability of each class for a unit under `heading`, given its structure
    /// features (the first [`STRUCTURE_FEATURES`] entries of the head's features).
    pub fn probabilities(&self, heading: &str, text: &str, structure: &[f32]) -> [f32; 5] {
        let mut z = self.logits(heading, text, structure);
        crate::reader::softmax(&mut z);
        z
    }

    /// The output layer's scores, before the softmax. A structure vector shorter than
    /// [`STRUCTURE_FEATURES`] reads as the training mean past its end.
    pub fn logits(&self, heading: &str, text: &str, structure: &[f32]) -> [f32; 5] {
        let (ids, types) = self.pair(heading, text);
        let pooled = self.pooled(&ids, &types);
        let mut x = pooled;
        x.extend(structure.iter().zip(&self.structure_mean).zip(&self.structure_sd).map(|((v, m), s)| (v - m) / s));
        x.resize(self.out.inp, 0.0);
        let mut z = [0.0f32; 5];
        for (c, zc) in z.iter_mut().enumerate() {
            *zc = self.out.b[c] + self.out.w[c * self.out.inp..(c + 1) * self.out.inp].iter().zip(&x).map(|(w, v)| w * v).sum::<f32>();
        }
        z
    }

    /// `[CLS] heading [SEP] text [SEP]` as the Python tokenizer pairs them: the text is cut to
    /// fit [`Layout::max_len`] (and the heading too, should it not leave room for any text).
    pub fn pair(&self, heading: &str, text: &str) -> (Vec<u32>, Vec<u8>) {
        let mut a = self.tokenizer.token_ids(heading);
        let mut b = self.tokenizer.token_ids(text);
        let room = self.max_len.saturating_sub(3);
        a.truncate(room);
        b.truncate(room - a.len());
        let mut ids = Vec::with_capacity(a.len() + b.len() + 3);
        ids.push(self.cls);
        ids.extend(&a);
        ids.push(self.sep);
        let first = ids.len();
        ids.extend(&b);
        ids.push(self.sep);
        let types = (0..ids.len()).map(|i| u8::from(i >= first)).collect();
        (ids, types)
    }

    /// The mean of the last layer's token vectors.
    fn pooled(&self, ids: &[u32], types: &[u8]) -> Vec<f32> {
        let h = self.hidden;
        let n = ids.len();
        let mut x = vec![0.0f32; n * h];
        for (t, (&id, &ty)) in ids.iter().zip(types).enumerate() {
            let row = &mut x[t * h..(t + 1) * h];
            let id = (id as usize).min(self.word_scales.len().saturating_sub(1));
            let (q, s) = (&self.words[id * h..(id + 1) * h], self.word_scales[id]);
            let (p, ty) = (&self.positions[t * h..(t + 1) * h], &self.types[usize::from(ty) * h..(usize::from(ty) + 1) * h]);
            for j in 0..h {
                row[j] = f32::from(q[j]) * s + p[j] + ty[j];
            }
        }
        layer_norm(&mut x, &self.ln_embed, h, self.eps);
        for layer in &self.layers {
            self.layer(layer, &mut x, n);
        }
        let mut pooled = vec![0.0f32; h];
        for row in x.chunks_exact(h) {
            pooled.iter_mut().zip(row).for_each(|(p, v)| *p += v);
        }
        pooled.iter_mut().for_each(|p| *p /= n.max(1) as f32);
        pooled
    }

    fn layer(&self, layer: &Layer, x: &mut [f32], n: usize) {
        let h = self.hidden;
        let qkv = layer.qkv.apply(x, n);
        let context = self.attention(&qkv, n);
        let attn = layer.attn_out.apply(&context, n);
        x.iter_mut().zip(&attn).for_each(|(v, a)| *v += a);
        layer_norm(x, &layer.ln_attn, h, self.eps);
        let mut up = layer.up.apply(x, n);
        up.iter_mut().for_each(|v| *v = gelu(*v));
        let down = layer.down.apply(&up, n);
        x.iter_mut().zip(&down).for_each(|(v, d)| *v += d);
        layer_norm(x, &layer.ln_out, h, self.eps);
    }

    /// Scaled dot-product attention, head by head, over `qkv` (`n × 3·hidden`).
    fn attention(&self, qkv: &[f32], n: usize) -> Vec<f32> {
        let h = self.hidden;
        let d = h / self.heads;
        let scale = 1.0 / (d as f32).sqrt();
        let mut context = vec![0.0f32; n * h];
        let mut scores = vec![0.0f32; n];
        for head in 0..self.heads {
            let (q0, k0, v0) = (head * d, h + head * d, 2 * h + head * d);
            for i in 0..n {
                let q = &qkv[i * 3 * h + q0..i * 3 * h + q0 + d];
                for (j, s) in scores.iter_mut().enumerate() {
                    let k = &qkv[j * 3 * h + k0..j * 3 * h + k0 + d];
                    *s = q.iter().zip(k).map(|(a, b)| a * b).sum::<f32>() * scale;
                }
                crate::reader::softmax(&mut scores);
                let out = &mut context[i * h + head * d..i * h + head * d + d];
                for (j, &p) in scores.iter().enumerate() {
                    let v = &qkv[j * 3 * h + v0..j * 3 * h + v0 + d];
                    out.iter_mut().zip(v).for_each(|(o, v)| *o += p * v);
                }
            }
        }
        context
    }
}

impl Linear {
    /// `x` (`n × inp`) times the weights' transpose, plus the bias: `n × out`.
    fn apply(&self, x: &[f32], n: usize) -> Vec<f32> {
        assert!(x.len() >= n * self.inp && self.w.len() == self.out * self.inp, "matrix shapes are checked at load");
        let mut y: Vec<f32> = (0..n).flat_map(|_| self.b.iter().copied()).collect();
        // SAFETY: the slices hold n×inp, out×inp and n×out floats (asserted above and by the
        // construction of `y`), and the strides walk exactly those row-major layouts: a is
        // n×inp, b = wᵀ is inp×out read from the out×inp rows, c is n×out.
        unsafe {
            matrixmultiply::sgemm(n, self.inp, self.out, 1.0, x.as_ptr(), self.inp as isize, 1, self.w.as_ptr(), 1, self.inp as isize, 1.0, y.as_mut_ptr(), self.out as isize, 1);
        }
        y
    }
}

fn layer_norm(x: &mut [f32], ln: &LayerNorm, h: usize, eps: f32) {
    for row in x.chunks_exact_mut(h) {
        let mean = row.iter().sum::<f32>() / h as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / h as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, g), b) in row.iter_mut().zip(&ln.g).zip(&ln.b) {
            *v = (*v - mean) * inv * g + b;
        }
    }
}

/// BERT's exact GELU.
fn gelu(v: f32) -> f32 {
    0.5 * v * (1.0 + libm::erff(v * std::f32::consts::FRAC_1_SQRT_2))
}

fn check_layout(l: &Layout) -> Result<(), EncoderError> {
    if l.features_version != FEATURES_VERSION {
        return Err(EncoderError::Version { found: l.features_version, expected: FEATURES_VERSION });
    }
    let classes: Vec<&str> = CLASSES.iter().map(|c| c.map_or("none", |k| k.as_str())).collect();
    let ok = l.format == 1
        && l.structure_features == STRUCTURE_FEATURES
        && l.classes == classes
        && l.structure_mean.len() == STRUCTURE_FEATURES.len()
        && l.structure_sd.len() == STRUCTURE_FEATURES.len()
        && l.structure_sd.iter().all(|s| *s > 0.0)
        && l.heads > 0
        && l.hidden.is_multiple_of(l.heads)
        && l.max_len >= 4;
    if ok {
        Ok(())
    } else {
        Err(EncoderError::Shape("encoder.json does not describe this build's classes, structure features and shape".to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blend_is_a_distribution_between_the_two_models() {
        let (head, encoder) = ([0.1, 0.6, 0.2, 0.1, 0.0], [0.7, 0.1, 0.1, 0.05, 0.05]);
        let p = blend(head, encoder);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6, "{p:?}");
        for k in 0..5 {
            assert!(p[k] >= head[k].min(encoder[k]) - 1e-6 && p[k] <= head[k].max(encoder[k]) + 1e-6, "{p:?}");
        }
        // Both models have their say: the head's strength and the encoder's "not a finding"
        // each move the blend away from the other model.
        assert!(p[1] > encoder[1] && p[0] > head[0], "{p:?}");
    }

    #[test]
    fn a_document_asks_the_encoder_about_its_likeliest_findings_within_the_budget() {
        // Regression: a runaway document asked the encoder about every unit, for hours.
        let none = |p: f32| [p, 1.0 - p, 0.0, 0.0, 0.0];
        let head = [none(0.5), none(0.95), none(0.1), none(0.9), none(0.3), none(0.3), none(0.99)];
        // Units the head is all but sure are no finding are never asked.
        assert_eq!(units_to_ask(&head, 100), vec![0, 2, 3, 4, 5]);
        // Over budget: the likeliest findings (lowest "not a finding"), earliest among equals,
        // in document order.
        assert_eq!(units_to_ask(&head, 3), vec![2, 4, 5]);
        assert_eq!(units_to_ask(&head, 2), vec![2, 4]);
        assert!(units_to_ask(&head, 0).is_empty());
        assert!(units_to_ask(&[], 5).is_empty());
    }

    #[derive(Deserialize)]
    struct Check {
        section: String,
        text: String,
        structure: Vec<f32>,
        ids: Vec<u32>,
        logits: Vec<f32>,
        probabilities: Vec<f32>,
    }

    fn checks() -> Vec<Check> {
        serde_json::from_str(include_str!("../model/encoder_check.json")).expect("encoder_check.json parses")
    }

    #[test]
    fn pairs_tokens_as_the_python_tokenizer_does() {
        let e = Encoder::builtin().expect("the shipped encoder loads");
        for c in checks() {
            assert_eq!(e.pair(&c.section, &c.text).0, c.ids, "{:?} / {:?}", c.section, c.text);
        }
    }

    #[test]
    fn agrees_with_the_python_model() {
        let e = Encoder::builtin().expect("the shipped encoder loads");
        let checks = checks();
        assert!(checks.len() >= 10);
        for c in checks {
            let z = e.logits(&c.section, &c.text, &c.structure);
            for (got, want) in z.iter().zip(&c.logits) {
                assert!((got - want).abs() < 1e-2, "{:?}: logits {z:?} against {:?}", c.text, c.logits);
            }
            let p = e.probabilities(&c.section, &c.text, &c.structure);
            for (got, want) in p.iter().zip(&c.probabilities) {
                assert!((got - want).abs() < 2e-3, "{:?}: {p:?} against {:?}", c.text, c.probabilities);
            }
        }
    }

    #[test]
    fn odd_units_never_panic() {
        let e = Encoder::builtin().expect("the shipped encoder loads");
        let long = "word ".repeat(5000);
        let heading = "heading ".repeat(500);
        for (h, t) in [("", ""), ("", "\u{0}\u{7f}"), (heading.as_str(), long.as_str()), ("Strengths", "é ü 漢字 🙂")] {
            let p = e.probabilities(h, t, &[0.0; 38]);
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{p:?}");
            assert!(e.pair(h, t).0.len() <= 96);
        }
        // A short structure vector reads as the training mean past its end.
        let p = e.probabilities("", "The council has a clear vision.", &[]);
        assert!(p.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn bad_layouts_are_errors() {
        assert!(matches!(Encoder::from_parts("{", &[]), Err(EncoderError::Json(_))));
        let layout = include_str!("../model/encoder.json");
        let bin = include_bytes!("../model/encoder.bin");
        assert!(matches!(Encoder::from_parts(layout, &bin[..bin.len() / 2]), Err(EncoderError::Shape(_))));
        let old = layout.replacen(&format!("\"features_version\": {FEATURES_VERSION}"), "\"features_version\": 1", 1);
        assert!(matches!(Encoder::from_parts(&old, bin), Err(EncoderError::Version { .. })));
    }
}
