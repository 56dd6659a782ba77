import type { ZabMessage } from "../consensus/messages.js";
import type { Entry, Outbound, Ready, Role } from "../consensus/ready.js";
import type { ZabNode } from "../consensus/zab-node.js";
import type { PeerMessage, TraceContext } from "../gen/paddock/internal/v1/peer.js";
import { assert } from "../util/assert.js";
import { zxidHex } from "../util/zxid.js";
import { type LeaderReport, LeaderReports, reportToWire } from "./leader-report.js";
import { ReadyLoop } from "./ready-loop.js";
import { ReplicaStats } from "./replica-stats.js";
import type { Storage } from "./storage.js";
import { zabFromWire, zabToWire } from "./zab-codec.js";

/** Messages to one learner that may wait behind its SNAP state while it is encoded. */
const HELD_MESSAGES_MAX = 200_000;

/** How the replica reaches its peers (server/transport's PeerTransport fits). */
export interface PeerLink {
  /** Queues a message; false when there is no open stream (dropped: ZAB tolerates loss). */
  send(to: number, message: PeerMessage): boolean;
}

/** Moving the applied state for SNAP; the composition root knows the tree and the files. */
export interface StateTransfer {
  /**
   * Leader: the applied state at `zxid` as snapshot bytes, or undefined if it is no longer there.
   * A promise when encoding takes long (a large tree): the learner's later ZAB messages then wait
   * behind the state, so it still sees them after it, in order.
   */
  encode(zxid: number): Uint8Array | Promise<Uint8Array> | undefined;
  /** Learner: makes the received state the applied one at `zxid`, durably. */
  install(zxid: number, bytes: Uint8Array): Promise<void>;
}

/** What the pipeline plugs in. */
export interface ReplicaHooks {
  apply(committed: readonly Entry[]): void;
  storageFailed(error: Error): void;
  /** Role, epoch, leader or serving changed. */
  viewChanged(view: ReplicaView): void;
  /** Forwarded requests, their replies and session touches (everything but ZAB and SNAP data). */
  peerMessage(from: number, message: PeerMessage): void;
}

/**
 * Tracing's view of the ZAB traffic (server/pipeline/proposal-tracing.ts), plugged in only when
 * tracing is on: with none, the peer path pays one undefined check per message.
 */
export interface ZabObserver {
  /** A message leaves for `to`; a proposal may return the trace context it carries. */
  sent(to: number, message: ZabMessage): TraceContext | undefined;
  /** A message arrived from `from` (before the core steps it), with the trace context it carried. */
  received(from: number, message: ZabMessage, trace: TraceContext | undefined): void;
}

export interface ReplicaView {
  readonly role: Role;
  readonly epoch: number;
  /** -1 while looking. */
  readonly leaderId: number;
  /** Synchronised with a leader (or leading one): may serve clients. */
  readonly serving: boolean;
}

/**
 * Runs work later: RxJS's asyncScheduler in the server, a virtual clock's scheduler in tests
 * (the structural part of rxjs's SchedulerLike this folder needs, without importing rxjs).
 */
export interface ReplicaScheduler {
  schedule(work: () => void, delay: number): { unsubscribe(): void };
}

export interface ReplicaOptions {
  /** One core tick, a fraction of tickTime. */
  readonly tickMs: number;
  /** Ticks the core; asyncScheduler in the server. */
  readonly scheduler: ReplicaScheduler;
  /** Runs the Ready loop after the current work (a microtask in the server). */
  readonly soon?: (work: () => void) => void;
  /** SNAP data is sent in chunks of at most this many bytes. */
  readonly snapshotChunkBytes: number;
  readonly log: (level: "info" | "warn" | "error", message: string) => void;
  /** Milliseconds for ReplicaStats (performance.now in the server); absent: nothing is timed. */
  readonly clock?: () => number;
  /** A leader sends its learners its LeaderReport every this many ticks; absent or 0: never. */
  readonly leaderReportTicks?: number;
  /** The configurations changed (reconfig): reach their members, record the active one. */
  readonly configChanged?: (config: NonNullable<Ready["config"]>) => void;
}

/**
 * One member's replication around the pure ZAB core: the Ready loop, the tick timer, the peer
 * messages in and out (ZAB packets through zab-codec, SNAP state as chunks sent ahead of the
 * snap packet on the same FIFO stream) and the member's view (role, leader, serving).
 */
