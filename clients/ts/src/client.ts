/**
 * The public client: ZooKeeper's operations as promises over one session (see session.ts for the
 * stream, batching and reconnect logic). State changes are 'state' events; watch events for
 * `watch: true` (the default watcher) are 'watch' events; callbacks passed as watchers are
 * called directly, each once per event.
 */
import { EventEmitter } from "node:events";
import { AddWatchMode, Consistency, WatcherType } from "../gen/paddock/v1/data.js";
import type { Reply } from "../gen/paddock/v1/session.js";
import type { RequestOp } from "./call.js";
import { type ChildrenPage, type PageOptions, pageFields } from "./children-pages.js";
import { type DataChunk, type DataChunkOptions, dataChunks, joinChunks } from "./data-chunks.js";
import { Code, errorFor } from "./errors.js";
import {
  anyVersion,
  type CreateOptions,
  fromWireError,
  fromWireReadResult,
  multiResults,
  type Op,
  type OpResult,
  op as opBuilder,
  type ReadOp,
  type ReadOpResult,
} from "./ops.js";
import { validatePath } from "./path.js";
import { type ConfigData, type ReconfigChange, reconfigRequest } from "./reconfig.js";
import { Session } from "./session.js";
import type { SessionConfig, SessionStateName } from "./session-config.js";
import type { Transport } from "./transport.js";
import { type TxnResult, type TxnSpec, txnRequest } from "./txn.js";
import {
  type ACL,
  fromWireAcl,
  fromWireStat,
  type Stat,
  toBuffer,
  toWireAcl,
  type WatchEvent,
  type Watcher,
} from "./types.js";
import { WatchIterator } from "./watch-iterator.js";
import { type WatcherTypeName, type WatchKind, WatchManager } from "./watch-manager.js";
import {
  WatchStream,
  type WatchStreamOptions,
  type WatchStreamSource,
  watchStreamSource,
} from "./watch-stream.js";

export interface CallOptions {
  /** This call's deadline (ms); overrides requestTimeoutMs. */
  timeoutMs?: number;
  /** W3C trace context to send with the request (default: the active OpenTelemetry context). */
  trace?: Record<string, string>;
}

export interface ReadOptions extends CallOptions {
  /** A one-time watch: a callback, or `true` for the default watcher ('watch' events). */
  watch?: Watcher | boolean;
  /** Also reflect every write acknowledged before this read. */
  linearizable?: boolean;
}

export type AddWatchModeName = "PERSISTENT" | "PERSISTENT_RECURSIVE";

export type ClientState = SessionStateName;

const watcherTypes: Record<WatcherTypeName, WatcherType> = {
  children: WatcherType.WATCHER_TYPE_CHILDREN,
  data: WatcherType.WATCHER_TYPE_DATA,
  any: WatcherType.WATCHER_TYPE_ANY,
  persistent: WatcherType.WATCHER_TYPE_PERSISTENT,
  persistentRecursive: WatcherType.WATCHER_TYPE_PERSISTENT_RECURSIVE,
};

const groupOfKind: Record<WatchKind, WatcherTypeName> = {
  data: "data",
  exist: "data",
  child: "children",
  persistent: "persistent",
  persistentRecursive: "persistentRecursive",
};

const iteratorBufferMax = 10_000;

type ReplyResult = NonNullable<Reply["result"]>;
type ResultOf = { [K in ReplyResult["$case"]]: Extract<ReplyResult, { $case: K }>["value"] };

export class Client extends EventEmitter {
  private readonly session: Session;
  private readonly watches = new WatchManager();
  private readonly iterators = new Set<WatchIterator>();
  private readonly streams: WatchStreamSource;
  /** The default watcher: one identity, so it fires once per event like any other callback. */
  readonly defaultWatcher: Watcher = (event) => {
    this.emit("watch", event);
  };

