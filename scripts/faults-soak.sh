#!/usr/bin/env bash
# The fault tier's soak (docs/TESTING.md, "Faults between real processes"): the nemesis for
# ROUNDS rounds on three members (default 100), then a quarter as many rounds of each targeted
# scenario (five members, power cut, paused leader, full disk). FAULTS_SEED replays a run; every
# file prints the seed it used. Takes roughly 10 s per round on 2 cores.
#
#   scripts/faults-soak.sh            # 100 nemesis rounds + 25 of each scenario
#   scripts/faults-soak.sh 300        # 300 + 75
#   FAULTS_SEED=12345 scripts/faults-soak.sh 100
set -euo pipefail
rounds="${1:-${FAULTS_ROUNDS:-100}}"
cd "$(dirname "$0")/.."
FAULTS_ROUNDS="$rounds" npx vitest run --project faults test/faults/nemesis.test.ts
FAULTS_ROUNDS=$(((rounds + 3) / 4)) npx vitest run --project faults \
  test/faults/five-members.test.ts test/faults/power-cut.test.ts \
  test/faults/paused-leader.test.ts test/faults/full-disk.test.ts
