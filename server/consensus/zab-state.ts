import { assert } from "../util/assert.js";
import { zxidEpoch } from "../util/zxid.js";
import { configOfEntry, type MemberConfig, observersOf, votersOf } from "./member-config.js";
import type { ZabMessage } from "./messages.js";
import type { Entry, EntryHistory, Outbound, Role } from "./ready.js";
import type { Vote } from "./vote.js";
import { isQuorum } from "./vote.js";

/** The injected randomness (server/util/prng.ts fits): the core has none of its own. */
export interface Random {
  below(n: number): number;
}

/** What the leader knows of one learner (ZooKeeper's LearnerHandler, as data). */
export interface LearnerState {
  readonly observer: boolean;
  readonly attempt: number;
  readonly acceptedEpoch: number;
  lastZxid: number;
  epochAcked: boolean;
  /** Counted for the epoch quorum: it accepted the new epoch from us first. */
  freshAck: boolean;
  /** Sync sent: from now on it receives every proposal (or inform), in order. */
  syncing: boolean;
  newLeaderAcked: boolean;
  /** The last zxid sent to it (proposal or inform). */
  sentZxid: number;
  ackedZxid: number;
  heardTick: number;
}

export type Phase = "election" | "discovery" | "epochAck" | "sync" | "broadcast";

export interface Timing {
  readonly electionTimeoutTicks: number;
  readonly initLimitTicks: number;
  readonly syncLimitTicks: number;
  readonly heartbeatTicks: number;
}

/**
 * The mutable state shared by the role step functions. Fields are public to the consensus folder
 * only (ZabNode keeps this object private); each role file changes what its role owns.
 */
export class ZabState {
  role: Role = "looking";
  phase: Phase = "election";
  acceptedEpoch: number;
  currentEpoch: number;
  hardStateDirty = false;
  nextCounter = 0;

  /** In-memory log after `logBase`: recovered or received entries, persisted or not. */
  log: Entry[];
  logBase: number;
  /** Committed entries at and below `logBase`, kept by the driver (DIFF for learners further behind). */
  history: EntryHistory | undefined;
  handedPersistZxid: number;
  persistedZxid: number;
  commitZxid: number;
  committedOutZxid: number;
  appliedZxid: number;
  /** Bumped by truncation or snapshot: a Ready handed out before may hold dead history. */
  logGeneration = 0;
  /** Each bump's cut: entries above `to` died (-1: a snapshot replaced them all). Pruned by the node. */
  cuts: { generation: number; to: number }[] = [];
  truncateTo: number | undefined;
  snapshotZxid: number | undefined;
  outbox: Outbound[] = [];

  now = 0;
  deadline = 0;
  // Election.
  round = 0;
  vote: Vote;
  readonly votes = new Map<number, Vote>();
  /** The tick at which an agreed quorum's vote is taken, -1 while none agrees (finalizeWait). */
  decideAt = -1;
  readonly outOfElection = new Map<
    number,
    { leader: number; state: Role; config?: MemberConfig; pending?: MemberConfig }
  >();
  /** followerInfo received while still looking, for the round this member may decide to lead. */
  readonly earlyFollowerInfo = new Map<number, Extract<ZabMessage, { type: "followerInfo" }>>();
  // Following.
  leader = -1;
  /** Following as a member of no configuration, because the leader's pending reconfig adds it. */
  invited = false;
  /** NEWLEADER received: ack it once the synced history up to this zxid is durable. */
  newLeaderAckZxid: number | undefined;
  followAttempt = 0;
  heardTick = 0;
  // Leading.
  readonly learners = new Map<number, LearnerState>();
  newEpoch = 0;
  historyZxid = 0;
  // Configuration (reconfig).
  /** The committed configuration; `voters` and `observers` are its ids. */
  activeConfig: MemberConfig;
  voters: ReadonlySet<number>;
  observers: ReadonlySet<number>;
  /**
   * Reconfigs in the log above the commit point, oldest first. Until one commits, every quorum
   * (election, epoch, commit) needs its voters as well as the active ones: ZooKeeper's rule that a
   * new configuration is committed under both the old and the new quorum.
   */
  pendingConfigs: { config: MemberConfig; voters: ReadonlySet<number> }[] = [];
  /** The configurations changed: the next Ready tells the driver (peers, dynamic config file). */
  configDirty = false;

  constructor(
    readonly id: number,
    config: MemberConfig,
    readonly timing: Timing,
    readonly random: Random | undefined,
    recovered: {
      acceptedEpoch: number;
      currentEpoch: number;
      lastZxid: number;
      log: readonly Entry[];
      logBase: number;
      committedZxid: number;
    },
  ) {
    this.acceptedEpoch = recovered.acceptedEpoch;
    this.currentEpoch = recovered.currentEpoch;
    this.log = [...recovered.log];
    this.logBase = recovered.logBase;
    this.persistedZxid = this.handedPersistZxid = recovered.lastZxid;
    this.commitZxid = this.committedOutZxid = this.appliedZxid = recovered.committedZxid;
    this.activeConfig = config;
    this.voters = votersOf(config);
    this.observers = observersOf(config);
    this.vote = this.selfVote();
  }

