import { afterAll, beforeAll, describe, it } from "vitest";
import { type Client, connect, PaddockError } from "../../clients/ts/src/index.js";
import type { Ensemble } from "../support/ensemble.js";
import {
  beginRound,
  during,
  endRound,
  faultsRounds,
  faultsSeed,
  newDiskPlan,
  startFaultEnsemble,
  syncLimitMs,
  trafficProgress,
  withRetries,
} from "./round.js";

/**
 * A leader frozen (SIGSTOP) past syncLimit while a client waits on it: the others elect a new
 * leader and acknowledge a write; then a linearizable read is sent to the frozen ex-leader, and it
 * resumes still believing it leads (its ticks stopped with it). That read must not return the old
 * value: it needs a barrier the ex-leader can no longer commit. A leader that answers
 * linearizable reads locally (plant leader-reads-without-barrier) returns the stale value here.
 * Background traffic from other sessions runs throughout and is checked as in every round.
 *
 * In the same pause two sessions on the ex-leader send setData at the version every member holds.
 * It preps the first (never committed); the second's BadVersion, judged against the first, must
 * not be answered before the first commits (it never does): the refusal is an ErrorTxn, answered
 * when it applies. Answered at once (plant prep-error-answered-at-once), it is a verdict no
 * history explains and the checker fails.
 */
const seed = faultsSeed();
const rounds = faultsRounds(2);
let ensemble: Ensemble;

beforeAll(async () => {
  console.log(`faults/paused-leader: FAULTS_SEED=${seed} FAULTS_ROUNDS=${rounds}`);
  ensemble = await startFaultEnsemble(3, newDiskPlan());
});

afterAll(async () => {
  await ensemble?.stopAll();
});

describe("a leader paused past syncLimit", () => {
  it("serves no stale linearizable read after it resumes", {
    timeout: 60_000 + rounds * 150_000,
  }, async () => {
    for (let r = 0; r < rounds; r++) {
      const setup = { ensemble, seed, round: r, keys: 2, workers: 2 };
      const round = await beginRound(setup);
      const { history, root } = round;
      const key = `${root}/stale`;
      const casKey = `${root}/cas`;
      await withRetries(`create ${key}`, 40, () => round.admin.create(key, ""));
      await withRetries(`create ${casKey}`, 40, () => round.admin.create(casKey, ""));
      const leader = await ensemble.waitForLeader({ timeoutMs: 30_000 });
      const old = ensemble.members.find((m) => m.id === leader)!;
      const others = ensemble.members.filter((m) => m.id !== leader).map((m) => m.address);
      const options = { sessionTimeoutMs: 30_000, requestTimeoutMs: 20_000 };
      const writer = await connect(others, options);
      const reader = await connect([old.address], { ...options, shuffleServers: false });
      const casser = await connect([old.address], { ...options, shuffleServers: false });
      const cas = async (client: Client, value: string): Promise<void> => {
        const h = history.invoke(casKey, { kind: "cas", expect: 0, value });
        try {
          h.ok((await client.setData(casKey, value, 0)).version);
        } catch (e) {
          if (e instanceof PaddockError && e.is("BadVersion")) h.ok(null);
        }
      };
      const write = async (value: string): Promise<void> => {
        await withRetries(`write ${value}`, 40, async () => {
          const h = history.invoke(key, { kind: "write", value });
          h.ok((await writer.setData(key, value)).version);
        });
      };
      const read = async (): Promise<void> => {
        const h = history.invoke(key, { kind: "read" });
        try {
          const { data, stat } = await reader.getData(key, { linearizable: true });
          h.ok({ value: Buffer.from(data).toString(), version: stat.version });
        } catch {
          // Unknown (the ex-leader stepped down and dropped the connection): no constraint.
        }
      };
      try {
        await during(round, async () => {
          await trafficProgress(round, 20);
          await write("before");
          await read();
          ensemble.pause(leader);
          round.notes.push(`SIGSTOP leader ${leader}`);
          await ensemble.waitForLeader({ timeoutMs: 30_000, exclude: [leader] });
          await write("after");
          const pending = Promise.all([read(), cas(reader, "cas-a"), cas(casser, "cas-b")]);
          // Past syncLimit again, so the ex-leader resumes long after the new leader acked "after".
          await new Promise((done) => setTimeout(done, syncLimitMs));
          ensemble.resume(leader);
          round.notes.push(`SIGCONT ${leader} after syncLimit`);
          await pending;
          await trafficProgress(round, 20);
        });
      } finally {
        ensemble.resume(leader);
        await writer.close();
        await reader.close();
        await casser.close();
      }
      await endRound(setup, round);
      console.log(`faults/paused-leader: round ${r} ok (${history.size} ops, ${history.unknowns} unknown)`);
    }
  });
});
