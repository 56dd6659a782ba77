// The real Pipeline, Replica and ZabNode of a standalone member on a virtual clock, for the
// pipeline's unit tests (pipeline-fake-clock, intake, apply-committed).
import type { Tracer } from "@opentelemetry/api";
import { VirtualTimeScheduler } from "rxjs";
import type { Entry, HardState } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import type { Request, ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import type { FrontConnection } from "../../../server/pipeline/front.js";
import type { LocalSessionOptions } from "../../../server/pipeline/local-session-tracker.js";
import { Pipeline, type PipelineDeps } from "../../../server/pipeline/pipeline.js";
import { Replica } from "../../../server/replica/replica.js";
import type { Storage } from "../../../server/replica/storage.js";
import { SessionTable } from "../../../server/sessions/index.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { Prep } from "../../../server/tree/prep.js";
import { Code } from "../../../server/util/error-code.js";
import { defaultLimits } from "../../../server/util/limits.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { WatchRegistry } from "../../../server/watches/watch-registry.js";

export type Op = NonNullable<Request["op"]>;

/** Durable at once unless held: then appends resolve when the test releases them. */
class MemoryStorage implements Storage {
  readonly entries: Entry[] = [];
  failure = undefined;
  held: (() => void)[] | undefined;
  /** Set: every append from now on throws it (the disk is gone). */
  failWith: Error | undefined;
  append(entries: readonly Entry[]): Promise<void> | undefined {
    if (this.failWith !== undefined) throw this.failWith;
    this.entries.push(...entries);
    const held = this.held;
    return held === undefined ? undefined : new Promise((resolve) => held.push(resolve));
  }
  /** Appends from now on wait for release(). */
  hold(): void {
    this.held = [];
  }
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const resolve of held) resolve();
  }
  async truncate(): Promise<void> {}
  snapshotInstalled(): void {}
  async saveHardState(_state: HardState): Promise<void> {}
  async close(): Promise<void> {}
}

const TICK_MS = 100;

/** The real Pipeline, Replica and ReadyLoop of one standalone member, on a virtual clock. */
export function member(
  limits: Partial<typeof defaultLimits> = {},
  authenticate: PipelineDeps["authenticate"] = () => {
    throw new PaddockError(Code.AuthFailed, "", "no auth in this test");
  },
  extra: { tracer?: Tracer; localSessions?: LocalSessionOptions } = {},
) {
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
  /** The pipeline's log lines, each as "<level> <message>". */
  const leveled: string[] = [];
  const storage = new MemoryStorage();
  const replica = new Replica(
    node,
    storage,
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
      tracer: extra.tracer,
      log: (level, m) => {
        log.push(m);
        leveled.push(`${level} ${m}`);
      },
      authenticate,
      nextSessionId: () => nextId++,
      randomBytes: (size) => new Uint8Array(size).fill(7),
    },
    {
      limits: { ...defaultLimits, ...limits },
      tickMs: TICK_MS * 20,
      containerCheckMs: 60_000,
      proposalsInFlightMax: 1000,
      zookeeperConfig: new Uint8Array(0),
      localSessions: extra.localSessions,
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
  return { pipeline, scheduler, advanceTo, log, leveled, storage, stop: () => pipeline.stop() };
}

/** A client connection whose received messages are kept in order. */
export function connection(front: Pipeline["front"], address: string) {
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
    send(op: Op, timeoutMs = 0): number {
      conn.submit([{ xid: ++xid, timeoutMs, trace: {}, op }]);
      return xid;
    },
    reply(x: number) {
      const m = received.find((r) => r.kind?.$case === "reply" && r.kind.value.xid === x);
      return m?.kind?.$case === "reply" ? m.kind.value : undefined;
    },
  };
}

export const connect = {
  sessionId: 0n,
  password: Buffer.alloc(0),
  timeoutMs: 1000,
  lastZxidSeen: 0n,
  auth: [],
  watches: undefined,
};
export const create = (path: string, mode = 0): Op => ({
  $case: "create",
  value: { path, data: Buffer.from("x"), acl: [], mode, ttl: 0n },
});
