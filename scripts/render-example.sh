#!/usr/bin/env bash
# Install bakepy in a virtual environment of its own (.venv-demo) and render an example
# (default: examples/go-client-server) into out/<example>/, then print the resolved targets.
set -euo pipefail
cd "$(dirname "$0")/.."
example=${1:-go-client-server}
venv=.venv-demo
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check .
"$venv/bin/bakepy" render -f "examples/$example/bakepy.py" --out "out/$example"
(cd "out/$example" && "../../$venv/bin/bakepy" print -f "../../examples/$example/bakepy.py")
