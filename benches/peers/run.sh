#!/usr/bin/env bash
# nuskha's dedup against its peers, side by side, on one corpus at a time:
#   bash benches/peers/run.sh [ARTICLES]      (default 10000 synthetic articles)
# Creates a Python virtual environment with datasketch, rensa and gaoya, builds the
# gaoya crate program and dedup, generates the synthetic corpus (and converts
# SaudiNewsNet when ../shared/data/arabic_news is present), runs every tool one after
# another and prints a table per corpus. Settings are matched: word 5-shingles,
# 128 permutations, Jaccard threshold 0.8 for the peers (dedup also at its defaults).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-10000}
work="$here/work"
mkdir -p "$work"

if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install -q datasketch rensa gaoya
py="$here/.venv/bin/python"

(cd "$here" && cargo build --release -q)
(cd "$root" && cargo build --release -q --example dedup)
dedup="$root/target/release/examples/dedup"
gen="$here/target/release/gen"
gaoya="$here/target/release/gaoya_peer"

tools=(
  "dedup=$dedup {corpus} --threads 1 --quiet --format jsonl -o {clusters}"
  "dedup@2=$dedup {corpus} --threads 2 --quiet --format jsonl -o {clusters}"
  "dedup-t0.8=$dedup {corpus} --threads 1 --threshold 0.8 --containment off --quiet --format jsonl -o {clusters}"
  "gaoya-crate=$gaoya {corpus} 0.8 9 13 {pairs}"
  "gaoya-py=$py $here/python_peer.py gaoya {corpus} 0.8 {pairs}"
  "rensa=$py $here/python_peer.py rensa {corpus} 0.8 {pairs}"
  "datasketch=$py $here/python_peer.py datasketch {corpus} 0.8 {pairs}"
)

echo "## synthetic, $n articles"
mkdir -p "$work/synthetic-$n"
"$gen" "$n" 42 "$work/synthetic-$n"
"$py" "$here/report.py" "$work/synthetic-$n" "$work/synthetic-$n/truth_exact.tsv" \
  "$work/synthetic-$n/truth_planted.tsv" -- "${tools[@]}"

data="$root/../shared/data/arabic_news"
if [ -f "$data/saudinewsnet_2015-08-03_to_11.jsonl.gz" ]; then
  echo
  echo "## SaudiNewsNet"
  mkdir -p "$work/snn"
  "$gen" --jsonl-gz "$data/saudinewsnet_2015-08-03_to_11.jsonl.gz" "$work/snn"
  zcat "$data/silver_pairs_jaccard_ge_0.3.tsv.gz" | awk -F'\t' 'NR > 1 && $5 >= 0.8 { print $1 "\t" $2 }' > "$work/snn/truth_silver_0.8.tsv"
  zcat "$data/silver_pairs_jaccard_ge_0.3.tsv.gz" | awk -F'\t' 'NR > 1 { print $1 "\t" $2 }' > "$work/snn/truth_silver_0.3.tsv"
  "$py" "$here/report.py" "$work/snn" "$work/snn/truth_silver_0.8.tsv" "$work/snn/truth_silver_0.3.tsv" \
    "$work/snn/truth_exact.tsv" -- "${tools[@]}"
else
  echo "(SaudiNewsNet not found: skipped)"
fi
