#!/usr/bin/env python3
"""An experiment, not part of peerscope: would a fine-tuned sentence encoder read better
than the shipped head?

Reads the units `peerscope eval --cross-validate ... --units FILE` wrote (each unit's text,
section heading, label, council fold and the head's structure features), and for each fold
  - fits a logistic regression on the head's own features (the baseline: about what the
    shipped head does, fitted by scikit-learn instead of peerscope's trainer), and
  - fine-tunes all-MiniLM-L6-v2 on "heading [SEP] unit" with the 38 structure features
    beside its mean-pooled output (weighted cross-entropy, AdamW, linear decay),
training on every other council's units and predicting the fold's measured units. Both are
scored per document with tests/gold/score.py's own rules against the measured gold
(each unit the reader keeps becomes a finding with the unit's text), so the two figures sit
side by side in one run.

usage: finetune_experiment.py UNITS.jsonl MODEL_DIR GOLD_DIR[:GOLD_DIR...] OUT_DIR [--epochs N] [--seed S]
"""
import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from transformers import AutoModel, AutoTokenizer

KINDS = [None, "strength", "area_for_development", "recommendation", "best_practice"]
NGRAM_BUCKETS = 1024


def example_weights(y, real, finding_weight=1.5, real_weight=2.0, max_rarity=2.0):
    """The shipped trainer's weights: real documents count twice, rarer kinds up to twice."""
    count = np.bincount(y, minlength=5).astype(float)
    commonest = max(count[1:].max(), 1)
    rarity = np.where(np.arange(5) == 0, 1.0, finding_weight * np.minimum(np.sqrt(commonest / np.maximum(count, 1)), max_rarity))
    return np.where(real, real_weight, 1.0) * rarity[y]


def decide(p, finding_below=0.4):
    """The shipped decision: a finding when "not a finding" is under the threshold or some
    kind is likelier; its kind the likeliest kind."""
    kind = p[:, 1:].argmax(1) + 1
    finding = (p[:, 0] < finding_below) | (p[:, 1:].max(1) > p[:, 0])
    return np.where(finding, kind, 0)


