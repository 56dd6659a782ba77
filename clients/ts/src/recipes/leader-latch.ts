/**
 * Leader election in Curator's LeaderLatch layout: each participant creates
 * `<path>/_c_<uuid>-latch-<seq>` (ephemeral sequential, data = its id); the lowest sequence leads;
 * every other participant watches only its predecessor. `close()` deletes the node, handing
 * leadership to the next. Leadership is dropped the moment the session is suspended (as Curator's
 * default error policy) and taken back on "reconnected" if the node is still first; "lost" ends it.
 */
import { EventEmitter } from "node:events";
import type { Client } from "../client.js";
import { type ConnectionEvent, followSession, isLost } from "./connection.js";
import type { FencingToken } from "./lock.js";
import { createProtected, deleteGuaranteed, sequenceOf, sortBySequence, waitGone } from "./nodes.js";

type LatchEvents = Record<ConnectionEvent | "isLeader" | "notLeader", []>;

export class LeaderLatch extends EventEmitter<LatchEvents> {
  private node: { path: string; name: string; token: FencingToken } | undefined;
  private leader = false;
  private closed = false;
  private unfollow: (() => void) | undefined;

  constructor(
    readonly client: Client,
    readonly path: string,
    readonly id = "",
  ) {
    super();
  }

  get hasLeadership(): boolean {
    return this.leader;
  }

  /** The participant's fencing token (its node's czxid and sequence). */
  get token(): FencingToken | undefined {
    return this.node?.token;
  }

  /** Joins the election; leadership is reported by "isLeader" / "notLeader" and `hasLeadership`. */
  async start(): Promise<void> {
    const created = await createProtected(this.client, this.path, "latch-", this.id);
    this.node = {
      path: created.path,
      name: created.name,
      token: { czxid: created.stat.czxid, sequence: sequenceOf(created.name), path: created.path },
    };
    this.unfollow = followSession(this.client, (event) => {
      if (event !== "reconnected") this.setLeader(false);
      this.emit(event);
      if (event === "reconnected") void this.check();
    });
    void this.check();
  }

  /** Resolves true once leader, false when `timeoutMs` passes first. */
  awaitLeadership(timeoutMs?: number): Promise<boolean> {
    if (this.leader) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => done(false), timeoutMs);
      const done = (result: boolean): void => {
        clearTimeout(timer);
        this.off("isLeader", onLeader);
        resolve(result);
      };
      const onLeader = (): void => done(true);
      this.on("isLeader", onLeader);
    });
  }

  /** Leaves the election; a leader hands leadership to the next participant. */
  async close(): Promise<void> {
    this.closed = true;
    this.unfollow?.();
    this.setLeader(false);
    if (this.node !== undefined && !isLost(this.client)) await deleteGuaranteed(this.client, this.node.path);
  }

  /** The participants' ids in election order (Curator's getParticipants). */
  async participants(): Promise<string[]> {
    const { children } = await this.client.getChildren(this.path);
    const sorted = sortBySequence(children, ["latch-"]);
    const ids: string[] = [];
    for (const name of sorted) {
      try {
        ids.push(Buffer.from((await this.client.getData(`${this.path}/${name}`)).data).toString("utf8"));
      } catch {
        // gone between the listing and the read
      }
    }
    return ids;
  }

  private async check(): Promise<void> {
    while (!this.closed && this.node !== undefined && !isLost(this.client)) {
      try {
        const { children } = await this.client.getChildren(this.path);
        const sorted = sortBySequence(children, ["latch-"]);
        const index = sorted.indexOf(this.node.name);
        if (index < 0) {
          // Our node went with a lost session; nothing to wait for.
          this.setLeader(false);
          return;
        }
        if (index === 0) {
          if (this.client.state === "connected") this.setLeader(true);
          return;
        }
        await waitGone(this.client, `${this.path}/${sorted[index - 1]}`);
      } catch {
        // Connection loss: "reconnected" re-runs the check; a lost session ends it.
        return;
      }
    }
  }

  private setLeader(leader: boolean): void {
    if (this.leader === leader || (leader && this.closed)) return;
    this.leader = leader;
    this.emit(leader ? "isLeader" : "notLeader");
  }
}
