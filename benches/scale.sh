#!/usr/bin/env bash
# Scale in bounded memory: streams N synthetic articles (benches/synthetic.rs, seed 42)
# through `dedup` from a gzipped JSON Lines file on one thread, and reports time, peak
# memory, memory per article, and how time grows from the first size to the last.
#   bash benches/scale.sh [N...]        (default: 100000 1000000)
#   NUSKHA_SCALE_ROUNDS=5 bash benches/scale.sh   runs the sizes in turn five times and
#   prints each round's growth and the median: on a shared machine one round says little.
# The corpora are generated once into target/scale/ (the million: about 1.7 GB gzipped).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${NUSKHA_SCALE_WORK:-$root/target/scale}"
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then
    sizes=(100000 1000000)
fi
mkdir -p "$work"
(cd "$root/benches/peers" && cargo build --release -q --bin gen)
(cd "$root" && cargo build --release -q --example dedup)
gen="$root/benches/peers/target/release/gen"
dedup="$root/target/release/examples/dedup"

rounds="${NUSKHA_SCALE_ROUNDS:-1}"
growth=()
for _ in $(seq "$rounds"); do
    first_secs=""
    for n in "${sizes[@]}"; do
        corpus="$work/synthetic-$n.jsonl.gz"
        if [ ! -s "$corpus" ]; then
            "$gen" --stream "$n" 42 "$corpus.part" && mv "$corpus.part" "$corpus"
        fi
        /usr/bin/time -f "%e %M" -o "$work/time-$n.txt" \
            "$dedup" "$corpus" --threads 1 --quiet --format csv -o "$work/clusters-$n.csv"
        read -r secs kb < "$work/time-$n.txt"
        copies=$(grep -c ',copy$' "$work/clusters-$n.csv" || true)
        awk -v n="$n" -v s="$secs" -v kb="$kb" -v c="$copies" -v gz="$(stat -c %s "$corpus")" 'BEGIN {
            printf "%d articles (%.0f MB gzipped): %.1f s, %.0f articles/s, peak %.0f MiB, %.0f bytes per article; %d copies\n",
                n, gz / 1e6, s, n / s, kb / 1024, kb * 1024 / n, c }'
        if [ -z "$first_secs" ]; then
            first_secs="$secs"
            first_n="$n"
        else
            awk -v a="$first_secs" -v b="$secs" -v na="$first_n" -v nb="$n" 'BEGIN {
                printf "time grows %.2f× for %.0f× the articles (linear: %.0f×)\n", b / a, nb / na, nb / na }'
            growth+=("$(awk -v a="$first_secs" -v b="$secs" 'BEGIN { printf "%.3f", b / a }')")
        fi
    done
done
if [ "$rounds" -gt 1 ] && [ ${#growth[@]} -gt 0 ]; then
    printf '%s\n' "${growth[@]}" | sort -g | awk '{ v[NR] = $1 } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "growth over %d rounds: median %.2f× (%.2f–%.2f)\n", NR, m, v[1], v[NR] }'
fi
