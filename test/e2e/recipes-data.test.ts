import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AtomicLong,
  Barrier,
  type Client,
  connect,
  DoubleBarrier,
  DubboRegistry,
  deserializeItems,
  javaUrlEncode,
  priorityKey,
  Queue,
  ServiceDiscovery,
  ServiceProvider,
  TreeCache,
} from "../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { nextEvent, waitUntil } from "../support/wait.js";

// Data recipes (clients/ts/src/recipes) against a real server: cache, queue, counter, barriers,
// service discovery and the Dubbo registry view.
let server: ServerHandle;
let proxy: TcpProxy;
const clients: Client[] = [];

beforeAll(async () => {
  server = await startServer();
  proxy = await startTcpProxy(server.address);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await proxy?.close();
  await server?.stop();
});

async function session(address = server.address): Promise<Client> {
  const c = await connect(address, { sessionTimeoutMs: 20_000 });
  clients.push(c);
  return c;
}

const text = (data: Uint8Array | undefined): string | undefined =>
  data === undefined ? undefined : Buffer.from(data).toString();

describe("TreeCache (persistent recursive watch)", () => {
  it("follows creates, updates and deletes three levels deep, and every update's last value", async () => {
    const writer = await session();
    await writer.create("/rd", "");
    await writer.create("/rd/config", "v0");
    const cache = new TreeCache(await session(), "/rd/config");
    await cache.start();
    expect(text(cache.get("/rd/config")?.data)).toBe("v0");
    await writer.create("/rd/config/a", "1");
    await writer.create("/rd/config/a/b", "2");
    for (let i = 1; i <= 50; i++) await writer.setData("/rd/config/a/b", `2.${i}`);
    await waitUntil("the last update", () => text(cache.get("/rd/config/a/b")?.data) === "2.50");
    const deleted = nextEvent<string>(cache, "deleted", (p) => p === "/rd/config/a/b");
    await writer.delete("/rd/config/a/b");
    await deleted;
    expect(cache.paths()).toEqual(["/rd/config", "/rd/config/a"]);
    await cache.close();
  });

  it("re-reads on reconnect: updates made while it was cut off all arrive", async () => {
    const writer = await session();
    await writer.create("/rd/resume", "");
    await writer.create("/rd/resume/keep", "old");
    await writer.create("/rd/resume/gone", "x");
    const cut = await session(proxy.address);
    const cache = new TreeCache(cut, "/rd/resume");
    await cache.start();
    const seen: string[] = [];
    cache.on("created", (p) => seen.push(`created ${p}`));
    cache.on("changed", (p, n) => seen.push(`changed ${p} ${text(n.data)}`));
    cache.on("deleted", (p) => seen.push(`deleted ${p}`));
    const suspended = nextEvent(cut, "state", (s) => s === "disconnected");
    proxy.cut();
    await suspended;
    await writer.setData("/rd/resume/keep", "new");
    await writer.delete("/rd/resume/gone");
    await writer.create("/rd/resume/born", "b");
    const resynced = nextEvent(cache, "resynced");
    proxy.restore();
    await resynced;
    expect(seen.sort()).toEqual(
      ["changed /rd/resume/keep new", "created /rd/resume/born", "deleted /rd/resume/gone"].sort(),
    );
    // And the watch still works after the reconnect.
    await writer.setData("/rd/resume/born", "b2");
    await waitUntil("an update after the reconnect", () => text(cache.get("/rd/resume/born")?.data) === "b2");
    await cache.close();
  });
});

