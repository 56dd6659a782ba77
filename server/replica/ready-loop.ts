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
        if (ready.entries.length > 0 && !(await this.persist(ready.entries))) return;
        if (this.stopped) return;
        // Apply failures are broken invariants: they propagate and stop the process.
        if (ready.committed.length > 0) this.hooks.apply(ready.committed);
        this.node.advance(ready);
      }
    } finally {
      this.running = false;
    }
  }

  private async persist(entries: readonly Entry[]): Promise<boolean> {
    try {
      const pending = this.storage.append(entries);
      if (pending !== undefined) await pending;
      return true;
    } catch (error) {
      // Nothing of this Ready is acknowledged: the member stops taking writes.
      this.stopped = true;
      this.hooks.storageFailed(error instanceof Error ? error : new Error(String(error)));
      return false;
    }
  }
}
