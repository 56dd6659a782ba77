/**
 * Curator's DistributedBarrier: the barrier is up while `<path>` exists; waiters watch that one node.
 */
import type { Client } from "../client.js";
import { NodeExistsError, NoNodeError } from "../errors.js";
import { ensurePath, waitGone } from "./nodes.js";

export class Barrier {
  constructor(
    readonly client: Client,
    readonly path: string,
  ) {}

  /** Raises the barrier (already up is fine). */
  async set(): Promise<void> {
    await ensurePath(this.client, this.path, "CONTAINER", false);
    await this.client.create(this.path).catch((error: unknown) => {
      if (!(error instanceof NodeExistsError)) throw error;
    });
  }

  /** Lowers it: every waiter proceeds. */
  async remove(): Promise<void> {
    await this.client.delete(this.path).catch((error: unknown) => {
      if (!(error instanceof NoNodeError)) throw error;
    });
  }

  /** Resolves true once the barrier is down, false when `timeoutMs` passes first. */
  wait(timeoutMs?: number): Promise<boolean> {
    return waitGone(this.client, this.path, timeoutMs === undefined ? undefined : Date.now() + timeoutMs);
  }
}
