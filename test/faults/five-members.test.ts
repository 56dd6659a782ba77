import { afterAll, beforeAll, describe, it } from "vitest";
import type { Ensemble } from "../support/ensemble.js";
import type { FaultName } from "./nemesis.js";
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
 * Five real members: a split into a minority pair and a majority of three (the leader on either
 * side, links dropped or black-holed) comes first, then the other faults in seeded order.
 */
const seed = faultsSeed();
const rounds = faultsRounds(2);
const disk = newDiskPlan();
let ensemble: Ensemble;
const others: FaultName[] = ["isolate-leader", "kill", "pause", "delay", "split"];

beforeAll(async () => {
  console.log(`faults/five-members: FAULTS_SEED=${seed} FAULTS_ROUNDS=${rounds}`);
  ensemble = await startFaultEnsemble(5, disk);
});

afterAll(async () => {
  await ensemble?.stopAll();
});

describe("a five-member ensemble", () => {
  it(`keeps every history linearizable through ${rounds} rounds of splits and faults`, {
    timeout: 60_000 + rounds * 150_000,
  }, async () => {
    const plan: FaultName[] = ["split", ...schedule(seed, rounds, others)];
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
        `faults/five-members: round ${r} ok: ${round.notes.join("; ")} (${round.history.size} ops, ${round.history.unknowns} unknown)`,
      );
    }
  });
});
