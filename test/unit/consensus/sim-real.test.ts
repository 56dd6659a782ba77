import { describe, expect, it } from "vitest";
import { RealSim, realFaultyRun } from "../../sim/real/real-sim.js";

// The real serving stack (Pipeline, Replica, ReadyLoop, ZabNode, DataTree) under the seeded
// simulator of test/sim/real (docs/TESTING.md). SIM_REAL_SEEDS three-voter seeds per run, and a
// third as many with five voters. SIM_REAL_SEED=N SIM_REAL_VOTERS=3|5 replays one seed (what a
// failure prints); SIM_REAL_VERBOSE=1 adds the server log.
const SEEDS = Number(process.env.SIM_REAL_SEEDS ?? 400);
const ONE = process.env.SIM_REAL_SEED === undefined ? undefined : Number(process.env.SIM_REAL_SEED);
const ONE_VOTERS = Number(process.env.SIM_REAL_VOTERS ?? 3);
const FAILURES_MAX = Number(process.env.SIM_REAL_FAILURES_MAX ?? 1);

type Seen = Record<string, number>;

async function runSeeds(voters: number, seeds: readonly number[]): Promise<Seen> {
  const failures: string[] = [];
  const seen: Seen = {};
  for (const seed of seeds) {
    try {
      const sim = new RealSim({ seed, voters, ...realFaultyRun });
      await sim.run();
      for (const [k, v] of Object.entries({ ...sim.stats, ...sim.clients.stats }))
        seen[k] = (seen[k] ?? 0) + v;
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
      if (failures.length >= FAILURES_MAX) break;
    }
  }
  // One compact report per failing seed: message, client history tail, faults, replay line.
  if (failures.length > 0) throw new Error(failures.join("\n\n"));
  console.log(`${voters} voters, ${seeds.length} seeds: ${JSON.stringify(seen)}`);
  return seen;
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

/** A green run means something only if every fault kind happened, and the clients did everything. */
function expectFaults(seen: Seen, voters: number): void {
  const kinds = [
    "crashes",
    "restarts",
    "partitions",
    "crashWithPartition",
    "leaderCrashWhileIsolated",
    "leaderPowerLosses",
    "streamsBroken",
    "longDelays",
    "lateNotices",
    "staleDeliveries",
    "staleFromCrashed",
    "staleAfterRestart",
    "slowSyncs",
    "leaderChanges",
    "snaps",
    "truncs",
    "diffs",
    "sessionsClosed",
    "sessionsExpired",
    "resumes",
    "linearizableReads",
    "syncReads",
    "plainReads",
    "casWrites",
    "unknown",
    ...(voters >= 5 ? ["groupPartitions"] : []),
  ];
  for (const kind of kinds) expect(seen[kind] ?? 0, kind).toBeGreaterThan(0);
}

// A replay runs its one seed; otherwise the CI budget with three and with five voters. No test is
// skipped either way: the list of runs is what changes.
const runs =
  ONE !== undefined
    ? [{ voters: ONE_VOTERS, seeds: [ONE], requireFaults: false }]
    : [
        { voters: 3, seeds: range(1, SEEDS), requireFaults: true },
        { voters: 5, seeds: range(1, Math.ceil(SEEDS / 3)), requireFaults: true },
      ];

describe("the real serving stack in the deterministic simulator", () => {
  // The compound faults are what catch a leader that counts its own unsynced log toward the
  // quorum (test/planted/leader-counts-unsynced-log.patch); linearizable reads and sync at
  // followers catch a follower that skips their barrier (follower-skips-barrier.patch); leader
  // power losses catch a write acknowledged at propose (ack-at-propose.patch).
  for (const run of runs) {
    it(`keeps every guarantee under crashes, partitions, drops, half-open streams, slow disks (${run.voters} voters, ${run.seeds.length} seeds)`, async () => {
      const seen = await runSeeds(run.voters, run.seeds);
      if (run.requireFaults) expectFaults(seen, run.voters);
    });
  }
});
