/**
 * A counting semaphore in Curator's InterProcessSemaphoreV2 layout: a lease is
 * `<path>/leases/_c_<uuid>-lease-<seq>` (ephemeral sequential); `<path>/locks` is a Lock that
 * serialises acquirers, so only the acquirer holding it watches `leases` (the others wait on
 * their predecessor in `locks`): no herd. A lease is granted while at most `maxLeases` exist.
 */
import type { Client } from "../client.js";
import { Lock } from "./lock.js";
import { createProtected, deleteGuaranteed, oneShot, sequenceOf } from "./nodes.js";

export interface Lease {
  readonly path: string;
  /** Fencing token: the lease node's creating zxid. */
  readonly czxid: bigint;
  readonly sequence: number;
  release(): Promise<void>;
}

export class Semaphore {
  private readonly leasesPath: string;

  constructor(
    readonly client: Client,
    readonly path: string,
    readonly maxLeases: number,
  ) {
    if (!Number.isInteger(maxLeases) || maxLeases < 1)
      throw new RangeError(`maxLeases for ${path} must be a positive integer, got ${maxLeases}`);
    this.leasesPath = `${path}/leases`;
  }

  /** A lease, or undefined when `timeoutMs` passes first. */
  async acquire(timeoutMs?: number): Promise<Lease | undefined> {
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    // A Lock per call: concurrent acquires on one Semaphore queue in `locks` like any other.
    const lock = new Lock(this.client, `${this.path}/locks`);
    if (!(await lock.acquire(timeoutMs === undefined ? undefined : Math.max(0, deadline - Date.now()))))
      return undefined;
    try {
      const created = await createProtected(this.client, this.leasesPath, "lease-", undefined);
      const lease: Lease = {
        path: created.path,
        czxid: created.stat.czxid,
        sequence: sequenceOf(created.name),
        release: () => deleteGuaranteed(this.client, created.path),
      };
      for (;;) {
        const change = oneShot(this.client);
        const { children } = await this.client.getChildren(this.leasesPath, { watch: change.watcher });
        if (children.length <= this.maxLeases) return lease;
        if (!(await change.wait(deadline))) {
          await lease.release();
          return undefined;
        }
      }
    } finally {
      await lock.release();
    }
  }
}
