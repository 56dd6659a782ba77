import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, GroupMember, LeaderLatch, nextId } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { nextEvent, waitUntil } from "../support/wait.js";

// Election, membership and naming recipes (clients/ts/src/recipes) against a real server.
let server: ServerHandle;
let proxy: TcpProxy;
const clients: Client[] = [];

beforeAll(async () => {
  server = await startServer({ settings: { tickTime: 200, minSessionTimeout: 400 } });
  proxy = await startTcpProxy(server.address);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await proxy?.close();
  await server?.stop();
});

async function session(address = server.address, sessionTimeoutMs = 20_000): Promise<Client> {
  const c = await connect(address, { sessionTimeoutMs });
  clients.push(c);
  return c;
}

describe("LeaderLatch (Curator LeaderLatch layout)", () => {
  it("elects one leader; close() hands leadership to the next, in join order", async () => {
    const path = "/re/latch";
    const latches: LeaderLatch[] = [];
    for (const id of ["a", "b", "c"]) {
      const latch = new LeaderLatch(await session(), path, id);
      await latch.start();
      latches.push(latch);
    }
    const [a, b, c] = latches as [LeaderLatch, LeaderLatch, LeaderLatch];
    expect(await a.awaitLeadership(5000)).toBe(true);
    expect(await a.participants()).toEqual(["a", "b", "c"]);
    expect([a, b, c].map((l) => l.hasLeadership)).toEqual([true, false, false]);
    expect(a.token!.path).toMatch(/^\/re\/latch\/_c_[0-9a-f-]{36}-latch-\d{10}$/);
    const bLeads = b.awaitLeadership(5000);
    await a.close();
    expect(await bLeads).toBe(true);
    expect(c.hasLeadership).toBe(false);
    expect(b.token!.czxid).toBeGreaterThan(a.token!.czxid);
    const cLeads = c.awaitLeadership(5000);
    await b.close();
    expect(await cLeads).toBe(true);
    await c.close();
    expect((await clients[0]!.getChildren(path)).children).toEqual([]);
  });

  it("a leader cut off is told notLeader + suspended at once, lost at expiry; the next leads after expiry", async () => {
    const path = "/re/latch-expiry";
    const cutClient = await session(proxy.address, 400);
    const leader = new LeaderLatch(cutClient, path, "cut");
    await leader.start();
    expect(await leader.awaitLeadership(5000)).toBe(true);
    const observer = await session();
    const next = new LeaderLatch(observer, path, "next");
    await next.start();
    const events: string[] = [];
    for (const e of ["suspended", "notLeader", "lost"] as const) leader.on(e, () => events.push(e));
    const nextLeads = next.awaitLeadership(10_000);
    proxy.cut();
    await waitUntil("suspended", () => events.includes("suspended"));
    expect(leader.hasLeadership).toBe(false);
    expect(await nextLeads).toBe(true);
    // The next participant leads because the cut session expired: its node is gone.
    expect(await next.participants()).toEqual(["next"]);
    proxy.restore();
    await waitUntil("lost", () => events.includes("lost"));
    expect(events).toEqual(["notLeader", "suspended", "lost"]);
    await next.close();
  });
});

describe("GroupMember (Curator GroupMember layout)", () => {
  it("keeps a live view of ephemeral members; a closed or expired member leaves it", async () => {
    const path = "/re/group";
    const a = new GroupMember(await session(), path, "a", "payload-a");
    await a.start();
    const cutClient = await session(proxy.address, 400);
    const b = new GroupMember(cutClient, path, "b", "payload-b");
    await b.start();
    await waitUntil("a sees b", () => a.members.has("b"));
    expect(Buffer.from(a.members.get("b")!).toString()).toBe("payload-b");
    expect(b.token).toBeGreaterThan(0n);
    const c = new GroupMember(await session(), path, "c");
    await c.start();
    await waitUntil("a sees c", () => a.members.size === 3);
    await c.close();
    await waitUntil("c left", () => !a.members.has("c"));
    const lost = nextEvent(b, "lost");
    proxy.cut();
    await waitUntil("b expired out of the view", () => !a.members.has("b"));
    proxy.restore();
    await lost;
    expect([...a.members.keys()]).toEqual(["a"]);
    await expect(new GroupMember(await session(), path, "a").start()).rejects.toThrow(
      "member a already in /re/group",
    );
    await a.close();
  });
});

describe("naming", () => {
  it("hands out unique, increasing ids to concurrent sessions", async () => {
    const cs = await Promise.all([session(), session(), session()]);
    const ids = (await Promise.all(cs.flatMap((c) => [1, 2, 3, 4].map(() => nextId(c, "/re/ids"))))).sort(
      (x, y) => x - y,
    );
    expect(new Set(ids).size).toBe(12);
    expect((await cs[0]!.getChildren("/re/ids")).children).toEqual([]);
    expect(await nextId(cs[0]!, "/re/ids")).toBeGreaterThan(ids[11]!);
  });
});
