import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, Code, connect, op, QuotaExceededError } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";

// Quotas over gRPC with enforceQuota=true: the typed error, hard limits holding under concurrent
// writes, and stats surviving a kill -9 (snapshots every two writes, so a restart loads one and
// replays the log after it). zkCli's side is test/clients/zk/quota.test.ts.

const QUOTA = "/zookeeper/quota/q";

let server: ServerHandle;
let client: Client;

beforeAll(async () => {
  server = await startServer({ settings: { enforceQuota: true, snapCount: 2 } });
  client = await connect(server.address);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

/** What zkCli's `setquota -N <n> /q` writes. */
async function setquota(c: Client, countHardLimit: number): Promise<void> {
  await c.create("/q");
  await c.create(QUOTA);
  await c.create(
    `${QUOTA}/zookeeper_limits`,
    `count=-1,bytes=-1=;byteHardLimit=-1;countHardLimit=${countHardLimit}`,
  );
  await c.create(`${QUOTA}/zookeeper_stats`, "count=0,bytes=0");
}

const stats = async (c: Client): Promise<string> =>
  Buffer.from((await c.getData(`${QUOTA}/zookeeper_stats`)).data).toString();

describe("quotas over gRPC (enforceQuota=true)", () => {
  it("a create past a hard limit is QuotaExceededError (-125) naming the path and the limit", async () => {
    await setquota(client, 3);
    await client.create("/q/a", "x");
    await client.create("/q/b", "yy");
    const error = await client.create("/q/c").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(error).toMatchObject({
      code: Code.QuotaExceeded,
      codeName: "QuotaExceeded",
      path: "/q/c",
      message: "QuotaExceeded for /q/c: the quota on /q allows 3 nodes (hardCountLimit), this write makes 4",
    });
    const inMulti = await client.multi([op.setData("/q/a", "z"), op.create("/q/m")]).catch((e: unknown) => e);
    expect(inMulti).toBeInstanceOf(QuotaExceededError);
    expect(await stats(client)).toBe("count=3,bytes=3");
    expect(server.log()).toContain("Quota exceeded: /q [current count=4, hardCountLimit=3]");
  });

  it("writes in flight together cannot overshoot a hard limit", async () => {
    await client.delete("/q/b");
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => client.create(`/q/p${i}`)));
    const created = results.filter((r) => r.status === "fulfilled").length;
    const refused = results.filter((r) => r.status === "rejected" && r.reason instanceof QuotaExceededError);
    expect(created).toBe(1);
    expect(refused).toHaveLength(19);
    expect(await stats(client)).toBe("count=3,bytes=1");
  });

  it("after kill -9 and restart the stats and the quota are still there", async () => {
    await client.setData("/q/a", "abcd");
    const before = await client.getData(`${QUOTA}/zookeeper_stats`);
    await client.close();
    await server.kill();
    server = await server.restart();
    client = await connect(server.address);
    const after = await client.getData(`${QUOTA}/zookeeper_stats`);
    expect(Buffer.from(after.data).toString()).toBe("count=3,bytes=4");
    expect(after.stat).toEqual(before.stat);
    await expect(client.create("/q/again")).rejects.toBeInstanceOf(QuotaExceededError);
    // Without its limits node the quota is gone (as in ZooKeeper): nothing counts any more.
    await client.delete(`${QUOTA}/zookeeper_limits`);
    await client.create("/q/again");
    expect(await stats(client)).toBe("count=3,bytes=4");
  });
});
