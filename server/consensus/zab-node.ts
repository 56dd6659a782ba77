import type { Txn } from "../gen/paddock/internal/v1/txn.js";
import { assert } from "../util/assert.js";
import { COUNTER_LIMIT, makeZxid, zxidEpoch } from "../util/zxid.js";
import type { ZabMessage } from "./messages.js";
import type { Entry, EntryHistory, Ready, Role } from "./ready.js";
import { ackNewLeaderWhenDurable, stepFollower, tickFollower } from "./step-follower.js";
import {
  becomeLeading,
  broadcastProposal,
  leaderProgress,
  maybeCommit,
  stepLeader,
  tickLeader,
} from "./step-leader.js";
import { stepLooking, tickLooking } from "./step-looking.js";
import { type Random, ZabState } from "./zab-state.js";

export type { Random } from "./zab-state.js";

/** One learner as the leader sees it. */
export interface LearnerStatus {
  readonly id: number;
  readonly observer: boolean;
  /** Synchronised and receiving the broadcast. */
  readonly synced: boolean;
  /** Durable on it (followers) or sent to it (observers). */
  readonly ackedZxid: number;
}

export interface ZabNodeOptions {
  readonly id: number;
  /** Voting members' ids, including this one when it votes. */
  readonly voters: readonly number[];
  /** Observers' ids (this one too, when it observes): they learn commits and never vote. */
  readonly observers?: readonly number[];
  /** The epochs and last zxid recovered from disk. */
  readonly acceptedEpoch: number;
  readonly currentEpoch?: number;
  readonly lastZxid: number;
  /** Recovered log entries after `logBaseZxid`, for DIFF; without them learners behind get SNAP. */
  readonly log?: readonly Entry[];
  readonly logBaseZxid?: number;
  /** The zxid of the applied (known committed) state; defaults to lastZxid, right for one voter. */
  readonly committedZxid?: number;
  /** Proposals not yet committed, bounded: propose() refuses past it. */
  readonly proposalsInFlightMax: number;
  /** Applied entries kept in memory for DIFF. */
  readonly logEntriesMax?: number;
  /** Older committed entries the driver keeps, for DIFF beyond the in-memory log. */
  readonly history?: EntryHistory;
  readonly electionTimeoutTicks?: number;
  readonly initLimitTicks?: number;
  readonly syncLimitTicks?: number;
  readonly heartbeatTicks?: number;
  /** Seeded randomness for election jitter; none means no jitter. */
  readonly random?: Random;
}

/**
 * The ZAB core as a synchronous state machine (etcd-io/raft's shape): fast leader election,
 * discovery, synchronisation and broadcast for an ensemble of N voters plus observers. Role
 * behaviour lives in step-looking.ts, step-follower.ts and step-leader.ts; this class is the API.
 * An ensemble of one elects itself and establishes its epoch inside the constructor.
 */
export class ZabNode {
  private readonly s: ZabState;
  /** The Ready handed out and not yet advanced, and the log generation it was cut from. */
  private pending: Ready | undefined;
  private pendingGeneration = 0;
  /** Advanced Readys whose entries the driver is still making durable, oldest first. */
  private readonly persisting: { ready: Ready; generation: number }[] = [];
  private readonly proposalsInFlightMax: number;
  private readonly logEntriesMax: number;

  constructor(options: ZabNodeOptions) {
    const voters = new Set(options.voters);
    const observers = new Set(options.observers ?? []);
    assert(voters.size === options.voters.length && voters.size > 0, "voters: distinct ids, at least one");
    assert(voters.has(options.id) || observers.has(options.id), "this member is a voter or an observer");
    for (const o of observers) assert(!voters.has(o), `member ${o} both votes and observes`);
    this.proposalsInFlightMax = options.proposalsInFlightMax;
    this.logEntriesMax = options.logEntriesMax ?? 10_000;
    const log = options.log ?? [];
    const lastZxid = log.length > 0 ? log[log.length - 1]!.zxid : options.lastZxid;
    assert(lastZxid === options.lastZxid, "lastZxid is the last recovered entry");
    const currentEpoch = options.currentEpoch ?? 0;
    this.s = new ZabState(
      options.id,
      voters,
      observers,
      {
        electionTimeoutTicks: options.electionTimeoutTicks ?? 10,
        initLimitTicks: options.initLimitTicks ?? 30,
        syncLimitTicks: options.syncLimitTicks ?? 10,
        heartbeatTicks: options.heartbeatTicks ?? 2,
      },
      options.random,
      {
        // A log written before epochs were persisted still proves its epoch was accepted.
        acceptedEpoch: Math.max(options.acceptedEpoch, currentEpoch, zxidEpoch(lastZxid)),
        currentEpoch,
        lastZxid,
        log,
        logBase: log.length > 0 ? (options.logBaseZxid ?? 0) : lastZxid,
        committedZxid: options.committedZxid ?? lastZxid,
      },
    );
    this.s.history = options.history;
    this.s.trimLog(this.logEntriesMax);
    if (voters.size === 1 && voters.has(options.id)) becomeLeading(this.s);
    else this.s.becomeLooking();
  }

