#!/usr/bin/env bash
# Mutation testing with StrykerJS, behind a flag (not part of npm test: it runs a module's tests
# once per mutant, tens of minutes per module on 2 cores). Each module is judged by its own fast
# unit tests; the seeded simulations are left out (a mutant that makes them loop costs a timeout
# each). Scores and surviving mutants go to reports/mutation/<module>.json; docs/TESTING.md keeps
# the latest figures and a reason for each survivor kept.
#
#   scripts/mutation.sh tree|consensus|pipeline|persistence [FILE-GLOB [STRYKER-ARGS...]]   (only those files of it)
set -euo pipefail
cd "$(dirname "$0")/.."
module="${1:?usage: scripts/mutation.sh tree|consensus|pipeline|persistence [FILE-GLOB]}"
case "$module" in
  tree) mutate="server/tree/**/*.ts"; tests="test/unit/tree/**/*.test.ts" ;;
  consensus)
    mutate="server/consensus/**/*.ts"
    tests="test/unit/consensus/vote.test.ts,test/unit/consensus/step-leader.test.ts,test/unit/consensus/zab-node.test.ts,test/unit/consensus/golden.test.ts,test/unit/consensus/peer-disconnected.test.ts,test/unit/consensus/trunc-unpersisted.test.ts,test/unit/consensus/zab-state.test.ts,test/unit/consensus/step-follower.test.ts,test/unit/consensus/step-looking.test.ts,test/unit/consensus/step-looking-decide.test.ts,test/unit/consensus/member-config.test.ts,test/unit/consensus/reconfig.test.ts,test/unit/consensus/zab-node-api.test.ts,test/unit/consensus/zab-node-sync.test.ts,test/unit/consensus/zab-node-gaps.test.ts,test/unit/consensus/zab-node-counter.test.ts"
    ;;
  pipeline) mutate="server/pipeline/**/*.ts"; tests="test/unit/pipeline/**/*.test.ts" ;;
  persistence) mutate="server/persistence/**/*.ts"; tests="test/unit/persistence/**/*.test.ts" ;;
  *) echo "unknown module $module" >&2; exit 2 ;;
esac
MUTATION_MODULE="$module" MUTATION_TESTS="$tests" npx stryker run --mutate "${2:-$mutate}" "${@:3}"