  constructor(config: SessionConfig, transport: Transport) {
    super();
    this.session = new Session(config, transport, this.watches, {
      state: (state) => {
        if (state === "expired" || state === "closed" || state === "authFailed") {
          for (const it of this.iterators) it.end();
          this.iterators.clear();
        }
        this.emit("state", state);
      },
      fire: (watchers, event) => this.fire(watchers, event),
    });
    this.streams = watchStreamSource(config, transport, this.session);
  }

  /** @internal */
  start(): Promise<void> {
    return this.session.start();
  }

  get sessionId(): bigint {
    return this.session.sessionId;
  }
  get sessionPassword(): Uint8Array {
    return this.session.password;
  }
  get state(): ClientState {
    return this.session.state;
  }
  get negotiatedTimeoutMs(): number {
    return this.session.negotiatedTimeoutMs;
  }
  /** The server of the current (or last) stream. */
  get server(): string {
    return this.session.address;
  }
  get lastZxidSeen(): bigint {
    return this.session.lastZxidSeen;
  }

  async create(
    path: string,
    data?: Uint8Array | string,
    options: CreateOptions & CallOptions = {},
  ): Promise<{ path: string; stat: Stat }> {
    const built = opBuilder.create(path, data, options);
    const op = built.wire.op;
    if (op?.$case !== "create") throw new Error("unreachable");
    const r = this.result(await this.call(op, path, options, built.bytes), "create", path);
    return { path: r.path, stat: fromWireStat(r.stat) };
  }

  async delete(path: string, version?: number, options: CallOptions = {}): Promise<void> {
    validatePath(path);
    const reply = await this.call(
      { $case: "delete", value: { path, version: anyVersion(version) } },
      path,
      options,
    );
    this.result(reply, "delete", path);
  }

  async exists(path: string, options: ReadOptions = {}): Promise<Stat | null> {
    validatePath(path);
    const watcher = this.watcherOf(options.watch);
    const value = { path, watch: watcher !== undefined, consistency: consistency(options) };
    const reply = await this.call({ $case: "exists", value }, path, options, 64, (r) => {
      if (watcher === undefined || r.error !== undefined || r.result?.$case !== "exists") return;
      // As ZooKeeper: a data watch on an existing node, an exist watch on a missing one.
      this.watches.add(r.result.value.stat !== undefined ? "data" : "exist", path, watcher);
    });
    if (reply.error?.code === Code.NoNode) return null;
    const stat = this.result(reply, "exists", path).stat;
    return stat === undefined ? null : fromWireStat(stat);
  }

  async getData(path: string, options: ReadOptions = {}): Promise<{ data: Uint8Array; stat: Stat }> {
    validatePath(path);
    const watcher = this.watcherOf(options.watch);
    const value = { path, watch: watcher !== undefined, consistency: consistency(options) };
    const reply = await this.call({ $case: "getData", value }, path, options, 64, (r) => {
      if (watcher !== undefined && r.error === undefined) this.watches.add("data", path, watcher);
    });
    const r = this.result(reply, "getData", path);
    return { data: r.data, stat: fromWireStat(r.stat) };
  }

  /** The data in pieces of one version (DataService/GetDataChunks, a Paddock extension): data-chunks.ts. */
  getDataChunks(path: string, options: DataChunkOptions = {}): AsyncGenerator<DataChunk, void, undefined> {
    return dataChunks(this.streams, path, options);
  }

  /** getDataChunks joined: one version's data and stat, for values too large for getData's reply. */
  getDataChunked(path: string, options: DataChunkOptions = {}): Promise<{ data: Uint8Array; stat: Stat }> {
    return joinChunks(this.getDataChunks(path, options));
  }

  async setData(
    path: string,
    data: Uint8Array | string,
    version?: number,
    options: CallOptions = {},
  ): Promise<Stat> {
    const built = opBuilder.setData(path, data, version);
    const op = built.wire.op;
    if (op?.$case !== "setData") throw new Error("unreachable");
    return fromWireStat(this.result(await this.call(op, path, options, built.bytes), "setData", path).stat);
  }

