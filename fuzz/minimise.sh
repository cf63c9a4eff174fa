#!/usr/bin/env bash
# Minimises what the runs found (target/fuzz-corpus/TARGET), with the committed corpus
# and the seeds, into fuzz/corpus/TARGET.tar.gz: libFuzzer's set-cover merge keeps a
# small set of inputs with every feature reached. Run after `fuzz/run.sh`.
#   bash fuzz/minimise.sh [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(normalize tokenize sketch read_input eval_input open_index)
fi
cargo fuzz build -s none
bin="fuzz/target/x86_64-unknown-linux-gnu/release"
for t in "${targets[@]}"; do
    out="target/fuzz-minimised"
    rm -rf "${out:?}/$t"
    mkdir -p "$out/$t" "target/fuzz-corpus/$t" "target/fuzz-committed/$t"
    "$bin/$t" -set_cover_merge=1 -close_fd_mask=2 "$out/$t" \
        "target/fuzz-corpus/$t" "target/fuzz-committed/$t" "target/fuzz-seeds/$t" 2>&1 |
        grep -E "MERGE-OUTER: .* added" || true
    # Reproducible archives: sorted names, one date, no owner.
    tar --sort=name --mtime='2026-12-01 00:00Z' --owner=0 --group=0 --numeric-owner \
        -C "$out" -czf "fuzz/corpus/$t.tar.gz" "$t"
    echo "$t: $(ls "$out/$t" | wc -l) inputs, $(stat -c %s "fuzz/corpus/$t.tar.gz") bytes gzipped"
done
