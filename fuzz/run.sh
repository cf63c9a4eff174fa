#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, default 10, from the
# committed corpus (fuzz/corpus/TARGET.tar.gz) and the seeds fuzz/seeds.py builds;
# new inputs go to target/fuzz-corpus/TARGET, crashes to fuzz/artifacts/TARGET/.
# Usage: bash fuzz/run.sh [SECONDS [TARGET...]]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-10}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(normalize tokenize sketch read_input eval_input open_index)
fi

# cargo-fuzz runs on this stable toolchain with the sanitizer off (`-s none`): the
# coverage instrumentation libFuzzer needs is a stable codegen pass.
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
fi
python3 fuzz/seeds.py target/fuzz-seeds >/dev/null
cargo fuzz build -s none

for t in "${targets[@]}"; do
    # The committed corpus, minimised (fuzz/minimise.sh), unpacked beside the seeds.
    committed="target/fuzz-committed/$t"
    rm -rf "$committed"
    mkdir -p "target/fuzz-corpus/$t" "$committed"
    if [ -f "fuzz/corpus/$t.tar.gz" ]; then
        tar -xzf "fuzz/corpus/$t.tar.gz" -C "target/fuzz-committed"
    fi
    # Only this run's findings count: an old crash file must not fail it.
    rm -rf "fuzz/artifacts/$t"
    echo "== fuzz $t for ${seconds}s"
    # The reader's warnings (stderr) would drown the output: a crash is kept in
    # fuzz/artifacts/$t/ and replayed with `cargo fuzz run -s none $t FILE`.
    status=0
    cargo fuzz run -s none "$t" "target/fuzz-corpus/$t" "$committed" "target/fuzz-seeds/$t" -- \
        -max_total_time="$seconds" -close_fd_mask=2 -print_final_stats=1 \
        >"target/fuzz-$t.log" 2>&1 || status=$?
    grep -a -E "DONE|INITED|stat::number_of_executed_units|stat::peak_rss|ERROR|panicked|Test unit written" \
        "target/fuzz-$t.log" || true
    if [ "$status" -ne 0 ]; then
        echo "fuzz: $t failed (exit $status); see target/fuzz-$t.log and fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
