import { afterAll, beforeAll, describe, it } from "vitest";
import type { Ensemble } from "../support/ensemble.js";
import { faultNames } from "./nemesis.js";
import {
  beginRound,
  during,
  endRound,
  faultsRounds,
  faultsSeed,
  inject,
  newDiskPlan,
  schedule,
  startFaultEnsemble,
  trafficProgress,
} from "./round.js";

/**
 * Three real members, client traffic from several sessions, one seeded fault per round (kill -9,
 * SIGSTOP past syncLimit, the leader isolated, a split, slow links, a slow disk, a power cut), then
 * the checks: linearizable registers, sequential creates, nothing acknowledged lost, every member
 * agrees, ephemeral invariants, progress after heal. FAULTS_SEED replays; FAULTS_ROUNDS soaks.
 */
const seed = faultsSeed();
const rounds = faultsRounds(faultNames.length);
const disk = newDiskPlan();
let ensemble: Ensemble;

beforeAll(async () => {
  console.log(`faults/nemesis: FAULTS_SEED=${seed} FAULTS_ROUNDS=${rounds}`);
  ensemble = await startFaultEnsemble(3, disk);
});

afterAll(async () => {
  await ensemble?.stopAll();
});

describe("a three-member ensemble under the nemesis", () => {
  it(`keeps every history linearizable through ${rounds} seeded fault rounds`, {
    timeout: 60_000 + rounds * 150_000,
  }, async () => {
    const plan = schedule(seed, rounds, faultNames);
    for (let r = 0; r < rounds; r++) {
      const setup = { ensemble, seed, round: r, keys: 3, workers: 4 };
      const round = await beginRound(setup);
      await during(round, async () => {
        await trafficProgress(round, 40);
        if (round.prng.below(2) === 0) await round.traffic.endSideSessions();
        await inject(round, ensemble, plan[r]!, disk.slow);
        await trafficProgress(round, 40);
      });
      await endRound(setup, round);
      console.log(
        `faults/nemesis: round ${r} ok: ${round.notes.join("; ")} (${round.history.size} ops, ${round.history.unknowns} unknown)`,
      );
    }
  });
});