class Reader(torch.nn.Module):
    def __init__(self, model_dir, n_structure):
        super().__init__()
        self.bert = AutoModel.from_pretrained(model_dir)
        self.out = torch.nn.Linear(self.bert.config.hidden_size + n_structure, 5)

    def forward(self, ids, mask, types, structure):
        h = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
        m = mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1)
        return self.out(torch.cat([pooled, structure], 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("units")
    ap.add_argument("model_dir")
    ap.add_argument("gold_dirs", help="the annotations' directories, separated by ':' (the first holding a document's wins)")
    ap.add_argument("out_dir")
    add_training_args(ap)
    ap.add_argument("--context", type=int, default=0, help="also give the last N words of the unit before (in the first segment, after the heading)")
    ap.add_argument("--int8", action="store_true", help="predict with the weights rounded to int8 per row, as the shipped encoder holds them")
    args = ap.parse_args()
    deterministic_torch()

    rows, y, real, structure = read_units(args.units)
    council = np.array([r["council"] for r in rows])
    fold = np.array([r["fold"] for r in rows])
    measured = np.array([r["measured"] for r in rows])
    dense = np.array([r["dense"] for r in rows], dtype=np.float32)
    head_x = np.zeros((len(rows), dense.shape[1] + NGRAM_BUCKETS), dtype=np.float32)
    head_x[:, : dense.shape[1]] = dense
    for i, r in enumerate(rows):
        head_x[i, dense.shape[1] + np.array(r["ngrams"], dtype=int)] = 1.0

    tok = AutoTokenizer.from_pretrained(args.model_dir)
    enc = tok(first_segments(rows, args.context), [r["text"] for r in rows], truncation="only_second", max_length=args.max_len)

    batch = lambda ii, s: padded_batch(enc, ii, s)

    folds = sorted({int(f) for f in fold if f >= 0})
    fold_of = {c: int(f) for c, f in zip(council, fold) if f >= 0}
    p_base = np.zeros((len(rows), 5))
    p_tuned = np.zeros((len(rows), 5))
    started = time.time()
    for f in folds:
        held = {c for c, ff in fold_of.items() if ff == f}
        train = np.array([c not in held for c in council])
        test = np.array([c in held for c in council]) & measured
        w = example_weights(y[train], real[train])

        # Baseline: the head's features, L2 0.3 on the weight-normalised loss, as the trainer.
        scaler = StandardScaler().fit(head_x[train])
        lr = LogisticRegression(C=1 / 0.3 / train.sum(), max_iter=3000)
        lr.fit(scaler.transform(head_x[train]), y[train], sample_weight=w / w.sum() * train.sum())
        p_base[test] = lr.predict_proba(scaler.transform(head_x[test]))

        mean, sd = standardisation(structure[train])
        s = ((structure - mean) / sd).astype(np.float32)
        weight_of = dict(zip(np.where(train)[0], w / w.mean()))
        model = fine_tune(args, np.where(train)[0], weight_of, lambda ii: batch(ii, s), torch.tensor(y), structure.shape[1])
        if args.int8:
            int8_round_trip(model)
        model.eval()
        test_ids = np.where(test)[0]
        with torch.no_grad():
            for b in range(0, len(test_ids), 64):
                ii = test_ids[b : b + 64]
                p_tuned[ii] = torch.softmax(model(*batch(ii, s)), 1).numpy()
        print(f"fold {f}: {time.time() - started:.0f} s", file=sys.stderr, flush=True)

    out = Path(args.out_dir)
    # The measured documents' annotations only: score.py counts a gold file without a
    # prediction as all missed.
    gold = out / "gold"
    # Afresh: a document measured by an earlier run (--with-seeds) would be scored again
    # against its stale predictions.
    shutil.rmtree(gold, ignore_errors=True)
    gold.mkdir(parents=True)
    for doc in {r["doc"] for r in rows if r["measured"]}:
        annotation = next(p for p in (Path(d) / f"{doc}.json" for d in args.gold_dirs.split(":")) if p.is_file())
        (gold / f"{doc}.json").write_text(annotation.read_text())
    score = Path(__file__).resolve().parent.parent / "tests/gold/score.py"
    for name, p in [("baseline", p_base), ("finetuned", p_tuned)]:
        write_predictions(rows, measured, decide(p), out / name)
        print(f"== {name} (per document, tests/gold/score.py)", flush=True)
        subprocess.run([sys.executable, str(score), str(gold), str(out / name)], check=True)
        np.save(out / f"{name}.npy", p)
    print(encoder_cost(args.model_dir, rows, enc, measured), flush=True)


def read_units(path):
    """The units file's rows, and their classes, real-document flags and structure features."""
    rows = [json.loads(line) for line in open(path)]
    y = np.array([r["y"] for r in rows])
    real = np.array([r["real"] for r in rows])
    structure = np.array([r["structure"] for r in rows], dtype=np.float32)
    return rows, y, real, structure


def add_training_args(ap):
    """The fine-tuning options the experiment and scripts/train_encoder.py share."""
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--max-len", type=int, default=96)


def deterministic_torch():
    """Two threads and torch's deterministic kernels: one machine, one result."""
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)


def padded_batch(enc, ii, s):
    """Units `ii` of the tokenised pairs `enc`, padded to the longest, with their
    standardised structure features `s`."""
    width = max(len(enc["input_ids"][i]) for i in ii)
    pad = lambda key: torch.tensor([list(enc[key][i]) + [0] * (width - len(enc[key][i])) for i in ii])
    return pad("input_ids"), pad("attention_mask"), pad("token_type_ids"), torch.tensor(s[ii])


def first_segments(rows, context_words):
    """Each unit's first segment: its heading, then (with `context_words`) " ; " and the last
    words of the unit before it in the same document."""
    out = []
    for k, r in enumerate(rows):
        first = r["section"] or ""
        before = rows[k - 1] if k > 0 and rows[k - 1]["doc"] == r["doc"] else None
        if context_words and before is not None:
            first = f"{first} ; {' '.join(before['text'].split()[-context_words:])}"
        out.append(first)
    return out


def standardisation(structure):
    """Per-feature mean and standard deviation (1 where a feature never varies)."""
    mean, sd = structure.mean(0), structure.std(0)
    sd[sd < 1e-6] = 1.0
    return mean, sd


def fine_tune(args, train_ids, weight_of, batch, labels, n_structure):
    """Fine-tunes the encoder and its output layer on `train_ids` (weighted cross-entropy,
    AdamW, batches of 16, linear decay): the same seed gives the same model on one machine."""
    torch.manual_seed(args.seed)
    model = Reader(args.model_dir, n_structure)
    opt = torch.optim.AdamW([{"params": model.bert.parameters(), "lr": args.lr}, {"params": model.out.parameters(), "lr": 1e-3}], weight_decay=0.01)
    steps = args.epochs * ((len(train_ids) + 15) // 16)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: max(0.0, 1 - k / steps))
    rng = np.random.RandomState(args.seed)
    model.train()
    for _ in range(args.epochs):
        order = rng.permutation(train_ids)
        for b in range(0, len(order), 16):
            ii = order[b : b + 16]
            loss = torch.nn.functional.cross_entropy(model(*batch(ii)), labels[ii], reduction="none")
            ww = torch.tensor([weight_of[i] for i in ii], dtype=torch.float32)
            loss = (loss * ww).sum() / ww.sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    return model


def int8_rows(w):
    """Symmetric int8 per row: the integers and each row's scale."""
    scale = w.abs().amax(1).clamp(min=1e-12) / 127.0
    q = torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8)
    return q, scale


def int8_round_trip(model):
    """Every matrix of the encoder (word embeddings and dense layers) replaced by its int8
    rounding, as crates/extract/src/encoder.rs reads them."""
    with torch.no_grad():
        for name, p in model.bert.named_parameters():
            if p.dim() == 2 and quantised(name):
                q, scale = int8_rows(p)
                p.copy_(q.float() * scale[:, None])


def quantised(name):
    """The matrices held as int8: all but the small position and token-type tables."""
    return not ("position_embeddings" in name or "token_type_embeddings" in name)


def encoder_cost(model_dir, rows, enc, measured):
    """What the encoder costs per unit: one forward pass per measured unit, one thread,
    unbatched (as a reader deciding a document's units one by one would run)."""
    torch.set_num_threads(1)
    model = AutoModel.from_pretrained(model_dir).eval()
    units = np.where(measured)[0]
    tokens = sum(len(enc["input_ids"][i]) for i in units) / max(len(units), 1)
    text_bytes = sum(len(rows[i]["text"].encode()) for i in units)
    started = time.time()
    with torch.no_grad():
        for i in units:
            model(input_ids=torch.tensor([enc["input_ids"][i]]), token_type_ids=torch.tensor([enc["token_type_ids"][i]]))
    took = time.time() - started
    return f"encoder cost: {len(units)} units of {tokens:.1f} tokens, {took / max(len(units), 1) * 1000:.2f} ms per unit on one thread, {text_bytes / took / 1e6:.3f} MB/s of unit text"


def write_predictions(rows, measured, predicted, out):
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    docs = {}
    for r, m, k in zip(rows, measured, predicted):
        if m:
            findings = docs.setdefault(r["doc"], [])
            if k > 0:
                findings.append({"kind": KINDS[k], "text": r["text"]})
    for doc, findings in docs.items():
        (out / f"{doc}.json").write_text(json.dumps({"findings": findings}, ensure_ascii=False))


if __name__ == "__main__":
    main()