  get serverId(): number {
    return this.s.id;
  }

  get currentRole(): Role {
    return this.s.role;
  }

  get currentEpoch(): number {
    return this.s.currentEpoch;
  }

  /** The leader this member follows or observes (itself when leading), -1 while looking. */
  get leaderId(): number {
    return this.s.role === "looking" ? -1 : this.s.leaderId();
  }

  /** Leading or synchronised with a leader (UPTODATE received or sent), so it may serve. */
  get isBroadcasting(): boolean {
    // A learner counts as synchronised once its NEWLEADER ack (and new epoch) went out.
    return this.s.phase === "broadcast" && this.s.newLeaderAckZxid === undefined;
  }

  /** The zxid the next proposal will get (prep records outstanding changes under it). */
  peekZxid(): number {
    const [epoch, counter] = this.nextParts();
    return makeZxid(epoch, counter);
  }

  private nextParts(): [number, number] {
    // Counter exhaustion forces a new epoch, as in ZooKeeper (an ensemble re-elects, see tick()).
    return this.counterExhausted() ? [this.s.newEpoch + 1, 1] : [this.s.newEpoch, this.s.nextCounter + 1];
  }

  private counterExhausted(): boolean {
    return this.s.nextCounter + 1 >= COUNTER_LIMIT - 1;
  }

  /** Proposals accepted but not yet applied. */
  get inFlightCount(): number {
    return this.s.log.length - this.s.indexAfter(this.s.appliedZxid);
  }

  canPropose(): boolean {
    const s = this.s;
    if (s.role !== "leading" || s.phase !== "broadcast") return false;
    if (this.counterExhausted() && s.voters.size > 1) return false;
    return this.inFlightCount < this.proposalsInFlightMax;
  }

  /** Assigns the next zxid and queues the proposal. Leader only. */
  propose(txn: Txn): number {
    const s = this.s;
    assert(s.role === "leading" && s.phase === "broadcast", "propose on a member that does not lead");
    assert(this.inFlightCount < this.proposalsInFlightMax, "proposalsInFlightMax exceeded");
    if (this.counterExhausted()) {
      assert(s.voters.size === 1, "counter exhausted: the ensemble must re-elect");
      // Alone, the new epoch needs nobody's agreement.
      s.newEpoch++;
      s.setAcceptedEpoch(s.newEpoch);
      s.setCurrentEpoch(s.newEpoch);
      s.nextCounter = 0;
    }
    s.nextCounter++;
    const zxid = makeZxid(s.newEpoch, s.nextCounter);
    txn.zxid = BigInt(zxid);
    const entry: Entry = { zxid, txn };
    s.append(entry);
    broadcastProposal(s, entry);
    return zxid;
  }

  /** Feeds one peer message in. */
  step(from: number, message: ZabMessage): void {
    const s = this.s;
    if (from === s.id || (!s.voters.has(from) && !s.observers.has(from))) return;
    if (message.type === "notification" && s.role !== "looking") {
      if (message.state !== "looking") return;
      if (from === s.leader && message.round > s.round) {
        // Our leader started a new election (it stepped down, e.g. its zxid counter ran out)
        // while its stream stayed up: join it now rather than after syncLimit of silence.
        s.becomeLooking();
        stepLooking(s, from, message);
        return;
      }
      // A settled member answers a looking one with whom it follows.
      s.send(from, s.notification());
      return;
    }
    if (s.role === "looking") stepLooking(s, from, message);
    else if (s.role === "leading") stepLeader(s, from, message);
    else stepFollower(s, from, message);
  }

  /**
   * The transport lost its stream to `id`, so messages may have been lost: a follower or observer
   * of `id` looks for a leader again at once (as ZooKeeper's learner on a socket error), and a
   * leader forgets the learner (it re-syncs when it reconnects; tick() steps down without a quorum).
   */
  peerDisconnected(id: number): void {
    const s = this.s;
    if ((s.role === "following" || s.role === "observing") && id === s.leader) s.becomeLooking();
    else if (s.role === "leading") s.learners.delete(id);
  }

  /** The leader's view of its learners, for the admin commands (empty on other roles). */
  learners(): LearnerStatus[] {
    const out: LearnerStatus[] = [];
    for (const [id, l] of this.s.learners) {
      out.push({
        id,
        observer: l.observer,
        synced: l.newLeaderAcked || (l.observer && l.syncing),
        ackedZxid: l.observer ? l.sentZxid : l.ackedZxid,
      });
    }
    return out;
  }

