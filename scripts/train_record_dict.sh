#!/usr/bin/env bash
# Rebuild the zstd dictionary the store compresses its records with
# (crates/store/dict/records.zdict) from the committed sample records beside it
# (crates/store/dict/records.samples.jsonl: the records of the seeds' corpus, the real
# annotated documents, the genre and held-out sets, one JSON a line). Deterministic: the
# same samples give the same bytes (examples/record_dict.rs; zstd pinned by Cargo.lock).
#
#   bash scripts/train_record_dict.sh             # write records.zdict from the samples
#   bash scripts/train_record_dict.sh --check     # train into a temp file and compare
#   bash scripts/train_record_dict.sh --resample  # ingest the documents again, rewrite the
#                                                 # samples, then train: a NEW dictionary
#
# Records name the dictionary they were written with (its id is in each frame), so a store
# can only read records whose dictionary this version has: a new dictionary is added beside
# the old one in crates/store (not in its place) before stores written with the old one
# can be read by the new version.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin peerscope --example record_dict
dict=crates/store/dict
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ "${1:-}" == "--resample" ]]; then
  target/release/peerscope --data "$work/d" ingest corpus tests/real/docs tests/genre/docs tests/heldout/docs >/dev/null
  target/release/examples/record_dict sample "$work/d" "$dict/records.samples.jsonl"
fi
out=$dict/records.zdict
[[ "${1:-}" == "--check" ]] && out="$work/records.zdict"
target/release/examples/record_dict train "$dict/records.samples.jsonl" "$out"
sha256sum "$out"
if [[ "${1:-}" == "--check" ]]; then
  cmp "$out" "$dict/records.zdict" && echo "records.zdict is reproduced exactly"
fi
