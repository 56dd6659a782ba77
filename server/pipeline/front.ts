/**
 * The front-end API: the one way into the pipeline for every door (gRPC in server/api, ZooKeeper's
 * wire protocol in server/jute). A door accepts a connection here, then only translates bytes to
 * these calls and ServerMessages back; the connection rules (maxClientCnxns over all doors,
 * connect first, bounded buffering until the session is established) live here.
 */
import type { ConnectRequest, Reply, Request } from "../gen/paddock/v1/session.js";
import type { AuthId } from "../tree/data-tree.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { ConnectThrottle, type ConnectThrottleOptions } from "./connect-throttle.js";
import type { PipelineContext } from "./context.js";
import type { Batch } from "./intake.js";
import type { Op } from "./op-kinds.js";
import { type ReplySink, Requester } from "./requester.js";
import { SessionConnect } from "./session-connect.js";
import type { WatchHandle, WatchSink, WatchSpec } from "./watch-streams.js";

export type { AuthId } from "../tree/data-tree.js";
export type { Op } from "./op-kinds.js";
export type { ReplySink } from "./requester.js";
export type { WatchHandle, WatchSink, WatchSpec } from "./watch-streams.js";

export interface ConnectionRules {
  /** maxClientCnxns: connections per client address over every door, 0 for no limit. */
  readonly connectionsPerAddressMax: number;
  /** Requests a connection may send before its session is established. */
  readonly requestsBeforeConnectMax: number;
  /** zookeeper.connection_throttle_*: ConnectRequests per unit of time; absent or 0 tokens: none. */
  readonly connectThrottle?: ConnectThrottleOptions;
}

export class ClientFront {
  private readonly perAddress = new Map<string, number>();
  private readonly sessions: SessionConnect;
  private readonly throttle: ConnectThrottle;
  private unaryXid = 0;

  constructor(
    private readonly ctx: PipelineContext,
    private readonly rules: ConnectionRules,
    private readonly intake: (batch: Batch) => void,
  ) {
    this.sessions = new SessionConnect(ctx);
    const throttle = rules.connectThrottle ?? { tokens: 0, fillTimeMs: 1, fillCount: 1 };
    this.throttle = new ConnectThrottle(throttle, ctx.deps.monotonicMs ?? ctx.deps.clock);
  }

  /** ConnectRequests refused by the connection throttle since start. */
  get throttledConnects(): number {
    return this.throttle.refused;
  }

  /**
   * A new connection from `address` (its ip is the connection's first identity; a door may add
   * more, such as a client certificate's). Throws PaddockError(Throttled) past maxClientCnxns.
   */
  accept(address: string, sink: ReplySink, ids: readonly AuthId[] = []): FrontConnection {
    const count = this.perAddress.get(address) ?? 0;
    const max = this.rules.connectionsPerAddressMax;
    if (max > 0 && count >= max) {
      throw new PaddockError(
        Code.Throttled,
        "",
        `too many connections from ${address}: maxClientCnxns is ${max}`,
      );
    }
    this.perAddress.set(address, count + 1);
    const release = (): void => {
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    };
    return new FrontConnection(
      this.sessions,
      this.throttle,
      this.rules,
      this.intake,
      sink,
      [{ scheme: "ip", id: address }, ...ids],
      release,
    );
  }

  /** Credentials to identities (unary calls' metadata); throws PaddockError(AuthFailed). */
  authenticate(scheme: string, auth: Uint8Array): AuthId[] {
    return this.ctx.deps.authenticate(scheme, auth);
  }

  /** A sessionless call: its own one-request queue; resolves with the reply. */
  unary(op: Op, ids: readonly AuthId[], trace: Record<string, string> = {}, timeoutMs = 0): Promise<Reply> {
    return new Promise((resolve) => {
      let answered = false;
      const requester = new Requester(0n, ids, {
        send: (message) => {
          if (!answered && message.kind?.$case === "reply") {
            answered = true;
            resolve(message.kind.value);
          }
        },
        end: () => {},
      });
      // A forwarded write names its request by xid: unary calls get distinct ones.
      this.unaryXid = (this.unaryXid % 0x7fff_ffff) + 1;
      this.intake({ requester, requests: [{ xid: this.unaryXid, timeoutMs, trace, op }] });
    });
  }

