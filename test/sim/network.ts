import type { ZabMessage } from "../../server/consensus/messages.js";
import type { Member, SnapPayload } from "./member.js";
import type { SimContext } from "./sim-context.js";
import { snapPayload } from "./state-transfer.js";

interface InFlight {
  readonly at: number;
  readonly seq: number;
  readonly from: number;
  readonly to: number;
  readonly message: ZabMessage;
  readonly snapshot?: SnapPayload;
}

/**
 * The seeded network: FIFO per directed link (delay never reorders a link, as a stream would),
 * random drops that break the stream, and a partition of one member or a minority group that the
 * fault injector sets. A broken stream loses what was in flight on it, in both directions.
 */
export class Network {
  private net: InFlight[] = [];
  private readonly linkLast = new Map<string, number>();
  private seq = 0;
  /** Members cut off from the others until partitionUntil: one member, or a minority group. */
  private partition = new Set<number>();
  private partitionUntil = 0;
  /** Links whose stream broke this tick: closed (in-flight messages lost) at the next step. */
  private broken: [number, number][] = [];

  constructor(
    private readonly ctx: SimContext,
    /** The driver, run on a member after the network stepped its core. */
    private readonly drain: (m: Member) => void,
  ) {}

  /** A partition is in force. */
  get partitioned(): boolean {
    return this.ctx.now() < this.partitionUntil;
  }

  /** Cuts `ids` off from the others until tick `until`. */
  isolate(ids: Set<number>, until: number): void {
    this.partition = ids;
    this.partitionUntil = until;
  }

  heal(): void {
    this.partitionUntil = 0;
  }

  /** A crashed member's incoming links start afresh: nothing queued behind its old streams. */
  forgetLinksTo(id: number): void {
    for (const [k] of this.linkLast) if (k.endsWith(`>${id}`)) this.linkLast.delete(k);
  }

  send(from: Member, to: number, message: ZabMessage): void {
    const { options, rng, stats } = this.ctx;
    if (options.faults && rng.below(1000) < options.dropPerMille) {
      // A lost message on a stream is a broken stream: both ends learn of it, as from gRPC.
      this.broken.push([from.id, to]);
      return;
    }
    if (this.cut(from.id, to)) {
      // A partition that loses messages ends the stream too (keepalive), or a short one would
      // lose them silently, which TCP never does.
      this.broken.push([from.id, to]);
      return;
    }
    const key = `${from.id}>${to}`;
    const at = Math.max(this.linkLast.get(key) ?? 0, this.ctx.now() + 1 + rng.below(options.delayTicksMax));
    this.linkLast.set(key, at);
    stats[
      message.type === "snap" || message.type === "trunc" || message.type === "diff" ? message.type : "other"
    ]++;
    const snapshot = snapPayload(this.ctx, from, message);
    this.net.push({ at, seq: this.seq++, from: from.id, to, message, ...(snapshot ? { snapshot } : {}) });
  }

  /** Drops everything in flight between each broken pair and tells both members. */
  breakStreams(): void {
    const pairs = new Map(
      this.broken.map(([a, b]) => [`${Math.min(a, b)}-${Math.max(a, b)}`, [a, b] as const]),
    );
    this.broken = [];
    for (const [a, b] of pairs.values()) {
      this.ctx.stats.streamsBroken++;
      this.net = this.net.filter((f) => !((f.from === a && f.to === b) || (f.from === b && f.to === a)));
      for (const [self, other] of [
        [a, b],
        [b, a],
      ] as const) {
        const m = this.ctx.members.get(self)!;
        m.node?.peerDisconnected(other);
        this.drain(m);
      }
    }
  }

  /** Steps each member's core with the messages due this tick, in send order. */
  deliver(): void {
    const now = this.ctx.now();
    const due = this.net.filter((f) => f.at <= now).sort((x, y) => x.at - y.at || x.seq - y.seq);
    this.net = this.net.filter((f) => f.at > now);
    for (const f of due) {
      const m = this.ctx.members.get(f.to)!;
      if (m.node === undefined) continue;
      if (this.cut(f.from, f.to)) {
        this.broken.push([f.from, f.to]);
        continue;
      }
      if (f.snapshot !== undefined && f.message.type === "snap") m.snapshots.set(f.message.zxid, f.snapshot);
      m.node.step(f.from, f.message);
      this.drain(m);
    }
  }

  private cut(a: number, b: number): boolean {
    return this.partitioned && this.partition.has(a) !== this.partition.has(b);
  }
}
