#!/usr/bin/env bash
# The persistent index (`dedup index`) at scale: N synthetic articles (benches/synthetic.rs,
# seed 42; default 100,000) added to a new index in batches of 1,000 on one core, then
# the index reopened (`dedup index stats` restores every article from the file, without
# the texts). Reports articles per second, reopening time, peak memory and memory and
# file size per stored article.
#   bash benches/index.sh [N]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${NUSKHA_SCALE_WORK:-$root/target/scale}"
n="${1:-100000}"
mkdir -p "$work"
(cd "$root/benches/peers" && cargo build --release -q --bin gen)
(cd "$root" && cargo build --release -q -p nuskha-cli)
gen="$root/benches/peers/target/release/gen"
dedup="$root/target/release/dedup"
corpus="$work/synthetic-$n.jsonl.gz"
if [ ! -s "$corpus" ]; then
    "$gen" --stream "$n" 42 "$corpus.part" && mv "$corpus.part" "$corpus"
fi
index="$work/index-$n.db"
rm -f "$index" "$index-wal" "$index-shm"
export RAYON_NUM_THREADS=1
/usr/bin/time -f "%e %M" -o "$work/index-add-$n.txt" \
    "$dedup" index add "$index" "$corpus" --batch-size 1000 --format jsonl -q >"$work/index-add-$n.jsonl"
read -r add_secs add_kb <"$work/index-add-$n.txt"
/usr/bin/time -f "%e %M" -o "$work/index-open-$n.txt" "$dedup" index stats "$index" >/dev/null
read -r open_secs open_kb <"$work/index-open-$n.txt"
bytes=$(stat -c %s "$index")
awk -v n="$n" -v as="$add_secs" -v akb="$add_kb" -v os="$open_secs" -v okb="$open_kb" -v b="$bytes" 'BEGIN {
    printf "add %d articles in batches of 1,000, one core: %.1f s, %.0f articles/s, peak %.0f MiB\n", n, as, n / as, akb / 1024
    printf "reopen (restore every article, no texts): %.2f s, peak %.0f MiB, %.0f bytes of memory per article\n", os, okb / 1024, okb * 1024 / n
    printf "file: %.1f MB, %.0f bytes per article\n", b / 1e6, b / n }'
