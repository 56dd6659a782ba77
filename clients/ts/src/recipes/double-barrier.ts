/**
 * Curator's DistributedDoubleBarrier: members enter as `<path>/<uuid>` (ephemeral); the member that
 * sees `count` members creates `<path>/ready`, releasing everyone waiting on it. Leaving follows
 * Curator's order: the lowest member waits for the highest, the others delete themselves and wait
 * for the lowest, so each waits on one node and everyone leaves together.
 */
import { randomUUID } from "node:crypto";
import type { Client } from "../client.js";
import { NodeExistsError, NoNodeError } from "../errors.js";
import { ensurePath, join, oneShot } from "./nodes.js";

const READY = "ready";

export class DoubleBarrier {
  private readonly ours: string;
  private readonly readyPath: string;

  constructor(
    readonly client: Client,
    readonly path: string,
    readonly count: number,
  ) {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`member count for ${path} must be a positive integer, got ${count}`);
    this.ours = randomUUID();
    this.readyPath = join(path, READY);
  }

  /** Resolves true once `count` members entered, false when `timeoutMs` passes first. */
  async enter(timeoutMs?: number): Promise<boolean> {
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    await ensurePath(this.client, this.path);
    const ready = oneShot(this.client);
    const up = (await this.client.exists(this.readyPath, { watch: ready.watcher })) !== null;
    await this.client.create(join(this.path, this.ours), undefined, { mode: "EPHEMERAL" });
    if (up) return true;
    const { children } = await this.client.getChildren(this.path);
    if (children.filter((c) => c !== READY).length >= this.count) {
      await this.client.create(this.readyPath).catch((error: unknown) => {
        if (!(error instanceof NodeExistsError)) throw error;
      });
      return true;
    }
    return ready.wait(deadline);
  }

  /** Resolves true once every member left, false when `timeoutMs` passes first. */
  async leave(timeoutMs?: number): Promise<boolean> {
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    let ourNodeExists = true;
    for (;;) {
      let children: string[];
      try {
        children = (await this.client.getChildren(this.path)).children;
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
        children = [];
      }
      children = children.filter((c) => c !== READY).sort();
      if (children.length === 0) break;
      const index = children.indexOf(this.ours);
      if (children.length === 1 && index === 0) {
        await this.deleteOurs();
        break;
      }
      const change = oneShot(this.client);
      let watched: string;
      if (index === 0) watched = children[children.length - 1]!;
      else {
        watched = children[0]!;
        if (ourNodeExists) await this.deleteOurs();
        ourNodeExists = false;
      }
      const stat = await this.client.exists(join(this.path, watched), { watch: change.watcher });
      if (stat !== null && !(await change.wait(deadline))) return false;
    }
    await this.client.delete(this.readyPath).catch((error: unknown) => {
      if (!(error instanceof NoNodeError)) throw error;
    });
    return true;
  }

  private async deleteOurs(): Promise<void> {
    await this.client.delete(join(this.path, this.ours)).catch((error: unknown) => {
      if (!(error instanceof NoNodeError)) throw error;
    });
  }
}
