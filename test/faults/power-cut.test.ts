import { afterAll, beforeAll, describe, it } from "vitest";
import type { Ensemble } from "../support/ensemble.js";
import {
  beginRound,
  during,
  endRound,
  faultsRounds,
  faultsSeed,
  inject,
  newDiskPlan,
  startFaultEnsemble,
  trafficProgress,
} from "./round.js";

/**
 * A power cut under write traffic on slow disks: every member's fdatasync takes 150 ms and its
 * unsynced log writes die with the process (the disk seam's loseUnsynced), then all are killed at
 * once and restarted. An acknowledgement given before its fdatasync is lost on every member, so a
 * log that answers early (plant worker-answers-before-fdatasync-power-cut) fails here.
 */
const seed = faultsSeed();
const rounds = faultsRounds(1);
const disk = newDiskPlan();
let ensemble: Ensemble;

beforeAll(async () => {
  console.log(`faults/power-cut: FAULTS_SEED=${seed} FAULTS_ROUNDS=${rounds}`);
  for (const id of [1, 2, 3]) disk.slow.add(id);
  ensemble = await startFaultEnsemble(3, disk);
});

afterAll(async () => {
  await ensemble?.stopAll();
});

describe("a power cut of the whole ensemble on slow disks", () => {
  it("loses no acknowledged write", { timeout: 60_000 + rounds * 150_000 }, async () => {
    for (let r = 0; r < rounds; r++) {
      const setup = { ensemble, seed, round: r, keys: 3, workers: 4, writesOnly: true };
      const round = await beginRound(setup);
      await during(round, async () => {
        await trafficProgress(round, 40);
        await inject(round, ensemble, "power-cut", disk.slow);
        await trafficProgress(round, 20);
      });
      await endRound(setup, round);
      console.log(
        `faults/power-cut: round ${r} ok (${round.history.size} ops, ${round.history.unknowns} unknown)`,
      );
    }
  });
});
