import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../clients/ts/src/index.js";
import { adminJson } from "../support/admin-shapes.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { waitUntil } from "../support/wait.js";

/**
 * Three voters. The leader keeps only 50 committed entries in memory (commitLogCount) but the
 * default history of recent log records, so a member that missed 300 writes is synchronised by
 * DIFF from that history, not by SNAP (sync-observer.test.ts turns the history off and gets SNAP).
 */
let ensemble: Ensemble;

beforeAll(async () => {
  ensemble = await startEnsemble({ voters: 3, settings: { "zookeeper.commitLogCount": 50 } });
  await ensemble.waitForLeader({ timeoutMs: 20_000 });
});

afterAll(async () => {
  await ensemble?.stopAll();
});

describe("DIFF from the log history", () => {
  it("brings a member that missed more than commitLogCount back by DIFF", async () => {
    const leaderId = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const behind = ensemble.members.find((m) => m.id !== leaderId)!;
    await ensemble.kill(behind.id);
    const client = await connect(ensemble.connectString, { sessionTimeoutMs: 30_000 });
    await client.create("/diff", "");
    await Promise.all(Array.from({ length: 300 }, (_, i) => client.create(`/diff/n${i}`, `v${i}`)));
    await client.close();
    const leader = ensemble.members.find((m) => m.id === leaderId)!;
    const diffLine = new RegExp(`sending DIFF 0x[0-9a-f]+ to ${behind.id}$`, "gm");
    const diffs = (): number => (leader.log().match(diffLine) ?? []).length;
    const before = diffs();
    const mntr = () => adminJson(leader.adminPort!, "mntr");
    const countedBefore = (await mntr()).diff_count as number;
    await ensemble.restart(behind.id);
    await waitUntil("the leader's DIFF to the restarted member", () => diffs() > before, 20_000);
    const direct = await connect(behind.address, { sessionTimeoutMs: 30_000 });
    try {
      await direct.sync("/diff");
      expect(await direct.getAllChildrenNumber("/diff")).toBe(300);
      expect(new TextDecoder().decode((await direct.getData("/diff/n299")).data)).toBe("v299");
    } finally {
      await direct.close();
    }
    expect(behind.log()).not.toContain("installed SNAP");
    // The leader counts the sync it served (ZooKeeper's diff_count); no SNAP.
    const counted = await mntr();
    expect(counted.diff_count).toBeGreaterThan(countedBefore);
    expect(counted.snap_count).toBe(0);
  });
});
