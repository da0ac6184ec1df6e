#!/usr/bin/env bash
# Scale benchmark: build a corpus of ~100,000 findings over 150 councils and ten years from
# real findings, ingest it with the release binary (whole process, wall time), measure query
# latency in-process (p50/p99), and run the same query with ripgrep over the same text as a
# baseline, printing the ratio.
# Usage: scripts/bench_scale.sh [FINDINGS]        (default 106000: about 100,000 survive extraction)
set -euo pipefail
cd "$(dirname "$0")/.."
findings=${1:-106000}
cargo build --release --quiet --bin peerscope --example scale_corpus --example query_latency
corpus=target/scale-corpus-$findings
[ -d "$corpus" ] || target/release/examples/scale_corpus "$corpus" "$findings"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
mb=$(du -sm "$corpus" | cut -f1)
start=$(date +%s.%N)
target/release/peerscope --data "$data" ingest "$corpus" | tail -2
end=$(date +%s.%N)
python3 -c "s=$end-$start; print(f'ingest: {s:.1f} s wall, {$mb/s:.1f} MB/s')"
target/release/examples/query_latency "$data" 50

# Baseline: the same question as a text search over the same files.
query="councils flagged for review performance"
start=$(date +%s.%N)
target/release/peerscope --data "$data" query --json "$query" >/dev/null
mid=$(date +%s.%N)
if command -v rg >/dev/null; then tool=ripgrep; rg -i -c "review" "$corpus" >/dev/null || true
else tool="grep -r (ripgrep not installed: apt-get install ripgrep)"; grep -r -i -c "review" "$corpus" >/dev/null || true; fi
end=$(date +%s.%N)
python3 -c "p=$mid-$start; r=$end-$mid; print(f'whole process: peerscope query {p*1000:.0f} ms (ranked councils with findings and sources), $tool {r*1000:.0f} ms (matching lines only); ratio {p/r:.2f}')"
