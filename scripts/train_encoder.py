#!/usr/bin/env python3
"""Trains the encoder reader: all-MiniLM-L6-v2 fine-tuned on every annotated unit, rounded to
int8, written where crates/extract/src/encoder.rs reads it. Run by scripts/train_encoder.sh,
which makes the venv, checks the base model's checksum and writes the units file.

The training is the experiment's (scripts/finetune_experiment.py, `fine_tune`), on all the
units instead of all but one fold. Writes into OUT_DIR:
  encoder.bin         the weights: int8 matrices (each followed by its f32 row scales) and f32
                      vectors, little-endian, at the offsets encoder.json gives;
  encoder.json        the shape, the tensors' names and offsets, the structure features'
                      standardisation, and where it all came from;
  encoder_check.json  a few units with the token ids and probabilities this script computes
                      with the int8 weights: the Rust forward pass is tested against them.

usage: train_encoder.py UNITS.jsonl MODEL_DIR READER_JSON OUT_DIR [--epochs N] [--seed S]
"""
import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import torch
import transformers
from transformers import AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from finetune_experiment import (  # noqa: E402
    add_training_args, deterministic_torch, example_weights, fine_tune, first_segments, int8_round_trip, int8_rows, padded_batch, quantised, read_units, standardisation,
)

# The decision threshold of the shipped head (crates/extract/src/reader.rs, `finding_below`).
FINDING_BELOW = 0.4
CHECK_UNITS = 16


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("units")
    ap.add_argument("model_dir")
    ap.add_argument("reader_json", help="the shipped head's weights: their structure feature names are the units file's layout")
    ap.add_argument("out_dir")
    add_training_args(ap)
    ap.add_argument("--base", default="", help="what the base model is (recorded as provenance)")
    args = ap.parse_args()
    deterministic_torch()

    rows, y, real, structure = read_units(args.units)
    head = json.loads(Path(args.reader_json).read_text())
    if len(head["structure_features"]) != structure.shape[1]:
        sys.exit(f"the units have {structure.shape[1]} structure features, {args.reader_json} names {len(head['structure_features'])}")

    tok = AutoTokenizer.from_pretrained(args.model_dir)
    enc = tok(first_segments(rows, 0), [r["text"] for r in rows], truncation="only_second", max_length=args.max_len)
    mean, sd = standardisation(structure)
    s = ((structure - mean) / sd).astype(np.float32)

    w = example_weights(y, real)
    ids = np.arange(len(rows))
    model = fine_tune(args, ids, dict(zip(ids, w / w.mean())), lambda ii: padded_batch(enc, ii, s), torch.tensor(y), structure.shape[1])
    int8_round_trip(model)

    out = Path(args.out_dir)
    tensors, blob = pack(model)
    (out / "encoder.bin").write_bytes(blob)
    config = model.bert.config
    meta = {
        "format": 1,
        "what": "all-MiniLM-L6-v2 fine-tuned to tell a unit's class from 'heading [SEP] unit' and the structure features (scripts/train_encoder.sh)",
        "features_version": head["features_version"],
        "structure_features": head["structure_features"],
        "classes": head["classes"],
        "hidden": config.hidden_size,
        "layers": config.num_hidden_layers,
        "heads": config.num_attention_heads,
        "intermediate": config.intermediate_size,
        "vocab": config.vocab_size,
        "max_positions": config.max_position_embeddings,
        "layer_norm_eps": config.layer_norm_eps,
        "max_len": args.max_len,
        "finding_below": FINDING_BELOW,
        "structure_mean": [round(float(v), 6) for v in mean],
        "structure_sd": [round(float(v), 6) for v in sd],
        "tensors": tensors,
        "trained_on": {
            "units": len(rows),
            "documents": len({r["doc"] for r in rows}),
            "per_class": np.bincount(y, minlength=5).tolist(),
            "epochs": args.epochs,
            "seed": args.seed,
            "lr": args.lr,
            "base": args.base,
            "torch": torch.__version__,
            "transformers": transformers.__version__,
        },
        "bin_sha256": hashlib.sha256(blob).hexdigest(),
    }
    (out / "encoder.json").write_text(json.dumps(meta, indent=1) + "\n")
    (out / "encoder_check.json").write_text(json.dumps(check_units(model, rows, enc, s), indent=1) + "\n")
    print(f"encoder.bin: {len(blob)} bytes, sha256 {meta['bin_sha256']}")


def pack(model):
    """The weights as one little-endian blob: a quantised matrix as int8 rows followed by its
    f32 row scales, anything else as f32; each tensor starts on a 4-byte boundary."""
    parts, tensors, offset = [], [], 0
    named = [(f"bert.{n}", p) for n, p in model.bert.named_parameters()] + [(f"out.{n}", p) for n, p in model.out.named_parameters()]
    for name, p in named:
        p = p.detach()
        entry = {"name": name, "shape": list(p.shape), "offset": offset}
        if p.dim() == 2 and name.startswith("bert.") and quantised(name):
            q, scale = int8_rows(p)
            data = q.numpy().astype(np.int8).tobytes()
            data += b"\0" * (-len(data) % 4)
            entry["dtype"] = "i8"
            entry["scales"] = offset + len(data)
            data += scale.numpy().astype("<f4").tobytes()
        else:
            entry["dtype"] = "f32"
            data = p.numpy().astype("<f4").tobytes()
        parts.append(data)
        tensors.append(entry)
        offset += len(data)
    return tensors, b"".join(parts)


def check_units(model, rows, enc, s):
    """Units with their token ids, and the int8 model's logits and probabilities: two of each
    class, then the units it is least sure of (where a wrong forward pass shows soonest)."""
    def forward(i):
        ids = torch.tensor([enc["input_ids"][i]])
        types = torch.tensor([enc["token_type_ids"][i]])
        return model(ids, torch.ones_like(ids), types, torch.tensor(s[[i]]))[0]

    picked = []
    for cls in range(5):
        picked += [i for i, r in enumerate(rows) if r["y"] == cls][:2]
    with torch.no_grad():
        surest = [(float(torch.softmax(forward(i), 0).max()), i) for i in range(0, len(rows), 7)]
        picked += [i for _, i in sorted(surest)[:CHECK_UNITS - len(picked)]]
        out = []
        for i in picked:
            z = forward(i)
            out.append({
                "section": rows[i]["section"] or "",
                "text": rows[i]["text"],
                "structure": rows[i]["structure"],
                "ids": enc["input_ids"][i],
                "logits": [round(float(v), 5) for v in z],
                "probabilities": [round(float(v), 6) for v in torch.softmax(z, 0)],
            })
    return out

if __name__ == "__main__":
    main()
