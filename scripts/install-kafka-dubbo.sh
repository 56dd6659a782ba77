#!/usr/bin/env bash
# Installs what test/clients/kafka and test/clients/dubbo need (idempotent): resolves Kafka 3.7
# (broker and clients) and Dubbo 3.3 with its ZooKeeper registry dependencies from Maven Central
# into .cache/{kafka,dubbo}/lib with `mvn dependency:copy-dependencies`, and compiles the suites'
# Java programs into .cache/{kafka,dubbo}/classes. Pinned versions live in the two pom.xml files.
# Needs java, javac and mvn (and, for the Dubbo suite, unshare and ip: util-linux and iproute2).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { echo "== install-kafka-dubbo: $*"; }
fail() { echo "install-kafka-dubbo: $*" >&2; exit 1; }

if ! command -v ip >/dev/null; then
  step "iproute2 (ip, to set up the Dubbo suite's network namespace) from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2
fi
for tool in java javac mvn unshare ip sha256sum; do
  command -v "$tool" >/dev/null || fail "$tool not found"
done
unshare --help | grep -q -- --kill-child || fail "unshare has no --kill-child (util-linux >= 2.32 needed)"

# suite NAME MAIN-CLASS-FILES...: resolve jars for test/clients/NAME/pom.xml, compile the sources.
suite() {
  local name=$1; shift
  local dir=test/clients/$name out=.cache/$name
  local stamp=$out/stamp
  local want
  want=$(cat "$dir/pom.xml" "${@/#/$dir/}" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$out/lib" ] && [ -d "$out/classes" ]; then
    echo "$name: already installed ($(ls "$out/lib" | wc -l) jars in $out/lib, stamp $want)"
    return
  fi
  rm -rf "$out"
  mkdir -p "$out"
  step "$name: mvn dependency:copy-dependencies -f $dir/pom.xml -> $out/lib"
  mvn -q -B -Dstyle.color=never -f "$dir/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$PWD/$out/lib" -DincludeScope=runtime -DexcludeTypes=pom 2>&1 \
    | sed 's/\x1b\[[0-9;]*m//g' \
    || fail "$name: resolving $dir/pom.xml from Maven Central failed"
  [ -n "$(ls "$out/lib"/*.jar 2>/dev/null)" ] || fail "$name: no jars in $out/lib"
  echo "$name: $(ls "$out/lib" | wc -l) jars"
  step "$name: javac $* -> $out/classes"
  mkdir -p "$out/classes"
  javac -nowarn -encoding UTF-8 -d "$out/classes" -cp "$out/lib/*" "${@/#/$dir/}" \
    || fail "$name: compiling $* failed"
  echo "$want" > "$stamp"
}

step "java: $(java -version 2>&1 | head -1); $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g')"
suite kafka KafkaTool.java
ls .cache/kafka/lib | grep -E '^(kafka_2\.13|kafka-clients|zookeeper)-[0-9]' | sed 's/^/  /'
suite dubbo DubboApp.java
ls .cache/dubbo/lib | grep -E '^(dubbo|curator-framework|zookeeper)-[0-9]' | sed 's/^/  /'
step "done"
