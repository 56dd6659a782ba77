import { PeerMessage } from "../../../server/gen/paddock/internal/v1/peer.js";
import type { PeerLink } from "../../../server/replica/replica.js";
import type { Prng } from "../../../server/util/prng.js";

/** What the network does to a member: its peer messages and the stream-down notice. */
export interface NetEndpoint {
  onPeerMessage(from: number, message: PeerMessage): void;
  onPeerDown(id: number): void;
}

export interface NetClock {
  now(): number;
  schedule(work: () => void, delay: number): unknown;
}

export interface NetOptions {
  readonly tickMs: number;
  readonly faults: boolean;
  /** Per-message chance, in thousandths, that the stream breaks and the message is lost. */
  readonly dropPerMille: number;
  /** Per-message chance, in thousandths, of a delay of 10 to 29 ticks (FIFO: later ones wait too). */
  readonly longDelayPerMille: number;
  /** Per-break chance, in thousandths, that one end notices the break late (a half-open stream). */
  readonly lateNoticePerMille: number;
}

/** A half-open stream's late end notices within this many ticks (keepalive time plus its timeout). */
export const LATE_NOTICE_TICKS_MAX = 20;

export interface NetStats {
  streamsBroken: number;
  longDelays: number;
  messages: number;
  /** Breaks that one end noticed late. */
  lateNotices: number;
  /** Messages delivered to a late end after its peer had heard the break. */
  staleDeliveries: number;
  /** Of those, messages of a member that had crashed by then... */
  staleFromCrashed: number;
  /** ...and had restarted too. */
  staleAfterRestart: number;
}

/** One bidirectional stream between two members, as one PeerTransport connection. */
interface Stream {
  up: boolean;
  /** Per direction ("a>b"), bumped when what is in flight that way is lost. */
  readonly generation: Map<string, number>;
  reconnectAt: number;
  /** Last delivery time per direction ("a>b"): FIFO per direction. */
  readonly last: Map<string, number>;
  /**
   * The end that has not noticed the break yet, the other end, and until when what is in flight
   * to the late end is held (stuck in retransmission), always before it notices.
   */
  late: { id: number; other: number; holdUntil: number } | undefined;
}

/**
 * A seeded network between real Replicas, shaped like server/transport's PeerTransport: one FIFO
 * stream per pair of members, messages encoded and decoded as on the wire, `send` false while the
 * stream is down. A lost message is a broken stream: both ends hear onPeerDown (never from inside
 * send), what was in flight is gone, and the stream comes back after a reconnect backoff. A
 * partition cuts a group off: streams across it break and stay down until it heals.
 *
 * Reordering, as it can happen with PeerTransport: a stream never reorders, and its old and new
 * connections never interleave (the dialer closes the old call before it redials; the listener
 * closes the old one when the new one's Hello arrives, and a closed call's data is dropped). What
 * does happen is a half-open stream: one end sees the break (its call ended, a keepalive expired)
 * and moves on, while the other still reads what was already sent to it, sends into the void
 * (send answers true) and hears onPeerDown only at its own keepalive timeout or when the new
 * connection replaces the old, whichever comes first. Its peer's messages then arrive after that
 * peer heard the break, elected, or crashed and restarted: after newer messages of that peer to
 * other members. With `lateNoticePerMille`, a break (a lost message, a crash, a partition) leaves
 * one end late for up to LATE_NOTICE_TICKS_MAX ticks; what is in flight to it still arrives,
 * except across a partition.
 */
export class SimNetwork {
  private readonly endpoints = new Map<number, NetEndpoint>();
  /** Incarnations per member (attach count), to tell a message from a previous life. */
  private readonly lives = new Map<number, number>();
  private readonly streams = new Map<string, Stream>();
  private cut: ReadonlySet<number> | undefined;
  /** Where half-open breaks are noted (the fault log of a failing seed's report). */
  note: (what: string) => void = () => {};

  constructor(
    private readonly clock: NetClock,
    private readonly rng: Prng,
    private readonly options: NetOptions,
    readonly stats: NetStats,
  ) {}

  /** A member (re)started: its streams come up at the next reconnect. */
  attach(id: number, endpoint: NetEndpoint): void {
    this.endpoints.set(id, endpoint);
    this.lives.set(id, (this.lives.get(id) ?? 0) + 1);
  }

  /**
   * A member crashed: its streams break; its peers hear it, or one may not yet (its kernel still
   * delivers what the dead process had sent). Nothing in flight reaches its next incarnation.
   */
  detach(id: number): void {
    this.endpoints.delete(id);
    for (const [key, stream] of this.streams) {
      const [a, b] = key.split("-").map(Number) as [number, number];
      if (a !== id && b !== id) continue;
      const other = a === id ? b : a;
      if (stream.late?.id === id) stream.late = undefined;
      this.lose(stream, other, id);
      this.breakStream(a, b, stream, { late: other, deliver: true });
    }
  }

  /** The link a member's Replica sends on. */
  linkOf(id: number): PeerLink {
    return { send: (to, message) => this.send(id, to, message) };
  }

  /** Cuts `group` off from the rest until heal(). */
  partition(group: ReadonlySet<number>): void {
    this.cut = group;
    for (const [key, stream] of this.streams) {
      const [a, b] = key.split("-").map(Number) as [number, number];
      if (!this.isCut(a, b)) continue;
      // Nothing crosses the cut, not even to an end that has not noticed yet.
      this.lose(stream, a, b);
      this.lose(stream, b, a);
      this.breakStream(a, b, stream, { deliver: false });
    }
  }

