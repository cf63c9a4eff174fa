#!/usr/bin/env bash
# Where two threads' time goes, against one: the instructions each run executes
# (callgrind, exact) and the CPU time each function takes (perf samples, the one- and
# two-thread runs interleaved so that the machine's drift falls on both alike).
#
#   bash benches/threads_profile.sh [CORPUS.jsonl] [RUNS]
#
# CORPUS defaults to SaudiNewsNet as benches/peers/run.sh writes it; RUNS (12) is the
# number of runs of each. Needs valgrind and perf; a missing one skips its part.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-benches/peers/work/snn/corpus.jsonl}
runs=${2:-12}
hz=4000 # perf samples per second of CPU time
if [ ! -f "$corpus" ]; then
    echo "threads_profile: no corpus at $corpus (run benches/peers/run.sh first, or name a JSONL file)" >&2
    exit 2
fi
cargo build --quiet --release --example dedup
bin=target/release/examples/dedup
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# `dedup THREADS [COMMAND...]`: runs dedup on the corpus, under COMMAND if given.
dedup() {
    local t=$1
    shift
    "$@" "$bin" "$corpus" --threads "$t" --quiet --format jsonl -o "$work/out$t.jsonl"
}

dedup 1
dedup 2
cmp -s "$work/out1.jsonl" "$work/out2.jsonl" || { echo "threads_profile: one and two threads disagree" >&2; exit 1; }

if command -v valgrind >/dev/null; then
    for t in 1 2; do
        dedup "$t" valgrind --tool=callgrind --callgrind-out-file=/dev/null 2>&1 |
            awk -v t="$t" '/ refs:/ { gsub(",", "", $NF); print t, $NF }'
    done | awk '{ n[$1] = $2 } END {
        if (!n[1] || !n[2]) { print "callgrind gave no instruction count"; exit }
        printf "instructions: one thread %.4g, two threads %.4g (%.3fx)\n", n[1], n[2], n[2] / n[1] }'
else
    echo "valgrind not found: no instruction counts"
fi

if ! command -v perf >/dev/null; then
    echo "perf not found: no CPU profile"
    exit 0
fi
for i in $(seq "$runs"); do
    for t in 1 2; do
        dedup "$t" perf record -q -e cpu-clock -F "$hz" -o "$work/p$t-$i.data" -- 2>/dev/null
    done
done
for t in 1 2; do
    for f in "$work"/p"$t"-*.data; do
        # Lines: percent, samples, [.] or [k], symbol.
        perf report -i "$f" --stdio --no-children --sort symbol -n -q 2>/dev/null |
            awk -v t="$t" 'NF >= 4 && $2 ~ /^[0-9]+$/ {
                sym = $4; for (i = 5; i <= NF; i++) sym = sym " " $i
                sub(/ - -$/, "", sym)
                print t "\t" $2 "\t" $3 " " substr(sym, 1, 70) }'
    done
done | awk -F'\t' -v runs="$runs" -v hz="$hz" '
    { n[$1, $3] += $2; total[$1] += $2; seen[$3] = 1; if ($3 ~ /^\[k\]/) kernel[$1] += $2 }
    END {
        printf "CPU time over %d runs each (%d samples/s): one thread %.2f s, two threads %.2f s (%.3fx)\n",
            runs, hz, total[1] / hz, total[2] / hz, total[2] / total[1]
        printf "  in the kernel: %.2f s and %.2f s; in the program: %.2f s and %.2f s (%.3fx)\n",
            kernel[1] / hz, kernel[2] / hz, (total[1] - kernel[1]) / hz,
            (total[2] - kernel[2]) / hz, (total[2] - kernel[2]) / (total[1] - kernel[1])
        printf "  so two threads can run at most %.2fx as fast as one on this machine\n", 2 * total[1] / total[2]
        printf "\n%8s %8s %6s  %s\n", "1 thread", "2", "2/1", "function (samples)"
        for (s in seen) { both[s] = n[1, s] + n[2, s] }
        for (k = 0; k < 25; k++) {
            best = ""; for (s in both) if (best == "" || both[s] > both[best]) best = s
            if (best == "") break
            printf "%8d %8d %6.2f  %s\n", n[1, best], n[2, best], n[1, best] ? n[2, best] / n[1, best] : 0, best
            delete both[best]
        }
    }'
