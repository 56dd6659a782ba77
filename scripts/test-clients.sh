#!/usr/bin/env bash
# Runs each generated client's own test runner (go test, pytest, mvn test) against a real server
# started by that runner from this repository.
set -euo pipefail
cd "$(dirname "$0")/.."
for lang in go python java; do
  echo "== clients/$lang"
  start=$(date +%s)
  bash "clients/$lang/ci.sh"
  echo "== clients/$lang passed in $(( $(date +%s) - start )) s"
done
echo "== the clients tier: cross-language lock, latch, double barrier, discovery and Dubbo registry; ZooKeeper, Curator, Kafka and Dubbo differentials"
npx vitest run --project clients