describe("Queue (Curator DistributedQueue layout)", () => {
  it("FIFO across producers and consumers; every item taken once", async () => {
    const [p, c1, c2] = await Promise.all([session(), session(), session()]);
    const queue = new Queue(p, "/rd/queue");
    for (let i = 0; i < 10; i++) await queue.put(`item-${i}`);
    const names = (await p.getChildren("/rd/queue")).children.sort();
    expect(names[0]).toMatch(/^queue-\d{10}$/);
    expect(deserializeItems((await p.getData(`/rd/queue/${names[0]}`)).data, names[0]!).map(String)).toEqual([
      "item-0",
    ]);
    const single = new Queue(c1, "/rd/queue");
    expect(String(await single.take())).toBe("item-0");
    expect(String(await single.take())).toBe("item-1");
    const taken: string[] = [];
    await Promise.all(
      [c1, c2].map(async (c) => {
        const q = new Queue(c, "/rd/queue");
        for (;;) {
          const item = await q.take(300);
          if (item === undefined) return;
          taken.push(String(item));
        }
      }),
    );
    expect(taken.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `item-${i + 2}`).sort());
    const waiting = single.take(10_000);
    await queue.put("late");
    expect(String(await waiting)).toBe("late");
  });

  it("priority: lower first, FIFO within a priority; Curator's name encoding", async () => {
    const c = await session();
    const q = new Queue(c, "/rd/pqueue");
    await q.put("p5-a", 5);
    await q.put("n1", -1);
    await q.put("p5-b", 5);
    await q.put("p0", 0);
    const out: string[] = [];
    for (let i = 0; i < 4; i++) out.push(String(await q.take()));
    expect(out).toEqual(["n1", "p0", "p5-a", "p5-b"]);
    expect([priorityKey(5), priorityKey(-1)]).toEqual(["100000005", "0FFFFFFFF"]);
  });
});

describe("AtomicLong (Curator DistributedAtomicLong format)", () => {
  it("3 sessions × 20 concurrent increments lose nothing; CAS refuses a stale expectation", async () => {
    const cs = await Promise.all([session(), session(), session()]);
    await Promise.all(
      cs.map(async (c) => {
        const counter = new AtomicLong(c, "/rd/counter");
        for (let i = 0; i < 20; i++) await counter.increment();
      }),
    );
    const counter = new AtomicLong(cs[0]!, "/rd/counter");
    expect(await counter.get()).toBe(60n);
    expect(Buffer.from((await cs[0]!.getData("/rd/counter")).data).toString("hex")).toBe("000000000000003c");
    expect(await counter.compareAndSet(59n, 100n)).toBe(false);
    expect(await counter.compareAndSet(60n, 100n)).toBe(true);
    expect(await counter.add(-1n)).toEqual({ preValue: 100n, postValue: 99n });
  });
});

describe("barriers (Curator DistributedBarrier / DistributedDoubleBarrier)", () => {
  it("waiters pass when the barrier is removed", async () => {
    const [a, b] = await Promise.all([session(), session()]);
    const barrier = new Barrier(a, "/rd/barrier");
    await barrier.set();
    expect(await new Barrier(b, "/rd/barrier").wait(200)).toBe(false);
    const waiting = new Barrier(b, "/rd/barrier").wait(10_000);
    await barrier.remove();
    expect(await waiting).toBe(true);
  });

  it("double barrier: 2 of 3 cannot enter; 3 enter together and leave together", async () => {
    const cs = await Promise.all([session(), session(), session()]);
    const barriers = cs.map((c) => new DoubleBarrier(c, "/rd/double", 3));
    const entering = [barriers[0]!.enter(10_000), barriers[1]!.enter(10_000)];
    expect(await new DoubleBarrier(cs[0]!, "/rd/double-alone", 3).enter(200)).toBe(false);
    await waitUntil("two wait", async () => (await cs[0]!.getChildren("/rd/double")).children.length === 2);
    expect(await Promise.all([...entering, barriers[2]!.enter(10_000)])).toEqual([true, true, true]);
    expect(await Promise.all(barriers.map((b) => b.leave(10_000)))).toEqual([true, true, true]);
    expect((await cs[0]!.getChildren("/rd/double")).children).toEqual([]);
  });
});

