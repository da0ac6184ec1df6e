#!/usr/bin/env python3
"""Distil the sentence encoder all-MiniLM-L6-v2 into a static token embedding table.

The model2vec method, with numpy only (no torch, no transformers):

1. Read the encoder's safetensors by hand and run its BERT forward pass in float64.
2. Check the forward pass: paraphrases must be closer than unrelated sentences.
3. For every vocabulary id t, encode the sequence [CLS] t [SEP] and mean-pool the last
   hidden state over its three positions (before any normalisation): that is t's vector.
4. PCA to 256 dimensions (centred, covariance, eigh; components by eigenvalue descending,
   each component's sign chosen so that its largest-magnitude loading is positive).
5. SIF weighting with token-id rank as a Zipf frequency proxy:
   p_i = (1/(i+2)) / sum_j (1/(j+2)) for 0-based id i (i.e. 1/(rank+1) for 1-based rank),
   w_i = 1e-3 / (1e-3 + p_i); row i is multiplied by w_i.
6. Write embeddings.bin: b"PSEMB001", u32 LE rows, u32 LE dims, rows*dims f16 LE.

Also writes embed_check.json (tokenizer ids and the first dims of the Rust-side sentence
vector, computed from the f16 table) so the Rust module can be checked against this file.

Usage: distill_embeddings.py MODEL_DIR OUT_DIR
"""
import hashlib
import json
import math
import struct
import sys
import time
import unicodedata

import numpy as np

PCA_DIMS = 256
SIF_COEFFICIENT = 1e-3
BATCH = 512
MAGIC = b"PSEMB001"


# ---------------------------------------------------------------- safetensors