  /** The highest zxid known committed. */
  get commitZxid(): number {
    return this.s.commitZxid;
  }

  tick(): void {
    const s = this.s;
    s.now++;
    if (s.role === "looking") tickLooking(s);
    else if (s.role === "leading") {
      if (this.counterExhausted() && s.voters.size > 1) {
        s.becomeLooking();
        return;
      }
      tickLeader(s);
    } else tickFollower(s);
  }

  hasReady(): boolean {
    const s = this.s;
    return (
      s.outbox.length > 0 ||
      s.hardStateDirty ||
      s.truncateTo !== undefined ||
      s.snapshotZxid !== undefined ||
      s.lastZxid > s.handedPersistZxid ||
      Math.min(s.commitZxid, s.persistedZxid) > s.committedOutZxid
    );
  }

  /** Hands out what to persist, send and apply; anything produced before advance() waits. */
  ready(): Ready {
    assert(this.pending === undefined, "ready() twice without advance()");
    const s = this.s;
    const entries = s.entriesBetween(s.handedPersistZxid, s.lastZxid);
    if (entries.length > 0) s.handedPersistZxid = entries[entries.length - 1]!.zxid;
    const upTo = Math.min(s.commitZxid, s.persistedZxid);
    const committed = upTo > s.committedOutZxid ? s.entriesBetween(s.committedOutZxid, upTo) : [];
    if (upTo > s.committedOutZxid) s.committedOutZxid = upTo;
    const ready: Ready = {
      entries,
      messages: s.outbox,
      committed,
      role: s.role,
      epoch: s.currentEpoch,
      ...(s.hardStateDirty
        ? { hardState: { acceptedEpoch: s.acceptedEpoch, currentEpoch: s.currentEpoch } }
        : {}),
      ...(s.truncateTo !== undefined ? { truncateTo: s.truncateTo } : {}),
      ...(s.snapshotZxid !== undefined ? { snapshotZxid: s.snapshotZxid } : {}),
    };
    s.outbox = [];
    s.hardStateDirty = false;
    s.truncateTo = undefined;
    s.snapshotZxid = undefined;
    this.pending = ready;
    this.pendingGeneration = s.logGeneration;
    this.pruneCuts();
    return ready;
  }

  /** Drops the truncation cuts no Ready still being persisted (or handed out) was cut before. */
  private pruneCuts(): void {
    const s = this.s;
    const oldest = Math.min(this.persisting[0]?.generation ?? s.logGeneration, this.pendingGeneration);
    if (s.cuts.length > 0 && s.cuts[0]!.generation <= oldest)
      s.cuts = s.cuts.filter((c) => c.generation > oldest);
  }

  advance(ready: Ready): void {
    assert(ready === this.pending, "advance with a stale Ready");
    this.pending = undefined;
    const s = this.s;
    if (ready.entries.length > 0) this.persisting.push({ ready, generation: this.pendingGeneration });
    const applied = ready.committed[ready.committed.length - 1];
    if (applied !== undefined) s.appliedZxid = Math.max(s.appliedZxid, applied.zxid);
    if (s.role === "leading") {
      leaderProgress(s);
      maybeCommit(s);
    }
    s.trimLog(this.logEntriesMax);
  }

  /**
   * The driver made `ready`'s entries durable (in Ready order, after advance). Decoupled from
   * advance() so the driver can cut and persist the next Ready while this one's fsync runs.
   */
  persisted(ready: Ready): void {
    const head = this.persisting.shift();
    assert(head !== undefined && head.ready === ready, "persisted() out of order or for an unknown Ready");
    const s = this.s;
    // A truncation since this Ready was cut killed its entries above the cut (a snapshot, all of
    // them); those below it are still the log's and now durable, which a sync may wait for.
    const upTo = Math.min(ready.entries[ready.entries.length - 1]!.zxid, s.liveUpTo(head.generation));
    this.pruneCuts();
    if (upTo <= s.persistedZxid) return;
    s.persistedZxid = upTo;
    if ((s.role === "following" || s.role === "observing") && s.phase === "broadcast") {
      const pending = s.newLeaderAckZxid;
      ackNewLeaderWhenDurable(s);
      // The ack goes out only once the entries it acknowledges are durable, and after NEWLEADER's.
      const acked = s.newLeaderAckZxid === undefined && (pending === undefined || upTo > pending);
      if (s.role === "following" && acked) s.send(s.leader, { type: "ack", epoch: s.newEpoch, zxid: upTo });
    } else if (s.role === "leading") {
      leaderProgress(s);
      maybeCommit(s);
    }
  }

  /** The last zxid proposed or received (persisted or not). */
  get lastZxid(): number {
    return this.s.lastZxid;
  }
}
