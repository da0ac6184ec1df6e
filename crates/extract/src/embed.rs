//! Static sentence embeddings: the shipped token table distilled from all-MiniLM-L6-v2
//! (model2vec method; see `model/MODEL.md` and `scripts/distill_embeddings.sh`) and the
//! BERT uncased WordPiece tokenizer that indexes it. A sentence's vector is the
//! L2-normalised mean of its tokens' rows: no network, no Python, nothing downloaded.
//!
//! The tokenizer mirrors Hugging Face's `BertTokenizer` (and the Python one in the
//! distillation script, which `model/embed_check.json` pins): drop control characters,
//! isolate CJK ideographs, split on whitespace, lower-case, strip accents (NFD without
//! `Mn`), split off each punctuation character, then greedy longest-match WordPiece with
//! `##` continuations and `[UNK]` for unmatched or over-long (> 100 chars) words.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

const MAGIC: &[u8; 8] = b"PSEMB001";
const HEADER_LEN: usize = 16;
/// As BERT: a longer word is one `[UNK]` rather than a quadratic search.
const MAX_WORD_CHARS: usize = 100;

/// A token embedding table with its vocabulary.
pub struct StaticEmbeddings {
    /// A word's first piece, by its text.
    head: HashMap<Box<str>, u32>,
    /// Continuation pieces, by their text without the `##` prefix, so lookups need no copy.
    tail: HashMap<Box<str>, u32>,
    /// The longest key of `head` and of `tail`, in bytes.
    longest_head: usize,
    longest_tail: usize,
    unk: u32,
    /// `rows * dims`, row-major, widened from f16 once at load.
    matrix: Vec<f32>,
    dims: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    #[error("embedding table: bad magic bytes (expected PSEMB001)")]
    BadMagic,
    #[error("embedding table: {len} bytes, expected {expected} for {rows} rows x {dims} dims")]
    WrongSize { len: usize, expected: usize, rows: usize, dims: usize },
    #[error("embedding table has {rows} rows but the vocabulary {vocab} tokens")]
    VocabMismatch { rows: usize, vocab: usize },
    #[error("vocabulary has no [UNK] token")]
    NoUnk,
}

/// How the basic tokenizer treats one input character.
enum Class {
    Keep,
    Space,
    Drop,
    /// A CJK ideograph: a word on its own.
    Cjk,
}

impl StaticEmbeddings {
    /// The shipped table (`model/embeddings.bin`, `model/vocab.txt`), parsed on first use.
    pub fn builtin() -> Result<&'static StaticEmbeddings, EmbedError> {
        static BUILTIN: OnceLock<Result<StaticEmbeddings, EmbedError>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                StaticEmbeddings::from_parts(
                    include_str!("../model/vocab.txt"),
                    include_bytes!("../model/embeddings.bin"),
                )
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Parse a vocabulary (one token a line, id = line number) and a `PSEMB001` table:
    /// magic, u32 LE rows, u32 LE dims, then rows × dims f16 LE.
    pub fn from_parts(vocab: &str, matrix: &[u8]) -> Result<StaticEmbeddings, EmbedError> {
        if matrix.len() < HEADER_LEN || &matrix[..8] != MAGIC {
            return Err(EmbedError::BadMagic);
        }
        let u32_at = |i: usize| u32::from_le_bytes(matrix[i..i + 4].try_into().unwrap()) as usize;
        let (rows, dims) = (u32_at(8), u32_at(12));
        let expected = rows
            .checked_mul(dims)
            .and_then(|n| n.checked_mul(2))
            .and_then(|n| n.checked_add(HEADER_LEN));
        if expected != Some(matrix.len()) {
            let (len, expected) = (matrix.len(), expected.unwrap_or(usize::MAX));
            return Err(EmbedError::WrongSize { len, expected, rows, dims });
        }
        let tokens: Vec<&str> = vocab.strip_suffix('\n').unwrap_or(vocab).split('\n').collect();
        if tokens.len() != rows {
            return Err(EmbedError::VocabMismatch { rows, vocab: tokens.len() });
        }
        let (mut head, mut tail) = (HashMap::default(), HashMap::default());
        for (id, tok) in tokens.iter().enumerate() {
            let id = id as u32;
            if let Some(rest) = tok.strip_prefix("##").filter(|r| !r.is_empty()) {
                tail.insert(rest.into(), id);
            }
            head.insert((*tok).into(), id);
        }
        let unk = *head.get("[UNK]").ok_or(EmbedError::NoUnk)?;
        let longest = |m: &HashMap<Box<str>, u32>| m.keys().map(|k| k.len()).max().unwrap_or(0);
        let (longest_head, longest_tail) = (longest(&head), longest(&tail));
        let matrix = matrix[HEADER_LEN..]
            .chunks_exact(2)
            .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
            .collect();
        Ok(StaticEmbeddings { head, tail, longest_head, longest_tail, unk, matrix, dims })
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The id of one whole token of the vocabulary (`[CLS]`, `[SEP]`), if it has it.
    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.head.get(token).copied()
    }