  /** A voter of the active or of a pending configuration. */
  get isVoter(): boolean {
    return this.isVoterAnywhere(this.id);
  }

  /** Removed by a reconfig (or never added): it neither votes nor follows, and asks for news. */
  get isMember(): boolean {
    return this.knows(this.id);
  }

  isVoterAnywhere(id: number): boolean {
    return this.voters.has(id) || this.pendingConfigs.some((p) => p.voters.has(id));
  }

  /** A member of the active or of a pending configuration. */
  knows(id: number): boolean {
    return (
      this.voters.has(id) ||
      this.observers.has(id) ||
      this.pendingConfigs.some((p) => p.config.members.some((m) => m.id === id))
    );
  }

  /** Every voter of the active and pending configurations. */
  allVoters(): Set<number> {
    const all = new Set(this.voters);
    for (const p of this.pendingConfigs) for (const id of p.voters) all.add(id);
    return all;
  }

  /** Tracks a reconfig entry newly in the log (ignored when the active one is as new). */
  noteEntry(entry: Entry): void {
    const config = configOfEntry(entry);
    if (config === undefined || config.version <= this.activeConfig.version) return;
    this.pendingConfigs.push({ config, voters: votersOf(config) });
    this.configDirty = true;
  }

  /** Makes `config` the active one (committed here, or learned from a peer that committed it). */
  activate(config: MemberConfig): void {
    if (config.version <= this.activeConfig.version) return;
    const before = this.activeConfig.members.map((m) => m.id);
    this.activeConfig = config;
    this.voters = votersOf(config);
    this.observers = observersOf(config);
    this.pendingConfigs = this.pendingConfigs.filter((p) => p.config.version > config.version);
    this.configDirty = true;
    // A leader stops talking to the members the new configuration removed.
    if (this.role === "leading") for (const id of before) if (!this.knows(id)) this.learners.delete(id);
  }

  /** Activates every pending configuration the commit point has passed. */
  activateCommitted(): void {
    while (this.pendingConfigs.length > 0 && this.pendingConfigs[0]!.config.version <= this.commitZxid)
      this.activate(this.pendingConfigs[0]!.config);
  }

  get lastZxid(): number {
    return this.log.length > 0 ? this.log[this.log.length - 1]!.zxid : this.logBase;
  }

  selfVote(): Vote {
    return { leader: this.id, epoch: this.currentEpoch, zxid: this.lastZxid };
  }

  members(): number[] {
    const all = new Set([...this.voters, ...this.observers]);
    for (const p of this.pendingConfigs) for (const m of p.config.members) all.add(m.id);
    all.delete(this.id);
    return [...all];
  }

  send(to: number, message: ZabMessage): void {
    assert(to !== this.id, "a member does not send to itself");
    this.outbox.push({ to, message });
  }

  /** A quorum of the active voters and of every pending configuration's voters. */
  quorum(ids: Iterable<number>): boolean {
    const list = [...ids];
    return isQuorum(list, this.voters) && this.pendingConfigs.every((p) => isQuorum(list, p.voters));
  }

  setAcceptedEpoch(epoch: number): void {
    assert(epoch >= this.acceptedEpoch, "acceptedEpoch never goes back");
    this.acceptedEpoch = epoch;
    this.hardStateDirty = true;
  }

  setCurrentEpoch(epoch: number): void {
    assert(epoch >= this.currentEpoch && epoch <= this.acceptedEpoch, "currentEpoch within bounds");
    this.currentEpoch = epoch;
    this.hardStateDirty = true;
  }

  /** Timeouts in ticks; the election one gets seeded jitter so members do not retry in lockstep. */
  resetDeadline(ticks: number, jitter: boolean): void {
    const extra = jitter && this.random ? this.random.below(ticks) : 0;
    this.deadline = this.now + ticks + extra;
  }

  /** Index of the first entry whose zxid is above `zxid`. */
  indexAfter(zxid: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid]!.zxid <= zxid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  entriesBetween(after: number, upTo: number): Entry[] {
    return this.log.slice(this.indexAfter(after), this.indexAfter(upTo));
  }

  /** The zxid of the entry before `zxid` in the log (logBase for the first). */
  zxidBefore(zxid: number): number {
    const i = this.indexAfter(zxid - 1) - 1;
    return i >= 0 ? this.log[i]!.zxid : this.logBase;
  }

  hasZxid(zxid: number): boolean {
    if (zxid === this.logBase) return true;
    const i = this.indexAfter(zxid) - 1;
    return i >= 0 && this.log[i]!.zxid === zxid;
  }

  append(entry: Entry): void {
    assert(entry.zxid > this.lastZxid, "log zxids must grow");
    this.log.push(entry);
    this.noteEntry(entry);
  }

