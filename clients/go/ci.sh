#!/usr/bin/env bash
# CI for the Go client: fetch modules, regenerate the protobuf code (and fail if it differs from
# what is committed), vet, check formatting, and run the tests against a real server started
# from this repository (needs 'npm ci' done at the repo root).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

go mod download
./gen.sh
if git -C "$here" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  if ! git -C "$here" diff --exit-code -- internal/pb; then
    echo "ci.sh: generated code in clients/go/internal/pb is stale: run clients/go/gen.sh and commit" >&2
    exit 1
  fi
  if [[ -n "$(git -C "$here" status --porcelain -- internal/pb)" ]]; then
    echo "ci.sh: gen.sh produced uncommitted files in clients/go/internal/pb" >&2
    git -C "$here" status --porcelain -- internal/pb >&2
    exit 1
  fi
fi
unformatted="$(gofmt -l .)"
if [[ -n "$unformatted" ]]; then
  echo "ci.sh: not gofmt-clean:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
# -p 1: each test package starts its own server; the machine has two cores.
go test -p 1 -count=1 ./...
