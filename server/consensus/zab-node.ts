import type { Txn } from "../gen/paddock/internal/v1/txn.js";
import { assert } from "../util/assert.js";
import { COUNTER_LIMIT, makeZxid, zxidEpoch } from "../util/zxid.js";
import { idsConfig, type MemberConfig, observersOf, votersOf } from "./member-config.js";
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
  /** Voting members' ids, including this one when it votes (ignored when `config` is given). */
  readonly voters: readonly number[];
  /** Observers' ids (this one too, when it observes): they learn commits and never vote. */
  readonly observers?: readonly number[];
  /**
   * The configuration with addresses, as last committed (the dynamic config file, else zoo.cfg);
   * reconfigs in the recovered log after its version are replayed on top.
   */
  readonly config?: MemberConfig;
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
    const config = options.config ?? idsConfig(options.voters, options.observers ?? []);
    const voters = votersOf(config);
    const observers = observersOf(config);
    assert(voters.size > 0, "voters: at least one");
    assert(
      new Set(config.members.map((m) => m.id)).size === config.members.length,
      "configuration: distinct ids",
    );
    // A member missing from its configuration was removed by a reconfig: it waits for news.
    assert(
      config.version > 0 || voters.has(options.id) || observers.has(options.id),
      "this member is a voter or an observer",
    );
    this.proposalsInFlightMax = options.proposalsInFlightMax;
    this.logEntriesMax = options.logEntriesMax ?? 10_000;
    const log = options.log ?? [];
    const lastZxid = log.length > 0 ? log[log.length - 1]!.zxid : options.lastZxid;
    assert(lastZxid === options.lastZxid, "lastZxid is the last recovered entry");
    const currentEpoch = options.currentEpoch ?? 0;
    this.s = new ZabState(
      options.id,
      config,
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
    // Reconfigs in the recovered log: committed ones take effect, later ones are pending.
    for (const entry of log) this.s.noteEntry(entry);
    this.s.activateCommitted();
    this.s.trimLog(this.logEntriesMax);
    const all = this.s.allVoters();
    if (all.size === 1 && all.has(options.id)) becomeLeading(this.s);
    else this.s.becomeLooking();
  }

  /** The committed configuration (version: the zxid that committed it, 0 for zoo.cfg's). */
  get activeConfig(): MemberConfig {
    return this.s.activeConfig;
  }

  /** The newest reconfig proposed or received and not yet committed, if any. */
  get pendingConfig(): MemberConfig | undefined {
    return this.s.pendingConfigs[this.s.pendingConfigs.length - 1]?.config;
  }

  /**
   * After anything that may move the commit point or the configuration: committed reconfigs take
   * effect, and a member whose place changed acts on it (a removed leader hands over by starting
   * an election, its followers look for the next one at once, a learner whose role changed joins
   * again in its new role, a removed one stops).
   */
  private reconcile(): void {
    const s = this.s;
    s.activateCommitted();
    if (s.role === "leading") {
      if (!s.isVoter) s.becomeLooking();
    } else if (s.role === "following" || s.role === "observing") {
      // A leader the configuration no longer has is gone now, not after syncLimit of silence.
      const stale = (!s.isMember && !s.invited) || !s.knows(s.leader);
      if (stale || (s.isVoter ? "following" : "observing") !== s.role) s.becomeLooking();
    }
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
    if (this.counterExhausted() && s.allVoters().size > 1) return false;
    return this.inFlightCount < this.proposalsInFlightMax;
  }

  /** Assigns the next zxid and queues the proposal. Leader only. */
  propose(txn: Txn): number {
    const s = this.s;
    assert(s.role === "leading" && s.phase === "broadcast", "propose on a member that does not lead");
    assert(this.inFlightCount < this.proposalsInFlightMax, "proposalsInFlightMax exceeded");
    if (this.counterExhausted()) {
      assert(s.allVoters().size === 1, "counter exhausted: the ensemble must re-elect");
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
    this.stepMessage(from, message);
    this.reconcile();
  }

  private stepMessage(from: number, message: ZabMessage): void {
    const s = this.s;
    if (from === s.id) return;
    // A newer configuration some member committed (this one missed the reconfig, or was down).
    if (message.type === "notification" && message.config !== undefined) s.activate(message.config);
    if (!s.knows(from)) {
      this.stepStranger(from, message);
      return;
    }
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
   * A member of none of our configurations: a joiner (started with a configuration that has it,
   * not yet added by a reconfig) or a removed member asking for news. A settled member answers
   * its notifications with whom it follows and its configuration; a leader lets a joiner sync and
   * follow without a vote.
   */
  private stepStranger(from: number, message: ZabMessage): void {
    const s = this.s;
    if (message.type === "notification") {
      if (s.role !== "looking" && message.state === "looking") s.send(from, s.notification());
      return;
    }
    if (s.role === "leading") stepLeader(s, from, message);
    else if (s.role !== "looking" && from === s.leader) stepFollower(s, from, message);
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
    this.tickOnce();
    this.reconcile();
  }

  private tickOnce(): void {
    const s = this.s;
    s.now++;
    if (s.role === "looking") tickLooking(s);
    else if (s.role === "leading") {
      if (this.counterExhausted() && s.allVoters().size > 1) {
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
      s.configDirty ||
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
      ...(s.configDirty
        ? { config: { active: s.activeConfig, pending: s.pendingConfigs.map((p) => p.config) } }
        : {}),
    };
    s.configDirty = false;
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
    this.reconcile();
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
    this.reconcile();
  }

  /** The last zxid proposed or received (persisted or not). */
  get lastZxid(): number {
    return this.s.lastZxid;
  }
}