  async getChildren(path: string, options: ReadOptions = {}): Promise<{ children: string[]; stat: Stat }> {
    validatePath(path);
    const watcher = this.watcherOf(options.watch);
    const value = { path, watch: watcher !== undefined, consistency: consistency(options) };
    const reply = await this.call({ $case: "getChildren", value }, path, options, 64, (r) => {
      if (watcher !== undefined && r.error === undefined) this.watches.add("child", path, watcher);
    });
    const r = this.result(reply, "getChildren", path);
    return { children: r.children, stat: fromWireStat(r.stat) };
  }

  /** One page of children sorted by name (a Paddock extension); listChildren iterates them all. */
  async getChildrenPage(path: string, options: PageOptions & { countOnly?: boolean } & ReadOptions = {}) {
    validatePath(path);
    const watcher = this.watcherOf(options.watch);
    const value = {
      path,
      watch: watcher !== undefined,
      consistency: consistency(options),
      ...pageFields(options),
    };
    const reply = await this.call({ $case: "getChildren", value }, path, options, 64, (r) => {
      if (watcher !== undefined && r.error === undefined) this.watches.add("child", path, watcher);
    });
    const r = this.result(reply, "getChildren", path);
    const page: ChildrenPage & { count?: number } = { children: r.children, stat: fromWireStat(r.stat) };
    if (r.nextPageToken) page.nextPageToken = r.nextPageToken;
    if (r.count !== undefined) page.count = r.count;
    return page;
  }

  async getAllChildrenNumber(path: string, options: CallOptions = {}): Promise<number> {
    validatePath(path);
    const reply = await this.call({ $case: "getAllChildrenNumber", value: { path } }, path, options);
    return this.result(reply, "getAllChildrenNumber", path).number;
  }

  async getEphemerals(prefix = "/", options: CallOptions = {}): Promise<string[]> {
    const reply = await this.call({ $case: "getEphemerals", value: { prefixPath: prefix } }, prefix, options);
    return this.result(reply, "getEphemerals", prefix).paths;
  }

  async getACL(path: string, options: CallOptions = {}): Promise<{ acl: ACL[]; stat: Stat }> {
    validatePath(path);
    const r = this.result(
      await this.call({ $case: "getAcl", value: { path } }, path, options),
      "getAcl",
      path,
    );
    return { acl: fromWireAcl(r.acl), stat: fromWireStat(r.stat) };
  }

  async setACL(
    path: string,
    acl: readonly ACL[],
    version?: number,
    options: CallOptions = {},
  ): Promise<Stat> {
    validatePath(path);
    const value = { path, acl: toWireAcl(acl), version: anyVersion(version) };
    return fromWireStat(
      this.result(await this.call({ $case: "setAcl", value }, path, options), "setAcl", path).stat,
    );
  }

  async sync(path: string, options: CallOptions = {}): Promise<string> {
    validatePath(path);
    return this.result(await this.call({ $case: "sync", value: { path } }, path, options), "sync", path).path;
  }

  /**
   * Atomic writes. On failure throws the first failing op's error with `results` attached (every
   * op's outcome, as ZooKeeper's KeeperException.getResults()).
   */
  async multi(ops: readonly Op[], options: CallOptions = {}): Promise<OpResult[]> {
    const bytes = ops.reduce((n, o) => n + o.bytes, 16);
    const reply = await this.call(
      { $case: "multi", value: { ops: ops.map((o) => o.wire) } },
      "",
      options,
      bytes,
    );
    return multiResults(reply, reply.result?.$case === "multi" ? reply.result.value.results : [], ops);
  }

