#!/usr/bin/env bash
# An experiment, not part of peerscope's build or tests: cross-validate a fine-tuned sentence
# encoder (all-MiniLM-L6-v2, the encoder the static embeddings are distilled from) beside a
# logistic regression on the shipped head's features, on exactly the units and council folds
# of `peerscope eval --cross-validate`. See scripts/finetune_experiment.py and README ("The
# reader").
#
#   bash scripts/finetune_experiment.sh [--with-seeds] [--epochs N] [--seed S] [--int8]
#
# --with-seeds measures the five seed documents too (seeds + tests/real, held out by council),
# where by default they are only trained on.
# --int8 predicts with the weights rounded as the shipped encoder reader holds them.
# Needs: Python 3 with venv, network access to PyPI once (torch is large: about 6 GB with its
# CUDA libraries; CPU is used), about 20 minutes on 2 cores for three epochs.
set -euo pipefail
if [ "${1:-}" = --with-seeds ]; then
  SEEDS_MEASURED=1
  shift
fi
source "$(dirname "$0")/encoder_setup.sh"
"$python" scripts/finetune_experiment.py "$units" "$base_model" tests/real/gold:tests/gold "$work/out" "$@"
