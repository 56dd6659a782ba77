#!/usr/bin/env bash
# Regenerates clients/go/internal/pb from proto/paddock/v1 (idempotent).
# Installs the pinned protoc plugins into clients/go/.bin (git-ignored) when missing or stale,
# then runs the repo's own buf (node_modules) with buf.gen.go.yaml, which uses local plugins only.
set -euo pipefail

PROTOC_GEN_GO_VERSION=v1.36.12
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="$here/.bin"
mkdir -p "$bin"

install_plugin() { # <binary> <module/cmd> <version> <expected --version output>
  local name=$1 pkg=$2 version=$3 expect=$4
  if [[ -x "$bin/$name" ]] && [[ "$("$bin/$name" --version 2>/dev/null)" == "$expect" ]]; then
    return
  fi
  echo "gen.sh: installing $pkg@$version" >&2
  GOBIN="$bin" GOFLAGS=-mod=mod go install "$pkg@$version"
}

install_plugin protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go \
  "$PROTOC_GEN_GO_VERSION" "protoc-gen-go $PROTOC_GEN_GO_VERSION"
install_plugin protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc \
  "$PROTOC_GEN_GO_GRPC_VERSION" "protoc-gen-go-grpc ${PROTOC_GEN_GO_GRPC_VERSION#v}"

if [[ ! -x "$root/node_modules/.bin/buf" ]]; then
  echo "gen.sh: $root/node_modules/.bin/buf is missing; run 'npm ci' at the repo root" >&2
  exit 1
fi

cd "$root"
rm -rf "$here/internal/pb"
"$root/node_modules/.bin/buf" generate --template buf.gen.go.yaml
