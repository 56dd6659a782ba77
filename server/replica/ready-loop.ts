import type { Entry, Ready } from "../consensus/ready.js";
import type { ZabNode } from "../consensus/zab-node.js";
import type { Storage } from "./storage.js";

export interface ReadyLoopHooks {
  /** Committed entries, in zxid order. Runs synchronously inside the loop. */
  apply(committed: readonly Entry[]): void;
  /** Storage failed: the member must stop accepting writes. */
  storageFailed(error: Error): void;
}

/**
 * Drives the ZAB core: takes each Ready, persists its entries in one flush, sends, applies what is
 * committed, then advances. Proposals that arrive while a flush runs accumulate in the core and go
 * out together in the next flush: that is the group commit.
 */
export class ReadyLoop {
  private running = false;
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly node: ZabNode,
    private readonly storage: Storage,
    private readonly hooks: ReadyLoopHooks,
  ) {}

  /** Call after propose/step/tick: runs the loop soon unless it already runs. */
  kick(): void {
    if (this.running || this.scheduled || this.stopped) return;
    this.scheduled = true;
    // A microtask lets every request of the current envelope be proposed before the flush.
    queueMicrotask(() => {
      this.scheduled = false;
      this.run();
    });
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * Synchronous: a Ready's entries start persisting and the loop moves on, so the next Ready can be
   * cut while this one's fsync runs (the log groups whatever arrives meanwhile into its next
   * flush). The core learns of durability through persisted(), and only then counts its ack.
   */
  private run(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      while (!this.stopped && this.node.hasReady()) {
        const ready: Ready = this.node.ready();
        // Committed entries were made durable by earlier Readys. Apply failures are broken
        // invariants: they propagate and stop the process.
        if (ready.committed.length > 0) this.hooks.apply(ready.committed);
        this.node.advance(ready);
        if (ready.entries.length > 0) this.persist(ready);
      }
    } finally {
      this.running = false;
    }
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
