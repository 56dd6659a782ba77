/**
 * A resumable watch stream (WatchService/Watch) as an async iterable:
 * `for await (const batch of client.watchStream("/app", { recursive: true, fromZxid }))`. Each
 * batch is one committed transaction's changes, in zxid order, each delivered once. When the
 * stream breaks (the server went away, or cut a slow consumer) it is reopened, on the next server
 * if need be, from the last zxid delivered (a batch's or a progress notification's), so nothing
 * is missed or repeated. A start older than the server's history fails the iterator with a
 * WatchCompactedError carrying the oldest zxid to re-read and resume from.
 *
 * The stream always asks the server for fragments and joins them, so a transaction larger than
 * the server's reply limit still comes as one batch (the resume point moves only with the last
 * fragment). A stream that hears nothing for three progress intervals is taken for half-open (a
 * dead link that sent no reset): it is cancelled and reopened from the last zxid on a new
 * connection, as any broken stream.
 */
import { EventType } from "../gen/paddock/v1/session.js";
import { WatchCancelReason, type WatchChange, type WatchStreamResponse } from "../gen/paddock/v1/watch.js";
import { toClientPath, toServerPath } from "./chroot.js";
import { Code, errorFor, PaddockError } from "./errors.js";
import { validatePath } from "./path.js";
import type { Transport, WatchCall } from "./transport.js";
import { type EventTypeName, eventTypeName, fromWireStat, type Stat } from "./types.js";

export interface WatchStreamOptions {
  /** Changes committed after this zxid; default: from the server's current zxid. */
  fromZxid?: bigint;
  /** The node and every node below it. */
  recursive?: boolean;
  /** Carry data and stat on created and data-changed events. */
  withData?: boolean;
  /** Also NodeChildrenChanged events. */
  childrenEvents?: boolean;
  /**
   * The server sends progress after this many idle ms (it clamps to [100, 600000]); default 5000.
   * Three intervals without any message: the stream is taken for half-open and reopened.
   */
  progressIntervalMs?: number;
  /** Carry the node before the transaction (prevData, prevStat) on data-changed and deleted events. */
  withPrevData?: boolean;
  /** Deliver only these event types (default: all the other options allow). */
  eventTypes?: readonly StreamEventType[];
  /** Batches waiting for the consumer before the stream is paused (the server then cuts and we resume). */
  bufferMax?: number;
}

export interface WatchStreamChange {
  type: EventTypeName;
  path: string;
  data?: Uint8Array;
  stat?: Stat;
  /** With withPrevData, on NodeDataChanged and NodeDeleted: the node before the transaction. */
  prevData?: Uint8Array;
  prevStat?: Stat;
}

/** The event types a watch stream carries. */
export type StreamEventType = "NodeCreated" | "NodeDeleted" | "NodeDataChanged" | "NodeChildrenChanged";

const streamEventTypes: Record<StreamEventType, EventType> = {
  NodeCreated: EventType.EVENT_TYPE_NODE_CREATED,
  NodeDeleted: EventType.EVENT_TYPE_NODE_DELETED,
  NodeDataChanged: EventType.EVENT_TYPE_NODE_DATA_CHANGED,
  NodeChildrenChanged: EventType.EVENT_TYPE_NODE_CHILDREN_CHANGED,
};

export interface WatchStreamBatch {
  zxid: bigint;
  changes: WatchStreamChange[];
}

/** The start zxid is older than the server's history: re-read, then watch from oldestZxid. */
export class WatchCompactedError extends PaddockError {
  constructor(
    path: string,
    readonly oldestZxid: bigint,
    message: string,
  ) {
    super(Code.APIError, path, message);
    this.name = "WatchCompactedError";
  }
}

/** What the stream needs of its client. */
export interface WatchStreamSource {
  readonly transport: Transport;
  /** Servers to try, in the client's order. */
  readonly servers: readonly string[];
  /** The session's current server: a stream starts there. */
  current(): string;
  /** `paddock-auth` values: the session's credentials. */
  auth(): string[];
  readonly chroot: string;
}

const retryMinMs = 50;
const retryMaxMs = 1000;
/** The server's default progress interval and its clamp (watch.proto). */
const progressDefaultMs = 5000;
const progressMinMs = 100;
const progressMaxMs = 600_000;
/** Progress intervals without a message before the stream is taken for half-open. */
const silentIntervalsMax = 3;