  /**
   * Compare-transaction: when every condition holds the then-ops run, else the else-ops, as one
   * atomic multi. A failing op throws as multi does, with `results` and `succeeded` attached; a
   * refused condition (NoAuth, BadArguments) throws without them.
   */
  async txn(spec: TxnSpec, options: CallOptions = {}): Promise<TxnResult> {
    const { value, bytes } = txnRequest(spec);
    const reply = await this.call({ $case: "txn", value }, "", options, bytes);
    const r = reply.result?.$case === "txn" ? reply.result.value : undefined;
    const succeeded = r?.succeeded === true;
    try {
      return {
        succeeded,
        results: multiResults(reply, r?.results ?? [], (succeeded ? spec.thenOps : spec.elseOps) ?? []),
      };
    } catch (error) {
      // A refused condition runs no branch: only a branch's failing op says which one it was.
      throw r === undefined ? error : Object.assign(error as Error, { succeeded });
    }
  }

  /** Reads in one request; each result is the value or that op's error (nothing throws per op). */
  async multiRead(ops: readonly ReadOp[], options: CallOptions = {}): Promise<ReadOpResult[]> {
    const reply = await this.call(
      { $case: "multiRead", value: { ops: ops.map((o) => o.wire) } },
      "",
      options,
    );
    const r = this.result(reply, "multiRead", "");
    return r.results.map((x, i) => fromWireReadResult(x, ops[i]?.path ?? ""));
  }

  /** A persistent (optionally recursive) watch; the callback (or default watcher) stays until removed. */
  async addWatch(
    path: string,
    mode: AddWatchModeName,
    watcher: Watcher | true = true,
    options: CallOptions = {},
  ): Promise<void> {
    validatePath(path);
    const w = watcher === true ? this.defaultWatcher : watcher;
    const recursive = mode === "PERSISTENT_RECURSIVE";
    const value = {
      path,
      mode: recursive
        ? AddWatchMode.ADD_WATCH_MODE_PERSISTENT_RECURSIVE
        : AddWatchMode.ADD_WATCH_MODE_PERSISTENT,
    };
    const reply = await this.call({ $case: "addWatch", value }, path, options, 64, (r) => {
      if (r.error === undefined) this.watches.add(recursive ? "persistentRecursive" : "persistent", path, w);
    });
    this.result(reply, "addWatch", path);
  }

  /** Persistent watch events as an async iterable; leaving the loop removes the watch. */
  async watch(path: string, options: { recursive?: boolean } & CallOptions = {}): Promise<WatchIterator> {
    const type: WatcherTypeName = options.recursive ? "persistentRecursive" : "persistent";
    const it: WatchIterator = new WatchIterator(
      () => this.removeWatches(path, type, it.watcher).catch(() => undefined),
      iteratorBufferMax,
    );
    await this.addWatch(path, options.recursive ? "PERSISTENT_RECURSIVE" : "PERSISTENT", it.watcher, options);
    if (!it.isEnded) this.iterators.add(it);
    return it;
  }

  /** A resumable watch stream (watch-stream.ts): each transaction's changes after fromZxid, once. */
  watchStream(path: string, options: WatchStreamOptions = {}): WatchStream {
    return new WatchStream(this.streams, path, options);
  }

  /**
   * Removes watches of a type at path: one callback, or all of them. The server's watch is
   * removed only when no local callback of that kind remains (ZooKeeper's rule); `local: true`
   * removes client-side only. Each removed callback gets a …WatchRemoved event.
   */
  async removeWatches(
    path: string,
    type: WatcherTypeName,
    watcher?: Watcher | true,
    options: { local?: boolean } & CallOptions = {},
  ): Promise<void> {
    validatePath(path);
    const w = watcher === true ? this.defaultWatcher : watcher;
    if (!this.watches.contains(path, type, w)) throw errorFor(Code.NoWatcher, path, `no watcher for ${path}`);
    const emptied = this.watches.emptiedBy(path, type, w);
    if (!options.local && emptied.length > 0) {
      const groups = new Set(emptied.map((k) => groupOfKind[k]));
      const covering =
        groups.size === 1 ? [...groups] : w === undefined && type === "any" ? ["any" as const] : [...groups];
      await Promise.all(
        covering.map(async (group) => {
          const value = { path, type: watcherTypes[group], checkOnly: false };
          this.result(
            await this.call({ $case: "removeWatches", value }, path, options),
            "removeWatches",
            path,
          );
        }),
      );
    }
    for (const { watcher: victim, event } of this.watches.remove(path, type, w)) this.fire([victim], event);
  }

