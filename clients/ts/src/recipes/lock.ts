/**
 * An exclusive, reentrant lock that interoperates with Curator's InterProcessMutex: each
 * contender creates `<path>/_c_<uuid>-lock-<seq>` (ephemeral sequential); the lowest sequence
 * holds it; every other contender watches only its predecessor. Reentrancy is per Lock object.
 */
import { EventEmitter } from "node:events";
import type { Client } from "../client.js";
import { ConnectionLossError, PaddockError } from "../errors.js";
import { type ConnectionEvent, followSession, reconnected } from "./connection.js";
import { createProtected, deleteGuaranteed, sequenceOf, sortBySequence, waitGone } from "./nodes.js";

/** What a holder may attach to downstream writes: a later holder always has larger values. */
export interface FencingToken {
  /** The zxid that created the holder's node. */
  czxid: bigint;
  /** The node's sequence number under the lock path. */
  sequence: number;
  path: string;
}

/** Decides from the sorted children whether `ours` holds, or which node to wait for. */
export type LockPredicate = (
  sorted: readonly string[],
  ours: string,
) => { holds: true } | { holds: false; watch: string };

export interface LockOptions {
  /** Curator's lock name; "lock-" for InterProcessMutex. */
  lockName?: string;
  /** Names whose suffix is the sort key (Curator's fixForSorting). */
  sortMarkers?: readonly string[];
  predicate?: LockPredicate;
  /** Data stored in the lock node. */
  data?: Uint8Array | string;
}

export function maxLeases(n: number): LockPredicate {
  return (sorted, ours) => {
    const index = sorted.indexOf(ours);
    if (index < 0) throw new PaddockError(-101, ours, `lock node ${ours} vanished (session lost?)`);
    return index < n ? { holds: true } : { holds: false, watch: sorted[index - n]! };
  };
}

export class Lock extends EventEmitter<Record<ConnectionEvent, []>> {
  private holdCount = 0;
  private acquiring = false;
  private node: { path: string; token: FencingToken } | undefined;
  private unfollow: (() => void) | undefined;
  private readonly lockName: string;
  private readonly markers: readonly string[];
  private readonly predicate: LockPredicate;

  constructor(
    readonly client: Client,
    readonly path: string,
    private readonly options: LockOptions = {},
  ) {
    super();
    this.lockName = options.lockName ?? "lock-";
    this.markers = options.sortMarkers ?? [this.lockName];
    this.predicate = options.predicate ?? maxLeases(1);
  }

  /** True from acquire to the last release or a lost session ("suspended" makes the hold uncertain). */
  get isHeld(): boolean {
    return this.holdCount > 0;
  }

  /** The holder's fencing token; undefined when not held. */
  get token(): FencingToken | undefined {
    return this.isHeld ? this.node?.token : undefined;
  }

  /** The lock node's full path while held (Curator's getLockPath). */
  get nodePath(): string | undefined {
    return this.isHeld ? this.node?.path : undefined;
  }

  /**
   * Waits for the lock; with `timeoutMs`, resolves false (and withdraws) when it passes, and so
   * when `signal` aborts (a leader selector closed while queued).
   */
  async acquire(timeoutMs?: number, signal?: AbortSignal): Promise<boolean> {
    if (this.holdCount > 0) {
      this.holdCount++;
      return true;
    }
    // Reentrancy is per object (JavaScript has no threads to tell callers apart): one waiter each.
    if (this.acquiring)
      throw new PaddockError(
        -8,
        this.path,
        `lock ${this.path}: this Lock object is already waiting; use one per caller`,
      );
    this.acquiring = true;
    try {
      return await this.acquireOnce(timeoutMs, signal);
    } finally {
      this.acquiring = false;
    }
  }

  private async acquireOnce(
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    const created = await createProtected(this.client, this.path, this.lockName, this.options.data);
    const token = { czxid: created.stat.czxid, sequence: sequenceOf(created.name), path: created.path };
    try {
      for (;;) {
        try {
          const { children } = await this.client.getChildren(this.path);
          const verdict = this.predicate(sortBySequence(children, this.markers), created.name);
          if (verdict.holds) break;
          const gone = await untilAborted(
            waitGone(this.client, `${this.path}/${verdict.watch}`, deadline),
            signal,
          );
          if (!gone) {
            await deleteGuaranteed(this.client, created.path);
            return false;
          }
        } catch (error) {
          // A dropped connection keeps our node while the session lives: look again once back.
          if (!(error instanceof ConnectionLossError)) throw error;
          await reconnected(this.client);
        }
      }
    } catch (error) {
      await deleteGuaranteed(this.client, created.path).catch(() => undefined);
      throw error;
    }
    this.node = { path: created.path, token };
    this.holdCount = 1;
    this.unfollow = followSession(this.client, (event) => {
      if (event === "lost") this.forget();
      this.emit(event);
    });
    return true;
  }

  /** Releases one hold; the last release deletes the node and hands the lock to the next waiter. */
  async release(): Promise<void> {
    if (this.holdCount === 0) throw new PaddockError(-8, this.path, `lock ${this.path} is not held`);
    if (--this.holdCount > 0) return;
    const path = this.node?.path;
    this.forget();
    if (path !== undefined) await deleteGuaranteed(this.client, path);
  }

  private forget(): void {
    this.holdCount = 0;
    this.unfollow?.();
    this.unfollow = undefined;
  }
}

/** `waiting`, or false as soon as `signal` aborts. */
function untilAborted(waiting: Promise<boolean>, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal === undefined) return waiting;
  if (signal.aborted) return Promise.resolve(false);
  return Promise.race([
    waiting,
    new Promise<boolean>((resolve) => signal.addEventListener("abort", () => resolve(false), { once: true })),
  ]);
}