export class Replica {
  private readonly loop: ReadyLoop;
  private hooks: ReplicaHooks | undefined;
  private link: PeerLink | undefined;
  private zabObserver: ZabObserver | undefined;
  private timer: { unsubscribe(): void } | undefined;
  private stopped = false;
  private lastView: ReplicaView;
  /** SNAP state arriving from the leader, and the last complete one. */
  private incoming: { from: number; zxid: number; chunks: Uint8Array[] } | undefined;
  private received: { zxid: number; bytes: Uint8Array } | undefined;
  private encoded: { zxid: number; bytes: Uint8Array | Promise<Uint8Array> } | undefined;
  /** Learners whose SNAP state is still being encoded: their ZAB messages since, in order. */
  private readonly held = new Map<number, PeerMessage[]>();
  /** Election time, proposal latency and counts, read by the admin commands and /metrics. */
  readonly stats: ReplicaStats;
  private readonly reports: LeaderReports;

  constructor(
    readonly node: ZabNode,
    readonly storage: Storage,
    private readonly transfer: StateTransfer,
    private readonly options: ReplicaOptions,
  ) {
    this.lastView = this.currentView();
    this.stats = new ReplicaStats(options.clock ?? (() => 0));
    this.reports = new LeaderReports(options.leaderReportTicks ?? 0);
    // A member starts looking: its first election is timed from here.
    if (options.clock !== undefined) this.stats.viewChanged(this.lastView.role, this.lastView.serving);
    this.loop = new ReadyLoop(node, storage, options.soon ?? queueMicrotask, {
      apply: (committed) => this.hooks?.apply(committed),
      storageFailed: (error) => this.hooks?.storageFailed(error),
      send: (messages) => this.send(messages),
      installSnapshot: (zxid) => this.install(zxid),
      afterReady: (ready: Ready) => {
        if (ready.config !== undefined) options.configChanged?.(ready.config);
        if (options.clock !== undefined) this.stats.ready(ready);
        this.checkView();
      },
    });
  }

  get view(): ReplicaView {
    return this.lastView;
  }

  attach(hooks: ReplicaHooks): void {
    this.hooks = hooks;
  }

  connect(link: PeerLink): void {
    this.link = link;
  }

  /** Tracing watches proposals, acks and their trace context (only when tracing is on). */
  observe(observer: ZabObserver): void {
    this.zabObserver = observer;
  }

