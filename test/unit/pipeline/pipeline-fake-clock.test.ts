import { VirtualTimeScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import type { Entry, HardState } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import type { Request, ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import type { FrontConnection } from "../../../server/pipeline/front.js";
import { Pipeline } from "../../../server/pipeline/pipeline.js";
import { Replica } from "../../../server/replica/replica.js";
import type { Storage } from "../../../server/replica/storage.js";
import { SessionTable } from "../../../server/sessions/index.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { Prep } from "../../../server/tree/prep.js";
import { Code } from "../../../server/util/error-code.js";
import { defaultLimits } from "../../../server/util/limits.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { WatchRegistry } from "../../../server/watches/watch-registry.js";

type Op = NonNullable<Request["op"]>;

/** Durable at once: the test is about the pipeline's timing, not the disk's. */
class MemoryStorage implements Storage {
  readonly entries: Entry[] = [];
  failure = undefined;
  append(entries: readonly Entry[]): undefined {
    this.entries.push(...entries);
    return undefined;
  }
  async truncate(): Promise<void> {}
  snapshotInstalled(): void {}
  async saveHardState(_state: HardState): Promise<void> {}
  async close(): Promise<void> {}
}

const TICK_MS = 100;

/** The real Pipeline, Replica and ReadyLoop of one standalone member, on a virtual clock. */
function member(limits: Partial<typeof defaultLimits> = {}) {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const clock = (): number => scheduler.now();
  const tree = new DataTree();
  const sessions = new SessionTable({
    tickMs: TICK_MS * 20,
    minTimeoutMs: 400,
    maxTimeoutMs: 60_000,
    sessionsMax: 100,
  });
  const node = new ZabNode({ id: 1, voters: [1], acceptedEpoch: 0, lastZxid: 0, proposalsInFlightMax: 1000 });
  const log: string[] = [];
  const replica = new Replica(
    node,
    new MemoryStorage(),
    { encode: () => undefined, install: async () => {} },
    { tickMs: TICK_MS, scheduler, snapshotChunkBytes: 1 << 20, log: (_l, m) => log.push(m) },
  );
  let nextId = 0x100n;
  const pipeline = new Pipeline(
    {
      tree,
      prep: new Prep(tree, { limits: { ...defaultLimits, ...limits }, extendedTypesEnabled: true }),
      sessions,
      watches: new WatchRegistry({ watchesPerSessionMax: 100 }),
      replica,
      clock,
      scheduler,
      tracer: undefined,
      log: (_l, m) => log.push(m),
      authenticate: () => {
        throw new PaddockError(Code.AuthFailed, "", "no auth in this test");
      },
      nextSessionId: () => nextId++,
      randomBytes: (size) => new Uint8Array(size).fill(7),
    },
    {
      limits: { ...defaultLimits, ...limits },
      tickMs: TICK_MS * 20,
      containerCheckMs: 60_000,
      proposalsInFlightMax: 1000,
      zookeeperConfig: new Uint8Array(0),
    },
    { connectionsPerAddressMax: 2, requestsBeforeConnectMax: 10 },
  );
  replica.start();
  /** Moves the virtual clock to `ms`, letting the Ready loop's microtasks run at each step. */
  const advanceTo = async (ms: number): Promise<void> => {
    for (let t = scheduler.now(); t <= ms; t += TICK_MS / 2) {
      scheduler.maxFrames = t;
      scheduler.flush();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
  };
  return { pipeline, scheduler, advanceTo, log, stop: () => pipeline.stop() };
}

/** A client connection whose received messages are kept in order. */
function connection(front: Pipeline["front"], address: string) {
  const received: ServerMessage[] = [];
  let ended = false;
  let xid = 0;
  const conn: FrontConnection = front.accept(address, {
    send: (m) => received.push(m),
    end: () => {
      ended = true;
    },
  });
  return {
    conn,
    received,
    get ended() {
      return ended;
    },
    send(op: Op): number {
      conn.submit([{ xid: ++xid, timeoutMs: 0, trace: {}, op }]);
      return xid;
    },
    reply(x: number) {
      const m = received.find((r) => r.kind?.$case === "reply" && r.kind.value.xid === x);
      return m?.kind?.$case === "reply" ? m.kind.value : undefined;
    },
  };
}

const connect = {
  sessionId: 0n,
  password: Buffer.alloc(0),
  timeoutMs: 1000,
  lastZxidSeen: 0n,
  auth: [],
  watches: undefined,
};
const create = (path: string, mode = 0): Op => ({
  $case: "create",
  value: { path, data: Buffer.from("x"), acl: [], mode, ttl: 0n },
});

describe("the real Pipeline on a virtual clock", () => {
  it("elects itself, opens sessions, orders a watch event before the reply, and expires a silent session", async () => {
    const m = member();
    await m.advanceTo(2_000);
    expect(m.pipeline.isServing).toBe(true);

    const a = connection(m.pipeline.front, "10.0.0.1");
    const b = connection(m.pipeline.front, "10.0.0.2");
    a.conn.connect(connect);
    b.conn.connect({ ...connect, timeoutMs: 60_000 });
    await m.advanceTo(2_100);
    expect(a.received[0]?.kind?.$case).toBe("connected");
    expect(b.received[0]?.kind?.$case).toBe("connected");

    const eph = a.send(create("/eph", 1));
    const watch = b.send({ $case: "exists", value: { path: "/w", watch: true, consistency: 0 } });
    await m.advanceTo(2_200);
    expect(a.reply(eph)?.error).toBeUndefined();
    expect(b.reply(watch)?.result).toEqual({ $case: "exists", value: { stat: undefined } });

    // b's own create fires b's exists watch: the event comes before the reply.
    const created = b.send(create("/w"));
    await m.advanceTo(2_300);
    const kinds = b.received.map((r) => r.kind?.$case);
    const eventAt = b.received.findIndex((r) => r.kind?.$case === "event" && r.kind.value.path === "/w");
    const replyAt = b.received.findIndex((r) => r.kind?.$case === "reply" && r.kind.value.xid === created);
    expect(eventAt, JSON.stringify(kinds)).toBeGreaterThan(0);
    expect(eventAt).toBeLessThan(replyAt);

    // SetWatches after connect: a watch whose change b missed (newer than relativeZxid) fires
    // before the reply; one that is current is registered and fires on the next change.
    const before = b.received.length;
    const sw = b.send({
      $case: "setWatches",
      value: {
        relativeZxid: 0n,
        dataWatches: ["/w"],
        existWatches: [],
        childWatches: ["/"],
        persistentWatches: [],
        persistentRecursiveWatches: [],
      },
    });
    await m.advanceTo(2_350);
    expect(
      b.received
        .slice(before)
        .map((r) => [r.kind?.$case, (r.kind?.value as { path?: string } | undefined)?.path]),
    ).toEqual([
      ["event", "/w"],
      ["event", "/"],
      ["reply", undefined],
    ]);
    expect(b.reply(sw)?.error).toBeUndefined();

    // a goes silent; b keeps pinging. Past a's 1 s timeout the leader expires it by transaction.
    for (let t = 2_400; t <= 4_000; t += 200) {
      b.send({ $case: "ping", value: {} });
      await m.advanceTo(t);
    }
    expect(a.ended).toBe(true);
    expect(a.received.at(-1)?.kind).toMatchObject({ $case: "sessionEvent", value: { state: 3 } });
    const gone = b.send({ $case: "exists", value: { path: "/eph", watch: false, consistency: 0 } });
    await m.advanceTo(4_100);
    expect(b.reply(gone)?.result).toEqual({ $case: "exists", value: { stat: undefined } });
    expect(m.log.some((l) => l.startsWith("expiring session 0x100"))).toBe(true);
    m.stop();
  });

  it("answers a linearizable read and sync only after a noop proposed after them applied", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const c = connection(m.pipeline.front, "10.0.0.3");
    c.conn.connect(connect);
    await m.advanceTo(2_100);
    const before = BigInt(m.pipeline.zxid);
    const linearizable = c.send({ $case: "getData", value: { path: "/", watch: false, consistency: 1 } });
    const sync = c.send({ $case: "sync", value: { path: "/" } });
    const sequential = c.send({ $case: "getData", value: { path: "/", watch: false, consistency: 0 } });
    // Nothing may be answered from the state the reads arrived at: each waits for its barrier.
    expect(c.reply(linearizable)).toBeUndefined();
    await m.advanceTo(2_200);
    expect(c.reply(linearizable)?.zxid).toBeGreaterThan(before);
    expect(c.reply(sync)?.zxid).toBeGreaterThan(c.reply(linearizable)!.zxid);
    expect(c.reply(sequential)?.error).toBeUndefined();
    m.stop();
  });

  it("applies the connection rules for every door: maxClientCnxns, connect first, bounded early requests", async () => {
    const m = member();
    await m.advanceTo(2_000);
    const sink = { send: () => {}, end: () => {} };
    const first = m.pipeline.front.accept("10.0.0.9", sink);
    m.pipeline.front.accept("10.0.0.9", sink);
    expect(() => m.pipeline.front.accept("10.0.0.9", sink)).toThrow("maxClientCnxns is 2");
    first.drop();
    const again = m.pipeline.front.accept("10.0.0.9", sink);
    const ping: Request = { xid: 1, timeoutMs: 0, trace: {}, op: { $case: "ping", value: {} } };
    expect(() => again.submit([ping])).toThrow("the first message must be a ConnectRequest");
    again.connect(connect);
    expect(() => again.connect(connect)).toThrow("a second ConnectRequest");
    again.submit(Array(10).fill(ping));
    expect(() => again.submit([ping])).toThrow("more than 10 requests before the session was established");
    m.stop();
  });
});
