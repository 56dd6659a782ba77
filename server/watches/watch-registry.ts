import { assert } from "../util/assert.js";
import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { parentPath } from "../util/path.js";
import { EventType, NO_ZXID } from "./watch-types.js";

/** One event for one session; type is a paddock.v1.EventType value. */
export interface WatchEventOut {
  sessionId: bigint;
  type: number;
  path: string;
  zxid: number;
}

/** What setWatches needs to know of a node. */
export interface NodeVersions {
  czxid: number;
  mzxid: number;
  pzxid: number;
}

/** The watches a reconnecting client had, as ZooKeeper's SetWatches2. */
export interface SetWatches {
  /** The last zxid the client saw. */
  relativeZxid: number;
  data: readonly string[];
  exist: readonly string[];
  child: readonly string[];
  persistent: readonly string[];
  persistentRecursive: readonly string[];
}

export interface WatchRegistryOptions {
  /** Watches one session may hold, one-time and persistent together; each (path, kind) counts once. */
  watchesPerSessionMax: number;
}

// The kinds of watch a session can hold on one path, as bits of one mask.
const DATA = 1; // getData, or exists on an existing node
const EXIST = 2; // exists on a missing node
const CHILD = 4; // getChildren
const PERSISTENT = 8; // addWatch PERSISTENT
const RECURSIVE = 16; // addWatch PERSISTENT_RECURSIVE
const ONE_TIME = DATA | EXIST | CHILD;

/**
 * The kinds that fire on the event's own path, by EventType: ZooKeeper's DataTree fires its data
 * watch manager (data, exist, persistent, recursive) for NodeCreated, NodeDeleted and
 * NodeDataChanged, and its child watch manager (child, persistent) for NodeDeleted and
 * NodeChildrenChanged. Recursive watches are never in the child manager.
 */
const FIRES_ON_PATH: readonly number[] = [
  0,
  DATA | EXIST | PERSISTENT | RECURSIVE,
  DATA | EXIST | CHILD | PERSISTENT | RECURSIVE,
  DATA | EXIST | PERSISTENT | RECURSIVE,
  CHILD | PERSISTENT,
];

/**
 * The kinds removeWatches takes away, by WatcherType (ZooKeeper 3.9's DataTree.removeWatch; 3.8 had
 * no Persistent / PersistentRecursive types and removed persistent watches with Any only).
 */
const REMOVES: readonly number[] = [
  0,
  CHILD,
  DATA | EXIST,
  DATA | EXIST | CHILD | PERSISTENT | RECURSIVE,
  PERSISTENT,
  RECURSIVE,
];

interface SessionWatches {
  /** Paths where the session holds at least one watch, in order of first registration. */
  readonly paths: Set<string>;
  /** Watches held: bits set over all paths. */
  count: number;
}

/**
 * Watches of sessions on paths, with ZooKeeper's trigger rules (those of 3.9's WatchManager, where a
 * session may hold one-time and persistent watches on the same path independently; 3.8 kept one mode
 * per session and path, so a later getData turned a persistent watch into a one-time one —
 * ZOOKEEPER-4466; seen on 3.8.0: addWatch /a, getData -w /a, then two setData give one event).
 *
 * The registry does not check ACLs: since ZooKeeper 3.9.2/3.8.4 (CVE-2024-23944) an event is only
 * delivered to a session with READ on the node, which the caller must check; a one-time watch is
 * spent all the same.
 *
 * Layout: path → (session → mask of kinds), and session → its paths and count. A Map keeps
 * insertion order, so the order of events is a function of the order of operations: replicas that
 * apply the same operations produce the same events.
 */
export class WatchRegistry {
  private readonly watchesPerSessionMax: number;
  private readonly paths = new Map<string, Map<bigint, number>>();
  private readonly sessions = new Map<bigint, SessionWatches>();
  private total = 0;
  /** Recursive watches anywhere: while 0, a trigger never looks at ancestors. */
  private recursive = 0;
  /** Sessions already notified during one trigger; reused so a trigger allocates nothing else. */
  private readonly seen = new Set<bigint>();

  constructor(options: WatchRegistryOptions) {
    const max = options.watchesPerSessionMax;
    if (!Number.isSafeInteger(max) || max <= 0) {
      throw new PaddockError(
        Code.BadArguments,
        "",
        `watchesPerSessionMax must be a positive integer, is ${max}`,
      );
    }
    this.watchesPerSessionMax = max;
  }

  addData(sessionId: bigint, path: string): void {
    this.add(sessionId, path, DATA);
  }

  addExist(sessionId: bigint, path: string): void {
    this.add(sessionId, path, EXIST);
  }

  addChild(sessionId: bigint, path: string): void {
    this.add(sessionId, path, CHILD);
  }

  addPersistent(sessionId: bigint, path: string, recursive: boolean): void {
    this.add(sessionId, path, recursive ? RECURSIVE : PERSISTENT);
  }

