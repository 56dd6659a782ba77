/**
 * The web console's sessions. Each browser gets one Paddock session, opened through the same
 * front-end API the doors use (pipeline/front.ts), so its reads and writes are checked against the
 * ACLs with the identities it holds: its address (ip) and, after a login, a digest identity
 * (anonymous = world plus ip). Persistent recursive watches on that session feed the live view.
 */
import { randomBytes } from "node:crypto";
import { AddWatchMode, ErrorCode, WatcherType } from "../gen/paddock/v1/data.js";
import type { Reply, Request, ServerMessage, WatchEvent } from "../gen/paddock/v1/session.js";
import { SessionState } from "../gen/paddock/v1/session.js";
import type { ClientFront, FrontConnection } from "../pipeline/front.js";

export type ConsoleOp = NonNullable<Request["op"]>;

export interface ConsoleSessionLimits {
  /** Browsers with a console session at once (anonymous or logged in). */
  readonly consoleSessionsMax: number;
  /** A session unused this long, with no live view open, is closed. */
  readonly idleMsMax: number;
  /** Requested Paddock session timeout (negotiated within min/maxSessionTimeout). */
  readonly sessionTimeoutMs: number;
  /** Live views (server-sent event streams) per browser. */
  readonly liveViewsPerSessionMax: number;
}

export const consoleSessionDefaults: ConsoleSessionLimits = {
  consoleSessionsMax: 64,
  idleMsMax: 15 * 60_000,
  sessionTimeoutMs: 30_000,
  liveViewsPerSessionMax: 8,
};

const requestTimeoutMs = 10_000;

/** A console failure the HTTP layer answers with `status`. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** One browser's Paddock session. */
export class ConsoleSession {
  private xid = 0;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private readonly listeners = new Set<(event: WatchEvent) => void>();
  /** Persistent recursive watches this console holds, by path, with their live-view count. */
  private readonly watched = new Map<string, number>();
  private connection: FrontConnection | undefined;
  lastUsedMs = Date.now();
  sessionId = 0n;
  closed = false;
  readonly ready: Promise<void>;

  constructor(
    readonly token: string,
    readonly user: string | undefined,
    front: ClientFront,
    address: string,
    password: string | undefined,
    timeoutMs: number,
    private readonly onEnd: (session: ConsoleSession) => void,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      const sink = {
        send: (message: ServerMessage): void => {
          const kind = message.kind;
          if (kind?.$case === "connected") {
            this.sessionId = kind.value.sessionId;
            resolve();
          } else if (kind?.$case === "reply") {
            const answer = this.pending.get(kind.value.xid);
            this.pending.delete(kind.value.xid);
            answer?.(kind.value);
          } else if (kind?.$case === "event") {
            for (const listener of this.listeners) listener(kind.value);
          } else if (kind?.$case === "sessionEvent") {
            const why = kind.value.error?.message ?? `session state ${kind.value.state}`;
            reject(
              new ConsoleError(kind.value.state === SessionState.SESSION_STATE_AUTH_FAILED ? 401 : 503, why),
            );
            this.end();
          }
        },
        end: () => {
          reject(new ConsoleError(503, "the console's session ended"));
          this.end();
        },
      };
      try {
        this.connection = front.accept(address, sink);
        this.connection.connect({
          sessionId: 0n,
          password: Buffer.alloc(0),
          timeoutMs,
          lastZxidSeen: 0n,
          auth:
            user === undefined || password === undefined
              ? []
              : [{ scheme: "digest", auth: Buffer.from(`${user}:${password}`) }],
          watches: undefined,
        });
      } catch (error) {
        reject(new ConsoleError(503, (error as Error).message));
        this.end();
      }
    });
    // Callers await `ready`; a session that never connects must not raise an unhandled rejection.
    this.ready.catch(() => {});
  }

  get liveViews(): number {
    return this.listeners.size;
  }

  /** Requests in one batch (one turn of the pipeline); replies in the same order. */
  async call(ops: readonly ConsoleOp[], touch = true): Promise<Reply[]> {
    await this.ready;
    if (this.closed || this.connection === undefined)
      throw new ConsoleError(503, "the console's session ended");
    if (touch) this.lastUsedMs = Date.now();
    const requests: Request[] = [];
    const replies = ops.map(
      (op) =>
        new Promise<Reply>((resolve) => {
          this.xid = (this.xid % 0x7fff_ffff) + 1;
          this.pending.set(this.xid, resolve);
          requests.push({ xid: this.xid, timeoutMs: requestTimeoutMs, trace: {}, op });
        }),
    );
    this.connection.submit(requests);
    return Promise.all(replies);
  }

  /** A live view of the subtree at `path`; returns the function that ends it. */
  async watch(path: string, listener: (event: WatchEvent) => void): Promise<() => void> {
    const count = this.watched.get(path) ?? 0;
    if (count === 0) {
      const [reply] = await this.call([
        { $case: "addWatch", value: { path, mode: AddWatchMode.ADD_WATCH_MODE_PERSISTENT_RECURSIVE } },
      ]);
      if (reply?.error !== undefined) throw replyError(reply);
    }
    this.watched.set(path, (this.watched.get(path) ?? 0) + 1);
    const filtered = (event: WatchEvent): void => {
      if (path === "/" || event.path === path || event.path.startsWith(`${path}/`)) listener(event);
    };
    this.listeners.add(filtered);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.listeners.delete(filtered);
      this.lastUsedMs = Date.now();
      const left = (this.watched.get(path) ?? 1) - 1;
      if (left > 0) {
        this.watched.set(path, left);
        return;
      }
      this.watched.delete(path);
      if (!this.closed) {
        const type = WatcherType.WATCHER_TYPE_PERSISTENT_RECURSIVE;
        void this.call([{ $case: "removeWatches", value: { path, type, checkOnly: false } }]).catch(() => {});
      }
    };
  }

  /** Keeps the session alive between requests. */
  ping(): void {
    if (this.closed || this.sessionId === 0n) return;
    void this.call([{ $case: "ping", value: {} }], false).catch(() => {});
  }

  /** Closes the Paddock session (its ephemerals go with it). */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.call([{ $case: "close", value: {} }]).catch(() => {});
    this.end();
  }

  /** Leaves the Paddock session to expire (shutdown without waiting for a close). */
  drop(): void {
    this.end();
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection?.drop();
    for (const answer of this.pending.values()) {
      answer({
        xid: 0,
        zxid: 0n,
        error: {
          code: ErrorCode.ERROR_CODE_SESSION_EXPIRED,
          path: "",
          message: "the console's session ended",
        },
        result: undefined,
      });
    }
    this.pending.clear();
    this.listeners.clear();
    this.onEnd(this);
  }
}