  async whoAmI(options: CallOptions = {}): Promise<{ scheme: string; user: string }[]> {
    const r = this.result(await this.call({ $case: "whoAmI", value: {} }, "", options), "whoAmI", "");
    return r.clientInfo.map((c) => ({ scheme: c.authScheme, user: c.user }));
  }

  /** Changes the ensemble's members (needs reconfigEnabled and the super user); returns /zookeeper/config after it. */
  async reconfig(change: ReconfigChange, options: CallOptions = {}): Promise<ConfigData> {
    const { value, bytes } = reconfigRequest(change);
    const r = this.result(await this.call({ $case: "reconfig", value }, "", options, bytes), "reconfig", "");
    return { data: r.data, stat: fromWireStat(r.stat) };
  }

  /** Adds credentials to the session; they are re-sent on every reconnect. */
  async addAuth(scheme: string, auth: string | Uint8Array, options: CallOptions = {}): Promise<void> {
    const bytes = toBuffer(auth);
    const reply = await this.call(
      { $case: "addAuth", value: { scheme, auth: bytes } },
      "",
      options,
      64,
      (r) => {
        if (r.error === undefined) this.session.auth.push({ scheme, auth: bytes });
      },
    );
    this.result(reply, "addAuth", "");
  }

  /** Closes the session (its ephemerals go away) after every call made before it is answered. */
  close(): Promise<void> {
    return this.session.close();
  }

  /** Calls in flight and calls waiting for a slot (for tests and metrics). */
  get load(): { outstanding: number; queued: number; watches: number } {
    return { outstanding: this.session.outstanding, queued: this.session.queued, watches: this.watches.size };
  }

  // ---- helpers ------------------------------------------------------------------------------

  private watcherOf(watch: Watcher | boolean | undefined): Watcher | undefined {
    if (watch === undefined || watch === false) return undefined;
    return watch === true ? this.defaultWatcher : watch;
  }

  private call(
    op: RequestOp,
    path: string,
    options: CallOptions,
    bytes = path.length + 32,
    onReply?: (reply: Reply) => void,
  ): Promise<Reply> {
    return this.session.submit(op, { timeoutMs: options.timeoutMs, trace: options.trace, bytes, onReply });
  }

  /** The typed result of a reply, or its error thrown as the matching PaddockError subclass. */
  private result<C extends NonNullable<Reply["result"]>["$case"]>(
    reply: Reply,
    expected: C,
    path: string,
  ): ResultOf[C] {
    if (reply.error !== undefined) throw fromWireError(reply.error, path);
    const result = reply.result;
    if (result === undefined || result.$case !== expected) {
      throw errorFor(
        Code.MarshallingError,
        path,
        `reply for ${expected} carries ${result?.$case ?? "nothing"}`,
      );
    }
    return result.value as unknown as ResultOf[C];
  }

  private fire(watchers: Iterable<Watcher>, event: WatchEvent): void {
    for (const w of watchers) {
      try {
        w(event);
      } catch (error) {
        // A throwing callback must not break the session loop (ZooKeeper logs and continues).
        if (this.listenerCount("watcherError") > 0) this.emit("watcherError", error, event);
      }
    }
  }
}

function consistency(options: ReadOptions): Consistency {
  return options.linearizable ? Consistency.CONSISTENCY_LINEARIZABLE : Consistency.CONSISTENCY_SEQUENTIAL;
}
