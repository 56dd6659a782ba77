#!/usr/bin/env bash
# Installs `paddock bench --generator python` (this directory): a venv in .cache/bench-gen-py with
# clients/python (editable, so the bench always drives this checkout's client), kazoo and ruff
# from PyPI; then ruff (lint, format) and the histogram's unit tests. Idempotent: once the venv
# holds what the pins below and clients/python/pyproject.toml ask for, it only runs the checks.
set -euo pipefail
cd "$(dirname "$0")/../.."
KAZOO_VERSION=2.11.0 # as scripts/install-zk-clients.sh
RUFF_VERSION=0.17.6  # as clients/python's dev extras
VENV=.cache/bench-gen-py
STAMP="$VENV/stamp"

command -v python3 >/dev/null || { echo "bench/gen-py/build.sh: python3 not found" >&2; exit 1; }
want="kazoo $KAZOO_VERSION ruff $RUFF_VERSION $(sha256sum clients/python/pyproject.toml | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] && "$VENV/bin/python" -c 'import kazoo, paddock.aio' 2>/dev/null; then
  echo "bench/gen-py/build.sh: $VENV up to date"
else
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -e clients/python "kazoo==$KAZOO_VERSION" "ruff==$RUFF_VERSION"
  echo "$want" >"$STAMP"
fi
cd bench/gen-py
"../../$VENV/bin/ruff" check --quiet .
"../../$VENV/bin/ruff" format --check --quiet .
"../../$VENV/bin/python" -m unittest --quiet test_histogram
"../../$VENV/bin/python" -c 'import sys, kazoo.version, paddock; print(f"gen-py: python {sys.version.split()[0]}, kazoo {kazoo.version.__version__}, paddock from {paddock.__file__}")'