/** A reply's error as a ConsoleError with ZooKeeper's name. */
export function replyError(reply: Reply): ConsoleError {
  const error = reply.error;
  if (error === undefined) return new ConsoleError(500, "no error");
  const status: Partial<Record<ErrorCode, number>> = {
    [ErrorCode.ERROR_CODE_NO_NODE]: 404,
    [ErrorCode.ERROR_CODE_NO_AUTH]: 403,
    [ErrorCode.ERROR_CODE_BAD_VERSION]: 409,
    [ErrorCode.ERROR_CODE_NODE_EXISTS]: 409,
    [ErrorCode.ERROR_CODE_NOT_EMPTY]: 409,
  };
  return new ConsoleError(status[error.code] ?? 400, error.message || `error ${error.code} on ${error.path}`);
}

/** Console sessions by browser token (an HttpOnly cookie). */
export class ConsoleSessions {
  private readonly byToken = new Map<string, ConsoleSession>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly front: ClientFront,
    private readonly limits: ConsoleSessionLimits = consoleSessionDefaults,
  ) {
    // Pings at a third of the session timeout; idle sessions without a live view are closed.
    this.timer = setInterval(() => this.upkeep(), Math.max(1000, limits.sessionTimeoutMs / 3));
    this.timer.unref();
  }

  get(token: string | undefined): ConsoleSession | undefined {
    if (token === undefined) return undefined;
    const session = this.byToken.get(token);
    return session !== undefined && !session.closed ? session : undefined;
  }

  /** A new session for a browser (anonymous unless user and password are given). */
  async open(address: string, user?: string, password?: string): Promise<ConsoleSession> {
    if (this.byToken.size >= this.limits.consoleSessionsMax) {
      throw new ConsoleError(503, `consoleSessionsMax ${this.limits.consoleSessionsMax} reached`);
    }
    const token = randomBytes(24).toString("base64url");
    const session = new ConsoleSession(
      token,
      user,
      this.front,
      address,
      password,
      this.limits.sessionTimeoutMs,
      (s) => this.byToken.delete(s.token),
    );
    this.byToken.set(token, session);
    await session.ready;
    return session;
  }

  get liveViewsPerSessionMax(): number {
    return this.limits.liveViewsPerSessionMax;
  }

  /** Closes every console session (server shutdown), waiting at most a second for the closes. */
  async closeAll(): Promise<void> {
    clearInterval(this.timer);
    const closes = Promise.all([...this.byToken.values()].map((s) => s.close()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closes, new Promise<void>((done) => (timer = setTimeout(done, 1000)))]);
    clearTimeout(timer);
    for (const session of [...this.byToken.values()]) session.drop();
  }

  private upkeep(): void {
    const now = Date.now();
    for (const session of this.byToken.values()) {
      if (session.liveViews === 0 && now - session.lastUsedMs > this.limits.idleMsMax) void session.close();
      else session.ping();
    }
  }
}
