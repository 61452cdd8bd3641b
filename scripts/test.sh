#!/usr/bin/env bash
# Run every check bakepy has, in a virtual environment of its own (.venv-test):
# ruff, mypy --strict, the import contracts (lint-imports: layers, no cycles), mypy --strict
# over the Python users read (examples/*/bakepy.py and README.md's blocks), then pytest
# (unit, snapshot, conformance and engine tests; the JSON Schema tests among the unit ones).
# Engine tests skip with a reason when no engine is reachable, unless BAKEPY_REQUIRE_ENGINE=1
# (as .ci/run sets), where a missing engine is a failure. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-test
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
"$venv/bin/ruff" check bakepy tests benchmarks
"$venv/bin/ruff" format --check bakepy tests benchmarks
"$venv/bin/mypy"
"$venv/bin/lint-imports" --no-cache
"$venv/bin/python" scripts/typecheck_examples.py
"$venv/bin/pytest" "$@"
