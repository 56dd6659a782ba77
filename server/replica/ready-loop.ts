import type { Entry, Outbound, Ready } from "../consensus/ready.js";
import type { ZabNode } from "../consensus/zab-node.js";
import type { Storage } from "./storage.js";

export interface ReadyLoopHooks {
  /** Committed entries, in zxid order. Runs synchronously inside the loop. */
  apply(committed: readonly Entry[]): void;
  /** Storage failed: the member must stop accepting writes. */
  storageFailed(error: Error): void;
  /** A Ready's messages, once its snapshot, truncation and hard state are durable. */
  send(messages: readonly Outbound[]): void;
  /** SNAP: the leader's state at zxid replaces the tree; resolves once it is durable. */
  installSnapshot(zxid: number): Promise<void>;
  /** After each Ready: role, epoch, leader or serving may have changed. */
  afterReady(ready: Ready): void;
}

/**
 * Drives the ZAB core in the order Ready's contract states: install a snapshot, truncate, persist
 * the hard state, send, apply what is committed, advance, then start persisting the entries.
 * Election and sync Readys (snapshot, truncation, hard state) take an asynchronous slow path; the
 * broadcast path stays synchronous: a Ready's entries start persisting and the loop moves on, so
 * the next Ready is cut while this one's fsync runs (the log groups whatever arrives meanwhile into
 * its next flush). The core learns of durability through persisted(), and only then acks.
 */
export class ReadyLoop {
  private running = false;
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly node: ZabNode,
    private readonly storage: Storage,
    /** Runs the loop after the current work: queueMicrotask in the server, injectable in tests. */
    private readonly soon: (work: () => void) => void,
    private readonly hooks: ReadyLoopHooks,
  ) {}

  /** Call after propose/step/tick: runs the loop soon unless it already runs. */
  kick(): void {
    if (this.running || this.scheduled || this.stopped) return;
    this.scheduled = true;
    // A microtask lets every request of the current envelope be proposed before the flush.
    this.soon(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      while (!this.stopped && this.node.hasReady()) {
        const ready: Ready = this.node.ready();
        if (ready.snapshotZxid !== undefined || ready.truncateTo !== undefined || ready.hardState) {
          if (!(await this.slowPath(ready))) return;
        }
        if (ready.messages.length > 0) this.hooks.send(ready.messages);
        // Committed entries were made durable by earlier Readys. Apply failures are broken
        // invariants: they propagate and stop the process.
        if (ready.committed.length > 0) this.hooks.apply(ready.committed);
        this.node.advance(ready);
        this.hooks.afterReady(ready);
        if (ready.entries.length > 0) this.persist(ready);
      }
    } finally {
      // An apply failure is a broken invariant: the rejection is unhandled and ends the process.
      this.running = false;
    }
  }

  /** Snapshot, truncation and epochs, durable and in that order; false once storage failed. */
  private async slowPath(ready: Ready): Promise<boolean> {
    try {
      if (ready.snapshotZxid !== undefined) {
        await this.hooks.installSnapshot(ready.snapshotZxid);
        this.storage.snapshotInstalled(ready.snapshotZxid);
        // Whatever the log held above the snapshot is another history.
        await this.storage.truncate(ready.snapshotZxid);
      }
      if (ready.truncateTo !== undefined) await this.storage.truncate(ready.truncateTo);
      if (ready.hardState) await this.storage.saveHardState(ready.hardState);
    } catch (error) {
      this.fail(error);
      return false;
    }
    return !this.stopped;
  }

  private persist(ready: Ready): void {
    let pending: Promise<void> | undefined;
    try {
      pending = this.storage.append(ready.entries);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (pending === undefined) {
      this.node.persisted(ready);
      return;
    }
    pending.then(
      () => {
        if (this.stopped) return;
        this.node.persisted(ready);
        this.kick();
      },
      (error: unknown) => this.fail(error),
    );
  }

  /** Nothing not yet durable is acknowledged: the member stops taking writes. */
  private fail(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.hooks.storageFailed(error instanceof Error ? error : new Error(String(error)));
  }
}
