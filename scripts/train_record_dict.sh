#!/usr/bin/env bash
# Rebuild the zstd dictionary the store compresses its records with
# (crates/store/dict/records.zdict) from the records of the committed documents: the seeds'
# corpus, the real annotated documents, the genre and held-out sets are ingested into a fresh
# data directory and the dictionary is trained on their records (examples/record_dict.rs).
# Deterministic: the same commit gives the same bytes.
#
#   bash scripts/train_record_dict.sh           # write crates/store/dict/records.zdict
#   bash scripts/train_record_dict.sh --check   # train into a temp file and compare
#
# Records name the dictionary they were written with (its id is in each frame), so a store
# can only read records whose dictionary this version has: a new dictionary (after the
# record format or the extractor changed a lot) is added beside the old one, not in its place.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin peerscope --example record_dict
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
target/release/peerscope --data "$data/d" ingest corpus tests/real/docs tests/genre/docs tests/heldout/docs >/dev/null
out=crates/store/dict/records.zdict
[[ "${1:-}" == "--check" ]] && out="$data/records.zdict"
target/release/examples/record_dict "$data/d" "$out"
sha256sum "$out"
if [[ "${1:-}" == "--check" ]]; then
  cmp "$out" crates/store/dict/records.zdict && echo "records.zdict is reproduced exactly"
fi
