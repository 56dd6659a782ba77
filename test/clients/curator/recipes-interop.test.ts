import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AtomicLong,
  type Client,
  connect,
  GroupMember,
  LeaderLatch,
  LeaderSelector,
  Lock,
  NodeExistsError,
  Queue,
  ReadWriteLock,
  Semaphore,
  ServiceDiscovery,
} from "../../../clients/ts/src/index.js";
import { type ServerHandle, startServer } from "../../support/launcher.js";
import { startTcpProxy, type TcpProxy } from "../../support/tcp-proxy.js";
import { deferred, waitUntil } from "../../support/wait.js";
import { type CuratorDriver, startCuratorDriver } from "./interop-driver.js";
import { requireCurator } from "./runner.js";

// The TypeScript recipes (clients/ts/src/recipes) and Curator 5's on one Paddock server: the TS
// client over gRPC, Curator through the ZooKeeper door. Same node layouts (docs/RECIPES.md), so
// they contend for one lock, elect one leader and find each other's service instances.
// Needs `bash scripts/install-curator.sh` (it compiles java/RecipesInterop.java).
let server: ServerHandle;
let curator: CuratorDriver;
let proxy: TcpProxy;
const clients: Client[] = [];

beforeAll(async () => {
  requireCurator();
  // Short sessions allowed, for the expiry handoff; the Curator side keeps its 20 s session.
  server = await startServer({ settings: { tickTime: 200, minSessionTimeout: 400 } });
  proxy = await startTcpProxy(server.address);
  curator = await startCuratorDriver(server.juteAddress);
});

afterAll(async () => {
  await curator?.stop();
  await proxy?.close();
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await server?.stop();
});

async function session(): Promise<Client> {
  const c = await connect(server.address, { sessionTimeoutMs: 20_000 });
  clients.push(c);
  return c;
}