describe("service discovery (Curator x-discovery layout)", () => {
  it("registers ephemeral JSON instances; a provider balances round robin, random and sticky", async () => {
    const [a, b, user] = await Promise.all([session(), session(), session()]);
    const base = "/rd/services";
    await new ServiceDiscovery(a, base).register({ name: "api", id: "a", address: "10.0.0.1", port: 8080 });
    const bInstance = await new ServiceDiscovery(b, base).register({ name: "api", id: "b", port: 8081 });
    const json = JSON.parse(text((await user.getData(`${base}/api/b`)).data)!) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(
      [
        "address",
        "enabled",
        "id",
        "name",
        "payload",
        "port",
        "registrationTimeUTC",
        "serviceType",
        "sslPort",
        "uriSpec",
      ].sort(),
    );
    expect(json).toMatchObject({ name: "api", id: "b", port: 8081, serviceType: "DYNAMIC", enabled: true });
    expect((await user.exists(`${base}/api/b`))!.ephemeralOwner).toBe(b.sessionId);
    const discovery = new ServiceDiscovery(user, base);
    expect(await discovery.queryForNames()).toEqual(["api"]);
    const roundRobin = new ServiceProvider(discovery, "api", "roundRobin");
    const sticky = new ServiceProvider(discovery, "api", "sticky");
    const random = new ServiceProvider(discovery, "api", "random");
    await Promise.all([roundRobin.start(), sticky.start(), random.start()]);
    expect([1, 2, 3, 4].map(() => roundRobin.getInstance()!.id)).toEqual(["a", "b", "a", "b"]);
    const stuck = sticky.getInstance()!.id;
    expect([1, 2, 3].map(() => sticky.getInstance()!.id)).toEqual([stuck, stuck, stuck]);
    expect(["a", "b"]).toContain(random.getInstance()!.id);
    // The stuck instance's session ends: the sticky provider moves on; the others see one left.
    const survivor = stuck === "a" ? "b" : "a";
    const changed = nextEvent(sticky, "change");
    await (stuck === "a" ? a : b).close();
    await changed;
    expect(sticky.getInstance()!.id).toBe(survivor);
    await waitUntil("round robin sees one", () => roundRobin.all.length === 1);
    expect(bInstance.registrationTimeUTC).toBeGreaterThan(0);
    for (const p of [roundRobin, sticky, random]) p.close();
  });

  it("a provider started before any instance sees the first one register", async () => {
    const [a, user] = await Promise.all([session(), session()]);
    const provider = new ServiceProvider(new ServiceDiscovery(user, "/rd/late"), "svc");
    await provider.start();
    expect(provider.getInstance()).toBeUndefined();
    await new ServiceDiscovery(a, "/rd/late").register({ name: "svc", id: "first", port: 1 });
    await waitUntil("the first instance", () => provider.getInstance()?.id === "first");
    provider.close();
  });
});

describe("Dubbo registry view", () => {
  it("registers providers ephemeral under /dubbo/<interface>/providers/<URL-encoded URL>", async () => {
    const [p, consumer] = await Promise.all([session(), session()]);
    const url = "dubbo://10.0.0.5:20880/org.example.Greeter?application=node&methods=hi,bye&side=provider";
    const path = await new DubboRegistry(p).register(url);
    expect(path).toBe(`/dubbo/org.example.Greeter/providers/${javaUrlEncode(url)}`);
    expect(javaUrlEncode("a b~!'()*")).toBe("a+b%7E%21%27%28%29*");
    expect((await consumer.exists(path))!.ephemeralOwner).toBe(p.sessionId);
    const registry = new DubboRegistry(consumer);
    const changed = new Promise<void>((resolve) => {
      void registry
        .lookup("org.example.Greeter", "providers", resolve)
        .then((urls) => expect(urls).toEqual([url]));
    });
    await registry.register("consumer://10.0.0.6/org.example.Greeter?category=consumers&side=consumer");
    expect(await registry.lookup("org.example.Greeter", "consumers")).toHaveLength(1);
    await p.close();
    await changed;
    expect(await registry.lookup("org.example.Greeter")).toEqual([]);
  });
});
