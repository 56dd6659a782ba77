/**
 * Group membership in Curator's GroupMember layout: each member is `<path>/<id>` (ephemeral, data =
 * its payload); the live view is the children of `<path>` with their data, re-read on every
 * change and on "reconnected". A member is told "suspended" / "reconnected" / "lost" like a holder.
 */
import { EventEmitter } from "node:events";
import type { Client } from "../client.js";
import { NodeExistsError, NoNodeError } from "../errors.js";
import { readOp } from "../ops.js";
import { type ConnectionEvent, followSession, isLost } from "./connection.js";
import { ensurePath, join } from "./nodes.js";

type MemberEvents = Record<ConnectionEvent, []> & { change: [Map<string, Uint8Array>] };

export class GroupMember extends EventEmitter<MemberEvents> {
  private view = new Map<string, Uint8Array>();
  private unfollow: (() => void) | undefined;
  private closed = false;
  private czxid = 0n;
  /** One identity, so repeated refreshes keep one watch. */
  private readonly onChange = (): void => void this.refresh();

  constructor(
    readonly client: Client,
    readonly path: string,
    readonly id: string,
    readonly payload: Uint8Array | string = "",
  ) {
    super();
  }

  /** The live view: member id → payload. */
  get members(): ReadonlyMap<string, Uint8Array> {
    return this.view;
  }

  /** Fencing token: the creating zxid of this member's node. */
  get token(): bigint {
    return this.czxid;
  }

  async start(): Promise<void> {
    await ensurePath(this.client, this.path, "PERSISTENT");
    try {
      this.czxid = (
        await this.client.create(join(this.path, this.id), this.payload, { mode: "EPHEMERAL" })
      ).stat.czxid;
    } catch (error) {
      if (error instanceof NodeExistsError)
        throw new NodeExistsError(error.path, `member ${this.id} already in ${this.path}`);
      throw error;
    }
    this.unfollow = followSession(this.client, (event) => {
      this.emit(event);
      if (event === "reconnected") void this.refresh();
    });
    await this.refresh();
  }

  /** Leaves the group (its node goes at once). */
  async close(): Promise<void> {
    this.closed = true;
    this.unfollow?.();
    if (!isLost(this.client)) await this.client.delete(join(this.path, this.id)).catch(() => undefined);
  }

  private async refresh(): Promise<void> {
    if (this.closed || isLost(this.client)) return;
    try {
      const { children } = await this.client.getChildren(this.path, { watch: this.onChange });
      const reads = await this.client.multiRead(children.map((c) => readOp.getData(join(this.path, c))));
      const view = new Map<string, Uint8Array>();
      reads.forEach((r, i) => {
        if (r.type === "getData") view.set(children[i]!, r.data);
      });
      this.view = view;
      this.emit("change", view);
    } catch (error) {
      if (error instanceof NoNodeError) return;
      // Connection loss: "reconnected" refreshes again.
    }
  }
}
