/**
 * A local copy of a subtree (a configuration cache): the subtree is read once, then a recursive,
 * resumable watch stream (watch-stream.ts) from a zxid no later than that read brings every
 * later change with the node's data, applied one at a time in zxid order. The stream resumes
 * by itself after a broken connection or a server restart, so each change is reported once, the
 * intermediate values included; when the server's history no longer reaches back far enough
 * (COMPACTED) the cache re-reads the subtree, reports the differences and resumes from there.
 *
 * Changes the read already reflects are skipped by zxid: a node's own czxid and mzxid, and for a
 * node the read did not find, its parent's pzxid as the children listing returned it.
 */
import { EventEmitter } from "node:events";
import type { Client } from "../client.js";
import { NoNodeError } from "../errors.js";
import type { Stat } from "../types.js";
import { WatchCompactedError, type WatchStream, type WatchStreamChange } from "../watch-stream.js";
import { followSession } from "./connection.js";
import { join, parentOf } from "./nodes.js";

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
  /** Caught up again: after a reconnect, with every change up to it; after a re-read (COMPACTED). */
  resynced: [];
  /** The stream (or a re-read) failed for a reason other than COMPACTED; the cache re-reads and resumes. */
  streamError: [Error];
};

/** Between a failed stream (other than COMPACTED) and the re-read that replaces it. */
const failureBackoffMs = 1000;
/** How often a pending catch-up looks at the stream's position (it advances on progress too). */
const catchUpCheckMs = 100;

export class TreeCache extends EventEmitter<CacheEvents> {
  private readonly nodes = new Map<string, CachedNode>();
  /** Per node listed by the last read: its pzxid then (the read reflects child changes up to it). */
  private readonly listed = new Map<string, bigint>();
  private stream: WatchStream | undefined;
  private applied = 0n;
  private closed = false;
  private unfollow: (() => void) | undefined;
  private catchUp: { zxid: bigint; timer: NodeJS.Timeout } | undefined;
  private backoff: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

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
    const from = await this.read(false);
    this.emit("initialized");
    this.unfollow = followSession(this.client, (event) => {
      if (event === "reconnected") this.awaitCatchUp().catch(() => undefined);
      if (event === "lost") this.stop();
    });
    this.follow(from).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.stop();
  }

  private stop(): void {
    this.closed = true;
    this.unfollow?.();
    this.stream?.end();
    clearInterval(this.catchUp?.timer);
    this.catchUp = undefined;
    clearTimeout(this.backoff?.timer);
    this.backoff?.resolve();
  }

  /** Applies the stream's batches; re-reads and resumes when the stream cannot go on. */
  private async follow(from: bigint): Promise<void> {
    let fromZxid = from;
    while (!this.closed) {
      const stream = this.client.watchStream(this.path, { recursive: true, withData: true, fromZxid });
      this.stream = stream;
      try {
        for await (const batch of stream) {
          for (const change of batch.changes) this.apply(batch.zxid, change);
          this.applied = batch.zxid;
          this.checkCaughtUp(this.applied);
        }
        return;
      } catch (error) {
        if (this.closed) return;
        if (!(error instanceof WatchCompactedError)) await this.failed(error);
      }
      fromZxid = await this.reread();
    }
  }

  /** read(true) until it succeeds (or the cache is closed: then the result is not used). */
  private async reread(): Promise<bigint> {
    for (;;) {
      try {
        return await this.read(true);
      } catch (error) {
        if (this.closed) return 0n;
        await this.failed(error);
      }
    }
  }

  /** Reports a failure, then waits failureBackoffMs (less when the cache is closed meanwhile). */
  private async failed(error: unknown): Promise<void> {
    if (this.listenerCount("streamError") > 0) this.emit("streamError", error as Error);
    await new Promise<void>((resolve) => {
      this.backoff = { timer: setTimeout(resolve, failureBackoffMs), resolve };
    });
  }

  /** One change at `zxid`, unless the read (or an earlier change) already reflects it. */
  private apply(zxid: bigint, change: WatchStreamChange): void {
    const { path } = change;
    const old = this.nodes.get(path);
    if (change.type === "NodeDeleted") {
      if (old !== undefined && old.stat.czxid < zxid) this.drop(path);
      return;
    }
    // No stat: a multi created and deleted the node; its delete follows in this batch.
    if (change.stat === undefined || change.data === undefined) return;
    if (old !== undefined) {
      if (old.stat.mzxid < zxid) this.put(path, { data: change.data, stat: change.stat });
      return;
    }
    // Not cached: a creation the parent's listing does not reflect yet. A data change of a node
    // not cached is one the read missed because the node was gone by then (its delete follows).
    if (change.type !== "NodeCreated" || (this.listed.get(parentOf(path)) ?? -1n) >= zxid) return;
    this.put(path, { data: change.data, stat: change.stat });
  }

  /** After a reconnect: "resynced" once every change up to the server's zxid now is applied. */
  private async awaitCatchUp(): Promise<void> {
    await this.client.exists(this.path);
    if (this.closed) return;
    clearInterval(this.catchUp?.timer);
    const timer = setInterval(() => this.checkCaughtUp(this.stream?.lastZxid ?? 0n), catchUpCheckMs);
    this.catchUp = { zxid: this.client.lastZxidSeen, timer };
    this.checkCaughtUp(this.applied);
  }

  /**
   * `position`: the last batch applied, or the stream's position (progress included), which the
   * interval reads only after the loop above has taken every batch received before it.
   */
  private checkCaughtUp(position: bigint): void {
    if (this.catchUp === undefined || position < this.catchUp.zxid) return;
    clearInterval(this.catchUp.timer);
    this.catchUp = undefined;
    this.emit("resynced");
  }

  /**
   * Reads the whole subtree, reports what differs from the cache, and returns a zxid no later
   * than any of its reads (the session's last zxid just before it: later reads never go back).
   */
  private async read(announce: boolean): Promise<bigint> {
    await this.client.exists(this.path);
    const from = this.client.lastZxidSeen;
    this.listed.clear();
    const seen = new Set<string>();
    const walk = async (path: string): Promise<void> => {
      let node: CachedNode;
      let children: string[];
      try {
        node = await this.client.getData(path);
        const listing = await this.client.getChildren(path);
        children = listing.children;
        this.listed.set(path, listing.stat.pzxid);
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
    if (announce) {
      // A catch-up the read already covers is done: "resynced" once for both.
      if (this.catchUp !== undefined && this.catchUp.zxid <= this.client.lastZxidSeen) {
        clearInterval(this.catchUp.timer);
        this.catchUp = undefined;
      }
      this.emit("resynced");
    }
    return from;
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
