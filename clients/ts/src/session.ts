/**
 * The session core: one SessionService/Session stream at a time, the connect handshake, FIFO
 * request bookkeeping, per-turn envelope batching, heartbeats, deadlines, reconnects with
 * SetWatches, expiry and close. The public Client sits on top of it; tests drive it through a
 * fake Transport.
 *
 * Ordering: replies, watch events and session events are handled in one synchronous loop per
 * received envelope, in the order the server sent them, so a watch callback runs before the
 * promise of any later reply settles, and watch registrations made by a reply are in place
 * before the next message of the same envelope is looked at.
 */
import { context, propagation } from "@opentelemetry/api";
import {
  type ClientMessage,
  type ConnectResponse,
  type Reply,
  type ServerMessage,
  SessionState,
} from "../gen/paddock/v1/session.js";
import { type Call, CallQueue, DeadlineTimer, InFlightCalls, type RequestOp } from "./call.js";
import { chrootReply, chrootRequest, toClientPath, toServerPath } from "./chroot.js";
import { Code, errorFor, type PaddockError } from "./errors.js";
import type { SessionConfig, SessionHooks, SessionStateName, SubmitOptions } from "./session-config.js";
import type { SessionStream, Transport } from "./transport.js";
import { eventTypeName, type WatchEvent } from "./types.js";
import type { WatchManager } from "./watch-manager.js";

const terminal = new Set<SessionStateName>(["expired", "closed", "authFailed"]);
const xidMax = 0x7fffffff;

export class Session {
  state: SessionStateName = "connecting";
  sessionId: bigint;
  password: Buffer;
  negotiatedTimeoutMs = 0;
  lastZxidSeen = 0n;
  serverLimits = { maxRequestBytes: 0, maxOutstandingRequests: 0 };
  /** Credentials re-sent on every reconnect. */
  readonly auth: { scheme: string; auth: Buffer }[];
  /** Server address of the current or last stream. */
  address = "";

  private readonly queue = new CallQueue();
  private readonly inFlight = new InFlightCalls();
  private stream: SessionStream | undefined;
  private streamToken = 0;
  private handshaking = false;
  private closing = false;
  private nextXid = 1;
  private serverIndex = 0;
  private attemptsSinceConnected = 0;
  private flushScheduled = false;
  private lastSend = 0;
  private lastRecv = 0;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private attemptTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly deadlines = new DeadlineTimer((now) => this.sweepDeadlines(now));
  private connectTimer: NodeJS.Timeout | undefined;
  private firstConnect: { resolve(): void; reject(e: PaddockError): void } | undefined;

  constructor(
    private readonly config: SessionConfig,
    private readonly transport: Transport,
    private readonly watches: WatchManager,
    private readonly hooks: SessionHooks,
  ) {
    this.sessionId = config.sessionId;
    this.password = config.password;
    this.auth = [...config.auth];
  }

