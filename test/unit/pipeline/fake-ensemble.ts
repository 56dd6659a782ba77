import type { Tracer } from "@opentelemetry/api";
import { VirtualTimeScheduler } from "rxjs";
import type { Entry, HardState } from "../../../server/consensus/ready.js";
import { ZabNode } from "../../../server/consensus/zab-node.js";
import type { PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import type { ConnectRequest, Request, ServerMessage } from "../../../server/gen/paddock/v1/session.js";
import type { FrontConnection } from "../../../server/pipeline/front.js";
import type { LocalSessionOptions } from "../../../server/pipeline/local-session-tracker.js";
import { Pipeline } from "../../../server/pipeline/pipeline.js";
import { Replica } from "../../../server/replica/replica.js";
import type { Storage } from "../../../server/replica/storage.js";
import { SessionTable } from "../../../server/sessions/index.js";
import { DataTree } from "../../../server/tree/data-tree.js";
import { Prep } from "../../../server/tree/prep.js";
import { Code } from "../../../server/util/error-code.js";
import { defaultLimits } from "../../../server/util/limits.js";
import { PaddockError } from "../../../server/util/paddock-error.js";
import { Prng } from "../../../server/util/prng.js";
import { WatchRegistry } from "../../../server/watches/watch-registry.js";

export type Op = NonNullable<Request["op"]>;

/**
 * Durable at once unless held: these tests are about the pipeline's order and timing, not the
 * disk's. While held (`holdStorage(id)`), appends, truncations and hard-state saves all wait, in
 * call order, as behind one slow fsync, until the test completes or releases them.
 */
class MemoryStorage implements Storage {
  failure = undefined;
  /** Resolvers of the writes waiting, oldest first; undefined while not held. */
  held: (() => void)[] | undefined;
  private write(): Promise<void> | undefined {
    const held = this.held;
    return held === undefined ? undefined : new Promise((resolve) => held.push(resolve));
  }
  append(_entries: readonly Entry[]): Promise<void> | undefined {
    return this.write();
  }
  async truncate(): Promise<void> {
    await this.write();
  }
  snapshotInstalled(): void {}
  async saveHardState(_state: HardState): Promise<void> {
    await this.write();
  }
  async close(): Promise<void> {}
  /** Completes the writes waiting now; later ones wait too while `hold` stays on. */
  complete(hold: boolean): void {
    const waiting = this.held ?? [];
    this.held = hold ? [] : undefined;
    for (const resolve of waiting) resolve();
  }
}

export const TICK_MS = 100;

export interface FakeMember {
  readonly id: number;
  readonly pipeline: Pipeline;
  readonly tree: DataTree;
  readonly replica: Replica;
}

/**
 * The real Pipeline, Replica, ReadyLoop and ZabNode of `size` voters in one process, on one
 * virtual clock, joined by an in-process peer network that delivers each link's messages in order
 * on the clock's next step. `hold(id)` keeps every message addressed to member `id` until
 * `release(id)`: that member falls behind (it applies nothing new) while the others go on.
 * `isolate(id)` breaks member `id`'s streams until `rejoin(id)`: what was in flight is lost.
 * `holdStorage(id)` makes member `id`'s fsync lag: its writes stay pending (not durable, so not
 * acked, applied or followed by the Ready's messages) until `completeStorage` or `releaseStorage`.
 */
export function fakeEnsemble(
  size: number,
  options: { localSessions?: LocalSessionOptions; tracer?: Tracer } = {},
) {
  const { tracer, ...pipelineOptions } = options;
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const clock = (): number => scheduler.now();
  const voters = Array.from({ length: size }, (_, i) => i + 1);
  const log: string[] = [];
  const replicas = new Map<number, Replica>();
  const storages = new Map<number, MemoryStorage>();
  const held = new Map<number, { from: number; message: PeerMessage }[]>();
  const isolated = new Set<number>();
  const cut = (a: number, b: number): boolean => isolated.has(a) || isolated.has(b);
  /** False while the stream is down (an isolated member's): the message is not sent. */
  const deliver = (from: number, to: number, message: PeerMessage): boolean => {
    if (cut(from, to)) return false;
    const queue = held.get(to);
    if (queue !== undefined) queue.push({ from, message });
    else scheduler.schedule(() => cut(from, to) || replicas.get(to)?.onPeerMessage(from, message), 0);
    return true;
  };
  const members: FakeMember[] = voters.map((id) => {
    const tree = new DataTree();
    const node = new ZabNode({
      id,
      voters,
      acceptedEpoch: 0,
      lastZxid: 0,
      proposalsInFlightMax: 1000,
      electionTimeoutTicks: 4,
      heartbeatTicks: 1,
      initLimitTicks: 100,
      syncLimitTicks: 100,
      random: new Prng(id),
    });
    const storage = new MemoryStorage();
    storages.set(id, storage);
    const replica = new Replica(
      node,
      storage,
      { encode: () => undefined, install: async () => {} },
      { tickMs: TICK_MS, scheduler, snapshotChunkBytes: 1 << 20, log: (_l, m) => log.push(`${id}: ${m}`) },
    );
    replica.connect({ send: (to, message) => deliver(id, to, message) });
    replicas.set(id, replica);
    let nextId = BigInt(id) << 56n;
    const pipeline = new Pipeline(
      {
        tree,
        prep: new Prep(tree, { limits: defaultLimits, extendedTypesEnabled: true }),
        sessions: new SessionTable({
          tickMs: TICK_MS * 20,
          minTimeoutMs: 400,
          maxTimeoutMs: 60_000,
          sessionsMax: 100,
        }),
        watches: new WatchRegistry({ watchesPerSessionMax: 100 }),
        replica,
        clock,
        scheduler,
        tracer,
        log: (_l, m) => log.push(`${id}: ${m}`),
        authenticate: () => {
          throw new PaddockError(Code.AuthFailed, "", "no auth in this test");
        },
        nextSessionId: () => nextId++,
        randomBytes: (n) => new Uint8Array(n).fill(id),
      },
      {
        limits: defaultLimits,
        tickMs: TICK_MS * 20,
        containerCheckMs: 60_000,
        proposalsInFlightMax: 1000,
        zookeeperConfig: new Uint8Array(0),
        ...pipelineOptions,
      },
      { connectionsPerAddressMax: 10, requestsBeforeConnectMax: 10 },
    );
    return { id, pipeline, tree, replica };
  });
  for (const replica of replicas.values()) replica.start();

  /** Moves the virtual clock to `ms`, letting the Ready loops' microtasks run at each step. */
  const advanceTo = async (ms: number): Promise<void> => {
    for (let t = scheduler.now(); t <= ms; t += TICK_MS / 2) {
      scheduler.maxFrames = t;
      scheduler.flush();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
  };
  return {
    members,
    scheduler,
    log,
    advanceTo,
    /** Advances in steps until `done()` holds; throws past `untilMs` of virtual time. */
    async advanceUntil(done: () => boolean, untilMs: number): Promise<void> {
      // The clock reads the last action's time: step from our own target, or a quiet stretch
      // longer than a step would never be crossed.
      let target = scheduler.now();
      while (!done()) {
        if (target > untilMs) throw new Error(`not done by ${untilMs} ms; log:\n${log.join("\n")}`);
        target += TICK_MS / 2;
        await advanceTo(target);
      }
    },
    hold(id: number): void {
      if (!held.has(id)) held.set(id, []);
    },
    release(id: number): void {
      const queue = held.get(id) ?? [];
      held.delete(id);
      for (const { from, message } of queue) deliver(from, id, message);
    },
    /** Cuts member `id` off: its streams break (both ends hear it) and stay down until `rejoin(id)`. */
    isolate(id: number): void {
      isolated.add(id);
      scheduler.schedule(() => {
        for (const other of voters) {
          if (other === id) continue;
          replicas.get(id)?.onPeerDown(other);
          replicas.get(other)?.onPeerDown(id);
        }
      }, 0);
    },
    rejoin(id: number): void {
      isolated.delete(id);
    },
    /** Member `id`'s writes from now on stay pending until completed or released. */
    holdStorage(id: number): void {
      const storage = storages.get(id)!;
      storage.held ??= [];
    },
    /** How many of member `id`'s writes are pending. */
    storageWaiting(id: number): number {
      return storages.get(id)!.held?.length ?? 0;
    },
    /** Makes member `id`'s pending writes durable; the hold stays on for later ones. */
    completeStorage(id: number): void {
      storages.get(id)!.complete(true);
    },
    /** Makes member `id`'s pending writes durable and ends the hold. */
    releaseStorage(id: number): void {
      storages.get(id)!.complete(false);
    },
    leader(): FakeMember | undefined {
      return members.find((m) => replicas.get(m.id)!.view.role === "leading");
    },
    stop(): void {
      for (const m of members) m.pipeline.stop();
    },
  };
}

/** A client connection to one member, its received messages kept in arrival order. */
export function connection(member: FakeMember, address: string) {
  const received: ServerMessage[] = [];
  let xid = 0;
  let ended = false;
  const conn: FrontConnection = member.pipeline.front.accept(address, {
    send: (m) => received.push(m),
    end: () => {
      ended = true;
    },
  });
  return {
    conn,
    received,
    /** The server ended this connection. */
    get ended(): boolean {
      return ended;
    },
    connect(request: Partial<ConnectRequest> = {}): void {
      conn.connect({
        sessionId: 0n,
        password: Buffer.alloc(0),
        timeoutMs: 30_000,
        lastZxidSeen: 0n,
        auth: [],
        watches: undefined,
        ...request,
      });
    },
    get connected(): boolean {
      return received.some((m) => m.kind?.$case === "connected");
    },
    /** Submits ops in ONE batch (one envelope's worth); returns their xids. */
    send(...ops: Op[]): number[] {
      const requests = ops.map((op) => ({ xid: ++xid, timeoutMs: 0, trace: {}, op }));
      conn.submit(requests);
      return requests.map((r) => r.xid);
    },
    reply(x: number) {
      const m = received.find((r) => r.kind?.$case === "reply" && r.kind.value.xid === x);
      return m?.kind?.$case === "reply" ? m.kind.value : undefined;
    },
    /** "event <path>" or "reply <xid>" per message, in arrival order. */
    order(): string[] {
      return received.map((m) =>
        m.kind?.$case === "event"
          ? `event ${m.kind.value.path}`
          : m.kind?.$case === "reply"
            ? `reply ${m.kind.value.xid}`
            : (m.kind?.$case ?? "?"),
      );
    },
  };
}

export const create = (path: string, data = "old"): Op => ({
  $case: "create",
  value: { path, data: Buffer.from(data), acl: [], mode: 0, ttl: 0n },
});
export const setData = (path: string, data: string): Op => ({
  $case: "setData",
  value: { path, data: Buffer.from(data), version: undefined },
});
export const getData = (path: string, opts: { watch?: boolean; linearizable?: boolean } = {}): Op => ({
  $case: "getData",
  value: { path, watch: opts.watch ?? false, consistency: opts.linearizable ? 1 : 0 },
});
export const sync = (path: string): Op => ({ $case: "sync", value: { path } });
