#!/usr/bin/env bash
# The scale-out path's costs (README "Past one machine"): `dedup sketch` per core, its
# Parquet bytes per article, and the Spark job in local mode on one and two cores, on
# SaudiNewsNet (when ../shared is present) and on N synthetic articles
# (benches/synthetic.rs through the peers' `gen`, seed 42).
#
#   bash benches/spark.sh [N]          (default 100000)
#
# Needs the virtual environment python/run-tests.sh makes (pyspark, the nuskha wheel).
# Sketch times are one thread's (`--threads 1`); MB/s counts the uncompressed JSON Lines.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-100000}"
work="${NUSKHA_SPARK_WORK:-$root/target/spark-bench}"
py="$root/target/pyvenv/bin/python"
mkdir -p "$work"
cd "$root"
(cd "$root" && cargo build -q --release -p nuskha-cli --features parquet)
(cd "$root/benches/peers" && cargo build --release -q --bin gen)
dedup="$root/target/release/dedup"
synthetic="$work/synthetic-$n.jsonl.gz"
if [ ! -s "$synthetic" ]; then
    "$root/benches/peers/target/release/gen" --stream "$n" 42 "$synthetic.part"
    mv "$synthetic.part" "$synthetic"
fi
corpora=("synthetic-$n:$synthetic")
snn="$root/../shared/data/arabic_news/saudinewsnet_2015-08-03_to_11.jsonl.gz"
if [ -s "$snn" ]; then
    corpora=("saudinewsnet:$snn" "${corpora[@]}")
fi

seconds() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }

printf '| corpus | articles | sketch s (1 thread) | MB/s per core | Parquet B/article (articles + counts) | job s local[1] | job s local[2] | candidates | verified |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for entry in "${corpora[@]}"; do
    name="${entry%%:*}"
    corpus="${entry#*:}"
    bytes=$(zcat "$corpus" | wc -c)
    sk="$work/$name.sketch"
    rm -rf "$sk"
    secs=$(seconds "$dedup" sketch "$corpus" -o "$sk" --threads 1 -q)
    articles=$("$py" -c "import json,sys; print(json.load(open(sys.argv[1]))['articles'])" "$sk"/settings-*.json)
    art_bytes=$(du -sb "$sk/articles" | cut -f1)
    count_bytes=$(du -sb "$sk/counts" | cut -f1)
    job=()
    summary=""
    for cores in 1 2; do
        out="$work/$name.out"
        start=$(date +%s.%N)
        summary=$("$py" - "$sk" "$out" "$cores" 2>>"$work/spark.log" <<'PY'
import sys
sys.path.insert(0, "spark")
import nuskha_spark
spark = nuskha_spark.session(f"local[{sys.argv[3]}]", 8)
spark.sparkContext.setLogLevel("ERROR")
s = nuskha_spark.run(spark, sys.argv[1], sys.argv[2], log=False)
print(s["candidates"], s["verified"])
spark.stop()
PY
)

        job+=("$(echo "$(date +%s.%N) - $start" | bc)")
    done
    read -r candidates verified <<<"$summary"
    printf '| %s | %s | %.2f | %.1f | %d (%d + %d) | %.0f | %.0f | %s | %s |\n' "$name" "$articles" "$secs" \
        "$(echo "$bytes / 1000000 / $secs" | bc -l)" $(((art_bytes + count_bytes) / articles)) \
        $((art_bytes / articles)) $((count_bytes / articles)) "${job[0]}" "${job[1]}" "$candidates" "$verified"
done