  heal(): void {
    this.cut = undefined;
  }

  get partitioned(): ReadonlySet<number> | undefined {
    return this.cut;
  }

  /** Brings up streams whose backoff ended between live, connected members (call every tick). */
  reconnect(ids: readonly number[]): void {
    const now = this.clock.now();
    for (const a of ids) {
      for (const b of ids) {
        if (a >= b || !this.endpoints.has(a) || !this.endpoints.has(b) || this.isCut(a, b)) continue;
        const stream = this.stream(a, b);
        if (stream.up || stream.reconnectAt > now) continue;
        // The new connection replaces the old: an end that had not noticed hears it now.
        this.notice(stream);
        stream.up = true;
      }
    }
  }

  private isCut(a: number, b: number): boolean {
    return this.cut !== undefined && this.cut.has(a) !== this.cut.has(b);
  }

  private stream(a: number, b: number): Stream {
    const key = `${Math.min(a, b)}-${Math.max(a, b)}`;
    let stream = this.streams.get(key);
    if (stream === undefined) {
      stream = { up: false, generation: new Map(), reconnectAt: 0, last: new Map(), late: undefined };
      this.streams.set(key, stream);
    }
    return stream;
  }

  private send(from: number, to: number, message: PeerMessage): boolean {
    const stream = this.stream(from, to);
    // A half-open stream's late end still writes; the bytes go nowhere.
    if (!stream.up) return stream.late?.id === from;
    const o = this.options;
    if (o.faults && this.rng.below(1000) < o.dropPerMille) {
      this.breakStream(from, to, stream, { deliver: true });
      return true;
    }
    this.stats.messages++;
    const now = this.clock.now();
    let delay = 10 * this.rng.below(o.tickMs / 10);
    if (o.faults && this.rng.below(1000) < o.longDelayPerMille) {
      this.stats.longDelays++;
      delay = (10 + this.rng.below(20)) * o.tickMs;
    }
    const dir = `${from}>${to}`;
    const at = Math.max(stream.last.get(dir) ?? 0, now + 1 + delay);
    stream.last.set(dir, at);
    const generation = stream.generation.get(dir) ?? 0;
    const life = this.lives.get(from);
    // As on the wire: the receiver gets its own decoded copy.
    const bytes = PeerMessage.encode(message).finish();
    const deliver = (): void => {
      if ((stream.generation.get(dir) ?? 0) !== generation) return;
      if (!stream.up) {
        // In flight to a half-open stream's late end: held, then delivered in order.
        const hold = (stream.late?.holdUntil ?? 0) - this.clock.now();
        if (hold > 0) {
          this.clock.schedule(deliver, hold);
          return;
        }
        this.stats.staleDeliveries++;
        const crashed = !this.endpoints.has(from) || this.lives.get(from) !== life;
        if (crashed) this.stats.staleFromCrashed++;
        if (crashed && this.endpoints.has(from)) this.stats.staleAfterRestart++;
      }
      this.endpoints.get(to)?.onPeerMessage(from, PeerMessage.decode(bytes));
    };
    this.clock.schedule(deliver, at - now);
    return true;
  }

  /** What is in flight from `from` to `to` on this stream is lost. */
  private lose(stream: Stream, from: number, to: number): void {
    const dir = `${from}>${to}`;
    stream.generation.set(dir, (stream.generation.get(dir) ?? 0) + 1);
  }

  /** A half-open stream's late end notices: what is still in flight to it is dropped. */
  private notice(stream: Stream): void {
    const late = stream.late;
    if (late === undefined) return;
    stream.late = undefined;
    this.lose(stream, late.other, late.id);
    this.endpoints.get(late.id)?.onPeerDown(late.other);
  }

  /**
   * Breaks an up stream. Both ends hear it at once, or (lateNoticePerMille) one end, `how.late`
   * if given, else either, hears it up to LATE_NOTICE_TICKS_MAX ticks later and meanwhile still
   * gets what was in flight to it when `how.deliver`; everything else in flight is lost.
   */
  private breakStream(a: number, b: number, stream: Stream, how: { late?: number; deliver: boolean }): void {
    if (!stream.up) return;
    stream.up = false;
    stream.last.clear();
    const now = this.clock.now();
    const tickMs = this.options.tickMs;
    stream.reconnectAt = now + (1 + this.rng.below(3)) * tickMs;
    this.stats.streamsBroken++;
    const o = this.options;
    const late =
      o.faults && this.rng.below(1000) < o.lateNoticePerMille
        ? (how.late ?? (this.rng.below(2) === 0 ? a : b))
        : undefined;
    if (late === undefined || !how.deliver) {
      this.lose(stream, a, b);
      this.lose(stream, b, a);
    }
    if (late !== undefined) {
      const other = late === a ? b : a;
      this.lose(stream, late, other);
      this.stats.lateNotices++;
      const noticeIn = (1 + this.rng.below(LATE_NOTICE_TICKS_MAX)) * tickMs;
      const half = { id: late, other, holdUntil: now + this.rng.below(noticeIn) };
      this.note(`half-open ${a}-${b}: ${late} hears it in ${noticeIn / tickMs} ticks`);
      stream.late = half;
      this.clock.schedule(() => {
        if (stream.late === half) this.notice(stream);
      }, noticeIn);
    }
    // Never from inside send(): the transport reports a broken stream afterwards.
    this.clock.schedule(() => {
      if (late !== b) this.endpoints.get(a)?.onPeerDown(b);
      if (late !== a) this.endpoints.get(b)?.onPeerDown(a);
    }, 0);
  }
}