  /** Drops the tail above `zxid` (TRUNC). A committed entry is never dropped. */
  truncate(zxid: number): void {
    assert(zxid >= this.commitZxid, `TRUNC to ${zxid} below the committed ${this.commitZxid}`);
    assert(zxid >= this.logBase, "TRUNC below the in-memory log");
    this.log.length = this.indexAfter(zxid);
    this.handedPersistZxid = Math.min(this.handedPersistZxid, zxid);
    this.persistedZxid = Math.min(this.persistedZxid, zxid);
    this.truncateTo = Math.min(this.truncateTo ?? zxid, zxid);
    this.cuts.push({ generation: ++this.logGeneration, to: zxid });
    this.dropPendingAbove(zxid);
  }

  private dropPendingAbove(zxid: number): void {
    const kept = this.pendingConfigs.filter((p) => p.config.version <= zxid);
    if (kept.length === this.pendingConfigs.length) return;
    this.pendingConfigs = kept;
    this.configDirty = true;
  }

  /** The highest zxid of a Ready cut at `generation` that is still live history. */
  liveUpTo(generation: number): number {
    let upTo = Number.POSITIVE_INFINITY;
    for (const c of this.cuts) if (c.generation > generation) upTo = Math.min(upTo, c.to);
    return upTo;
  }

  /** Replaces the whole history by the leader's state at `zxid` (SNAP). */
  installSnapshot(zxid: number): void {
    this.log = [];
    this.logBase = zxid;
    this.persistedZxid = this.handedPersistZxid = zxid;
    this.commitZxid = this.committedOutZxid = this.appliedZxid = zxid;
    this.snapshotZxid = zxid;
    this.truncateTo = undefined;
    this.cuts.push({ generation: ++this.logGeneration, to: -1 });
    // Every pending reconfig came from the log the snapshot replaces, even those below its zxid
    // (the new leader may never have had them): the SNAP's configuration is the truth now.
    this.dropPendingAbove(-1);
  }

  /** Keeps at most `max` applied entries for DIFF; older learners get SNAP. */
  trimLog(max: number): void {
    // Trim in chunks of a quarter of max: a front splice on every advance costs O(max) each time.
    if (this.log.length <= max + (max >>> 2)) return;
    const applied = this.indexAfter(this.appliedZxid);
    const drop = Math.min(applied, this.log.length - max);
    if (drop <= 0) return;
    this.logBase = this.log[drop - 1]!.zxid;
    this.log.splice(0, drop);
  }

  learnerEpochOk(epoch: number): boolean {
    return epoch === this.newEpoch;
  }

  /** Clears every role's volatile state. */
  resetRole(role: Role, phase: Phase): void {
    this.role = role;
    this.phase = phase;
    this.votes.clear();
    this.decideAt = -1;
    this.outOfElection.clear();
    this.learners.clear();
    this.leader = -1;
    this.invited = false;
    this.newLeaderAckZxid = undefined;
    this.newEpoch = 0;
  }

  zxidEpochOfLast(): number {
    return zxidEpoch(this.lastZxid);
  }

  /** Starts a new election round voting for itself (observers vote for nobody, they only listen). */
  becomeLooking(): void {
    this.resetRole("looking", "election");
    this.earlyFollowerInfo.clear();
    this.round++;
    this.vote = this.selfVote();
    if (this.isVoter) this.votes.set(this.id, this.vote);
    this.broadcastNotification();
    this.resetDeadline(this.timing.electionTimeoutTicks, true);
  }

  broadcastNotification(): void {
    for (const m of this.members()) this.send(m, this.notification());
  }

  notification(): ZabMessage {
    const vote =
      this.role === "looking"
        ? this.vote
        : { leader: this.leaderId(), epoch: this.currentEpoch, zxid: this.lastZxid };
    const pending = this.pendingConfigs[this.pendingConfigs.length - 1]?.config;
    return {
      type: "notification",
      vote,
      round: this.round,
      state: this.role,
      config: this.activeConfig,
      ...(pending === undefined ? {} : { pending }),
    };
  }

  leaderId(): number {
    return this.role === "leading" ? this.id : this.leader;
  }

  /** Connects to `leader` as follower (or observer) and announces what it has. */
  becomeFollowing(leader: number): void {
    assert(leader !== this.id, "a member does not follow itself");
    this.resetRole(this.isVoter ? "following" : "observing", "discovery");
    this.earlyFollowerInfo.clear();
    this.leader = leader;
    this.followAttempt++;
    this.heardTick = this.now;
    this.resetDeadline(this.timing.initLimitTicks, false);
    this.sendFollowerInfo();
  }

  sendFollowerInfo(): void {
    this.send(this.leader, {
      type: "followerInfo",
      attempt: this.followAttempt,
      acceptedEpoch: this.acceptedEpoch,
      currentEpoch: this.currentEpoch,
      lastZxid: this.lastZxid,
      observer: !this.isVoter,
    });
  }
}
