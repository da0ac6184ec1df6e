#!/usr/bin/env bash
# Load on the web page (issue 12): `peerscope serve` over the generated scale corpus
# (examples/scale_corpus.rs, default 10,000 letters), 32 concurrent clients for a fixed time
# on each page in turn (examples/serve_load.rs), printing requests/s and p50/p99 per page
# beside the stylesheet, a static asset served in the same run (the server's own overhead).
# Not a test: figures depend on the machine. Usage: scripts/bench_serve.sh [LETTERS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
letters=${1:-10000}
seconds=${2:-10}
cargo build --release --quiet --bin peerscope --example scale_corpus --example serve_load
bin=target/release/peerscope
corpus=target/scale-letters-$letters
[ -d "$corpus" ] || target/release/examples/scale_corpus "$corpus" $((letters * 67)) >/dev/null
data=target/bench-serve-$letters
[ -d "$data" ] || "$bin" --data "$data" ingest "$corpus" >/dev/null
"$bin" --data "$data" serve --bind 127.0.0.1:0 > "$data.addr" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q serving "$data.addr" 2>/dev/null && break; sleep 0.1; done
addr=$(sed -E 's|serving http://([^/]*)/|\1|' "$data.addr")
# A document and a council that exist in this corpus, read from the API's answer.
answer=$(curl -s "http://$addr/api/query?q=councils+flagged+for+review+performance")
doc=$(python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["councils"][0]["findings"][0]["document"])' <<<"$answer")
council=$(python3 -c 'import json,sys,urllib.parse; a=json.load(sys.stdin); print(urllib.parse.quote(a["councils"][0]["council"]["name"]))' <<<"$answer")
# The server reads every document once at start (for the council and themes pages); a
# first themes page over 10,000 letters then takes seconds, and is kept for the next asker.
curl -s -o /dev/null --retry 5 --retry-all-errors "http://$addr/themes"
target/release/examples/serve_load "$addr" "$seconds" 32 \
  "search (4 questions; kept answers)=/?q=councils+flagged+for+review+performance|/?q=praised+for+carers+in+the+North+West+since+2020|/?q=waiting+lists|/?q=flagged+for+DoLS" \
  "search (every request new)=/?q=councils+flagged+for+review+performance&nocache={n}|/?q=praised+for+carers+in+the+North+West+since+2020&nocache={n}|/?q=waiting+lists&nocache={n}|/?q=flagged+for+DoLS&nocache={n}" \
  "search with a facet=/?q=councils+flagged+for+review+performance&region=North+West" \
  "api/query=/api/query?q=councils+flagged+for+review+performance" \
  "document=/document/$doc" \
  "council=/council/$council" \
  "themes=/themes" \
  "export.csv=/export.csv?q=waiting+lists" \
  "feed=/feed?q=waiting+lists"
