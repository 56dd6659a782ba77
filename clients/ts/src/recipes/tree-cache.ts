/**
 * A local copy of a subtree kept current by one persistent recursive watch (addWatch), as
 * Curator's CuratorCache: each event re-reads the node it names. Events missed while the
 * connection was down are recovered by re-reading the whole subtree on "reconnected" and
 * reporting the differences, so a user sees every node's latest state after any reconnect.
 * Updates are applied one at a time, in event order.
 */
import { EventEmitter } from "node:events";
import type { Client } from "../client.js";
import { NoNodeError } from "../errors.js";
import type { Stat, WatchEvent } from "../types.js";
import { followSession, isLost } from "./connection.js";
import { join } from "./nodes.js";

export interface CachedNode {
  data: Uint8Array;
  stat: Stat;
}

type CacheEvents = {
  created: [string, CachedNode];
  changed: [string, CachedNode];
  deleted: [string];
  /** The initial load is done. */
  initialized: [];
  /** A full re-read after a reconnect is done. */
  resynced: [];
};

export class TreeCache extends EventEmitter<CacheEvents> {
  private readonly nodes = new Map<string, CachedNode>();
  private chain: Promise<void> = Promise.resolve();
  private unfollow: (() => void) | undefined;
  private readonly watcher = (event: WatchEvent): void => {
    if (event.type === "NodeCreated" || event.type === "NodeDataChanged" || event.type === "NodeDeleted")
      this.enqueue(() => this.refresh(event.path));
  };

  constructor(
    readonly client: Client,
    readonly path: string,
  ) {
    super();
  }

  /** The cached node at `path` (absolute), or undefined. */
  get(path: string): CachedNode | undefined {
    return this.nodes.get(path);
  }

  /** Every cached path, sorted. */
  paths(): string[] {
    return [...this.nodes.keys()].sort();
  }

  async start(): Promise<void> {
    await this.client.addWatch(this.path, "PERSISTENT_RECURSIVE", this.watcher);
    this.unfollow = followSession(this.client, (event) => {
      if (event === "reconnected") this.enqueue(() => this.resync(true));
    });
    await this.enqueue(async () => {
      await this.resync(false);
      this.emit("initialized");
    });
  }

  async close(): Promise<void> {
    this.unfollow?.();
    if (!isLost(this.client))
      await this.client.removeWatches(this.path, "persistentRecursive", this.watcher).catch(() => undefined);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(task).catch(() => undefined);
    return this.chain;
  }

  /** Re-reads one node; a gone node takes its cached descendants with it. */
  private async refresh(path: string): Promise<void> {
    try {
      this.put(path, await this.client.getData(path));
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      this.drop(path);
    }
  }

  /** Re-reads the whole subtree and reports what differs from the cache. */
  private async resync(announce: boolean): Promise<void> {
    const seen = new Set<string>();
    const walk = async (path: string): Promise<void> => {
      let node: CachedNode;
      let children: string[];
      try {
        node = await this.client.getData(path);
        children = (await this.client.getChildren(path)).children;
      } catch (error) {
        if (error instanceof NoNodeError) return;
        throw error;
      }
      seen.add(path);
      this.put(path, node);
      await Promise.all(children.map((c) => walk(join(path, c))));
    };
    await walk(this.path);
    for (const path of [...this.nodes.keys()]) if (!seen.has(path)) this.drop(path);
    if (announce) this.emit("resynced");
  }

  private put(path: string, node: CachedNode): void {
    const old = this.nodes.get(path);
    if (old !== undefined && old.stat.mzxid === node.stat.mzxid && old.stat.czxid === node.stat.czxid) return;
    this.nodes.set(path, node);
    if (old === undefined || old.stat.czxid !== node.stat.czxid) this.emit("created", path, node);
    else this.emit("changed", path, node);
  }

  private drop(path: string): void {
    for (const p of [...this.nodes.keys()]) {
      if (p === path || p.startsWith(path === "/" ? "/" : `${path}/`)) {
        this.nodes.delete(p);
        this.emit("deleted", p);
      }
    }
  }
}
