import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, connect, LeaderSelector, type Leadership } from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { deferred, nextEvent, waitUntil } from "../support/wait.js";

// LeaderSelector (clients/ts/src/recipes/leader-selector.ts) against a real server.
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

/** A takeLeadership callback the test ends by hand; `started` resolves when it runs. */
function heldLeadership() {
  let release = deferred<void>();
  let started = deferred<Leadership>();
  return {
    get started() {
      return started.promise;
    },
    release: () => release.resolve(),
    callback: async (leadership: Leadership): Promise<void> => {
      started.resolve(leadership);
      await release.promise;
      release = deferred<void>();
      started = deferred<Leadership>();
    },
  };
}

describe("LeaderSelector (Curator LeaderSelector layout: the InterProcessMutex under <path>)", () => {
  it("hands leadership over when the leader's callback returns; participants() flags the leader", async () => {
    const path = "/rs/handoff";
    const [ha, hb] = [heldLeadership(), heldLeadership()];
    const a = new LeaderSelector(await session(), path, ha.callback, { id: "a" });
    a.start();
    const aLeads = await ha.started;
    const b = new LeaderSelector(await session(), path, hb.callback, { id: "b" });
    b.start();
    await waitUntil("b queued", async () => (await a.participants()).length === 2);
    expect(await b.participants()).toEqual([
      { id: "a", isLeader: true },
      { id: "b", isLeader: false },
    ]);
    expect([a.hasLeadership, b.hasLeadership]).toEqual([true, false]);
    expect(aLeads.token.path).toMatch(/^\/rs\/handoff\/_c_[0-9a-f-]{36}-lock-\d{10}$/);
    ha.release();
    const bLeads = await hb.started;
    expect(b.hasLeadership).toBe(true);
    expect(bLeads.token.czxid).toBeGreaterThan(aLeads.token.czxid);
    // Without autoRequeue, a leader whose callback returned has left the queue.
    expect(await b.participants()).toEqual([{ id: "b", isLeader: true }]);
    expect(a.hasLeadership).toBe(false);
    hb.release();
    await a.close();
    await b.close();
    expect((await clients[0]!.getChildren(path)).children).toEqual([]);
  });

  it("with autoRequeue, two participants take turns; requeue() after a turn queues once more", async () => {
    const path = "/rs/requeue";
    const turns: string[] = [];
    const take =
      (id: string) =>
      async ({ signal }: Leadership): Promise<void> => {
        turns.push(id);
        // Hold until the other participant is queued (or close() ends it), so turns must alternate.
        await waitUntil(
          "the other queued",
          async () => signal.aborted || (await a.participants()).length === 2,
        );
      };
    const a = new LeaderSelector(await session(), path, take("a"), { id: "a", autoRequeue: true });
    const b = new LeaderSelector(await session(), path, take("b"), { id: "b", autoRequeue: true });
    a.start();
    b.start();
    await waitUntil("six turns", () => turns.length >= 6);
    await a.close();
    await b.close();
    for (let i = 1; i < 6; i++) expect(turns[i]).not.toBe(turns[i - 1]);

    const once: string[] = [];
    const single = new LeaderSelector(await session(), "/rs/requeue-once", async () => {
      once.push("turn");
    });
    expect(single.requeue()).toBe(true);
    expect(single.requeue()).toBe(false);
    await waitUntil("first turn over", () => once.length === 1 && !single.hasLeadership);
    await waitUntil("left the queue", async () => (await single.participants()).length === 0);
    expect(single.requeue()).toBe(true);
    await waitUntil("second turn", () => once.length === 2);
    await single.close();
  });

  it("a leader cut off is aborted and told suspended at once, lost at expiry; the next leads after expiry", async () => {
    const path = "/rs/cut";
    let aborted: unknown;
    const leading = deferred<void>();
    const cut = new LeaderSelector(
      await session(proxy.address, 400),
      path,
      (leadership) =>
        new Promise<void>((resolve) => {
          leading.resolve();
          leadership.signal.addEventListener("abort", () => {
            aborted = leadership.signal.reason;
            resolve();
          });
        }),
      { id: "cut" },
    );
    const events: string[] = [];
    for (const e of ["isLeader", "suspended", "notLeader", "lost"] as const) cut.on(e, () => events.push(e));
    cut.start();
    await leading.promise;
    const hn = heldLeadership();
    const next = new LeaderSelector(await session(), path, hn.callback, { id: "next" });
    next.start();
    await waitUntil("next queued", async () => (await next.participants()).length === 2);
    const lost = nextEvent(cut, "lost");
    proxy.cut();
    await waitUntil("suspended", () => events.includes("suspended"));
    expect(cut.hasLeadership).toBe(false);
    expect(String(aborted)).toContain("leadership of /rs/cut: session suspended");
    await hn.started;
    // The next participant leads because the cut session expired: its node is gone.
    expect(await next.participants()).toEqual([{ id: "next", isLeader: true }]);
    proxy.restore();
    await lost;
    expect(events).toEqual(["isLeader", "suspended", "notLeader", "lost"]);
    hn.release();
    await next.close();
    await cut.close();
  });

  it("close() while queued withdraws the participant's node", async () => {
    const path = "/rs/close-queued";
    const hl = heldLeadership();
    const leader = new LeaderSelector(await session(), path, hl.callback, { id: "leader" });
    leader.start();
    await hl.started;
    const waiter = new LeaderSelector(await session(), path, async () => undefined, { id: "waiter" });
    waiter.start();
    await waitUntil("waiter queued", async () => (await leader.participants()).length === 2);
    await waiter.close();
    expect(await leader.participants()).toEqual([{ id: "leader", isLeader: true }]);
    hl.release();
    await leader.close();
  });
});
