/**
 * Client-side watch bookkeeping, as ZooKeeper's ZKWatchManager: the server keeps one watch per
 * (session, kind, path); the client keeps the set of local callbacks behind it, fires each
 * callback at most once per event (a callback registered under several kinds still fires once),
 * drops one-time watches as they fire, and lists what to re-register (SetWatches) on reconnect.
 */
import type { SetWatches } from "../gen/paddock/v1/session.js";
import { ancestors } from "./path.js";
import type { EventTypeName, WatchEvent, Watcher } from "./types.js";

export type WatchKind = "data" | "exist" | "child" | "persistent" | "persistentRecursive";

/** ZooKeeper's WatcherType for removeWatches. */
export type WatcherTypeName = "children" | "data" | "any" | "persistent" | "persistentRecursive";

const kindsOfType: Record<WatcherTypeName, readonly WatchKind[]> = {
  children: ["child"],
  data: ["data", "exist"],
  persistent: ["persistent"],
  persistentRecursive: ["persistentRecursive"],
  any: ["data", "exist", "child", "persistent", "persistentRecursive"],
};

const removedEventOfKind: Record<WatchKind, EventTypeName> = {
  data: "DataWatchRemoved",
  exist: "DataWatchRemoved",
  child: "ChildWatchRemoved",
  persistent: "PersistentWatchRemoved",
  persistentRecursive: "PersistentWatchRemoved",
};

export function kindsOf(type: WatcherTypeName): readonly WatchKind[] {
  return kindsOfType[type];
}

export interface Removal {
  watcher: Watcher;
  event: WatchEvent;
}

export class WatchManager {
  private readonly maps: Record<WatchKind, Map<string, Set<Watcher>>> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
    persistent: new Map(),
    persistentRecursive: new Map(),
  };

  add(kind: WatchKind, path: string, watcher: Watcher): void {
    const map = this.maps[kind];
    let set = map.get(path);
    if (set === undefined) map.set(path, (set = new Set()));
    set.add(watcher);
  }

  /** Number of (kind, path) server watches held. */
  get size(): number {
    let n = 0;
    for (const map of Object.values(this.maps)) n += map.size;
    return n;
  }

  watchers(kind: WatchKind, path: string): ReadonlySet<Watcher> {
    return this.maps[kind].get(path) ?? new Set();
  }

  /**
   * The callbacks a server event fires, each once; one-time watches it fires are dropped.
   * NodeChildrenChanged never reaches recursive watches (ZooKeeper's rule for that mode).
   */
  materialize(event: WatchEvent): Set<Watcher> {
    const out = new Set<Watcher>();
    const { path } = event;
    const take = (kind: WatchKind): void => {
      const set = this.maps[kind].get(path);
      if (set === undefined) return;
      for (const w of set) out.add(w);
      this.maps[kind].delete(path);
    };
    const addPersistent = (recursive: boolean): void => {
      for (const w of this.maps.persistent.get(path) ?? []) out.add(w);
      if (!recursive) return;
      for (const p of [path, ...ancestors(path)]) {
        for (const w of this.maps.persistentRecursive.get(p) ?? []) out.add(w);
      }
    };
    switch (event.type) {
      case "NodeCreated":
      case "NodeDataChanged":
        take("data");
        take("exist");
        addPersistent(true);
        break;
      case "NodeDeleted":
        take("data");
        take("exist");
        take("child");
        addPersistent(true);
        break;
      case "NodeChildrenChanged":
        take("child");
        addPersistent(false);
        break;
      // The server may report removals itself; firing only what is still registered means a
      // removal the client already fired (on the removeWatches reply) does not fire twice.
      case "DataWatchRemoved":
        take("data");
        take("exist");
        break;
      case "ChildWatchRemoved":
        take("child");
        break;
      case "PersistentWatchRemoved":
        take("persistent");
        take("persistentRecursive");
        break;
      case "None":
        break;
    }
    return out;
  }

  /** True when some callback (or this one) is registered under the type's kinds at path. */
  contains(path: string, type: WatcherTypeName, watcher?: Watcher): boolean {
    for (const kind of kindsOfType[type]) {
      const set = this.maps[kind].get(path);
      if (set === undefined) continue;
      if (watcher === undefined || set.has(watcher)) return true;
    }
    return false;
  }

  /** The kinds whose server watch at path would be left without callbacks after removing. */
  emptiedBy(path: string, type: WatcherTypeName, watcher?: Watcher): WatchKind[] {
    const out: WatchKind[] = [];
    for (const kind of kindsOfType[type]) {
      const set = this.maps[kind].get(path);
      if (set === undefined) continue;
      if (watcher === undefined || (set.has(watcher) && set.size === 1)) out.push(kind);
    }
    return out;
  }

  /**
   * Removes callbacks (one or all) of the type's kinds at path and returns the …WatchRemoved
   * events to deliver to them, one per callback and event type.
   */
  remove(path: string, type: WatcherTypeName, watcher?: Watcher): Removal[] {
    const out: Removal[] = [];
    const seen = new Map<Watcher, Set<EventTypeName>>();
    for (const kind of kindsOfType[type]) {
      const set = this.maps[kind].get(path);
      if (set === undefined) continue;
      const victims = watcher === undefined ? [...set] : set.has(watcher) ? [watcher] : [];
      for (const w of victims) {
        set.delete(w);
        const eventType = removedEventOfKind[kind];
        let types = seen.get(w);
        if (types === undefined) seen.set(w, (types = new Set()));
        if (types.has(eventType)) continue;
        types.add(eventType);
        out.push({ watcher: w, event: { type: eventType, path, zxid: 0n } });
      }
      if (set.size === 0) this.maps[kind].delete(path);
    }
    return out;
  }

  /** What to send in ConnectRequest.watches on a resume. */
  /** The watches to re-register on resume; `toServer` maps a client path to the server's (chroot). */
  setWatches(relativeZxid: bigint, toServer: (path: string) => string = (p) => p): SetWatches {
    return {
      relativeZxid,
      dataWatches: [...this.maps.data.keys()].map(toServer),
      existWatches: [...this.maps.exist.keys()].map(toServer),
      childWatches: [...this.maps.child.keys()].map(toServer),
      persistentWatches: [...this.maps.persistent.keys()].map(toServer),
      persistentRecursiveWatches: [...this.maps.persistentRecursive.keys()].map(toServer),
    };
  }

  /** Every distinct callback, then forgets them all (session closed or expired). */
  clear(): Set<Watcher> {
    const out = new Set<Watcher>();
    for (const map of Object.values(this.maps)) {
      for (const set of map.values()) for (const w of set) out.add(w);
      map.clear();
    }
    return out;
  }
}
