#!/usr/bin/env bash
# CI for the Python client: venv, install with dev extras from PyPI, check the generated code is
# current, ruff (lint + format), pytest against a real server started from this repository
# (tests/test_packaging.py builds the wheel with `python -m build` and runs the example from a
# fresh venv: about 15 s with pip's cache warm).
# Needs `npm ci` done at the repository root (the tests start `node --import tsx server/...`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if [[ ! -x .venv/bin/python ]]; then
  "${PYTHON:-python3}" -m venv .venv
fi
py="$here/.venv/bin/python"
"$py" -m pip install -q -e '.[dev]'

# Generated code must match the protos (gen.sh is idempotent).
./gen.sh >/dev/null
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  if [[ -n "$(git status --porcelain -- src/paddock/_pb)" ]]; then
    echo "src/paddock/_pb is stale: run clients/python/gen.sh and commit" >&2
    git status --porcelain -- src/paddock/_pb >&2
    exit 1
  fi
fi

"$py" -m ruff check .
"$py" -m ruff format --check .
"$py" -m pytest "$@"