    /// WordPiece token ids of `text` (no `[CLS]`/`[SEP]`), as the Python tokenizer gives.
    pub fn token_ids(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        self.tokenize(text, &mut ids);
        ids
    }

    /// The mean of `text`'s token vectors, L2-normalised, written into `out` (which should
    /// have `dims()` entries; any beyond are zeroed). All zeros when `text` has no tokens.
    pub fn embed_into(&self, text: &str, out: &mut [f32]) {
        out.fill(0.0);
        let mut ids = Vec::with_capacity(text.len() / 4 + 1);
        self.tokenize(text, &mut ids);
        let n = out.len().min(self.dims);
        self.sum_rows(&ids, &mut out[..n]);
        // Normalising the sum is normalising the mean: no division by the count needed.
        let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            out.iter_mut().for_each(|x| *x /= norm);
        }
    }

    /// Adds the first `out.len()` entries of each of the rows `ids`, in order, to `out`.
    /// A block of the sum at a time, kept in registers while every row's share of it is
    /// added, instead of the whole sum loaded and stored again for every row: each entry
    /// still adds the same rows in the same order, so the result is the same to the bit.
    fn sum_rows(&self, ids: &[u32], out: &mut [f32]) {
        const BLOCK: usize = 32;
        let whole = out.len() / BLOCK * BLOCK;
        let (blocks, rest) = out.split_at_mut(whole);
        for (b, block) in blocks.chunks_exact_mut(BLOCK).enumerate() {
            let mut acc = [0.0f32; BLOCK];
            acc.copy_from_slice(block);
            for &id in ids {
                let row: &[f32; BLOCK] = self.matrix[id as usize * self.dims + b * BLOCK..][..BLOCK].try_into().unwrap_or(&[0.0; BLOCK]);
                for i in 0..BLOCK {
                    acc[i] += row[i];
                }
            }
            block.copy_from_slice(&acc);
        }
        for &id in ids {
            let row = &self.matrix[id as usize * self.dims + whole..][..rest.len()];
            for (o, r) in rest.iter_mut().zip(row) {
                *o += r;
            }
        }
    }

    fn tokenize(&self, text: &str, ids: &mut Vec<u32>) {
        if text.is_ascii() {
            self.tokenize_ascii(text, ids);
        } else {
            self.tokenize_chars(text, ids);
        }
    }

    /// [`Self::tokenize`] a char at a time: any text.
    fn tokenize_chars(&self, text: &str, ids: &mut Vec<u32>) {
        // Two buffers reused across words: the cleaned word, and its normalised form.
        let (mut word, mut norm) = (String::new(), String::new());
        for c in text.chars() {
            match classify(c) {
                Class::Keep => word.push(c),
                Class::Drop => {}
                Class::Space => self.flush(&mut word, &mut norm, ids),
                Class::Cjk => {
                    self.flush(&mut word, &mut norm, ids);
                    word.push(c);
                    self.flush(&mut word, &mut norm, ids);
                }
            }
        }
        self.flush(&mut word, &mut norm, ids);
    }

    /// [`Self::tokenize`] of ASCII text, which is most of it: the text is lower-cased at
    /// once and its pieces are read in place, instead of gathered a char at a time. The
    /// same rules as [`classify`] and [`is_punctuation`]: only ' ', '\t', '\n' and '\r'
    /// split words; every other ASCII symbol is a piece of its own. Text with other control
    /// bytes (dropped, so words are not contiguous) takes the general path.
    fn tokenize_ascii(&self, text: &str, ids: &mut Vec<u32>) {
        if text.bytes().any(|b| ASCII_CLASS[usize::from(b)] == AsciiClass::Control) {
            return self.tokenize_chars(text, ids);
        }
        let lower = text.to_ascii_lowercase();
        let mut start = 0;
        for (i, b) in lower.bytes().enumerate() {
            match ASCII_CLASS[usize::from(b)] {
                // Control bytes sent the text to the char path above.
                AsciiClass::Letter | AsciiClass::Control => continue,
                AsciiClass::Space => self.wordpiece(&lower[start..i], ids),
                AsciiClass::Punctuation => {
                    self.wordpiece(&lower[start..i], ids);
                    self.wordpiece(&lower[i..i + 1], ids);
                }
            }
            start = i + 1;
        }
        self.wordpiece(&lower[start..], ids);
    }

    /// Normalise one whitespace-delimited word, split off its punctuation, WordPiece the rest.
    fn flush(&self, word: &mut String, norm: &mut String, ids: &mut Vec<u32>) {
        if word.is_empty() {
            return;
        }
        norm.clear();
        if word.is_ascii() {
            norm.push_str(word);
            norm.make_ascii_lowercase();
        } else {
            // Lower-case per char (as Hugging Face's fast BERT normaliser: 'Σ' is always 'σ'),
            // then NFD without nonspacing marks strips the accents.
            let lower = word.chars().flat_map(char::to_lowercase);
            norm.extend(lower.nfd().filter(|c| c.general_category() != GeneralCategory::NonspacingMark));
        }
        word.clear();
        self.pieces(norm, ids);
    }

    /// WordPiece a normalised word, each punctuation mark a piece of its own.
    fn pieces(&self, norm: &str, ids: &mut Vec<u32>) {
        let mut start = 0;
        for (i, c) in norm.char_indices() {
            if is_punctuation(c) {
                let end = i + c.len_utf8();
                self.wordpiece(&norm[start..i], ids);
                self.wordpiece(&norm[i..end], ids);
                start = end;
            }
        }
        self.wordpiece(&norm[start..], ids);
    }

    /// Greedy longest-match-first WordPiece; the whole piece is `[UNK]` if any part fails.
    fn wordpiece(&self, piece: &str, ids: &mut Vec<u32>) {
        if piece.is_empty() {
            return;
        }
        // Byte length bounds char count, so only long pieces pay for counting.
        if piece.len() > MAX_WORD_CHARS && piece.chars().count() > MAX_WORD_CHARS {
            ids.push(self.unk);
            return;
        }
        let mark = ids.len();
        let mut start = 0;
        while start < piece.len() {
            let (map, longest) = if start == 0 { (&self.head, self.longest_head) } else { (&self.tail, self.longest_tail) };
            let rest = &piece[start..];
            // No entry is longer than `longest` bytes: start the greedy search there.
            let mut end = rest.len().min(longest);
            while !rest.is_char_boundary(end) {
                end -= 1;
            }
            loop {
                if let Some(&id) = map.get(&rest[..end]) {
                    ids.push(id);
                    start += end;
                    break;
                }
                match rest[..end].char_indices().next_back() {
                    Some((i, _)) if i > 0 => end = i,
                    _ => {
                        ids.truncate(mark);
                        ids.push(self.unk);
                        return;
                    }
                }
            }
        }
    }
}

