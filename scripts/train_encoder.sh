#!/usr/bin/env bash
# Rebuild the encoder reader (crates/extract/model/encoder.{bin,json} and encoder_check.json)
# from the committed annotations: all-MiniLM-L6-v2 fine-tuned on every annotated unit (the
# seeds, tests/real, the genre set), rounded to int8. See scripts/train_encoder.py and
# crates/extract/model/ENCODER.md. Deterministic on one machine (fixed seed, two threads,
# torch's deterministic algorithms): the committed file's SHA-256 is in ENCODER.md; another
# CPU may round differently in the last bits. Rebuild the binary afterwards: the weights are
# compiled in.
#
#   bash scripts/train_encoder.sh [--seed S]
#
# Needs what scripts/finetune_experiment.sh needs; about 5 minutes on 2 cores.
set -euo pipefail
source "$(dirname "$0")/encoder_setup.sh"
"$python" scripts/train_encoder.py "$units" "$base_model" crates/extract/model/reader.json crates/extract/model \
  --base "$base_description" "$@"
sha256sum crates/extract/model/encoder.bin
