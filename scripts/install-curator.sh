#!/usr/bin/env bash
# Installs what test/clients/curator needs (idempotent; Java 17 and Maven on the machine):
# Apache Curator 5 and ZooKeeper's 3.9 Java client from Maven Central, versions pinned in
# test/clients/curator/pom.xml, resolved into .cache/curator/m2 and copied to .cache/curator/lib;
# then test/clients/curator/java/*.java compiled once into .cache/curator/classes.
set -euo pipefail
cd "$(dirname "$0")/.."

POM=test/clients/curator/pom.xml
SRC=test/clients/curator/java
OUT=.cache/curator
STAMP="$OUT/stamp"

step() { echo "== install-curator: $*"; }
fail() { echo "install-curator: $*" >&2; exit 1; }

command -v java >/dev/null || fail "java not found (Java 17 expected)"
command -v javac >/dev/null || fail "javac not found (a JDK 17 expected)"
command -v mvn >/dev/null || fail "mvn not found"

# ZooKeeper 3.8's Prometheus metrics provider, which Debian's zookeeper package does not ship, for
# the differential tests of /metrics (test/support/zookeeper.ts adds .cache/zk-prometheus/lib).
PROM=.cache/zk-prometheus/lib
if [ ! -f "$PROM/zookeeper-prometheus-metrics-3.8.0.jar" ]; then
  step "fetching ZooKeeper 3.8.0's Prometheus provider from Maven Central into $PROM"
  for artifact in org.apache.zookeeper:zookeeper-prometheus-metrics:3.8.0 io.prometheus:simpleclient:0.9.0 \
    io.prometheus:simpleclient_common:0.9.0 io.prometheus:simpleclient_hotspot:0.9.0 \
    io.prometheus:simpleclient_servlet:0.9.0; do
    mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$PWD/.cache/zk-prometheus/m2" dependency:copy \
      -Dartifact="$artifact" -DoutputDirectory="$PWD/$PROM" || fail "fetching $artifact failed"
  done
fi

# Everything the build depends on: a change to the pom or a source file rebuilds.
want="$(cat "$POM" "$SRC"/*.java | sha256sum | cut -d' ' -f1) $(java -version 2>&1 | head -1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -d "$OUT/lib" ] && [ -d "$OUT/classes" ]; then
  step "up to date ($OUT: $(ls "$OUT/lib" | wc -l) jars, classes built from the current sources)"
  ls "$OUT/lib" | grep -E '^(curator-|zookeeper-)' | sed 's/^/  /'
  exit 0
fi

step "resolving $POM from Maven Central into $OUT/m2 and copying the runtime jars to $OUT/lib"
rm -rf "$OUT/lib" "$OUT/classes" "$STAMP"
mkdir -p "$OUT"
mvn -B -q -Dstyle.color=never -f "$POM" -Dmaven.repo.local="$PWD/$OUT/m2" \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$PWD/$OUT/lib" \
  -DexcludeArtifactIds=netty-tcnative-boringssl-static \
  || fail "mvn dependency:copy-dependencies failed"
for jar in curator-framework curator-recipes curator-x-discovery zookeeper zookeeper-jute slf4j-simple; do
  ls "$OUT/lib/$jar"-[0-9]*.jar >/dev/null 2>&1 || fail "$jar missing from $OUT/lib after resolving"
done
ls "$OUT/lib" | grep -E '^(curator-|zookeeper-|slf4j-)' | sed 's/^/  /'

step "compiling $SRC/*.java into $OUT/classes"
mkdir -p "$OUT/classes"
javac -nowarn -encoding UTF-8 -d "$OUT/classes" -cp "$OUT/lib/*" "$SRC"/*.java || fail "javac failed"
echo "$want" >"$STAMP"
step "done: java -cp '$OUT/classes:$OUT/lib/*' CuratorRunner scenarios CONNECT ROOT"