describe("TypeScript recipes interoperate with Curator 5", () => {
  it("a TS Lock and a Curator InterProcessMutex on one path exclude each other", async () => {
    const rounds = 15;
    const ts = await Promise.all([session(), session()]);
    await ts[0]!.create("/interop", "");
    await ts[0]!.create("/interop/counter", "0");
    const curatorDone = curator
      .ask(`mutex /interop/mutex ${rounds} /interop/counter`, "mutex started")
      .then(() => curator.next("mutex done", 90_000));
    const seen: number[] = [];
    // The same holder marker as the Curator side: a second holder's create fails with NodeExists.
    await Promise.all(
      ts.map(async (c) => {
        const lock = new Lock(c, "/interop/mutex");
        for (let i = 0; i < rounds; i++) {
          await lock.acquire();
          await c.create("/interop/counter-holder", "", { mode: "EPHEMERAL" });
          const n = Number(Buffer.from((await c.getData("/interop/counter")).data).toString());
          seen.push(n);
          await c.setData("/interop/counter", String(n + 1));
          await c.delete("/interop/counter-holder");
          await lock.release();
        }
      }),
    );
    expect(await curatorDone).toBe("mutex done 0");
    expect(Buffer.from((await ts[0]!.getData("/interop/counter")).data).toString()).toBe(String(3 * rounds));
    // The contention was real: Curator's holds fell between the TS holds (the TS side did not see
    // one unbroken run of counter values).
    seen.sort((a, b) => a - b);
    expect(seen.at(-1)! - seen[0]!).toBeGreaterThan(seen.length - 1);
    await expect(ts[0]!.create("/interop/counter-holder", "", { mode: "EPHEMERAL" })).resolves.toBeDefined();
    await expect(ts[1]!.create("/interop/counter-holder")).rejects.toBeInstanceOf(NodeExistsError);
  });

  it("a TS LeaderLatch and a Curator LeaderLatch elect one leader and hand over both ways", async () => {
    const path = "/interop/latch";
    const tsLatch = new LeaderLatch(await session(), path, "ts");
    await tsLatch.start();
    expect(await tsLatch.awaitLeadership(10_000)).toBe(true);
    await curator.ask(`latch-start ${path} java`, "latch-start ok");
    // Curator's start() creates its node in the background: poll its view until it is in.
    let status = "";
    await waitUntil("Curator's participant node", async () => {
      status = await curator.ask("latch-status", "latch-status");
      return status.endsWith(",java");
    });
    // Curator reads the TS participant's node and id: the TS latch leads, Curator waits.
    expect(status).toBe("latch-status false ts ts*,java");
    const curatorLeads = curator.next("latch leader");
    await tsLatch.close();
    await curatorLeads;
    expect(await curator.ask("latch-status", "latch-status")).toBe("latch-status true java java*");
    const second = new LeaderLatch(await session(), path, "ts-2");
    await second.start();
    expect(await second.participants()).toEqual(["java", "ts-2"]);
    expect(second.hasLeadership).toBe(false);
    const tsLeads = second.awaitLeadership(10_000);
    await curator.ask("latch-close", "latch-close ok");
    expect(await tsLeads).toBe(true);
    await second.close();
  });

  it("a TS leader whose session expires hands leadership to a Curator LeaderLatch", async () => {
    const path = "/interop/latch-expiry";
    const cut = await connect(proxy.address, { sessionTimeoutMs: 400 });
    clients.push(cut);
    const tsLatch = new LeaderLatch(cut, path, "ts-cut");
    await tsLatch.start();
    expect(await tsLatch.awaitLeadership(10_000)).toBe(true);
    await curator.ask(`latch-start ${path} java`, "latch-start ok");
    await waitUntil("Curator's participant node", async () =>
      (await curator.ask("latch-status", "latch-status")).endsWith(",java"),
    );
    const events: string[] = [];
    tsLatch.on("suspended", () => events.push("suspended"));
    tsLatch.on("lost", () => events.push("lost"));
    const curatorLeads = curator.next("latch leader");
    proxy.cut();
    await curatorLeads;
    expect(events).toEqual(["suspended"]);
    expect(tsLatch.hasLeadership).toBe(false);
    proxy.restore();
    await waitUntil("the TS side hears lost", () => events.includes("lost"));
    expect(await curator.ask("latch-status", "latch-status")).toBe("latch-status true java java*");
    await curator.ask("latch-close", "latch-close ok");
  });

  it("a TS LeaderSelector and a Curator LeaderSelector on one path take turns", async () => {
    const path = "/interop/selector";
    await curator.ask(`selector-start ${path} java`, "selector-start ok");
    await curator.next("selector leader");
    const tsTurns: (() => void)[] = [];
    let tsLeading = deferred<void>();
    const ts = new LeaderSelector(
      await session(),
      path,
      () =>
        new Promise<void>((resolve) => {
          tsTurns.push(resolve);
          tsLeading.resolve();
        }),
      { id: "ts", autoRequeue: true },
    );
    ts.start();
    await waitUntil("the TS participant queued", async () => (await ts.participants()).length === 2);
    // Each side reads the other's node and id: one queue, the lock's holder leads.
    expect(await ts.participants()).toEqual([
      { id: "java", isLeader: true },
      { id: "ts", isLeader: false },
    ]);
    expect(await curator.ask("selector-status", "selector-status")).toBe("selector-status true java*,ts");
    for (let round = 0; round < 2; round++) {
      await curator.ask("selector-yield", "selector-yield ok");
      await curator.next("selector yielded");
      await tsLeading.promise;
      tsLeading = deferred<void>();
      // Curator requeued behind the TS leader (autoRequeue on both sides).
      await waitUntil("Curator requeued", async () => (await ts.participants()).length === 2);
      expect(await curator.ask("selector-status", "selector-status")).toBe("selector-status false ts*,java");
      const curatorLeads = curator.next("selector leader");
      tsTurns.shift()!();
      await curatorLeads;
      expect(ts.hasLeadership).toBe(false);
    }
    await ts.close();
    // Closing the leading Curator selector interrupts its takeLeadership (no "yielded" line).
    await curator.ask("selector-close", "selector-close ok");
  });

  it("an instance registered by TS is found by Curator's ServiceDiscovery, and the other way round", async () => {
    const base = "/interop/services";
    const discovery = new ServiceDiscovery(await session(), base);
    await discovery.register({ name: "pay", id: "ts-1", address: "10.1.2.3", port: 8080 });
    expect(await curator.ask(`discover ${base} pay`, "discover")).toBe(
      "discover ts-1@10.1.2.3:8080/DYNAMIC/true",
    );
    await curator.ask(`register ${base} pay java-1 9090`, "register ok");
    const found = await discovery.queryForInstances("pay");
    expect(found.map((i) => [i.id, i.address, i.port, i.serviceType])).toEqual([
      ["java-1", "127.0.0.1", 9090, "DYNAMIC"],
      ["ts-1", "10.1.2.3", 8080, "DYNAMIC"],
    ]);
  });

  it("read-write lock: Curator's writer blocks a TS reader; a TS writer blocks Curator's reader", async () => {
    const c = await session();
    await curator.ask("write-lock /interop/rw", "write-lock held");
    const reader = new ReadWriteLock(c, "/interop/rw").readLock;
    expect(await reader.acquire(300)).toBe(false);
    const reading = reader.acquire(10_000);
    await curator.ask("write-unlock", "write-unlock ok");
    expect(await reading).toBe(true);
    await reader.release();
    const writer = new ReadWriteLock(c, "/interop/rw").writeLock;
    await writer.acquire();
    expect(await curator.ask("read-lock-try /interop/rw 300", "read-lock-try")).toBe("read-lock-try false");
    await writer.release();
    expect(await curator.ask("read-lock-try /interop/rw 10000", "read-lock-try")).toBe("read-lock-try true");
  });

  it("semaphore: a TS lease and a Curator lease count against the same limit", async () => {
    const c = await session();
    const semaphore = new Semaphore(c, "/interop/sem", 2);
    const mine = await semaphore.acquire();
    expect(await curator.ask("lease /interop/sem 2 5000", "lease")).toBe("lease true");
    expect(await semaphore.acquire(300)).toBeUndefined();
    const waiting = semaphore.acquire(10_000);
    await curator.ask("lease-return", "lease-return ok");
    const second = await waiting;
    expect(second).toBeDefined();
    expect(await curator.ask("lease /interop/sem 2 300", "lease")).toBe("lease false");
    await mine!.release();
    await second!.release();
  });

  it("atomic counter: TS and Curator increment one DistributedAtomicLong without losing any", async () => {
    const c = await session();
    const done = curator
      .ask("atomic /interop/atomic 30", "atomic started")
      .then(() => curator.next("atomic done", 90_000));
    const counter = new AtomicLong(c, "/interop/atomic");
    for (let i = 0; i < 30; i++) await counter.increment();
    const [, , failed] = (await done).split(" ");
    expect(failed).toBe("0");
    expect(await counter.get()).toBe(60n);
  });

  it("queue: Curator consumes what TS puts, in order, and TS takes what Curator puts", async () => {
    const queue = new Queue(await session(), "/interop/queue");
    for (const item of ["one", "two", "three"]) await queue.put(item);
    expect(await curator.ask("queue-take /interop/queue 3", "queue-take", 60_000)).toBe(
      "queue-take one,two,three",
    );
    await curator.ask("queue-put /interop/queue four five", "queue-put ok");
    expect(String(await queue.take(10_000))).toBe("four");
    expect(String(await queue.take(10_000))).toBe("five");
  });

  it("group membership: TS and Curator GroupMembers see each other join and leave", async () => {
    const path = "/interop/group";
    const mine = new GroupMember(await session(), path, "ts", "ts-data");
    await mine.start();
    await curator.ask(`member-start ${path} java java-data`, "member-start ok");
    await waitUntil("TS sees the Curator member", () => mine.members.has("java"));
    expect(Buffer.from(mine.members.get("java")!).toString()).toBe("java-data");
    await waitUntil(
      "Curator sees both",
      async () => (await curator.ask("members", "members")) === "members java=java-data,ts=ts-data",
    );
    await mine.close();
    await waitUntil(
      "Curator sees the TS member leave",
      async () => (await curator.ask("members", "members")) === "members java=java-data",
    );
    await curator.ask("member-close", "member-close ok");
  });
});
