#!/usr/bin/env bash
# The live index against the batch call on the labelled dev set: SaudiNewsNet and ANT
# each sorted by date, then clustered once by `dedup` and added article by article by
# `dedup index add`; both scored by `dedup eval` on the tune and report splits.
#   bash benches/live_vs_batch.sh [MATCHING OPTIONS...]     (e.g. --edited)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${NUSKHA_CORPUS_DIR:-$root/../shared/data/arabic_news}"
work="$root/target/live-vs-batch"
mkdir -p "$work"
(cd "$root" && cargo build --release -q -p nuskha-cli)
dedup="$root/target/release/dedup"
python3 - "$data" "$work" <<'PY'
import datetime, email.utils, gzip, json, sys
data, work = sys.argv[1], sys.argv[2]
def when(r):
    d = r.get("date") or ""
    try:
        return datetime.datetime.fromisoformat(d).replace(tzinfo=datetime.timezone.utc).timestamp()
    except ValueError:
        try:
            return email.utils.parsedate_to_datetime(d).timestamp()
        except (TypeError, ValueError):
            return float("inf")
for name, f in [("snn", "saudinewsnet_2015-08-03_to_11.jsonl.gz"), ("ant", "ant_multisource_2018-04.jsonl.gz")]:
    records = [json.loads(line) for line in gzip.open(f"{data}/{f}", "rt")]
    order = sorted(range(len(records)), key=lambda i: (when(records[i]), i))
    with open(f"{work}/{name}.jsonl", "w") as out:
        for i in order:
            out.write(json.dumps(records[i], ensure_ascii=False) + "\n")
PY
for c in snn ant; do
    "$dedup" "$work/$c.jsonl" --format csv -q -o "$work/batch-$c.csv" "$@"
    rm -f "$work/$c.db" "$work/$c.db-wal" "$work/$c.db-shm"
    "$dedup" index add "$work/$c.db" "$work/$c.jsonl" -q --format jsonl "$@" >"$work/$c.added"
    "$dedup" index clusters "$work/$c.db" --format csv >"$work/live-$c.csv"
done
for k in batch live; do
    (cat "$work/$k-snn.csv"; tail -n +2 "$work/$k-ant.csv") >"$work/$k-all.csv"
    for s in tune report; do
        printf '%s %s: ' "$k" "$s"
        "$dedup" eval --pairs "$root/tests/data/devset/pairs.jsonl" \
            --population "$root/tests/data/devset/population.json" --split "$s" \
            "$work/$k-all.csv" --format json | python3 -c '
import json, sys
d = json.load(sys.stdin); r = d["raw"]; w = d["weighted"]
print("weighted precision %.3f recall %.3f (raw tp %d fp %d fn %d tn %d)" % (w["precision"], w["recall"], r["tp"], r["fp"], r["fn"], r["tn"]))'
    done
done
