#!/usr/bin/env bash
# Whole-process timing: ingest the shipped corpus into a fresh data directory RUNS times
# (default 5) with the release binary, then one query; prints wall-clock seconds of each.
# Usage: scripts/bench_ingest.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --quiet
bin=target/release/peerscope
for i in $(seq "$runs"); do
  dir=$(mktemp -d)
  start=$(date +%s.%N)
  "$bin" --data "$dir" ingest >/dev/null
  mid=$(date +%s.%N)
  "$bin" --data "$dir" query --json "councils flagged for review performance" >/dev/null
  end=$(date +%s.%N)
  python3 -c "print(f'run $i: ingest {$mid - $start:.3f} s, query {$end - $mid:.3f} s')"
  rm -rf "$dir"
done