/// What an ASCII byte is to the tokenizer ([`classify`] and [`is_punctuation`] of it).
#[derive(Clone, Copy, PartialEq, Eq)]
enum AsciiClass {
    Letter,
    Space,
    Punctuation,
    Control,
}

const ASCII_CLASS: [AsciiClass; 256] = {
    let mut table = [AsciiClass::Letter; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            AsciiClass::Space
        } else if c.is_ascii_control() {
            AsciiClass::Control
        } else if c.is_ascii_punctuation() {
            AsciiClass::Punctuation
        } else {
            AsciiClass::Letter
        };
        b += 1;
    }
    table
};

fn classify(c: char) -> Class {
    match c {
        ' ' | '\t' | '\n' | '\r' => Class::Space,
        '\0'..='\x1f' | '\x7f' | '\u{fffd}' => Class::Drop,
        _ if c.is_ascii() => Class::Keep,
        _ if is_cjk(c) => Class::Cjk,
        // Zs is BERT's whitespace; Zl/Zp survive its cleaning but Python's str.split splits on them.
        _ => match c.general_category_group() {
            GeneralCategoryGroup::Separator => Class::Space,
            GeneralCategoryGroup::Other => Class::Drop,
            _ => Class::Keep,
        },
    }
}

fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        // BERT counts every ASCII non-alphanumeric symbol ($, +, ^, ...) as punctuation.
        return c.is_ascii_punctuation();
    }
    c.general_category_group() == GeneralCategoryGroup::Punctuation
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B820..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

