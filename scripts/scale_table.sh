#!/usr/bin/env bash
# How cost grows with the size of the record (issue 10). For each size, in letters: build a
# corpus of generated peer challenge letters from real findings (examples/scale_corpus.rs,
# deterministic), ingest it with the release binary, and print one row of a Markdown table:
# input, ingest time and MB/s with its peak RSS, the data directory's size and its ratio to
# the input, a whole-process `peerscope query` p50/p99 (20 runs) beside `rg -i -c` (or
# grep) over the same text, the in-process p50/p99 (examples/query_latency.rs), and the
# peak RSS of one query process. All figures come from this run on this machine.
# Usage: scripts/scale_table.sh [LETTERS...]     (default: 1000 10000 100000)
# PER_LETTER=67 makes longer letters (the default, 31 findings a letter, is the speed issue's
# shape: 10,000 letters hold about 310,000 findings).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-1000 10000 100000}")
[ $# -eq 0 ] && sizes=(1000 10000 100000)
cargo build --release --quiet --bin peerscope --example scale_corpus --example query_latency
bin=target/release/peerscope
if command -v rg >/dev/null; then grep_tool=(rg -i -c); grep_name=rg; else grep_tool=(grep -r -i -c); grep_name="grep -r"; fi
question="councils flagged for review performance"
per_letter=${PER_LETTER:-31}

# Median and 99th percentile of a command's wall time over N runs, in ms.
timed() {
  python3 - "$@" <<'PY'
import subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
xs = []
for _ in range(n):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    xs.append((time.perf_counter() - t) * 1000)
xs.sort()
print(f"{xs[len(xs)//2]:.0f} / {xs[min(len(xs)-1, (len(xs)*99)//100)]:.0f}")
PY
}

echo "| letters | input MB | findings | ingest s | ingest MB/s | ingest peak RSS MB | data dir MB (× input) | query p50 / p99 ms (whole process) | $grep_name p50 / p99 ms | in-process p50 / p99 ms | query peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for letters in "${sizes[@]}"; do
  corpus=target/scale-letters-$letters-$per_letter
  [ -d "$corpus" ] || target/release/examples/scale_corpus "$corpus" $((letters * per_letter)) "$per_letter" >/dev/null
  data=$(mktemp -d)
  # Input and data directory alike are measured by their files' sizes (not disk blocks).
  input_b=$(du -sb --apparent-size "$corpus" | cut -f1)
  input_mb=$(python3 -c "print(f'{$input_b/1e6:.0f}')")
  docs=$(ls "$corpus" | wc -l)
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$data.rss" "$bin" --data "$data/d" ingest "$corpus" > "$data.out"
  end=$(date +%s.%N)
  findings=$(grep -o '[0-9]* findings indexed' "$data.out" | cut -d' ' -f1)
  ingest_rss=$(( $(cat "$data.rss") / 1024 ))
  secs=$(python3 -c "print(f'{$end-$start:.1f}')")
  mbps=$(python3 -c "print(f'{$input_b/1e6/($end-$start):.1f}')")
  dir_b=$(du -sb --apparent-size "$data/d" | cut -f1)
  dir_mb=$(python3 -c "print(f'{$dir_b/1e6:.0f}')")
  ratio=$(python3 -c "print(f'{$dir_b/$input_b:.2f}')")
  # The ingest's writes reach the disk first: the kernel's write-back of them would
  # otherwise run during the timed queries below.
  sync
  "$bin" --data "$data/d" query "$question" >/dev/null
  q=$(timed 20 "$bin" --data "$data/d" query "$question")
  g=$(timed 20 "${grep_tool[@]}" review "$corpus")
  inproc=$(target/release/examples/query_latency "$data/d" 20 | tail -1 | sed -E 's/.*p50 ([0-9.]+) ms, p99 ([0-9.]+) ms/\1 \/ \2/')
  /usr/bin/time -f "%M" -o "$data.qrss" "$bin" --data "$data/d" query "$question" >/dev/null
  query_rss=$(( $(cat "$data.qrss") / 1024 ))
  echo "| $docs | $input_mb | $findings | $secs | $mbps | $ingest_rss | $dir_mb (${ratio}×) | $q | $g | $inproc | $query_rss |"
  rm -rf "$data" "$data.rss" "$data.qrss" "$data.out"
done
