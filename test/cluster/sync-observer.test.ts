import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionLossError, connect } from "../../clients/ts/src/index.js";
import { adminJson } from "../support/admin-shapes.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { waitUntil } from "../support/wait.js";

/**
 * Three voters and one observer. The leader keeps only 50 committed entries for DIFF
 * (commitLogCount) and no older history (diffHistorySize=0), so a member that missed more is
 * synchronised by SNAP: the leader's state travels as snapshot chunks and the member continues
 * from it. sync-history.test.ts shows the same member caught up by DIFF from the history.
 */
let ensemble: Ensemble;

beforeAll(async () => {
  ensemble = await startEnsemble({
    voters: 3,
    observers: 1,
    settings: { "zookeeper.commitLogCount": 50, diffHistorySize: 0 },
  });
  await ensemble.waitForLeader({ timeoutMs: 20_000 });
});

afterAll(async () => {
  await ensemble?.stopAll();
});

describe("synchronisation and observers", () => {
  it("brings a member that missed more than the DIFF window back by SNAP", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const behind = ensemble.members.find((m) => m.id !== leader && !m.observer)!;
    await ensemble.kill(behind.id);
    const client = await connect(ensemble.connectString, { sessionTimeoutMs: 30_000 });
    await client.create("/snap", "");
    await Promise.all(Array.from({ length: 300 }, (_, i) => client.create(`/snap/n${i}`, `v${i}`)));
    await client.close();
    await ensemble.restart(behind.id);
    const serving = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    await waitUntil("the SNAP in the member's log", () => behind.log().includes("installed SNAP"), 20_000);
    // The leader counts the SNAP it served (ZooKeeper's snap_count).
    const mntr = await adminJson(ensemble.members[serving - 1]!.adminPort!, "mntr");
    expect(mntr.snap_count).toBeGreaterThanOrEqual(1);
    const direct = await connect(behind.address, { sessionTimeoutMs: 30_000 });
    try {
      // On a loaded machine the ensemble may re-elect while the member rejoins: a sync then ends
      // in ConnectionLoss (outcome unknown), and a client retries it, as this one does.
      await waitUntil(
        "a sync through the member",
        async () => {
          try {
            await direct.sync("/snap");
            return true;
          } catch (error) {
            if (error instanceof ConnectionLossError) return false;
            throw error;
          }
        },
        30_000,
      );
      expect(await direct.getAllChildrenNumber("/snap")).toBe(300);
      expect(new TextDecoder().decode((await direct.getData("/snap/n299")).data)).toBe("v299");
      // It keeps following the broadcast after the snapshot.
      await direct.create("/snap/after", "");
      expect(await direct.exists("/snap/after")).not.toBeNull();
    } finally {
      await direct.close();
    }
  });

  it("serves reads on an observer, forwards its writes, and never counts it for a quorum", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const observer = ensemble.members.find((m) => m.observer)!;
    expect(await ensemble.mode(observer.id)).toBe("observer");
    // The leader's admin view: two synchronised followers, one observer, each learner's lag.
    const mntr = (await ensemble.admin(leader, "mntr")) ?? "";
    expect(mntr).toMatch(/^zk_server_state\tleader$/m);
    expect(mntr).toMatch(/^zk_synced_followers\t2$/m);
    expect(mntr).toMatch(/^zk_synced_observers\t1$/m);
    expect(mntr).toMatch(new RegExp(`^paddock_learner_${observer.id}_lag\\t\\d+$`, "m"));
    const viaObserver = await connect(observer.address, { sessionTimeoutMs: 30_000 });
    try {
      await viaObserver.create("/from-observer", "o");
      expect(new TextDecoder().decode((await viaObserver.getData("/from-observer")).data)).toBe("o");
      // Two voters down: the remaining voter and the observer are no quorum, so writes stop.
      const voters = ensemble.members.filter((m) => !m.observer);
      await ensemble.kill(voters[0]!.id);
      await ensemble.kill(voters[1]!.id);
      await waitUntil(
        "the observer to lose its leader",
        async () => (await ensemble.mode(observer.id)) === "looking",
        20_000,
      );
      await ensemble.restart(voters[0]!.id);
      await ensemble.restart(voters[1]!.id);
      await ensemble.waitForLeader({ timeoutMs: 20_000 });
      await viaObserver.sync("/from-observer");
      expect(await viaObserver.exists("/from-observer")).not.toBeNull();
    } finally {
      await viaObserver.close();
    }
  });
});