/// IEEE 754 binary16 to binary32 (exact: every f16 is an f32).
fn f16_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = (h >> 10) & 0x1f;
    let man = (h & 0x3ff) as u32;
    match exp {
        0 => sign * man as f32 * (-24f32).exp2(),
        0x1f => f32::from_bits(((h as u32 & 0x8000) << 16) | 0x7f80_0000 | (man << 13)),
        _ => f32::from_bits(((h as u32 & 0x8000) << 16) | ((exp as u32 + 112) << 23) | (man << 13)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emb() -> &'static StaticEmbeddings {
        StaticEmbeddings::builtin().expect("the shipped table parses")
    }

    fn embed(text: &str) -> Vec<f32> {
        let mut v = vec![0.0; emb().dims()];
        emb().embed_into(text, &mut v);
        v
    }

    fn cos(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn agrees_with_the_python_tokenizer_and_table() {
        let check: serde_json::Value = serde_json::from_str(include_str!("../model/embed_check.json")).unwrap();
        for s in check["sentences"].as_array().unwrap() {
            let text = s["text"].as_str().unwrap();
            let ids: Vec<u32> = s["ids"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as u32).collect();
            assert_eq!(emb().token_ids(text), ids, "{text}");
            let v = embed(text);
            for (i, want) in s["first8"].as_array().unwrap().iter().enumerate() {
                let want = want.as_f64().unwrap() as f32;
                assert!((v[i] - want).abs() < 1e-3, "{text}: dim {i} is {} not {want}", v[i]);
            }
        }
    }

    #[test]
    fn empty_and_whitespace_give_zeros() {
        for text in ["", " ", "\t\n\r  \u{3000}\u{2028}", "\u{0}\u{200b}\u{7f}"] {
            assert!(emb().token_ids(text).is_empty(), "{text:?}");
            assert!(embed(text).iter().all(|&x| x == 0.0), "{text:?}");
        }
    }

    proptest::proptest! {
        /// ASCII text is cut into the same tokens in place as a char at a time.
        #[test]
        // Other control bytes are rare in the strings made, or nearly every one would take
        // the char path and test nothing.
        fn ascii_words_are_read_in_place_as_chars_would_be(s in "([a-zA-Z0-9 \t\n\r.,;:!?()'\"$+^#-]{0,20}[\x00\x0b\x7f]?){0,3}") {
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            emb().tokenize_ascii(&s, &mut fast);
            emb().tokenize_chars(&s, &mut slow);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn tokenizer_details() {
        let t = |s: &str| emb().token_ids(s);
        assert_eq!(t("Hello, WORLD!"), t("hello , world !"));
        assert_eq!(t("café"), t("cafe"));
        assert_eq!(t(&"a".repeat(101)), vec![emb().unk]);
        assert_eq!(t("a\u{0}b"), t("ab"), "control characters are dropped, not split on");
        assert_eq!(t("\u{4e2d}\u{6587}").len(), 2, "each CJK ideograph is a word");
    }

    #[test]
    fn odd_strings_never_panic() {
        let pool = [
            "a", "É", "ß", "İ", "Σ", "ΣΑΣ", "\u{301}", "\u{0}", "\u{fffd}", "\u{200d}", "👍🏽", "中",
            "\u{e000}", "\u{10ffff}", " ", "\n", "-", "''", "##", "[UNK]", "ﬁ", "Ⅻ", "\u{2028}",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for _ in 0..2000 {
            let mut s = String::new();
            for _ in 0..next() % 40 {
                match next() % 4 {
                    0 => s.extend(char::from_u32(next() as u32 % 0x11_0000)),
                    1 => s.push_str(&"x".repeat(next() % 300)),
                    _ => s.push_str(pool[next() % pool.len()]),
                }
            }
            let v = embed(&s);
            let norm: f32 = v.iter().map(|x| x * x).sum();
            assert!(v.iter().all(|x| x.is_finite()) && (norm == 0.0 || (norm - 1.0).abs() < 1e-3), "{s:?}");
        }
        // A wrong-sized output buffer is tolerated rather than a panic.
        emb().embed_into("short", &mut [0.0; 3]);
        emb().embed_into("long", &mut vec![0.0; 1000]);
    }

    /// The blocked sum of rows is the row-by-row sum of before, to the bit.
    #[test]
    fn rows_are_summed_as_one_row_at_a_time_would() {
        let e = emb();
        for text in ["", "The council has a strong front door.", "Personalisation, co-production and strengths-based practice: a long way to go", &"care ".repeat(300)] {
            for len in [e.dims(), e.dims() - 5, 3, 40] {
                let mut want = vec![0.0f32; len];
                for id in e.token_ids(text) {
                    for (o, r) in want.iter_mut().zip(&e.matrix[id as usize * e.dims()..][..len]) {
                        *o += r;
                    }
                }
                let norm = want.iter().map(|x| x * x).sum::<f32>().sqrt();
                if norm > 0.0 {
                    want.iter_mut().for_each(|x| *x /= norm);
                }
                let mut got = vec![0.0f32; len];
                e.embed_into(text, &mut got);
                assert!(got.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()), "{text:?} into {len}");
            }
        }
    }

    #[test]
    fn similar_sentences_are_closer_than_unrelated_ones() {
        let a = embed("The council has a strong front door.");
        let b = embed("The front door of the council works well.");
        let c = embed("The weather in Spain is hot.");
        assert!(cos(&a, &b) > cos(&a, &c) + 0.1, "{} vs {}", cos(&a, &b), cos(&a, &c));
        let d = embed("Carers told us they struggle to get an assessment.");
        let e = embed("Unpaid carers find it hard to obtain a carer's assessment.");
        assert!(cos(&d, &e) > cos(&d, &c) + 0.1);
    }

    #[test]
    fn bad_tables_are_errors() {
        let vocab = "[PAD]\n[UNK]\n";
        let mut table = MAGIC.to_vec();
        table.extend(2u32.to_le_bytes());
        table.extend(1u32.to_le_bytes());
        table.extend([0, 0x3c, 0, 0xc0]); // 1.0, -2.0
        let e = StaticEmbeddings::from_parts(vocab, &table).unwrap();
        assert_eq!(e.matrix, vec![1.0, -2.0]);
        assert_eq!(StaticEmbeddings::from_parts(vocab, b"PSEMB002xxxxxxxx").err(), Some(EmbedError::BadMagic));
        assert!(matches!(StaticEmbeddings::from_parts(vocab, &table[..19]), Err(EmbedError::WrongSize { .. })));
        assert!(matches!(StaticEmbeddings::from_parts("[UNK]\n", &table), Err(EmbedError::VocabMismatch { .. })));
        assert_eq!(StaticEmbeddings::from_parts("a\nb\n", &table).err(), Some(EmbedError::NoUnk));
        let mut huge = table[..16].to_vec();
        huge[8..16].copy_from_slice(&[0xff; 8]);
        assert!(matches!(StaticEmbeddings::from_parts(vocab, &huge), Err(EmbedError::WrongSize { .. })));
    }

    #[test]
    fn f16_conversion() {
        for (h, f) in [(0x0000, 0.0), (0x3c00, 1.0), (0xc000, -2.0), (0x7bff, 65504.0), (0x0001, 5.960_464_5e-8), (0x3555, 0.333_251_95)] {
            assert_eq!(f16_to_f32(h), f, "{h:#x}");
        }
        assert!(f16_to_f32(0x7c00).is_infinite() && f16_to_f32(0x7e00).is_nan());
    }

    /// Throughput on the corpus text, sentence by sentence: `cargo test -p peerscope-extract
    /// --release --lib embed -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn speed() {
        let text = include_str!("../../../corpus/leicester_scrutiny-report_2016.txt");
        let text = text.repeat(20);
        let e = emb();
        let mut v = vec![0.0; e.dims()];
        let start = std::time::Instant::now();
        for sentence in text.split_inclusive(['.', '\n']) {
            e.embed_into(sentence, &mut v);
        }
        let secs = start.elapsed().as_secs_f64();
        println!("embedded {} bytes in {secs:.3}s: {:.1} MB/s", text.len(), text.len() as f64 / secs / 1e6);
    }
}