  /**
   * A resumable watch stream (watch-streams.ts) with the caller's identities; its messages go to
   * the sink. Throws PaddockError(BadArguments) for a bad path or zxid.
   */
  watch(spec: WatchSpec, ids: readonly AuthId[], sink: WatchSink): WatchHandle {
    if (!this.ctx.member.serving) {
      throw new PaddockError(
        Code.ConnectionLoss,
        spec.path,
        "this member is not serving (no leader): try another",
      );
    }
    return this.ctx.watchStreams.open(spec, ids, sink);
  }

  /** The last zxid applied on this member (errors a door answers itself carry it). */
  get zxid(): number {
    return this.ctx.counters.appliedZxid;
  }
}

/** One client connection, whichever door it came through. */
export class FrontConnection {
  private requester: Requester | undefined;
  private connecting = false;
  private early: Request[] = [];
  /** Identities a door established before the session was ready (added when it is). */
  private lateIds: AuthId[] = [];
  private dropped = false;

  constructor(
    private readonly sessions: SessionConnect,
    private readonly throttle: ConnectThrottle,
    private readonly rules: ConnectionRules,
    private readonly intake: (batch: Batch) => void,
    private readonly sink: ReplySink,
    private readonly ids: readonly AuthId[],
    private readonly release: () => void,
  ) {}

  /** The session, once established. */
  get sessionId(): bigint | undefined {
    return this.requester?.sessionId;
  }

  /**
   * Opens (session id 0) or resumes a session; the answer comes on the sink. Once per connection.
   * Throws PaddockError(Throttled) when the connection throttle has no token: as ZooKeeper, the
   * door closes the connection and the client retries.
   */
  connect(request: ConnectRequest): void {
    if (this.connecting) throw PaddockError.badArguments("", "a second ConnectRequest on one connection");
    if (!this.throttle.take()) {
      const { tokens, fillCount, fillTimeMs } = this.throttle.options;
      throw new PaddockError(
        Code.Throttled,
        "",
        `connect refused: the connection throttle is empty (connection_throttle_tokens ${tokens}, ${fillCount} more every ${fillTimeMs} ms); retry later`,
      );
    }
    this.connecting = true;
    this.sessions.connect(
      request,
      this.sink,
      this.ids,
      (ready) => {
        if (this.dropped) {
          if (ready.sink === this.sink) ready.sink = undefined;
          return;
        }
        this.requester = ready;
        if (this.lateIds.length > 0) ready.addIds(this.lateIds);
        this.lateIds = [];
        const early = this.early;
        this.early = [];
        if (early.length > 0) this.intake({ requester: ready, requests: early });
      },
      () => !this.dropped,
    );
  }

  /**
   * Requests in arrival order. Before the session is established they wait (bounded); before
   * connect() they are a protocol error. Throws PaddockError(BadArguments) for either.
   */
  submit(requests: readonly Request[]): void {
    if (!this.connecting) throw PaddockError.badArguments("", "the first message must be a ConnectRequest");
    if (this.requester !== undefined) {
      this.intake({ requester: this.requester, requests });
      return;
    }
    const max = this.rules.requestsBeforeConnectMax;
    if (this.early.length + requests.length > max) {
      throw PaddockError.badArguments("", `more than ${max} requests before the session was established`);
    }
    this.early.push(...requests);
  }

  /**
   * Identities the door established on this connection (a SASL exchange, as ZooKeeper's
   * processSasl adds them): requests submitted from now on are checked with them, and watch events
   * are filtered with them; earlier requests keep the identities they arrived with.
   */
  addIds(ids: readonly AuthId[]): void {
    if (this.requester !== undefined) this.requester.addIds(ids);
    else this.lateIds.push(...ids);
  }

  /** The transport is gone: the session outlives it until it expires; its replies are dropped. */
  drop(): void {
    if (this.dropped) return;
    this.dropped = true;
    this.release();
    if (this.requester !== undefined && this.requester.sink === this.sink) this.requester.sink = undefined;
  }
}
