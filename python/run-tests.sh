#!/usr/bin/env bash
# The Python bindings' and the Spark job's tests, from a clean clone: a virtual
# environment under target/pyvenv, `pip install ./python` into it (maturin from PyPI
# builds the wheel), pytest, numpy and mypy from PyPI, and the Spark job's packages
# (spark/requirements.txt: pyspark, pyarrow, pandas), the `dedup` command built in
# release with `dedup sketch` (the tests compare with it), then pytest on python/tests
# and spark/tests (Spark in local mode; Java 17).
#
#   bash python/run-tests.sh [PYTEST ARGS...]
#
# PYTHON names the interpreter (default python3, CPython 3.9 or later).
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
venv=target/pyvenv

if [ ! -x "$venv/bin/python" ]; then
    echo "== making $venv"
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q pytest numpy mypy -r spark/requirements.txt

echo "== cargo build --release -p nuskha-cli --features parquet (the tests compare with dedup; the Spark job reads dedup sketch)"
cargo build -q --release -p nuskha-cli --features parquet

echo "== pip install ./python"
start=$(date +%s)
# --force-reinstall: the version stays 0.1.0 while the code changes.
"$venv/bin/python" -m pip install -q --force-reinstall --no-deps ./python
echo "   wheel built and installed in $(($(date +%s) - start)) s"

echo "== pytest python/tests spark/tests"
# From the repository's root, so that `import nuskha` is the installed package (not
# python/nuskha/, which has no extension built in it).
export NUSKHA_REQUIRE_CLI=1
export NUSKHA_DEDUP="$PWD/target/release/dedup"
# Two runs: each folder's tests import their own `conftest` by name. A run that
# selects none of a folder's tests (`-k` naming the other's) is not a failure.
for tests in python/tests spark/tests; do
    status=0
    "$venv/bin/python" -m pytest "$tests" -p no:cacheprovider "$@" || status=$?
    if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then
        exit "$status"
    fi
done
