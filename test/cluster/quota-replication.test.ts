import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, ConnectionLossError, connect, QuotaExceededError } from "../../clients/ts/src/index.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { waitUntil } from "../support/wait.js";

/**
 * Quota stats are derived while applying transactions, so every member holds the same stats node
 * (data and stat) at the same zxid, a member that was down catches up to the same, and a write
 * through a follower is judged by the leader's prep.
 */
let ensemble: Ensemble;

beforeAll(async () => {
  ensemble = await startEnsemble({ voters: 3, settings: { enforceQuota: true } });
  await ensemble.waitForLeader({ timeoutMs: 20_000 });
});

afterAll(async () => {
  await ensemble?.stopAll();
});

const STATS = "/zookeeper/quota/q/zookeeper_stats";

/** The member's stats node after a sync (retried over a re-election on a loaded machine). */
async function statsOn(address: string): Promise<{ text: string; stat: unknown }> {
  const c = await connect(address, { sessionTimeoutMs: 30_000 });
  try {
    await waitUntil(
      "a sync through the member",
      async () => {
        try {
          await c.sync("/");
          return true;
        } catch (error) {
          if (error instanceof ConnectionLossError) return false;
          throw error;
        }
      },
      30_000,
    );
    const { data, stat } = await c.getData(STATS);
    return { text: new TextDecoder().decode(data), stat };
  } finally {
    await c.close();
  }
}

describe("quota stats across an ensemble", () => {
  it("every member, one restarted after missing writes included, holds the same stats", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const followers = ensemble.members.filter((m) => m.id !== leader);
    const via: Client = await connect(followers[0]!.address, { sessionTimeoutMs: 30_000 });
    try {
      await via.create("/q");
      await via.create("/zookeeper/quota/q");
      await via.create(
        "/zookeeper/quota/q/zookeeper_limits",
        "count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=40",
      );
      await via.create(STATS, "count=0,bytes=0");
      await Promise.all(Array.from({ length: 20 }, (_, i) => via.create(`/q/a${i}`, `v${i}`)));
      const behind = followers[1]!;
      await ensemble.kill(behind.id);
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) => via.create(`/q/b${i}`, "xy")),
      );
      // 1 + 20 nodes before; the hard limit of 40 leaves room for 19 of the 30.
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(19);
      expect(
        results.filter((r) => r.status === "rejected" && r.reason instanceof QuotaExceededError),
      ).toHaveLength(11);
      await via.setData("/q/a0", "longer");
      await via.delete("/q/a1");
      await ensemble.restart(behind.id);
      await ensemble.waitForLeader({ timeoutMs: 20_000 });
    } finally {
      await via.close();
    }
    const seen = await Promise.all(ensemble.members.map((m) => statsOn(m.address)));
    // 40 nodes less /q/a1; data: v0..v19 (50 bytes), +4 for "longer", -2 for "v1", 19 × "xy".
    expect(seen[0]!.text).toBe("count=39,bytes=90");
    for (const s of seen) expect(s).toEqual(seen[0]);
  });
});