export class WatchStream implements AsyncIterableIterator<WatchStreamBatch> {
  private readonly buffer: WatchStreamBatch[] = [];
  private readonly waiting: {
    resolve(r: IteratorResult<WatchStreamBatch>): void;
    reject(e: unknown): void;
  }[] = [];
  private call: WatchCall | undefined;
  private position: bigint | undefined;
  private serverIndex = 0;
  private failures = 0;
  private ended = false;
  private failure: PaddockError | undefined;
  private paused = false;
  private timer: NodeJS.Timeout | undefined;
  /** A transaction's fragments so far (the server set fragment on each but the last). */
  private fragments: { zxid: bigint; changes: WatchStreamChange[] } | undefined;
  private readonly eventTypes: EventType[];
  /** Silence longer than this on an open call: half-open. */
  private readonly silenceMaxMs: number;
  private lastHeardMs = 0;
  private silenceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: WatchStreamSource,
    private readonly path: string,
    private readonly options: WatchStreamOptions = {},
  ) {
    validatePath(path);
    if (source.transport.watch === undefined) throw new TypeError("this transport has no watch streams");
    this.eventTypes = (options.eventTypes ?? []).map((name) => {
      const type = streamEventTypes[name];
      if (type === undefined) {
        throw errorFor(
          Code.BadArguments,
          path,
          `eventTypes: ${String(name)} is not one of ${Object.keys(streamEventTypes).join(", ")}`,
        );
      }
      return type;
    });
    const requested = options.progressIntervalMs ?? 0;
    const interval = requested === 0 ? progressDefaultMs : requested;
    this.silenceMaxMs = silentIntervalsMax * Math.min(progressMaxMs, Math.max(progressMinMs, interval));
    this.position = options.fromZxid;
    this.serverIndex = Math.max(0, source.servers.indexOf(source.current()));
    this.open();
  }

  /** The zxid up to which every change was received: resume from it. */
  get lastZxid(): bigint | undefined {
    return this.position;
  }

  /** The server the stream is on now. */
  get server(): string {
    const servers = this.source.servers;
    return servers[this.serverIndex % servers.length]!;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<WatchStreamBatch> {
    return this;
  }

  next(): Promise<IteratorResult<WatchStreamBatch>> {
    const value = this.buffer.shift();
    if (value !== undefined) {
      if (this.paused && this.buffer.length < this.bufferMax / 2) {
        this.paused = false;
        // Silence while we held the call paused was ours, not the link's.
        this.lastHeardMs = performance.now();
        this.call?.resume();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<WatchStreamBatch>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Stops the stream; pending next() calls end. */
  end(failure?: PaddockError): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    clearTimeout(this.timer);
    clearTimeout(this.silenceTimer);
    this.call?.cancel();
    this.call = undefined;
    for (const w of this.waiting.splice(0)) {
      if (failure === undefined) w.resolve({ value: undefined, done: true });
      else w.reject(failure);
    }
  }

  private get bufferMax(): number {
    return this.options.bufferMax ?? 10_000;
  }

  private open(): void {
    if (this.ended) return;
    const server = this.server;
    const request = {
      path: toServerPath(this.source.chroot, this.path),
      recursive: this.options.recursive === true,
      withData: this.options.withData === true,
      childrenEvents: this.options.childrenEvents === true,
      progressIntervalMs: this.options.progressIntervalMs ?? 0,
      withPrevData: this.options.withPrevData === true,
      eventTypes: this.eventTypes,
      // Always: fragments are joined here, so no transaction is too large for one message.
      fragment: true,
      ...(this.position === undefined ? {} : { fromZxid: this.position }),
    };
    const call = this.source.transport.watch!(server, request, this.source.auth());
    this.call = call;
    this.paused = false;
    this.fragments = undefined;
    let over = false;
    const broken = (error?: Error): void => {
      if (over || this.call !== call) return;
      over = true;
      this.call = undefined;
      clearTimeout(this.silenceTimer);
      this.retry(error);
    };
    this.lastHeardMs = performance.now();
    const listen = (): void => {
      this.silenceTimer = setTimeout(
        () => {
          if (over || this.call !== call) return;
          const silentMs = performance.now() - this.lastHeardMs;
          if (this.paused || silentMs < this.silenceMaxMs) {
            listen();
            return;
          }
          // Half-open: nothing, not even progress, for three intervals. The connection under the
          // call is likely dead without a reset, so the next call gets a new one.
          call.cancel();
          this.source.transport.resetWatch?.(server);
          broken();
        },
        Math.max(1, this.silenceMaxMs - (performance.now() - this.lastHeardMs)),
      );
      // The call keeps the process alive while it is open; this timer alone must not.
      this.silenceTimer.unref();
    };
    listen();
    call.on("data", (message) => {
      if (over || this.call !== call) return;
      this.lastHeardMs = performance.now();
      this.failures = 0;
      if (this.onMessage(message)) {
        over = true;
        this.call = undefined;
        call.cancel();
      }
    });
    call.on("error", (error) => broken(error));
    call.on("end", () => broken());
  }

  /** True when the server ended the stream (a WatchCanceled). */
  private onMessage(message: WatchStreamResponse): boolean {
    const kind = message.kind;
    if (kind === undefined) return false;
    if (kind.$case === "progress") {
      this.advance(kind.value.zxid);
      return false;
    }
    if (kind.$case === "changes") {
      const zxid = kind.value.zxid;
      // The server sends each zxid once per stream; a resume starts after `position`: a repeat
      // here would be a server bug, not something to hide.
      if (this.position !== undefined && zxid <= this.position) {
        this.end(errorFor(Code.SystemError, this.path, `watch stream repeated zxid ${zxid}`));
        return true;
      }
      const changes = kind.value.changes.map((c) => this.change(c));
      const pending = this.fragments;
      if (pending !== undefined && pending.zxid !== zxid) {
        this.end(
          errorFor(Code.SystemError, this.path, `watch stream fragments of ${pending.zxid} ended by ${zxid}`),
        );
        return true;
      }
      if (kind.value.fragment) {
        // More of this transaction follows; the resume point stays before it until the last.
        if (pending === undefined) this.fragments = { zxid, changes };
        else for (const c of changes) pending.changes.push(c);
        return false;
      }
      this.fragments = undefined;
      this.advance(zxid);
      if (pending !== undefined) for (const c of changes) pending.changes.push(c);
      this.push({ zxid, changes: pending === undefined ? changes : pending.changes });
      return false;
    }
    const canceled = kind.value;
    if (canceled.reason === WatchCancelReason.WATCH_CANCEL_REASON_COMPACTED) {
      this.end(new WatchCompactedError(this.path, canceled.oldestZxid, canceled.message));
      return true;
    }
    this.advance(canceled.lastZxid);
    // A slow consumer or a member going away: reopen at once from where we are.
    this.serverIndex += canceled.reason === WatchCancelReason.WATCH_CANCEL_REASON_MEMBER_UNAVAILABLE ? 1 : 0;
    queueMicrotask(() => this.open());
    return true;
  }

  private change(c: WatchChange): WatchStreamChange {
    const out: WatchStreamChange = {
      type: eventTypeName(c.type),
      path: toClientPath(this.source.chroot, c.path),
    };
    if (c.stat !== undefined) {
      out.data = c.data;
      out.stat = fromWireStat(c.stat);
    }
    if (c.prevStat !== undefined) {
      out.prevData = c.prevData;
      out.prevStat = fromWireStat(c.prevStat);
    }
    return out;
  }

  private advance(zxid: bigint): void {
    if (this.position === undefined || zxid > this.position) this.position = zxid;
  }

  private push(batch: WatchStreamBatch): void {
    const waiter = this.waiting.shift();
    if (waiter !== undefined) {
      waiter.resolve({ value: batch, done: false });
      return;
    }
    this.buffer.push(batch);
    if (!this.paused && this.buffer.length >= this.bufferMax) {
      // Backpressure: the server's buffer for us fills, it cuts the stream, we resume later.
      this.paused = true;
      this.call?.pause();
    }
  }

  /** The stream broke without a reason: the next server, after a short backoff once all failed. */
  private retry(error?: Error): void {
    if (this.ended) return;
    const status = (error as { code?: number } | undefined)?.code;
    // INVALID_ARGUMENT, PERMISSION_DENIED, UNAUTHENTICATED: retrying cannot help.
    if (status === 3 || status === 7 || status === 16) {
      const code = status === 3 ? Code.BadArguments : status === 7 ? Code.NoAuth : Code.AuthFailed;
      this.end(errorFor(code, this.path, error?.message ?? "watch stream refused", error));
      return;
    }
    this.failures++;
    this.serverIndex++;
    const servers = this.source.servers.length;
    const delay =
      this.failures < servers ? 0 : Math.min(retryMaxMs, retryMinMs * 2 ** (this.failures - servers));
    this.timer = setTimeout(() => this.open(), delay);
  }
}

/** The client's servers (its session's first), credentials and chroot, for its watch streams. */
export function watchStreamSource(
  config: { servers: readonly string[]; chroot: string },
  transport: Transport,
  session: { readonly address: string; readonly auth: readonly { scheme: string; auth: Buffer }[] },
): WatchStreamSource {
  return {
    transport,
    chroot: config.chroot,
    servers: config.servers,
    current: () => session.address,
    // paddock-auth carries text: digest credentials are "user:password".
    auth: () => session.auth.filter((a) => a.scheme === "digest").map((a) => `digest ${a.auth.toString()}`),
  };
}
