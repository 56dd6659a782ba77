#!/usr/bin/env bash
# Installs grpcurl (pinned) from the Go module proxy into .cache/bin, for the test that runs the
# README's grpcurl lines against a real server through server reflection. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
GRPCURL_VERSION=v1.9.3
bin="$PWD/.cache/bin"
stamp="$bin/.grpcurl-$GRPCURL_VERSION"
if [ -x "$bin/grpcurl" ] && [ -f "$stamp" ]; then
  echo "grpcurl $GRPCURL_VERSION already in $bin"
  exit 0
fi
command -v go >/dev/null || { echo "install-grpcurl: go not found" >&2; exit 1; }
GOBIN="$bin" go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION"
touch "$stamp"
echo "grpcurl $GRPCURL_VERSION installed in $bin"