  /** Starts ticking; the first Ready runs at once (a lone voter replays its recovered log). */
  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.timer = this.options.scheduler.schedule(tick, this.options.tickMs);
      this.node.tick();
      this.checkView();
      if (this.reports.tick()) this.sendLeaderReport();
      this.kick();
    };
    this.timer = this.options.scheduler.schedule(tick, this.options.tickMs);
    this.kick();
  }

  kick(): void {
    this.loop.kick();
  }

  stop(): void {
    this.stopped = true;
    this.held.clear();
    this.timer?.unsubscribe();
    this.loop.stop();
  }

  /** A message to the current leader (forwarded requests, session touches); false if none. */
  sendToLeader(message: PeerMessage): boolean {
    const leader = this.lastView.leaderId;
    if (leader < 0 || leader === this.node.serverId || this.link === undefined) return false;
    return this.link.send(leader, message);
  }

  /**
   * How the leader sees its learners: its own view while leading, else the last one its leader
   * sent (fresh, same epoch) while this member follows or observes; undefined otherwise.
   */
  leaderReport(): LeaderReport | undefined {
    const node = this.node;
    if (!node.isBroadcasting) return undefined;
    if (node.currentRole !== "leading") return this.reports.latest(node.leaderId, node.currentEpoch);
    return {
      leaderId: node.serverId,
      epoch: node.currentEpoch,
      lastZxid: node.lastZxid,
      learners: node.learners(),
    };
  }

  sendTo(id: number, message: PeerMessage): boolean {
    return this.link?.send(id, message) ?? false;
  }

  onPeerMessage(from: number, message: PeerMessage): void {
    const kind = message.kind;
    if (kind === undefined || kind.$case === "hello") return;
    if (kind.$case === "zab") {
      const zab = zabFromWire(kind.value);
      this.zabObserver?.received(from, zab, kind.value.trace);
      this.node.step(from, zab);
      this.kick();
    } else if (kind.$case === "ensembleStatus") {
      this.reports.received(from, kind.value);
    } else if (kind.$case === "snapshotChunk") {
      const chunk = kind.value;
      const zxid = Number(chunk.zxid);
      if (this.incoming?.zxid !== zxid || this.incoming.from !== from)
        this.incoming = { from, zxid, chunks: [] };
      this.incoming.chunks.push(chunk.data);
      if (chunk.last) {
        this.received = { zxid, bytes: Buffer.concat(this.incoming.chunks) };
        this.incoming = undefined;
      }
    } else {
      this.hooks?.peerMessage(from, message);
    }
  }

  onPeerDown(id: number): void {
    // Only the sender's stream carried its chunks: another peer going away leaves them whole (a
    // reset there made the sender's later chunks look like a whole state: real-pipeline simulator).
    if (this.incoming?.from === id) this.incoming = undefined;
    // Its stream is gone, and what was held for it with it: it syncs again when it is back.
    this.held.delete(id);
    this.node.peerDisconnected(id);
    this.checkView();
    this.kick();
  }

  private send(messages: readonly Outbound[]): void {
    const link = this.link;
    if (link === undefined) return;
    for (const { to, message } of messages) {
      if (message.type === "snap" && !this.sendState(to, message.zxid)) continue;
      if (message.type === "diff" || message.type === "trunc" || message.type === "snap")
        this.stats.syncServed(message.type);
      if (message.type === "diff" || message.type === "trunc")
        this.options.log("info", `sending ${message.type.toUpperCase()} ${zxidHex(message.zxid)} to ${to}`);
      const packet = zabToWire(message);
      if (this.zabObserver !== undefined) packet.trace = this.zabObserver.sent(to, message);
      const wire: PeerMessage = { kind: { $case: "zab", value: packet } };
      const held = this.held.get(to);
      if (held === undefined) link.send(to, wire);
      else if (held.length < HELD_MESSAGES_MAX) held.push(wire);
      else {
        // Dropped as a lost stream would drop them: the learner's sync times out and it retries.
        this.held.delete(to);
        this.options.log(
          "warn",
          `SNAP for ${to} dropped: over ${HELD_MESSAGES_MAX} messages waited behind it`,
        );
      }
    }
    // Encoded state is kept only for the learners of one batch.
    this.encoded = undefined;
  }

  /**
   * The applied state goes ahead of the snap packet on the same stream. Still being encoded, it is
   * sent when done, and the snap packet and every later message to that learner wait for it.
   */
  private sendState(to: number, zxid: number): boolean {
    if (this.encoded?.zxid !== zxid) {
      const bytes = this.transfer.encode(zxid);
      if (bytes === undefined) {
        // The learner's sync times out and it retries against the state then.
        this.options.log("warn", `SNAP for ${to} skipped: applied state moved past ${zxidHex(zxid)}`);
        return false;
      }
      this.encoded = { zxid, bytes };
    }
    const bytes = this.encoded.bytes;
    if (bytes instanceof Uint8Array) return this.sendChunks(to, zxid, bytes);
    const queue: PeerMessage[] = [];
    this.held.set(to, queue);
    bytes.then(
      (state) => {
        if (this.held.get(to) !== queue) return;
        this.held.delete(to);
        if (!this.sendChunks(to, zxid, state)) return;
        for (const message of queue) if (this.link?.send(to, message) !== true) return;
      },
      (error: unknown) => {
        if (this.held.get(to) === queue) this.held.delete(to);
        this.options.log("warn", `SNAP for ${to} failed: ${(error as Error).message}`);
      },
    );
    return true;
  }

  private sendChunks(to: number, zxid: number, bytes: Uint8Array): boolean {
    const link = this.link;
    if (this.stopped || link === undefined) return false;
    const size = this.options.snapshotChunkBytes;
    this.options.log("info", `sending SNAP ${zxidHex(zxid)} (${bytes.length} bytes) to ${to}`);
    let at = 0;
    do {
      const data = Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(size, bytes.length - at));
      at += data.length;
      const chunk = { zxid: BigInt(zxid), data, last: at >= bytes.length };
      if (!link.send(to, { kind: { $case: "snapshotChunk", value: chunk } })) return false;
    } while (at < bytes.length);
    return true;
  }

  private async install(zxid: number): Promise<void> {
    const received = this.received;
    assert(received?.zxid === zxid, `SNAP ${zxidHex(zxid)} arrived without its state`);
    this.received = undefined;
    this.encoded = undefined;
    await this.transfer.install(zxid, received.bytes);
    this.options.log("info", `installed SNAP ${zxidHex(zxid)} (${received.bytes.length} bytes)`);
  }

  private sendLeaderReport(): void {
    const report = this.node.currentRole === "leading" ? this.leaderReport() : undefined;
    if (report === undefined || this.link === undefined) return;
    const message: PeerMessage = { kind: { $case: "ensembleStatus", value: reportToWire(report) } };
    for (const l of report.learners) this.link.send(l.id, message);
  }

  private currentView(): ReplicaView {
    const node = this.node;
    return {
      role: node.currentRole,
      epoch: node.currentEpoch,
      leaderId: node.leaderId,
      serving: node.isBroadcasting,
    };
  }

  private checkView(): void {
    const view = this.currentView();
    const last = this.lastView;
    if (
      view.role === last.role &&
      view.epoch === last.epoch &&
      view.leaderId === last.leaderId &&
      view.serving === last.serving
    )
      return;
    this.lastView = view;
    // A state still being encoded belongs to a term that ended: its learners sync again.
    if (view.role !== "leading" || view.epoch !== last.epoch) this.held.clear();
    if (this.options.clock !== undefined) this.stats.viewChanged(view.role, view.serving);
    this.hooks?.viewChanged(view);
  }
}
