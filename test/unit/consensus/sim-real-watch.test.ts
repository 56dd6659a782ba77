import { describe, expect, it } from "vitest";
import { RealSim, realWatchRun } from "../../sim/real/real-sim.js";

// Resumable watch streams on the real serving stack under the seeded simulator's faults
// (docs/TESTING.md, "Watch streams in the simulator"). SIM_REAL_SEEDS scales the budget as for
// sim-real.test.ts: a quarter as many three-voter seeds, a third of that with five voters.
// SIM_REAL_SEED=N SIM_REAL_VOTERS=3|5 replays one seed (what a failure prints, with this file).
const SEEDS = Math.ceil(Number(process.env.SIM_REAL_SEEDS ?? 200) / 4);
const ONE = process.env.SIM_REAL_SEED === undefined ? undefined : Number(process.env.SIM_REAL_SEED);
const ONE_VOTERS = Number(process.env.SIM_REAL_VOTERS ?? 3);
const FAILURES_MAX = Number(process.env.SIM_REAL_FAILURES_MAX ?? 1);

type Seen = Record<string, number>;

async function runSeeds(voters: number, seeds: readonly number[]): Promise<Seen> {
  const failures: string[] = [];
  const seen: Seen = {};
  for (const seed of seeds) {
    try {
      const sim = new RealSim({ seed, voters, ...realWatchRun });
      await sim.run();
      for (const [k, v] of Object.entries({ ...sim.watchers!.stats, ...sim.watchCheck, ...sim.stats }))
        seen[k] = (seen[k] ?? 0) + v;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      failures.push(text.replace("sim-real.test.ts", "sim-real-watch.test.ts"));
      if (failures.length >= FAILURES_MAX) break;
    }
  }
  if (failures.length > 0) throw new Error(failures.join("\n\n"));
  console.log(`watch streams, ${voters} voters, ${seeds.length} seeds: ${JSON.stringify(seen)}`);
  return seen;
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

/** A green run means something only if the streams met every way of ending and every check had work. */
function expectCoverage(seen: Seen): void {
  const kinds = [
    "watchResumes",
    "watchRefused",
    "watchOpensAtLeader",
    "watchOpensAtFollower",
    "watchCutByCrash",
    "watchClientDrops",
    "watchUnavailable",
    "watchSlowConsumer",
    "watchCompacted",
    "watchProbes",
    "watchLineages",
    "watchBatchesChecked",
    "watchMultiBatches",
    "watchAckedChecked",
    "crashes",
    "partitions",
    "snaps",
  ];
  for (const kind of kinds) expect(seen[kind] ?? 0, kind).toBeGreaterThan(0);
}

const runs =
  ONE !== undefined
    ? [{ voters: ONE_VOTERS, seeds: [ONE], requireCoverage: false }]
    : [
        { voters: 3, seeds: range(1, SEEDS), requireCoverage: true },
        { voters: 5, seeds: range(1, Math.ceil(SEEDS / 3)), requireCoverage: true },
      ];

describe("resumable watch streams in the deterministic simulator", () => {
  for (const run of runs) {
    it(`deliver every committed change once, in order, whole, across reopenings (${run.voters} voters, ${run.seeds.length} seeds)`, async () => {
      const seen = await runSeeds(run.voters, run.seeds);
      if (run.requireCoverage) expectCoverage(seen);
    });
  }
});
