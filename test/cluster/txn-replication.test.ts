import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  ConnectionLossError,
  compare,
  connect,
  listChildren,
  op,
} from "../../clients/ts/src/index.js";
import { type Ensemble, startEnsemble } from "../support/ensemble.js";
import { waitUntil } from "../support/wait.js";

/**
 * A compare-transaction sent through followers is judged once, by the leader's prep, and every
 * member applies the branch it chose; paged listings on a follower read its own applied tree.
 */
let ensemble: Ensemble;
const clients: Client[] = [];

beforeAll(async () => {
  ensemble = await startEnsemble({ voters: 3 });
  await ensemble.waitForLeader({ timeoutMs: 20_000 });
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await ensemble?.stopAll();
});

async function client(address: string): Promise<Client> {
  const c = await connect(address, { sessionTimeoutMs: 30_000 });
  clients.push(c);
  return c;
}

/** A sync through the member, retried over a re-election on a loaded machine. */
async function synced(c: Client): Promise<void> {
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
}

describe("compare-transactions across an ensemble", () => {
  it("two followers' clients race a CAS on mzxid: one then-branch wins and every member agrees", async () => {
    const leader = await ensemble.waitForLeader({ timeoutMs: 20_000 });
    const followers = ensemble.members.filter((m) => m.id !== leader);
    const [x, y] = [await client(followers[0]!.address), await client(followers[1]!.address)];
    for (let round = 0; round < 10; round++) {
      const path = `/cas${round}`;
      const { stat } = await x.create(path, "start");
      await synced(y);
      const cas = (c: Client, who: string) =>
        c.txn({
          compare: [compare(path, "mzxid", "=", stat.mzxid)],
          thenOps: [op.setData(path, who)],
          elseOps: [op.create(`${path}/lost-${who}`)],
        });
      const [rx, ry] = await Promise.all([cas(x, "x"), cas(y, "y")]);
      expect([rx.succeeded, ry.succeeded].filter(Boolean)).toHaveLength(1);
    }
    const views: string[] = [];
    for (const m of ensemble.members) {
      const c = await client(m.address);
      await synced(c);
      const lines: string[] = [];
      for (let round = 0; round < 10; round++) {
        const { data, stat } = await c.getData(`/cas${round}`);
        const lost: string[] = [];
        for await (const name of listChildren(c, `/cas${round}`, { pageSize: 1 })) lost.push(name);
        const winner = Buffer.from(data).toString();
        expect(lost).toEqual([winner === "x" ? "lost-y" : "lost-x"]);
        lines.push(`${winner} ${stat.version} ${stat.mzxid} ${lost.join(",")}`);
      }
      views.push(lines.join("\n"));
    }
    expect(new Set(views).size).toBe(1);
  });
});
