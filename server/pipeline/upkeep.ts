import type { Span, Tracer } from "@opentelemetry/api";
import { interval, type SchedulerLike, type Subscription } from "rxjs";
import type { Replica } from "../replica/replica.js";
import type { SessionTable } from "../sessions/index.js";
import type { DataTree } from "../tree/data-tree.js";
import type { Prep, TxnBody } from "../tree/prep.js";
import type { LocalSessionTracker } from "./local-session-tracker.js";
import type { LocalSessions } from "./local-sessions.js";
import type { MemberState } from "./member-state.js";
import type { ProposalTracing } from "./proposal-tracing.js";
import type { Proposer } from "./proposer.js";
import { Requester } from "./requester.js";
import { endFailed, startSessionSpan } from "./tracing.js";

/** Session ids per SessionTouch message; more go in the next one. */
const touchBatchMax = 10_000;

export interface UpkeepDeps {
  readonly member: MemberState;
  readonly sessions: SessionTable;
  readonly tree: DataTree;
  readonly prep: Prep;
  readonly replica: Replica;
  readonly proposer: Proposer;
  readonly local: LocalSessions;
  readonly localSessions: LocalSessionTracker | undefined;
  readonly clock: () => number;
  readonly log: (level: "info", message: string) => void;
  readonly sessionsMax: number;
  /** Expiry is traced when tracing is on. */
  readonly tracer: Tracer | undefined;
  readonly tracing: ProposalTracing | undefined;
}

/** The share of its timeout a session's deadline may move out when a new leader takes over. */
const RESTART_STAGGER = 0.5;
/** Session closes proposed per half tick at most (an expiry storm is spread over ticks). */
export const expiriesPerRunMax = 1000;

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

  constructor(private readonly deps: UpkeepDeps) {}

  /** Runs every half tick and every containerCheckMs on the scheduler until unsubscribed. */
  start(scheduler: SchedulerLike, tickMs: number, containerCheckMs: number): Subscription[] {
    return [
      interval(Math.max(1, Math.floor(tickMs / 2)), scheduler).subscribe(() => this.everyHalfTick()),
      interval(containerCheckMs, scheduler).subscribe(() => this.checkContainers()),
    ];
  }

  touched(sessionId: bigint): void {
    // A local session's deadline is this member's alone: no touch goes to the leader.
    const localSessions = this.deps.localSessions;
    if (localSessions?.has(sessionId)) localSessions.touch(sessionId, this.deps.clock());
    else if (this.deps.member.leading) this.deps.sessions.touch(sessionId, this.deps.clock());
    else if (this.active.size < this.deps.sessionsMax) this.active.add(sessionId);
  }

  touchedRemotely(ids: readonly bigint[]): void {
    const now = this.deps.clock();
    for (const id of ids) this.deps.sessions.touch(id, now);
  }

  /**
   * A new leader gives every session a fresh timeout (it cannot know when they were last seen),
   * staggered by up to half of it, so the sessions of clients that did not survive the failover
   * expire spread out instead of in one burst of closes, ephemeral deletes and watch events.
   */
  restartSessionTimeouts(): void {
    this.deps.sessions.restartAll(this.deps.clock(), RESTART_STAGGER);
    this.active.clear();
    this.expiring = [];
  }

  private everyHalfTick(): void {
    if (this.deps.member.leading) this.expireSessions();
    else if (this.active.size > 0 && this.deps.member.serving) this.sendTouches();
  }

  private sendTouches(): void {
    const ids = [...this.active];
    this.active.clear();
    for (let at = 0; at < ids.length; at += touchBatchMax) {
      const sessionIds = ids.slice(at, at + touchBatchMax);
      this.deps.replica.sendToLeader({ kind: { $case: "touch", value: { sessionIds } } });
    }
  }

  private expireSessions(): void {
    const { sessions, clock, prep, log, local, proposer } = this.deps;
    const expired = sessions.expire(clock());
    if (expired.length === 0 && this.expiring.length === 0) return;
    const all = this.expiring.concat(expired);
    // At most expiriesPerRunMax closes per half tick; the rest wait for the next one, in order.
    const todo = all.slice(0, expiriesPerRunMax);
    this.expiring = all.slice(expiriesPerRunMax);
    for (const sessionId of todo) {
      const requester = local.get(sessionId) ?? new Requester(sessionId, [], undefined);
      requester.closing = true;
      // Traced once proposed (a close retried next half tick is not a span per attempt).
      const tracer = this.deps.tracer;
      let span: Span | undefined;
      try {
        const waiter = {
          requester,
          slot: undefined,
          barrier: false,
          onApplied: tracer && (() => span?.end()),
          onFailed: tracer && ((error: unknown) => span && endFailed(span, error)),
        };
        const zxid = proposer.propose(sessionId, 0, buildCloseSession, { prep, sessionId }, waiter);
        if (tracer !== undefined) {
          span = startSessionSpan(tracer, "expire", sessionId);
          this.deps.tracing?.proposedLocal(zxid, span);
        }
        log("info", `expiring session 0x${sessionId.toString(16)}`);
      } catch {
        this.expiring.push(sessionId);
      }
    }
  }

  /** ZooKeeper's ContainerManager: empty containers and expired TTL nodes go by transaction. */
  private checkContainers(): void {
    const { member, tree, prep, clock, proposer } = this.deps;
    if (!member.leading) return;
    for (const path of tree.expiredContainersAndTtls(clock())) {
      try {
        proposer.propose(0n, 0, buildDeleteContainer, { prep, path }, undefined);
      } catch {
        return; // not writable now (throttled, storage failed): the next check tries again
      }
    }
  }
}

function buildCloseSession(zxid: number, s: { prep: Prep; sessionId: bigint }): TxnBody {
  return s.prep.closeSession(s.sessionId, zxid);
}

function buildDeleteContainer(zxid: number, c: { prep: Prep; path: string }): TxnBody | undefined {
  return c.prep.deleteContainer(c.path, zxid);
}