  /**
   * Appends the events a change fires, at most one per session. Order: sessions watching the path
   * itself in registration order, then recursive watchers of each ancestor, nearest first. One-time
   * watches that fire are removed; persistent ones stay (also when the node is deleted).
   * type is NodeCreated, NodeDeleted, NodeDataChanged or NodeChildrenChanged; the caller fires
   * NodeChildrenChanged on the parent separately, as ZooKeeper's DataTree does.
   */
  trigger(path: string, type: number, zxid: number, out: WatchEventOut[]): void {
    if (this.total === 0) return;
    const fires = FIRES_ON_PATH[type];
    assert(fires !== undefined && fires !== 0, `event type ${type} is not fired by a change`);
    const climb = this.recursive > 0 && type !== EventType.NodeChildrenChanged && path !== "/";
    const watchers = this.paths.get(path);
    if (watchers !== undefined) {
      // Deleting the current entry while iterating a Map is safe and does not skip others.
      for (const [sessionId, mask] of watchers) {
        const hit = mask & fires;
        if (hit === 0) continue;
        out.push({ sessionId, type, path, zxid });
        if (climb) this.seen.add(sessionId);
        const spent = hit & ONE_TIME;
        if (spent !== 0) this.clear(sessionId, path, watchers, mask, spent);
      }
    }
    if (!climb) return;
    let ancestor = path;
    do {
      ancestor = parentPath(ancestor);
      const above = this.paths.get(ancestor);
      if (above === undefined) continue;
      for (const [sessionId, mask] of above) {
        if ((mask & RECURSIVE) === 0 || this.seen.has(sessionId)) continue;
        this.seen.add(sessionId);
        out.push({ sessionId, type, path, zxid });
      }
    } while (ancestor !== "/");
    this.seen.clear();
  }

  /**
   * removeWatches: takes away the session's watches of watcherType (a paddock.v1.WatcherType) on
   * path; false when none matched (the caller answers NoWatcher). Data covers data and exist
   * watches; Any covers every kind, persistent ones included. ZooKeeper's client tells its watchers
   * with DataWatchRemoved / ChildWatchRemoved / PersistentWatchRemoved events it makes itself; here
   * the server makes them, one per event type, appended to out, so thin clients get them too.
   */
  remove(sessionId: bigint, path: string, watcherType: number, out: WatchEventOut[]): boolean {
    const kinds = REMOVES[watcherType];
    if (kinds === undefined || kinds === 0) {
      throw PaddockError.badArguments(path, `unknown watcher type ${watcherType}`);
    }
    const watchers = this.paths.get(path);
    if (watchers === undefined) return false;
    const mask = watchers.get(sessionId) ?? 0;
    const hit = mask & kinds;
    if (hit === 0) return false;
    this.clear(sessionId, path, watchers, mask, hit);
    if ((hit & (DATA | EXIST)) !== 0) {
      out.push({ sessionId, type: EventType.DataWatchRemoved, path, zxid: NO_ZXID });
    }
    if ((hit & CHILD) !== 0) {
      out.push({ sessionId, type: EventType.ChildWatchRemoved, path, zxid: NO_ZXID });
    }
    if ((hit & (PERSISTENT | RECURSIVE)) !== 0) {
      out.push({ sessionId, type: EventType.PersistentWatchRemoved, path, zxid: NO_ZXID });
    }
    return true;
  }

  /** Whether the session holds a watch of this WatcherType on path (ZooKeeper's checkWatches). */
  has(sessionId: bigint, path: string, watcherType: number): boolean {
    const kinds = REMOVES[watcherType];
    if (kinds === undefined || kinds === 0) {
      throw PaddockError.badArguments(path, `unknown watcher type ${watcherType}`);
    }
    return ((this.paths.get(path)?.get(sessionId) ?? 0) & kinds) !== 0;
  }

  /** Forgets every watch of a session (closed, expired, or its connection gone). */
  removeSession(sessionId: bigint): void {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return;
    for (const path of session.paths) {
      const watchers = this.paths.get(path);
      assert(watchers !== undefined, `session watches ${path} but the path has no watchers`);
      const mask = watchers.get(sessionId) ?? 0;
      if ((mask & RECURSIVE) !== 0) this.recursive--;
      watchers.delete(sessionId);
      if (watchers.size === 0) this.paths.delete(path);
    }
    this.total -= session.count;
    this.sessions.delete(sessionId);
  }