def load_safetensors(path):
    """Parse a .safetensors file: u64 LE header length, JSON header, raw LE tensors."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    dtypes = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8"}
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        dt = np.dtype(dtypes[meta["dtype"]])
        arr = np.frombuffer(data, dtype=dt, count=(end - start) // dt.itemsize, offset=8 + n + start)
        tensors[name] = arr.reshape(meta["shape"]).astype(np.float64 if dt.kind == "f" else arr.dtype)
    return tensors


# ---------------------------------------------------------------- BERT forward


def erf(x):
    """Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7), vectorised; checked against math.erf."""
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return s * (1.0 - poly * np.exp(-a * a))


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


class Bert:
    def __init__(self, tensors, config):
        self.t = tensors
        self.eps = config["layer_norm_eps"]
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.hidden = config["hidden_size"]

    def dense(self, x, name):
        # One 2-D GEMM: a 3-D @ 2-D matmul would run as many small per-sequence products.
        w = self.t[name + ".weight"]
        y = x.reshape(-1, x.shape[-1]) @ w.T + self.t[name + ".bias"]
        return y.reshape(*x.shape[:-1], w.shape[0])

    def forward(self, ids, mask):
        """ids, mask: (B, L) int arrays; returns the last hidden state (B, L, H)."""
        t = self.t
        b, l = ids.shape
        x = (
            t["embeddings.word_embeddings.weight"][ids]
            + t["embeddings.position_embeddings.weight"][:l][None, :, :]
            + t["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = layer_norm(x, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"], self.eps)
        hd = self.hidden // self.heads
        keep = mask.astype(bool)[:, None, None, :]  # (B, 1, 1, L): keys that may be attended
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def split(y):
                return y.reshape(b, l, self.heads, hd).transpose(0, 2, 1, 3)  # (B, h, L, d)

            q = split(self.dense(x, p + "attention.self.query"))
            k = split(self.dense(x, p + "attention.self.key"))
            v = split(self.dense(x, p + "attention.self.value"))
            scores = np.matmul(q, k.transpose(0, 1, 3, 2)) / math.sqrt(hd)
            scores = np.where(keep, scores, -np.inf)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            probs = scores / scores.sum(-1, keepdims=True)
            ctx = np.matmul(probs, v).transpose(0, 2, 1, 3).reshape(b, l, self.hidden)
            a = self.dense(ctx, p + "attention.output.dense")
            x = layer_norm(a + x, t[p + "attention.output.LayerNorm.weight"], t[p + "attention.output.LayerNorm.bias"], self.eps)
            h = gelu(self.dense(x, p + "intermediate.dense"))
            h = self.dense(h, p + "output.dense")
            x = layer_norm(h + x, t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"], self.eps)
        return x


def mean_pool(hidden, mask):
    m = mask[:, :, None].astype(hidden.dtype)
    return (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)


# ---------------------------------------------------------------- tokenizer


def is_whitespace(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def is_control(c):
    # As Hugging Face's BERT tokenizers: tab/newline/CR count as whitespace, any other C* goes.
    return c not in "\t\n\r" and unicodedata.category(c).startswith("C")


def is_punctuation(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def is_cjk(cp):
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


class WordPiece:
    """BERT uncased: basic tokenizer (clean, CJK split, lower-case, strip accents, split on
    whitespace and punctuation) then greedy longest-match WordPiece with '##' continuations."""

    def __init__(self, vocab):
        self.vocab = {tok: i for i, tok in enumerate(vocab)}
        self.unk = self.vocab["[UNK]"]

    def basic(self, text):
        out = []
        for c in text:
            cp = ord(c)
            if cp == 0 or cp == 0xFFFD or is_control(c):
                continue
            if is_whitespace(c):
                out.append(" ")
            elif is_cjk(cp):
                out.append(" " + c + " ")
            else:
                out.append(c)
        words = []
        for tok in "".join(out).split():
            # Per character, as the Rust (fast) BERT normaliser does: 'Σ' is always 'σ', never
            # the final 'ς' that str.lower would give by context.
            tok = "".join(c.lower() for c in tok)
            tok = "".join(c for c in unicodedata.normalize("NFD", tok) if unicodedata.category(c) != "Mn")
            cur = []
            for c in tok:
                if is_punctuation(c):
                    if cur:
                        words.append("".join(cur))
                        cur = []
                    words.append(c)
                else:
                    cur.append(c)
            if cur:
                words.append("".join(cur))
        return words

    def wordpiece(self, word):
        if len(word) > 100:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                sub = word[start:end] if start == 0 else "##" + word[start:end]
                if sub in self.vocab:
                    found = self.vocab[sub]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            ids.append(found)
            start = end
        return ids

    def ids(self, text):
        return [i for w in self.basic(text) for i in self.wordpiece(w)]


# ---------------------------------------------------------------- main


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def main():
    model_dir, out_dir = sys.argv[1], sys.argv[2]
    t0 = time.time()
    config = json.load(open(f"{model_dir}/config.json"))
    vocab = open(f"{model_dir}/vocab.txt", encoding="utf-8").read().split("\n")
    if vocab and vocab[-1] == "":
        vocab.pop()
    assert len(vocab) == config["vocab_size"], (len(vocab), config["vocab_size"])
    tok = WordPiece(vocab)
    cls, sep = tok.vocab["[CLS]"], tok.vocab["[SEP]"]
    bert = Bert(load_safetensors(f"{model_dir}/model.safetensors"), config)

    grid = np.linspace(-6, 6, 20001)
    erf_err = float(np.max(np.abs(erf(grid) - np.array([math.erf(v) for v in grid]))))
    print(f"erf max |error| on [-6, 6]: {erf_err:.2e}")
    assert erf_err < 2e-7

    # Sanity check of the forward pass on whole sentences (padded batch, attention mask).
    sentences = [
        "The council has a strong front door.",
        "The front door of the council works well.",
        "The weather in Spain is hot.",
        "Carers told us they struggle to get an assessment.",
        "Unpaid carers find it hard to obtain a carer's assessment.",
    ]
    seqs = [[cls] + tok.ids(s) + [sep] for s in sentences]
    width = max(map(len, seqs))
    ids = np.array([s + [0] * (width - len(s)) for s in seqs])
    mask = np.array([[1] * len(s) + [0] * (width - len(s)) for s in seqs])
    emb = mean_pool(bert.forward(ids, mask), mask)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    para, unrel = cosine(emb[0], emb[1]), cosine(emb[0], emb[2])
    para2, unrel2 = cosine(emb[3], emb[4]), cosine(emb[3], emb[2])
    print(f"encoder cosine: paraphrase {para:.4f}, unrelated {unrel:.4f}; carers paraphrase {para2:.4f}, unrelated {unrel2:.4f}")
    if not (para > unrel + 0.2 and para2 > unrel2 + 0.2):
        sys.exit("sanity check failed: the forward pass does not separate paraphrases from unrelated sentences")

    # Distil: every vocabulary id as [CLS] t [SEP], mean-pooled over the three positions.
    n = len(vocab)
    vectors = np.empty((n, config["hidden_size"]), dtype=np.float64)
    ones = np.ones((BATCH, 3), dtype=np.int64)
    for start in range(0, n, BATCH):
        chunk = np.arange(start, min(start + BATCH, n))
        ids = np.stack([np.full_like(chunk, cls), chunk, np.full_like(chunk, sep)], axis=1)
        m = ones[: len(chunk)]
        vectors[chunk] = mean_pool(bert.forward(ids, m), m)
    print(f"encoded {n} tokens in {time.time() - t0:.1f}s")

    # PCA to PCA_DIMS, deterministic signs.
    centred = vectors - vectors.mean(0)
    cov = centred.T @ centred / (n - 1)
    evals, evecs = np.linalg.eigh(cov)
    order = np.argsort(evals)[::-1][:PCA_DIMS]
    comps = evecs[:, order]
    signs = np.sign(comps[np.argmax(np.abs(comps), axis=0), np.arange(PCA_DIMS)])
    comps *= signs
    reduced = centred @ comps
    print(f"PCA: kept {PCA_DIMS} of {len(evals)} dims, explained variance {evals[order].sum() / evals.sum():.4f}")

    # SIF with id rank as a Zipf frequency proxy.
    inv_rank = 1.0 / np.arange(2, n + 2, dtype=np.float64)
    proba = inv_rank / inv_rank.sum()
    reduced *= (SIF_COEFFICIENT / (SIF_COEFFICIENT + proba))[:, None]

    table = reduced.astype("<f2")
    if not np.all(np.isfinite(table)):
        sys.exit("non-finite value in the f16 table")
    blob = MAGIC + struct.pack("<II", n, PCA_DIMS) + table.tobytes()
    with open(f"{out_dir}/embeddings.bin", "wb") as f:
        f.write(blob)
    print(f"embeddings.bin: {len(blob)} bytes, sha256 {hashlib.sha256(blob).hexdigest()}")

    # What the Rust side computes: mean of the f16 rows of the ids (no [CLS]/[SEP]), L2-normalised.
    table64 = table.astype(np.float64)

    def static(text):
        v = table64[tok.ids(text)].mean(0)
        return v / np.linalg.norm(v)

    s_para, s_unrel = cosine(static(sentences[0]), static(sentences[1])), cosine(static(sentences[0]), static(sentences[2]))
    print(f"static cosine: paraphrase {s_para:.4f}, unrelated {s_unrel:.4f}")
    checks = [
        "The council has a strong front door.",
        "Café résumé: naïve façade, Ångström & Zoë!",
        "In 2023-24, 1,234 people (12.5%) waited >28 days; see p.17.",
        "Pneumonoultramicroscopicsilicovolcanoconiosis and supercalifragilisticexpialidocious, antidisestablishmentarianism.",
    ]
    check = {
        "note": "Written by scripts/distill_embeddings.py: Python tokenizer ids (no [CLS]/[SEP]) and the first 8 dims of the mean of their f16 rows, L2-normalised.",
        "sentences": [{"text": s, "ids": tok.ids(s), "first8": [round(float(x), 6) for x in static(s)[:8]]} for s in checks],
    }
    with open(f"{out_dir}/embed_check.json", "w", encoding="utf-8") as f:
        json.dump(check, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"done in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
