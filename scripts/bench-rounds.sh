#!/usr/bin/env bash
# Runs `paddock bench compare` ROUNDS times with the same options (the targets alternate within
# each round, paddock first, then zookeeper) and prints the medians (bench/median.ts).
# Usage: scripts/bench-rounds.sh ROUNDS [bench options...]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=$1
shift
out="bench/out/rounds-$(date -u +%Y%m%dT%H%M%S)"
dirs=()
for i in $(seq 1 "$rounds"); do
  node --import tsx bench/main.ts compare --out "$out/round-$i" "$@" >&2
  dirs+=("$(ls -d "$out/round-$i"/*/ | tail -1)")
done
node --import tsx bench/median.ts "${dirs[@]}"