  /**
   * ZooKeeper's setWatches on reconnect: a watch whose event the client missed fires now (data:
   * NodeDeleted if the node is gone, NodeDataChanged if mzxid > relativeZxid; exist: NodeCreated if
   * the node exists; child: NodeDeleted, or NodeChildrenChanged if pzxid > relativeZxid) and is not
   * registered; the others are registered. Persistent watches are registered and never fire here
   * (events while disconnected are lost, as in ZooKeeper). One event per listed path, in list order
   * data, exist, child, with zxid NO_ZXID. The limit is checked before anything changes: either all
   * is applied or PaddockError(QuotaExceeded) is thrown.
   */
  setWatches(
    sessionId: bigint,
    sw: SetWatches,
    lookup: (path: string) => NodeVersions | undefined,
    out: WatchEventOut[],
  ): void {
    const events: WatchEventOut[] = [];
    const adds: { path: string; kind: number }[] = [];
    const rel = sw.relativeZxid;
    for (const path of sw.data) {
      const node = lookup(path);
      if (node === undefined) events.push({ sessionId, type: EventType.NodeDeleted, path, zxid: NO_ZXID });
      else if (node.mzxid > rel) {
        events.push({ sessionId, type: EventType.NodeDataChanged, path, zxid: NO_ZXID });
      } else adds.push({ path, kind: DATA });
    }
    for (const path of sw.exist) {
      if (lookup(path) !== undefined) {
        events.push({ sessionId, type: EventType.NodeCreated, path, zxid: NO_ZXID });
      } else adds.push({ path, kind: EXIST });
    }
    for (const path of sw.child) {
      const node = lookup(path);
      if (node === undefined) events.push({ sessionId, type: EventType.NodeDeleted, path, zxid: NO_ZXID });
      else if (node.pzxid > rel) {
        events.push({ sessionId, type: EventType.NodeChildrenChanged, path, zxid: NO_ZXID });
      } else adds.push({ path, kind: CHILD });
    }
    for (const path of sw.persistent) adds.push({ path, kind: PERSISTENT });
    for (const path of sw.persistentRecursive) adds.push({ path, kind: RECURSIVE });

    // Count the watches that are new (not held, not listed twice) before changing anything.
    let count = this.countOf(sessionId);
    const planned = new Set<string>();
    for (const { path, kind } of adds) {
      const key = `${kind}:${path}`;
      if (this.holds(sessionId, path, kind) || planned.has(key)) continue;
      planned.add(key);
      if (++count > this.watchesPerSessionMax) throw this.quotaExceeded(sessionId, path);
    }
    for (const { path, kind } of adds) this.add(sessionId, path, kind);
    for (const event of events) out.push(event);
  }

  countOf(sessionId: bigint): number {
    return this.sessions.get(sessionId)?.count ?? 0;
  }

  /** Watches held by all sessions. */
  get size(): number {
    return this.total;
  }

  /** Paths each session watches (admin wchc). */
  bySession(): Map<bigint, string[]> {
    const result = new Map<bigint, string[]>();
    for (const [sessionId, session] of this.sessions) result.set(sessionId, [...session.paths]);
    return result;
  }

  /** Sessions watching each path (admin wchp). */
  byPath(): Map<string, bigint[]> {
    const result = new Map<string, bigint[]>();
    for (const [path, watchers] of this.paths) result.set(path, [...watchers.keys()]);
    return result;
  }

  private add(sessionId: bigint, path: string, kind: number): void {
    assert(path.charCodeAt(0) === 47, `watch on a relative path: ${path}`);
    let watchers = this.paths.get(path);
    const mask = watchers?.get(sessionId) ?? 0;
    if ((mask & kind) !== 0) return;
    let session = this.sessions.get(sessionId);
    if (session !== undefined && session.count >= this.watchesPerSessionMax) {
      throw this.quotaExceeded(sessionId, path);
    }
    if (watchers === undefined) {
      watchers = new Map();
      this.paths.set(path, watchers);
    }
    if (session === undefined) {
      session = { paths: new Set(), count: 0 };
      this.sessions.set(sessionId, session);
    }
    watchers.set(sessionId, mask | kind);
    if (mask === 0) session.paths.add(path);
    session.count++;
    this.total++;
    if (kind === RECURSIVE) this.recursive++;
  }

  /** Takes the kinds in bits (all held) off one session's mask on one path. */
  private clear(sessionId: bigint, path: string, watchers: Map<bigint, number>, mask: number, bits: number) {
    const session = this.sessions.get(sessionId);
    assert(session !== undefined, "watch of a session the registry does not know");
    const n = bitCount(bits);
    session.count -= n;
    this.total -= n;
    if ((bits & RECURSIVE) !== 0) this.recursive--;
    const rest = mask & ~bits;
    if (rest !== 0) {
      watchers.set(sessionId, rest);
      return;
    }
    watchers.delete(sessionId);
    if (watchers.size === 0) this.paths.delete(path);
    session.paths.delete(path);
    if (session.paths.size === 0) this.sessions.delete(sessionId);
  }

  private holds(sessionId: bigint, path: string, kind: number): boolean {
    return ((this.paths.get(path)?.get(sessionId) ?? 0) & kind) !== 0;
  }

  private quotaExceeded(sessionId: bigint, path: string): PaddockError {
    const id = BigInt.asUintN(64, sessionId).toString(16);
    return new PaddockError(
      Code.QuotaExceeded,
      path,
      `watchesPerSessionMax (${this.watchesPerSessionMax}) reached by session 0x${id}: no watch added on ${path}`,
    );
  }
}

function bitCount(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}
