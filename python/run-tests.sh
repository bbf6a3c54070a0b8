#!/usr/bin/env bash
# Builds the Python package into a fresh virtual environment and runs its tests and the
# walkthrough headless. Works from a clean clone; CI may call it from .ci/run.
#
#   bash python/run-tests.sh            # venv in target/py-venv (recreated each run)
#   VENV=/tmp/v bash python/run-tests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-$ROOT/target/py-venv}
PYTHON=${PYTHON:-python3}

# The CLI the tests compare with (release, as the package is built).
cargo build --release --locked --bin needlemap
export NEEDLEMAP_BIN=$ROOT/target/release/needlemap

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet maturin pytest numpy
"$VENV/bin/python" -m pip install --quiet ./python

# Run from outside python/ so that `import needlemap` is the installed package, not the
# source folder (which lacks the compiled extension).
cd "$ROOT/python/tests"
status=0
"$VENV/bin/python" -m pytest -q -p no:cacheprovider . || status=$?
if [ "$status" -eq 5 ]; then
    echo "python/run-tests.sh: pytest collected no test" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    exit "$status"
fi
cd "$ROOT"
MPLBACKEND=Agg "$VENV/bin/python" python/examples/walkthrough.py
