import { interval, type Subscription } from "rxjs";
import type { Pipeline } from "./pipeline.js";
import { Requester } from "./requester.js";

/** Session ids per SessionTouch message; more go in the next one. */
const touchBatchMax = 10_000;

/**
 * Sessions and containers over time. The leader owns expiry (as ZooKeeper's leader): it touches
 * sessions on their requests here and on the touches followers send, expires the silent ones and
 * removes empty containers and expired TTL nodes, all by transaction. A follower or observer only
 * records which of its sessions were active and sends them to the leader twice per tickTime.
 */
export class SessionUpkeep {
  private readonly active = new Set<bigint>();
  /** Sessions found expired whose close could not be proposed yet. */
  private expiring: bigint[] = [];

  constructor(private readonly pipeline: Pipeline) {}

  start(tickMs: number, containerCheckMs: number): Subscription[] {
    return [
      interval(Math.max(1, Math.floor(tickMs / 2))).subscribe(() => this.everyHalfTick()),
      interval(containerCheckMs).subscribe(() => this.checkContainers()),
    ];
  }

  touched(sessionId: bigint): void {
    if (this.pipeline.isLeading) this.pipeline.deps.sessions.touch(sessionId, this.pipeline.deps.clock());
    else if (this.active.size < this.pipeline.options.limits.sessionsMax) this.active.add(sessionId);
  }

  touchedRemotely(ids: readonly bigint[]): void {
    const { sessions, clock } = this.pipeline.deps;
    const now = clock();
    for (const id of ids) sessions.touch(id, now);
  }

  /** A new leader gives every session a fresh timeout (it cannot know when they were last seen). */
  restartSessionTimeouts(): void {
    const { sessions, clock } = this.pipeline.deps;
    sessions.restartAll(clock());
    this.active.clear();
    this.expiring = [];
  }

  private everyHalfTick(): void {
    if (this.pipeline.isLeading) this.expireSessions();
    else if (this.active.size > 0 && this.pipeline.isServing) this.sendTouches();
  }

  private sendTouches(): void {
    const ids = [...this.active];
    this.active.clear();
    for (let at = 0; at < ids.length; at += touchBatchMax) {
      const sessionIds = ids.slice(at, at + touchBatchMax);
      this.pipeline.deps.replica.sendToLeader({ kind: { $case: "touch", value: { sessionIds } } });
    }
  }

  private expireSessions(): void {
    const { sessions, clock, prep, log } = this.pipeline.deps;
    const expired = sessions.expire(clock());
    if (expired.length === 0 && this.expiring.length === 0) return;
    const todo = this.expiring.concat(expired);
    this.expiring = [];
    for (const sessionId of todo) {
      const requester = this.pipeline.local.get(sessionId) ?? new Requester(sessionId, [], undefined);
      requester.closing = true;
      try {
        const waiter = {
          requester,
          slot: undefined,
          barrier: false,
          onApplied: undefined,
          onFailed: undefined,
        };
        this.pipeline.proposeInternal(sessionId, (zxid) => prep.closeSession(sessionId, zxid), waiter);
        log("info", `expiring session 0x${sessionId.toString(16)}`);
      } catch {
        this.expiring.push(sessionId);
      }
    }
  }

  /** ZooKeeper's ContainerManager: empty containers and expired TTL nodes go by transaction. */
  private checkContainers(): void {
    const pipeline = this.pipeline;
    if (!pipeline.isLeading) return;
    const { tree, prep, clock } = pipeline.deps;
    for (const path of tree.expiredContainersAndTtls(clock())) {
      if (pipeline.failure || !pipeline.node.canPropose()) return;
      const zxid = pipeline.node.peekZxid();
      const body = prep.deleteContainer(path, zxid);
      if (body !== undefined) pipeline.propose(0n, 0, body, zxid, undefined, 0, 0);
    }
  }
}
