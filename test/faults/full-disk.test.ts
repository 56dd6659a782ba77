import { afterAll, beforeAll, describe, it } from "vitest";
import { connect } from "../../clients/ts/src/index.js";
import type { Ensemble } from "../support/ensemble.js";
import { waitUntil } from "../support/wait.js";
import {
  beginRound,
  during,
  endRound,
  faultsRounds,
  faultsSeed,
  newDiskPlan,
  startFaultEnsemble,
  trafficProgress,
} from "./round.js";

/**
 * A full disk: every member's log fails with ENOSPC after a drawn number of bytes (the disk seam's
 * bytesMax; the last write is short, as on a real disk). Once a majority's storage failed (ruok
 * goes quiet) no write may be acknowledged; after "space is freed" (kill -9, restart without the
 * limit) every acknowledged write is there, the history is linearizable and writes progress.
 */
const seed = faultsSeed();
const rounds = faultsRounds(1);
const disk = newDiskPlan();
let ensemble: Ensemble;

afterAll(async () => {
  await ensemble?.stopAll();
});

beforeAll(async () => {
  console.log(`faults/full-disk: FAULTS_SEED=${seed} FAULTS_ROUNDS=${rounds}`);
  ensemble = await startFaultEnsemble(3, disk);
});

const failedMembers = async (): Promise<number[]> => {
  const answers = await Promise.all(ensemble.members.map((m) => ensemble.admin(m.id, "ruok")));
  return ensemble.members.filter((_, i) => answers[i] === "").map((m) => m.id);
};

describe("a full disk", () => {
  it("stops acknowledging writes, corrupts nothing, and keeps every acknowledged write", {
    timeout: 60_000 + rounds * 200_000,
  }, async () => {
    for (let r = 0; r < rounds; r++) {
      const setup = { ensemble, seed, round: r, keys: 3, workers: 4, writesOnly: true, valueBytes: 1024 };
      const round = await beginRound(setup);
      await during(round, async () => {
        await trafficProgress(round, 20);
        // The limit applies from the next start: restart every member on a nearly full disk.
        for (const m of ensemble.members) disk.full.set(m.id, 150_000 + round.prng.below(150_000));
        for (const m of ensemble.members) await ensemble.kill(m.id);
        for (const m of ensemble.members) await ensemble.restart(m.id);
        round.notes.push(`disks full after ${[...disk.full.values()].join(", ")} bytes`);
        let failed: number[] = [];
        await waitUntil(
          "a majority's storage to fail",
          async () => (failed = await failedMembers()).length >= 2,
          120_000,
        );
        round.notes.push(`storage failed on ${failed.join(",")}`);
        // No quorum of working disks: nothing can be durable, so nothing may be acknowledged.
        const probe = await connect(
          ensemble.members.map((m) => m.address),
          { sessionTimeoutMs: 30_000, requestTimeoutMs: 2000 },
        ).catch(() => undefined);
        for (let i = 0; probe !== undefined && i < 3; i++) {
          const acked = await probe.setData(round.root, `probe-${i}`).then(
            () => true,
            () => false,
          );
          if (acked)
            round.problems.push(`a write was acknowledged with storage failed on ${failed.join(",")}`);
        }
        await probe?.close();
        // Space freed: restart without the limit.
        disk.full.clear();
        for (const m of ensemble.members) await ensemble.kill(m.id);
        for (const m of ensemble.members) await ensemble.restart(m.id);
        await trafficProgress(round, 20);
      });
      await endRound(setup, round);
      console.log(
        `faults/full-disk: round ${r} ok: ${round.notes.join("; ")} (${round.history.size} ops, ${round.history.unknowns} unknown)`,
      );
    }
  });
});
