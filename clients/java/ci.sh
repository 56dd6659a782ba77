#!/usr/bin/env bash
# CI for the Java client: generates the gRPC/protobuf code from ../../proto at build time (so any
# proto change is picked up, nothing generated is committed), compiles, and runs the tests against
# real Paddock servers started from this repository. Needs Node 20 with `npm ci` done at the root,
# JDK 17+ and Maven 3.8+.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d ../../node_modules ]; then
  echo "ci.sh: run 'npm ci' at the repository root first (the tests start a real server)" >&2
  exit 1
fi
start=$(date +%s)
# The runtime classpath is left for test/clients/cross-language-*.test.ts (they run the demos).
# install (after the tests) puts the artifact into the local Maven repository for package-check.sh.
mvn -B -q install dependency:build-classpath -Dmdep.outputFile=target/runtime-classpath.txt \
  -Dmdep.includeScope=runtime
echo "clients/java: tests passed in $(( $(date +%s) - start ))s"
start=$(date +%s)
./package-check.sh
echo "clients/java: packaging check passed in $(( $(date +%s) - start ))s"
