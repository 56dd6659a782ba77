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
}

export interface NetStats {
  streamsBroken: number;
  longDelays: number;
  messages: number;
}

/** One bidirectional stream between two members, as one PeerTransport connection. */
interface Stream {
  up: boolean;
  /** Bumped when the stream breaks: what was in flight on the old one is lost. */
  generation: number;
  reconnectAt: number;
  /** Last delivery time per direction ("a>b"): FIFO per direction. */
  readonly last: Map<string, number>;
}

/**
 * A seeded network between real Replicas, shaped like server/transport's PeerTransport: one FIFO
 * stream per pair of members, messages encoded and decoded as on the wire, `send` false while the
 * stream is down. A lost message is a broken stream: both ends hear onPeerDown (never from inside
 * send), what was in flight is gone, and the stream comes back after a reconnect backoff. A
 * partition cuts a group off: streams across it break and stay down until it heals.
 */
export class SimNetwork {
  private readonly endpoints = new Map<number, NetEndpoint>();
  private readonly streams = new Map<string, Stream>();
  private cut: ReadonlySet<number> | undefined;

  constructor(
    private readonly clock: NetClock,
    private readonly rng: Prng,
    private readonly options: NetOptions,
    readonly stats: NetStats,
  ) {}

  /** A member (re)started: its streams come up at the next reconnect. */
  attach(id: number, endpoint: NetEndpoint): void {
    this.endpoints.set(id, endpoint);
  }

  /** A member crashed: its streams break; its peers hear it. */
  detach(id: number): void {
    this.endpoints.delete(id);
    for (const [key, stream] of this.streams) {
      const [a, b] = key.split("-").map(Number) as [number, number];
      if (a === id || b === id) this.breakStream(a, b, stream);
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
      if (this.isCut(a, b)) this.breakStream(a, b, stream);
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
        if (!stream.up && stream.reconnectAt <= now) stream.up = true;
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
      stream = { up: false, generation: 0, reconnectAt: 0, last: new Map() };
      this.streams.set(key, stream);
    }
    return stream;
  }

  private send(from: number, to: number, message: PeerMessage): boolean {
    const stream = this.stream(from, to);
    if (!stream.up) return false;
    const o = this.options;
    if (o.faults && this.rng.below(1000) < o.dropPerMille) {
      this.breakStream(from, to, stream);
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
    const generation = stream.generation;
    // As on the wire: the receiver gets its own decoded copy.
    const bytes = PeerMessage.encode(message).finish();
    this.clock.schedule(() => {
      if (stream.generation !== generation) return;
      this.endpoints.get(to)?.onPeerMessage(from, PeerMessage.decode(bytes));
    }, at - now);
    return true;
  }

  private breakStream(a: number, b: number, stream: Stream): void {
    if (!stream.up) return;
    stream.up = false;
    stream.generation++;
    stream.last.clear();
    stream.reconnectAt = this.clock.now() + (1 + this.rng.below(3)) * this.options.tickMs;
    this.stats.streamsBroken++;
    // Never from inside send(): the transport reports a broken stream afterwards.
    this.clock.schedule(() => {
      const ea = this.endpoints.get(a);
      const eb = this.endpoints.get(b);
      ea?.onPeerDown(b);
      eb?.onPeerDown(a);
    }, 0);
  }
}
