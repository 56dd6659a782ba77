#!/usr/bin/env bash
# Installs `paddock bench --generator java` (this directory) into .cache/bench-gen-java:
# clients/java is built and installed into the local Maven repository (tests skipped: its own CI
# runs them), then this project is compiled with -Werror, its unit test run (the histogram, bucket
# for bucket with bench/histogram.ts) and packaged as gen-java.jar beside lib/ (clients/java,
# ZooKeeper's 3.9 Java client and their dependencies from Maven Central). Idempotent: nothing is
# rebuilt while this project's and clients/java's sources and poms are unchanged.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=.cache/bench-gen-java
STAMP="$OUT/stamp"
for tool in java mvn; do command -v "$tool" >/dev/null || { echo "bench/gen-java/build.sh: $tool not found" >&2; exit 1; }; done

want="$(find bench/gen-java/pom.xml bench/gen-java/src clients/java/pom.xml clients/java/src/main proto/paddock/v1 -type f \
  | sort | xargs cat | sha256sum | cut -d' ' -f1) $(java -version 2>&1 | head -1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" && -f "$OUT/gen-java.jar" ]]; then
  echo "bench/gen-java/build.sh: $OUT up to date"
  exit 0
fi
mvn -B -q -Dstyle.color=never -f clients/java/pom.xml install -DskipTests
rm -rf .cache/bench-gen-java-build # the pom's build directory: no jar of an older dependency set left in lib/
mvn -B -q -Dstyle.color=never -f bench/gen-java/pom.xml package
rm -rf "$OUT"
mkdir -p "$OUT"
cp .cache/bench-gen-java-build/gen-java.jar "$OUT/"
cp -r .cache/bench-gen-java-build/lib "$OUT/lib"
echo "$want" >"$STAMP"
echo "built $OUT/gen-java.jar ($(ls "$OUT/lib" | wc -l) jars in lib/, $(ls "$OUT/lib" | grep -E '^(zookeeper|paddock-client)-' | tr '\n' ' '))"
