#!/usr/bin/env bash
# Builds `paddock bench --generator go` (this directory) into .cache/bench-gen-go after fetching
# its modules (go-zookeeper and gRPC from the Go module proxy; clients/go from this repository
# through go.mod's replace), checking gofmt, vetting and running its unit tests. The bench also
# runs `go build` itself at start; this script is the install step, so CI fetches modules up front.
set -euo pipefail
cd "$(dirname "$0")"
command -v go >/dev/null || { echo "bench/gen-go/build.sh: go not found" >&2; exit 1; }
go mod download
unformatted="$(gofmt -l .)"
if [[ -n "$unformatted" ]]; then
  echo "bench/gen-go/build.sh: not gofmt-clean:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
go test -count=1 ./...
mkdir -p ../../.cache
go build -o ../../.cache/bench-gen-go .
echo "built .cache/bench-gen-go with $(go version)"
