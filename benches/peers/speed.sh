#!/usr/bin/env bash
# dedup on one thread against the careful gaoya crate program, runs in turn, pair by
# pair (the speed limit a default must keep: at least 3x faster), on SaudiNewsNet:
#   bash benches/peers/speed.sh [RUNS] [CPU]      (default 15 pairs, processor 1)
# Builds dedup and the gaoya program, converts SaudiNewsNet as run.sh does (needs
# ../shared/data/arabic_news), then prints benches/peers/paired.py's table for the
# defaults and for --edited=light against gaoya, and for --edited=light against the
# defaults. Quote the median ratios, measured the same hour.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${1:-15}
cpu=${2:-1}
data="$root/../shared/data/arabic_news/saudinewsnet_2015-08-03_to_11.jsonl.gz"
if [ ! -f "$data" ]; then
  echo "speed.sh: $data not found" >&2
  exit 2
fi
(cd "$here" && cargo build --release -q)
(cd "$root" && cargo build --release -q --example dedup)
work="$here/work/snn"
mkdir -p "$work"
[ -f "$work/corpus.jsonl" ] || "$here/target/release/gen" --jsonl-gz "$data" "$work"
corpus="$work/corpus.jsonl"
dedup="$root/target/release/examples/dedup $corpus --threads 1 --quiet --format jsonl -o $work/speed-clusters.jsonl"
gaoya="$here/target/release/gaoya_peer $corpus 0.8 9 13 $work/speed-pairs.tsv"
paired() { python3 "$here/paired.py" --runs "$runs" --cpu "$cpu" -- "$1" -- "$2"; }
echo "## A: dedup (defaults), B: the gaoya crate program"
paired "$dedup" "$gaoya"
echo
echo "## A: dedup --edited=light, B: the gaoya crate program"
paired "$dedup --edited=light" "$gaoya"
echo
echo "## A: dedup --edited=light, B: dedup (defaults)"
paired "$dedup --edited=light" "$dedup"
