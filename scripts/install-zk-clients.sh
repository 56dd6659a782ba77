#!/usr/bin/env bash
# Installs what test/clients/zk needs on a fresh Debian machine (run as root; idempotent):
# Apache ZooKeeper 3.8 (server and Java client) from Debian, kazoo from PyPI in a venv, the
# go-zookeeper module, and a build of the Go runner. Pinned versions live here and in go.mod.
set -euo pipefail
cd "$(dirname "$0")/.."

KAZOO_VERSION=2.11.0
# kazoo's SASL (sasl_options, test/clients/zk/identity.test.ts) needs pure-sasl.
PURE_SASL_VERSION=0.6.2
VENV=.cache/kazoo-venv
GO_DIR=test/clients/zk/go

step() { echo "== install-zk-clients: $*"; }
fail() { echo "install-zk-clients: $*" >&2; exit 1; }

step "Apache ZooKeeper 3.8 (Debian package zookeeper: server, zkCli and the Java client jar)"
if [ -f /usr/share/java/zookeeper.jar ] && [ -f /usr/share/java/zookeeper-jute.jar ] && command -v java >/dev/null; then
  echo "already installed: $(readlink -f /usr/share/java/zookeeper.jar)"
else
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zookeeper
fi
for jar in zookeeper zookeeper-jute slf4j-api slf4j-nop jackson-databind jackson-core jackson-annotations; do
  [ -f "/usr/share/java/$jar.jar" ] || fail "/usr/share/java/$jar.jar missing after installing zookeeper"
done
java -version 2>&1 | head -1

step "kazoo $KAZOO_VERSION from PyPI in $VENV"
command -v python3 >/dev/null || fail "python3 not found"
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
fi
if [ "$("$VENV/bin/python" -c 'import kazoo.version; print(kazoo.version.__version__)' 2>/dev/null)" = "$KAZOO_VERSION" ]; then
  echo "already installed"
else
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "kazoo==$KAZOO_VERSION"
fi
if [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("pure-sasl"))' 2>/dev/null)" != "$PURE_SASL_VERSION" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "pure-sasl==$PURE_SASL_VERSION"
fi
"$VENV/bin/python" -c 'import kazoo, kazoo.version; print("kazoo", kazoo.version.__version__, "from", kazoo.__file__)'

step "go-zookeeper (pinned in $GO_DIR/go.mod): go mod download, go build"
command -v go >/dev/null || fail "go not found"
(cd "$GO_DIR" && go mod download && go build -o ../../../../.cache/zk-go-runner .)
echo "built .cache/zk-go-runner with $(go version)"

step "node-zookeeper-client (npm devDependency)"
[ -f node_modules/node-zookeeper-client/package.json ] || fail "node_modules/node-zookeeper-client missing: run npm ci first"
node -p '"node-zookeeper-client " + require("./node_modules/node-zookeeper-client/package.json").version'

step "done"
