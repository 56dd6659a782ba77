import { describe, expect, it } from "vitest";
import { faultyRun, Sim } from "../../sim/sim.js";

const SEEDS = Number(process.env.SIM_SEEDS ?? 400);

function runSeeds(voters: number, observers: number, faults: boolean, seeds: number): void {
  const failures: string[] = [];
  const seen = {
    snap: 0,
    trunc: 0,
    diff: 0,
    diffFromHistory: 0,
    crashes: 0,
    leaderPowerLosses: 0,
    groupPartitions: 0,
    slowSyncs: 0,
    leaderChanges: 0,
    streamsBroken: 0,
    sessionsClosed: 0,
    ephemeralsGone: 0,
  };
  for (let seed = 1; seed <= seeds; seed++) {
    try {
      const sim = new Sim({ seed, voters, observers, ...faultyRun, faults });
      sim.run();
      seen.snap += sim.stats.snap;
      seen.trunc += sim.stats.trunc;
      seen.diff += sim.stats.diff;
      seen.diffFromHistory += sim.stats.diffFromHistory;
      seen.crashes += sim.stats.crashes;
      seen.leaderPowerLosses += sim.stats.leaderPowerLosses;
      seen.groupPartitions += sim.stats.groupPartitions;
      seen.slowSyncs += sim.stats.slowSyncs;
      seen.streamsBroken += sim.stats.streamsBroken;
      seen.sessionsClosed += sim.stats.sessionsClosed;
      seen.ephemeralsGone += sim.stats.ephemeralsGone;
      seen.leaderChanges += sim.leaders.size - 1;
    } catch (error) {
      failures.push(String(error));
      if (failures.length >= 3) break;
    }
  }
  expect(failures).toEqual([]);
  // A green run means something only if the faults and every sync mode actually happened.
  // TRUNC needs a leader to die with proposals only it logged: rarer than the rest.
  // A minority pair can be cut off only with five members or more.
  for (const [what, count] of Object.entries(seen)) {
    if (what === "groupPartitions" && voters + observers < 5) continue;
    expect(count, what).toBeGreaterThan(what === "trunc" ? seeds / 40 : seeds / 20);
  }
}

describe("ZAB ensemble in the deterministic simulator", () => {
  it("elects one leader and commits on a quiet network (3 voters)", () => {
    const sim = new Sim({
      seed: 7,
      voters: 3,
      observers: 0,
      ticks: 200,
      dropPerMille: 0,
      delayTicksMax: 3,
      faults: false,
    });
    sim.run();
    expect(sim.roles().filter((r) => r === "leading")).toHaveLength(1);
    expect(sim.chain.length).toBeGreaterThan(20);
  });

  // The compound faults (a leader's power loss while its most up-to-date follower is partitioned)
  // are what catch a leader that counts its own unsynced log toward the quorum: with 400 seeds,
  // 20 of them fail with that bug planted (test/planted/leader-counts-unsynced-log.patch).
  it("keeps agreement and loses no commit under drops, partitions, crashes (3 voters + 1 observer)", () => {
    runSeeds(3, 1, true, SEEDS);
  });

  it("keeps agreement and loses no commit under drops, partitions, crashes (5 voters)", () => {
    runSeeds(5, 0, true, Math.ceil(SEEDS / 2));
  });
});