  /** Opens the session; resolves once connected, rejects on expiry, auth failure or timeout. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.firstConnect = { resolve, reject };
      this.connectTimer = setTimeout(() => {
        const first = this.firstConnect;
        if (first === undefined) return;
        this.firstConnect = undefined;
        const servers = this.config.servers.join(",");
        const ms = this.config.connectTimeoutMs;
        this.finish("closed", Code.ConnectionLoss);
        first.reject(errorFor(Code.ConnectionLoss, "", `could not connect to ${servers} within ${ms} ms`));
      }, this.config.connectTimeoutMs);
      this.attempt();
    });
  }

  get outstanding(): number {
    return this.inFlight.size;
  }

  get queued(): number {
    return this.queue.live;
  }

  /**
   * Queues one request; it goes out in this turn's envelope. Resolves with the Reply (error
   * replies included: the caller maps them); rejects on client-side failures only.
   */
  submit(op: RequestOp, options: SubmitOptions = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      if (terminal.has(this.state) || this.closing) {
        reject(this.terminalError(""));
        return;
      }
      if (this.queue.live >= this.config.maxQueued) {
        reject(
          errorFor(
            Code.Throttled,
            "",
            `client queue full: ${this.queue.live} calls already wait for one of ` +
              `${this.outstandingMax()} in-flight slots (maxQueued ${this.config.maxQueued})`,
          ),
        );
        return;
      }
      const timeoutMs = options.timeoutMs ?? this.config.requestTimeoutMs;
      const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;
      const trace = options.trace ?? {};
      if (options.trace === undefined) propagation.inject(context.active(), trace);
      const onReply = options.onReply;
      this.queue.push({
        xid: 0,
        op: chrootRequest(op, this.config.chroot),
        deadline,
        trace,
        bytes: options.bytes ?? 64,
        done: false,
        onReply: (reply) => {
          if (onReply !== undefined) onReply(reply);
          resolve(reply);
        },
        onFail: reject,
      });
      this.deadlines.arm(deadline);
      this.scheduleFlush();
    });
  }

  /** Sends close (after everything queued before it), waits for its reply, ends the stream. */
  async close(): Promise<void> {
    if (terminal.has(this.state) || this.closing) return;
    if (this.state === "connected") {
      const reply = this.submit({ $case: "close", value: {} });
      this.closing = true;
      await reply.catch(() => undefined);
    }
    this.closing = true;
    this.finish("closed", Code.SessionExpired);
  }

  // ---- sending ------------------------------------------------------------------------------

  private outstandingMax(): number {
    const server = this.serverLimits.maxOutstandingRequests;
    return server > 0 ? Math.min(server, this.config.maxOutstanding) : this.config.maxOutstanding;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.state !== "connected") return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Everything issued since the last flush, up to the in-flight bound, in as few envelopes as fit. */
  private flush(): void {
    this.flushScheduled = false;
    const stream = this.stream;
    if (this.state !== "connected" || stream === undefined) return;
    const limit = this.outstandingMax();
    const now = Date.now();
    let messages: ClientMessage[] = [];
    let bytes = 0;
    while (this.inFlight.size < limit) {
      const call = this.queue.shift();
      if (call === undefined) break;
      messages.push(this.toMessage(call, now));
      bytes += call.bytes;
      if (bytes >= this.config.envelopeBytesMax) {
        this.write(stream, messages);
        messages = [];
        bytes = 0;
      }
    }
    if (messages.length > 0) this.write(stream, messages);
  }

  private toMessage(call: Call, now: number): ClientMessage {
    call.xid = this.nextXid;
    this.nextXid = this.nextXid === xidMax ? 1 : this.nextXid + 1;
    this.inFlight.add(call);
    const timeoutMs = call.deadline === Number.POSITIVE_INFINITY ? 0 : Math.max(1, call.deadline - now);
    return {
      kind: { $case: "request", value: { xid: call.xid, timeoutMs, trace: call.trace, op: call.op } },
    };
  }

  private write(stream: SessionStream, messages: ClientMessage[]): void {
    this.lastSend = Date.now();
    stream.write({ messages });
  }

  private ping(): void {
    const stream = this.stream;
    if (stream === undefined) return;
    // Pings bypass the in-flight bound: a session whose slots are all taken must still live.
    const call: Call = {
      xid: 0,
      op: { $case: "ping", value: {} },
      deadline: Number.POSITIVE_INFINITY,
      trace: {},
      bytes: 8,
      done: false,
      onReply: () => undefined,
      onFail: () => undefined,
    };
    this.write(stream, [this.toMessage(call, Date.now())]);
  }

  // ---- receiving ----------------------------------------------------------------------------

  private onEnvelope(token: number, messages: ServerMessage[]): void {
    this.lastRecv = Date.now();
    for (const message of messages) {
      if (token !== this.streamToken) return; // a session event ended this stream mid-envelope
      const kind = message.kind;
      if (kind === undefined) continue;
      switch (kind.$case) {
        case "connected":
          this.onConnected(kind.value);
          break;
        case "reply":
          this.onReply(kind.value);
          break;
        case "event": {
          const event = kind.value;
          if (event.zxid > this.lastZxidSeen) this.lastZxidSeen = event.zxid;
          const watchEvent: WatchEvent = {
            type: eventTypeName(event.type),
            path: toClientPath(this.config.chroot, event.path),
            zxid: event.zxid,
          };
          const watchers = this.watches.materialize(watchEvent);
          if (watchers.size > 0) this.hooks.fire(watchers, watchEvent);
          break;
        }
        case "sessionEvent":
          this.onSessionEvent(kind.value.state, kind.value.error?.message);
          break;
      }
    }
  }

  private onConnected(response: ConnectResponse): void {
    if (!this.handshaking) return;
    this.handshaking = false;
    clearTimeout(this.attemptTimer);
    this.sessionId = response.sessionId;
    this.password = response.password;
    this.negotiatedTimeoutMs = response.timeoutMs;
    this.serverLimits = {
      maxRequestBytes: response.maxRequestBytes,
      maxOutstandingRequests: response.maxOutstandingRequests,
    };
    this.attemptsSinceConnected = 0;
    this.setState("connected");
    this.startHeartbeat();
    const first = this.firstConnect;
    this.firstConnect = undefined;
    clearTimeout(this.connectTimer);
    first?.resolve();
    this.scheduleFlush();
  }

  private onReply(reply: Reply): void {
    if (reply.zxid > this.lastZxidSeen) this.lastZxidSeen = reply.zxid;
    const call = this.inFlight.take(reply.xid);
    if (call === undefined) return; // a reply to a ping sent on an older stream, or a stray
    if (!call.done) {
      call.done = true;
      call.onReply(chrootReply(reply, this.config.chroot));
    }
    if (this.queue.live > 0) this.scheduleFlush();
  }

  private onSessionEvent(state: SessionState, message: string | undefined): void {
    switch (state) {
      case SessionState.SESSION_STATE_EXPIRED:
        this.finish("expired", Code.SessionExpired, message);
        break;
      case SessionState.SESSION_STATE_AUTH_FAILED:
        this.finish("authFailed", Code.AuthFailed, message);
        break;
      case SessionState.SESSION_STATE_CLOSED:
        this.finish("closed", Code.SessionExpired, message);
        break;
      case SessionState.SESSION_STATE_DISCONNECTED:
        this.onStreamLost();
        break;
      default:
        break;
    }
  }

  // ---- connection lifecycle -----------------------------------------------------------------

  private attempt(): void {
    this.reconnectTimer = undefined;
    if (terminal.has(this.state)) return;
    const servers = this.config.servers;
    const address = servers[this.serverIndex % servers.length] ?? "";
    this.serverIndex++;
    this.address = address;
    const token = ++this.streamToken;
    const stream = this.transport.open(address);
    this.stream = stream;
    this.handshaking = true;
    stream.on("data", (response) => {
      if (token === this.streamToken) this.onEnvelope(token, response.messages);
    });
    stream.on("error", () => {
      if (token === this.streamToken) this.onStreamLost();
    });
    stream.on("end", () => {
      if (token === this.streamToken) this.onStreamLost();
    });
    const resuming = this.sessionId !== 0n;
    this.write(stream, [
      {
        kind: {
          $case: "connect",
          value: {
            sessionId: this.sessionId,
            password: this.password,
            timeoutMs: this.config.sessionTimeoutMs,
            lastZxidSeen: this.lastZxidSeen,
            auth: this.auth.map((a) => ({ scheme: a.scheme, auth: a.auth })),
            watches:
              resuming && this.watches.size > 0
                ? this.watches.setWatches(this.lastZxidSeen, (p) => toServerPath(this.config.chroot, p))
                : undefined,
          },
        },
      },
    ]);
    // As ZooKeeper: each server gets its share of the session timeout to answer.
    const attemptMs = Math.max(1000, Math.floor(this.config.sessionTimeoutMs / servers.length));
    this.attemptTimer = setTimeout(() => {
      if (token === this.streamToken) this.onStreamLost();
    }, attemptMs);
  }

  /** The stream failed or ended: fail what was sent, then try the next server. */
  private onStreamLost(): void {
    if (terminal.has(this.state)) return;
    this.dropStream();
    if (this.state === "connected") {
      // As ZooKeeper's cleanup: everything sent or queued fails; calls made while
      // disconnected wait for the next connection.
      this.failAll(Code.ConnectionLoss);
      this.setState("disconnected");
    }
    // As ZooKeeper's client: the next server at once, and a pause (growing, jittered) only after
    // each full round of the list, so a client leaves a dead or electing member without waiting.
    const k = this.attemptsSinceConnected++;
    const n = this.config.servers.length;
    const round = Math.floor(k / n);
    const delay =
      round === 0 || k % n !== 0
        ? 0
        : Math.min(1000, 25 * 2 ** Math.min(round, 6)) * (0.5 + Math.random() / 2);
    this.reconnectTimer = setTimeout(() => this.attempt(), delay);
  }

  private dropStream(): void {
    this.streamToken++;
    this.handshaking = false;
    clearTimeout(this.attemptTimer);
    clearTimeout(this.heartbeatTimer);
    const stream = this.stream;
    this.stream = undefined;
    if (stream !== undefined) {
      stream.on("error", () => undefined); // a cancelled grpc stream reports CANCELLED
      stream.cancel();
    }
  }

  /** Enters a terminal state: everything open fails, watches are forgotten, channels close. */
  private finish(state: SessionStateName, code: number, message?: string): void {
    if (terminal.has(this.state)) return;
    const stream = this.stream;
    if (state === "closed" && stream !== undefined) {
      this.streamToken++;
      stream.on("error", () => undefined);
      stream.end();
      this.stream = undefined;
    }
    this.dropStream();
    clearTimeout(this.reconnectTimer);
    this.deadlines.clear();
    clearTimeout(this.connectTimer);
    this.failAll(code, message);
    this.state = state;
    this.transport.close();
    this.watches.clear();
    this.hooks.state(state);
    const first = this.firstConnect;
    this.firstConnect = undefined;
    first?.reject(errorFor(code, "", message));
  }

  private failAll(code: number, message?: string): void {
    const calls = [...this.inFlight.clear(), ...this.queue.clear()];
    for (const call of calls) {
      if (call.done) continue;
      call.done = true;
      call.onFail(errorFor(code, "", message ?? this.lossMessage(code)));
    }
  }

  private lossMessage(code: number): string {
    if (code === Code.ConnectionLoss) return `connection to ${this.address} lost`;
    if (code === Code.AuthFailed) return "authentication failed";
    return this.closing ? "session closed" : "session expired";
  }

  private terminalError(path: string): PaddockError {
    if (this.state === "authFailed") return errorFor(Code.AuthFailed, path, "authentication failed");
    return errorFor(
      Code.SessionExpired,
      path,
      this.closing || this.state === "closed" ? "session closed" : "",
    );
  }

  private setState(state: SessionStateName): void {
    this.state = state;
    this.hooks.state(state);
  }

  // ---- timers -------------------------------------------------------------------------------

  /** Pings when nothing was sent for a third of the timeout; gives up on a silent server at 2/3. */
  private startHeartbeat(): void {
    const now = Date.now();
    this.lastRecv = now;
    const timeout = this.negotiatedTimeoutMs > 0 ? this.negotiatedTimeoutMs : this.config.sessionTimeoutMs;
    const pingEvery = Math.max(1, Math.floor(timeout / 3));
    const readTimeout = Math.max(1, Math.floor((timeout * 2) / 3));
    const tick = (): void => {
      if (this.state !== "connected" || this.stream === undefined) return;
      const t = Date.now();
      if (t - this.lastRecv >= readTimeout) {
        this.onStreamLost();
        return;
      }
      if (t - this.lastSend >= pingEvery) this.ping();
      const next = Math.min(this.lastSend + pingEvery, this.lastRecv + readTimeout) - t;
      this.heartbeatTimer = setTimeout(tick, Math.max(1, next));
    };
    this.heartbeatTimer = setTimeout(tick, Math.max(1, Math.min(this.lastSend + pingEvery - now, pingEvery)));
  }

  private sweepDeadlines(now: number): void {
    const expire = (call: Call, queued: boolean): void => {
      if (call.done || call.deadline > now) return;
      call.done = true;
      if (queued) this.queue.settled();
      call.onFail(errorFor(Code.OperationTimeout, "", "no reply within the call's deadline"));
    };
    for (const call of this.inFlight.values()) expire(call, false);
    for (const call of this.queue.open()) expire(call, true);
    for (const call of this.inFlight.values()) if (!call.done) this.deadlines.arm(call.deadline);
    for (const call of this.queue.open()) this.deadlines.arm(call.deadline);
  }
}
