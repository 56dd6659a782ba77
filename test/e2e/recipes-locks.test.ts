import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  type ConnectionEvent,
  connect,
  Lock,
  ReadWriteLock,
  Semaphore,
} from "../../clients/ts/src/index.js";
import { watchesBySession } from "../support/four-letter.js";
import { type ServerHandle, startServer } from "../support/launcher.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { deferred, waitUntil } from "../support/wait.js";

// Lock recipes (clients/ts/src/recipes) against a real server: several sessions contend.
let server: ServerHandle;
let proxy: TcpProxy;
const clients: Client[] = [];

beforeAll(async () => {
  server = await startServer({
    settings: { tickTime: 200, minSessionTimeout: 400, "4lw.commands.whitelist": "*" },
  });
  proxy = await startTcpProxy(server.address);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await proxy?.close();
  await server?.stop();
});

async function sessions(n: number, address = server.address, sessionTimeoutMs = 20_000): Promise<Client[]> {
  const made = await Promise.all(Array.from({ length: n }, () => connect(address, { sessionTimeoutMs })));
  clients.push(...made);
  return made;
}

const hex = (c: Client): string => `0x${c.sessionId.toString(16)}`;

describe("Lock (Curator InterProcessMutex layout)", () => {
  it("four sessions × 5 rounds never hold it together; fencing tokens only grow", async () => {
    const contenders = await sessions(4);
    const counter = "/rl/mutex-counter";
    await contenders[0]!.create("/rl");
    await contenders[0]!.create(counter, "0");
    let holders = 0;
    let overlaps = 0;
    const tokens: bigint[] = [];
    await Promise.all(
      contenders.map(async (c) => {
        const lock = new Lock(c, "/rl/mutex");
        for (let round = 0; round < 5; round++) {
          expect(await lock.acquire()).toBe(true);
          if (++holders > 1) overlaps++;
          tokens.push(lock.token!.czxid);
          // An unversioned read-modify-write: loses updates if two holders overlap.
          const { data } = await c.getData(counter);
          await c.setData(counter, String(Number(Buffer.from(data).toString()) + 1));
          holders--;
          await lock.release();
        }
      }),
    );
    expect(overlaps).toBe(0);
    expect(Buffer.from((await contenders[0]!.getData(counter)).data).toString()).toBe("20");
    expect(tokens).toEqual([...tokens].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect((await contenders[0]!.getChildren("/rl/mutex")).children).toEqual([]);
  });

  it("is reentrant per Lock object and names its node _c_<uuid>-lock-<seq>", async () => {
    const [c] = await sessions(1);
    const lock = new Lock(c!, "/rl/reentrant");
    expect(await lock.acquire()).toBe(true);
    expect(await lock.acquire()).toBe(true);
    expect(lock.nodePath).toMatch(/^\/rl\/reentrant\/_c_[0-9a-f-]{36}-lock-\d{10}$/);
    expect((await c!.getChildren("/rl/reentrant")).children).toHaveLength(1);
    await lock.release();
    expect(lock.isHeld).toBe(true);
    await lock.release();
    expect(lock.isHeld).toBe(false);
    expect((await c!.getChildren("/rl/reentrant")).children).toEqual([]);
    await expect(lock.release()).rejects.toThrow("lock /rl/reentrant is not held");
    const [other] = await sessions(1);
    const held = new Lock(other!, "/rl/reentrant");
    await held.acquire();
    const waiting = lock.acquire(5000);
    await expect(lock.acquire()).rejects.toThrow(
      "lock /rl/reentrant: this Lock object is already waiting; use one per caller",
    );
    await held.release();
    expect(await waiting).toBe(true);
    await lock.release();
  });

  it("a timed acquire gives up and withdraws its node", async () => {
    const [a, b] = await sessions(2);
    const held = new Lock(a!, "/rl/timed");
    await held.acquire();
    expect(await new Lock(b!, "/rl/timed").acquire(200)).toBe(false);
    expect((await a!.getChildren("/rl/timed")).children).toHaveLength(1);
    await held.release();
  });

  it("N waiters hold one watch each, on their predecessor (wchc), and are served in order", async () => {
    const all = await sessions(6);
    const [holder, ...waiters] = all;
    const path = "/rl/herd";
    const first = new Lock(holder!, path);
    await first.acquire();
    const order: number[] = [];
    const acquired = waiters.map(async (c, i) => {
      const lock = new Lock(c, path);
      await lock.acquire();
      order.push(i);
      await lock.release();
    });
    await waitUntil("every waiter watches", async () => {
      const watches = await watchesBySession(server.address);
      return waiters.every((c) => watches.get(hex(c))?.length === 1);
    });
    const watches = await watchesBySession(server.address);
    const { children } = await holder!.getChildren(path);
    const sorted = children.sort((x, y) => (x.slice(-10) < y.slice(-10) ? -1 : 1));
    const owners = await Promise.all(
      sorted.map(async (n) => (await holder!.exists(`${path}/${n}`))!.ephemeralOwner),
    );
    for (let i = 1; i < sorted.length; i++) {
      expect(watches.get(`0x${owners[i]!.toString(16)}`)).toEqual([`${path}/${sorted[i - 1]}`]);
    }
    // The creation order of the waiters' nodes decides who goes next.
    const expectedOrder = owners.slice(1).map((o) => waiters.findIndex((c) => c.sessionId === o));
    await first.release();
    await Promise.all(acquired);
    expect(order).toEqual(expectedOrder);
  });

  it("tells the holder 'suspended' when cut off and 'lost' at expiry; the next waiter gets it only after", async () => {
    const [cut] = await sessions(1, proxy.address, 400);
    const [next] = await sessions(1);
    const path = "/rl/fault";
    const held = new Lock(cut!, path);
    await held.acquire();
    const events: ConnectionEvent[] = [];
    const lost = deferred<void>();
    held.on("suspended", () => events.push("suspended"));
    held.on("lost", () => {
      events.push("lost");
      lost.resolve();
    });
    const waiter = new Lock(next!, path);
    let waiterHasIt = false;
    const waiting = waiter.acquire().then(() => {
      waiterHasIt = true;
    });
    await waitUntil("the waiter watches", async () =>
      (await watchesBySession(server.address)).has(hex(next!)),
    );
    proxy.cut();
    await waitUntil("suspended", () => events.includes("suspended"));
    // Suspended is told before the session expired: the holder's node is still there.
    expect(waiterHasIt).toBe(false);
    await waiting;
    // The waiter got it because the expired session's node went; the holder learns when back.
    proxy.restore();
    await lost.promise;
    expect(events).toEqual(["suspended", "lost"]);
    expect(held.isHeld).toBe(false);
    await waiter.release();
  });
});

describe("Lock across a reconnect", () => {
  it("a waiter cut off while waiting keeps its place and acquires once back", async () => {
    const [holder] = await sessions(1);
    const [waiting] = await sessions(1, proxy.address, 20_000);
    const path = "/rl/waiter-cut";
    const held = new Lock(holder!, path);
    await held.acquire();
    const waiter = new Lock(waiting!, path);
    const acquired = waiter.acquire();
    await waitUntil("the waiter watches", async () =>
      (await watchesBySession(server.address)).has(hex(waiting!)),
    );
    proxy.cut();
    await waitUntil("the waiter is cut off", () => waiting!.state === "disconnected");
    await held.release();
    proxy.restore();
    expect(await acquired).toBe(true);
    expect(waiter.token!.czxid).toBeGreaterThan(0n);
    expect((await holder!.getChildren(path)).children).toHaveLength(1);
    await waiter.release();
  });
});

describe("ReadWriteLock (Curator InterProcessReadWriteLock layout)", () => {
  it("readers share, a writer waits for them and excludes later readers", async () => {
    const [a, b, c] = await sessions(3);
    const path = "/rl/rw";
    const r1 = new ReadWriteLock(a!, path).readLock;
    const r2 = new ReadWriteLock(b!, path).readLock;
    expect(await r1.acquire()).toBe(true);
    expect(await r2.acquire()).toBe(true);
    expect(r1.nodePath).toMatch(/\/_c_[0-9a-f-]{36}-__READ__\d{10}$/);
    const w = new ReadWriteLock(c!, path).writeLock;
    let written = false;
    const writing = w.acquire().then(() => {
      written = true;
    });
    await waitUntil("the writer waits", async () => (await a!.getChildren(path)).children.length === 3);
    expect(await new ReadWriteLock(a!, path).readLock.acquire(200)).toBe(false);
    await r1.release();
    expect(written).toBe(false);
    await r2.release();
    await writing;
    expect(w.nodePath).toMatch(/-__WRIT__\d{10}$/);
    // The writer may also read (downgrade) with the same ReadWriteLock object.
    await w.release();
  });

  it("the write lock's holder may take the read lock (downgrade)", async () => {
    const [a] = await sessions(1);
    const rw = new ReadWriteLock(a!, "/rl/rw-down");
    await rw.writeLock.acquire();
    expect(await rw.readLock.acquire(1000)).toBe(true);
    await rw.writeLock.release();
    await rw.readLock.release();
  });
});

describe("Semaphore (Curator InterProcessSemaphoreV2 layout)", () => {
  it("grants two leases, refuses a third until one is returned", async () => {
    const [a, b, c] = await sessions(3);
    const path = "/rl/sem";
    const l1 = await new Semaphore(a!, path, 2).acquire();
    const l2 = await new Semaphore(b!, path, 2).acquire();
    expect(l1?.path).toMatch(/^\/rl\/sem\/leases\/_c_[0-9a-f-]{36}-lease-\d{10}$/);
    expect(l2).toBeDefined();
    expect(await new Semaphore(c!, path, 2).acquire(200)).toBeUndefined();
    const third = new Semaphore(c!, path, 2).acquire();
    await l1!.release();
    const l3 = await third;
    expect(l3).toBeDefined();
    expect((await a!.getChildren(`${path}/leases`)).children).toHaveLength(2);
    await l2!.release();
    await l3!.release();
    expect(() => new Semaphore(a!, path, 0)).toThrow(
      "maxLeases for /rl/sem must be a positive integer, got 0",
    );
  });
});
