#!/usr/bin/env bash
# Rebuild the learned reader's weights (crates/extract/model/reader.json) from the committed
# annotations: the seeds (tests/gold + corpus), the real documents (tests/real) and the genre
# set (tests/genre). Deterministic: the same inputs give the same file, byte for byte (full-
# batch training from zero weights, no randomness). Rebuild the binary afterwards: the
# weights are compiled in.
#
#   bash scripts/train_reader.sh            # train and write the weights
#   bash scripts/train_reader.sh --check    # train into a temp file and compare with the committed one
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=crates/extract/model/reader.json
if [[ "${1:-}" == "--check" ]]; then
  out=$(mktemp)
fi
target/release/peerscope train --out "$out" \
  tests/gold corpus \
  tests/real/gold tests/real/docs \
  tests/genre/gold tests/genre/docs
sha256sum "$out"
if [[ "${1:-}" == "--check" ]]; then
  cmp "$out" crates/extract/model/reader.json && echo "reader.json is reproduced exactly"
fi
