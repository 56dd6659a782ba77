import type { MemberConfig } from "../../server/consensus/member-config.js";
import type { ZabMessage } from "../../server/consensus/messages.js";
import type { Entry, EntryHistory, Ready } from "../../server/consensus/ready.js";
import type { ZabNode } from "../../server/consensus/zab-node.js";
import { Txn } from "../../server/gen/paddock/internal/v1/txn.js";
import { LogHistory } from "../../server/replica/log-history.js";
import { OwnerKind, ownerKind } from "../../server/tree/ephemeral-type.js";
import { Prng } from "../../server/util/prng.js";
import { zxidEpoch } from "../../server/util/zxid.js";
import { ConfigChecker } from "./config-check.js";
import { type Disk, emptyDisk, nodeFromDisk, txnOf } from "./disk.js";
import { EPHEMERALS, MemberState, QUEUE } from "./member-state.js";
import { ReconfigDriver, simConfig } from "./reconfig-driver.js";
import { type ClientPlant, ZkClients } from "./zk-clients.js";

interface Member {
  readonly id: number;
  node: ZabNode | undefined;
  readonly disk: Disk;
  /** Applied (committed) entries in order; rebuilt from the disk on restart. */
  applied: Entry[];
  /** The tree and session table those entries built (the real ones). */
  state: MemberState;
  restarts: number;
  /** SNAP payloads received, by zxid: the real snapshot bytes, and the entries they stand for. */
  snapshots: Map<number, SnapPayload>;
  /** Readys whose entries are written but not yet fsynced, oldest first, with the tick it ends. */
  unsynced: { ready: Ready; entries: Entry[]; due: number }[];
  /** The log's recent records, as the server's LogStorage keeps them for DIFF. */
  history: LogHistory;
}

/** Small, so that learners behind get DIFF from the history as well as SNAP past it. */
const HISTORY_BYTES = 1536;
const HISTORY_CHUNK_BYTES = 512;
const encodeTxn = (txn: Txn): Uint8Array => Txn.encode(txn).finish();

interface SnapPayload {
  readonly entries: Entry[];
  readonly bytes: Uint8Array;
}

interface InFlight {
  readonly at: number;
  readonly seq: number;
  readonly from: number;
  readonly to: number;
  readonly message: ZabMessage;
  readonly snapshot?: SnapPayload;
}

export interface SimOptions {
  readonly seed: number;
  readonly voters: number;
  readonly observers: number;
  readonly ticks: number;
  /** Per-message drop probability in thousandths. */
  readonly dropPerMille: number;
  readonly delayTicksMax: number;
  readonly faults: boolean;
  /**
   * Membership changes (reconfig-driver.ts): this many spare members start as joiners, and the
   * leader proposes reconfigs under the faults. Absent: a fixed membership, as before.
   */
  readonly spares?: number;
  /** A bug planted in the driver, to show the checkers catch it (tests only). */
  readonly plant?:
    | "skip-trunc"
    | "apply-reversed"
    | "local-time"
    | "history-gap"
    | "config-from-pending"
    | ClientPlant;
}

/** The faulty configuration the seeded tests run (drops, delays, partitions, crashes). */
export const faultyRun = { ticks: 400, dropPerMille: 5, delayTicksMax: 3, faults: true } as const;

/**
 * All members in one process on a seeded network: FIFO per directed link (delay never reorders a
 * link, as a stream would), random drops, partitions of one member, crashes and restarts that keep
 * only the disk. Checkers run on every step and throw with the seed in the message.
 */
export class Sim {
  private readonly rng: Prng;
  private readonly members = new Map<number, Member>();
  private readonly voterIds: number[];
  private readonly observerIds: number[];
  private net: InFlight[] = [];
  private readonly linkLast = new Map<string, number>();
  private seq = 0;
  now = 0;
  /** Members cut off from the others until partitionUntil: one member, or a minority group. */
  private partition = new Set<number>();
  private partitionUntil = 0;
  /** Crashed members due back at a tick: a compound fault restarts its victim soon. */
  private readonly restartAt = new Map<number, number>();
  /** The committed history every member must agree with: zxid and txn path per position. */
  readonly chain: { zxid: number; path: string }[] = [];
  /** What the run exercised, so a test can show the faults happened. */
  readonly stats = {
    snap: 0,
    trunc: 0,
    diff: 0,
    /** DIFFs that reached below the leader's in-memory log into its history. */
    diffFromHistory: 0,
    other: 0,
    crashes: 0,
    /** Leader power losses while its most up-to-date follower was partitioned. */
    leaderPowerLosses: 0,
    /** Partitions that cut off more than one member. */
    groupPartitions: 0,
    /** fsyncs that took 10 ticks or more. */
    slowSyncs: 0,
    streamsBroken: 0,
    sessionsClosed: 0,
    ephemeralsGone: 0,
  };
  /** Tree digest after each committed zxid, from the first member that applied it. */
  private readonly digests = new Map<number, bigint>();
  /** Links whose stream broke this tick: closed (in-flight messages lost) at the next step. */
  private broken: [number, number][] = [];
  /** Register clients whose histories the linearizability checker reads. */
  readonly clients: ZkClients;
  /** Epoch → the member that led it. */
  readonly leaders = new Map<number, number>();
  /** Membership changes and their checkers, in runs with spares. */
  readonly reconfig: ReconfigDriver | undefined;
  readonly configs: ConfigChecker | undefined;

  constructor(private readonly options: SimOptions) {
    this.rng = new Prng(options.seed);
    const driverPlants = [
      "skip-trunc",
      "apply-reversed",
      "local-time",
      "history-gap",
      "config-from-pending",
      undefined,
    ];
    const clientPlant = driverPlants.includes(options.plant) ? undefined : (options.plant as ClientPlant);
    this.clients = new ZkClients(new Prng(options.seed * 7919 + 1), 4, clientPlant);
    this.voterIds = Array.from({ length: options.voters }, (_, i) => i + 1);
    this.observerIds = Array.from({ length: options.observers }, (_, i) => options.voters + i + 1);
    const spareIds = Array.from(
      { length: options.spares ?? 0 },
      (_, i) => options.voters + options.observers + i + 1,
    );
    const all = [...this.voterIds, ...this.observerIds, ...spareIds];
    if (options.spares !== undefined) {
      this.configs = new ConfigChecker(simConfig(this.voterIds, this.observerIds), (m) => this.fail(m));
      this.reconfig = new ReconfigDriver(new Prng(options.seed * 104729 + 3), all);
    }
    for (const id of all) {
      const member: Member = {
        id,
        node: undefined,
        disk: emptyDisk(),
        applied: [],
        state: new MemberState(),
        restarts: 0,
        snapshots: new Map(),
        unsynced: [],
        history: new LogHistory(HISTORY_BYTES, HISTORY_CHUNK_BYTES),
      };
      this.members.set(id, member);
      this.start(member);
    }
  }

  private fail(message: string): never {
    throw new Error(`seed ${this.options.seed} tick ${this.now}: ${message}`);
  }

  /**
   * With spares, members carry addresses (the reconfig prep checks them); a spare starts as
   * ZooKeeper's joiner does, with the ensemble's configuration plus itself as a voter.
   */
  private staticConfig(id: number): { config?: MemberConfig } {
    if (this.configs === undefined) return {};
    const spare = !this.voterIds.includes(id) && !this.observerIds.includes(id);
    return { config: simConfig(spare ? [...this.voterIds, id] : this.voterIds, this.observerIds) };
  }

  private start(m: Member): void {
    m.applied = m.disk.log.filter((e) => e.zxid <= m.disk.appliedZxid);
    // What a restarted member recovers as applied must be the committed history's prefix.
    for (const [i, e] of m.applied.entries()) this.checkChain(i, e);
    m.state = MemberState.replay(m.applied);
    // As the server: the history restarts from the recovered log.
    m.history = new LogHistory(HISTORY_BYTES, HISTORY_CHUNK_BYTES);
    m.history.seed(0, m.disk.log);
    m.node = nodeFromDisk(
      m.id,
      m.disk,
      { voters: this.voterIds, observers: this.observerIds, ...this.staticConfig(m.id) },
      {
        proposalsInFlightMax: 50,
        logEntriesMax: 16,
        random: new Prng(this.options.seed * 31 + m.id * 7 + m.restarts),
        history: this.historyOf(m),
      },
    );
    this.configs?.activation(m.id, m.node.activeConfig, true);
    this.drain(m);
  }

  /** The member's history as the core reads it (counted); the planted bug loses an entry. */
  private historyOf(m: Member): EntryHistory {
    return {
      has: (zxid) => m.history.has(zxid),
      between: (after, upTo) => {
        const entries = m.history.between(after, upTo);
        if (entries !== undefined && entries.length > 0) this.stats.diffFromHistory++;
        if (this.options.plant === "history-gap" && entries !== undefined && entries.length > 2)
          entries.splice(entries.length >> 1, 1);
        return entries;
      },
    };
  }

  /** The driver: persist, send, apply, advance, as the Ready contract orders. */
  private drain(m: Member): void {
    const node = m.node;
    if (node === undefined) return;
    while (node.hasReady()) {
      const ready: Ready = node.ready();
      if (ready.snapshotZxid !== undefined) {
        const payload = m.snapshots.get(ready.snapshotZxid);
        if (payload === undefined) this.fail(`member ${m.id} installs an unknown snapshot`);
        this.checkExtends(m, payload.entries);
        m.disk.log = [...payload.entries];
        for (const u of m.unsynced) u.entries = [];
        m.disk.appliedZxid = ready.snapshotZxid;
        m.applied = [...payload.entries];
        m.state.install(ready.snapshotZxid, payload.bytes);
        m.history.reset(ready.snapshotZxid);
        this.checkDigest(m, ready.snapshotZxid);
        m.snapshots.clear();
      }
      if (ready.truncateTo !== undefined && this.options.plant !== "skip-trunc") {
        if (ready.truncateTo < m.disk.appliedZxid) this.fail(`member ${m.id} truncates below applied`);
        m.disk.log = m.disk.log.filter((e) => e.zxid <= ready.truncateTo!);
        m.history.truncate(ready.truncateTo);
        for (const u of m.unsynced) u.entries = u.entries.filter((e) => e.zxid <= ready.truncateTo!);
      }
      if (ready.hardState) {
        m.disk.acceptedEpoch = ready.hardState.acceptedEpoch;
        m.disk.currentEpoch = ready.hardState.currentEpoch;
        if (ready.role === "leading" && node.isBroadcasting)
          this.claimEpoch(ready.hardState.currentEpoch, m.id);
      }
      if (ready.config !== undefined) {
        this.configs?.activation(m.id, ready.config.active);
        // As the server's dynamic config file. The planted bug writes the newest proposed one.
        const pending = ready.config.pending[ready.config.pending.length - 1];
        m.disk.config =
          this.options.plant === "config-from-pending"
            ? (pending ?? ready.config.active)
            : ready.config.active;
      }
      const written = [...m.disk.log, ...m.unsynced.flatMap((u) => u.entries)];
      let last = written[written.length - 1]?.zxid ?? 0;
      for (const e of ready.entries) {
        if (e.zxid <= last) this.fail(`member ${m.id} persists ${e.zxid} after ${last}`);
        if (ready.role === "leading") this.claimEpoch(zxidEpoch(e.zxid), m.id);
        m.history.append(e.zxid, encodeTxn(e.txn), last);
        last = e.zxid;
      }
      for (const out of ready.messages) this.send(m, out.to, out.message);
      const committed =
        this.options.plant === "apply-reversed" ? [...ready.committed].reverse() : ready.committed;
      for (const e of committed) {
        if (!m.disk.log.some((d) => d.zxid === e.zxid))
          this.fail(`member ${m.id} applies unpersisted ${e.zxid}`);
        this.checkChain(m.applied.length, e);
        m.applied.push(e);
        m.disk.appliedZxid = e.zxid;
        const outcome = m.state.apply(e, this.options.plant === "local-time" ? m.id * 1000 + 7 : 0);
        this.checkDigest(m, e.zxid);
        this.checkSessions(m, e);
        this.clients.applied(m.id, e, outcome, m.state, node.currentRole === "leading", this.now);
      }
      node.advance(ready);
      this.configs?.removedMember(m.id, node, ready.messages);
      if (node.currentRole === "leading" && node.isBroadcasting) this.claimEpoch(node.currentEpoch, m.id);
      if (ready.entries.length > 0) {
        // fsync takes 0 to 3 ticks, now and then 10 to 29; the core acks only after persisted(),
        // in Ready order.
        const delay = this.options.faults ? this.syncDelay() : 0;
        m.unsynced.push({ ready, entries: [...ready.entries], due: this.now + delay });
        if (delay === 0) this.sync(m);
      }
    }
  }

  private syncDelay(): number {
    if (this.rng.below(40) !== 0) return this.rng.below(4);
    this.stats.slowSyncs++;
    return 10 + this.rng.below(20);
  }

  /** Makes due writes durable, in order, and tells the core. */
  private sync(m: Member): void {
    const node = m.node;
    while (node !== undefined && m.unsynced.length > 0 && m.unsynced[0]!.due <= this.now) {
      const u = m.unsynced.shift()!;
      m.disk.log.push(...u.entries);
      node.persisted(u.ready);
    }
  }

  /**
   * A crash keeps the fsynced log and, of what was written but not fsynced, a random prefix (the
   * page cache got that far; a torn last record is cut by recovery, so it is simply absent).
   */
  private crashDisk(m: Member): void {
    const written = m.unsynced.flatMap((u) => u.entries);
    m.disk.log.push(...written.slice(0, this.rng.below(written.length + 1)));
    m.unsynced = [];
  }

  private claimEpoch(epoch: number, id: number): void {
    const known = this.leaders.get(epoch);
    if (known !== undefined && known !== id) this.fail(`two leaders in epoch ${epoch}: ${known} and ${id}`);
    this.leaders.set(epoch, id);
  }

  private checkChain(position: number, e: Entry): void {
    const path = txnPath(e.txn);
    const known = this.chain[position];
    if (known === undefined) {
      if (position !== this.chain.length) this.fail("committed history has a hole");
      this.configs?.committedEntry(e, (zxid) => this.durableOn(zxid));
      this.chain.push({ zxid: e.zxid, path });
    } else if (known.zxid !== e.zxid || known.path !== path) {
      this.fail(
        `committed histories diverge at ${position}: ${known.zxid}/${known.path} vs ${e.zxid}/${path}`,
      );
    }
  }

  private durableOn(zxid: number): number[] {
    return [...this.members.values()].filter((m) => m.disk.log.some((d) => d.zxid === zxid)).map((m) => m.id);
  }

  /** A snapshot must extend what the member already applied, and agree with the chain. */
  private checkExtends(m: Member, payload: readonly Entry[]): void {
    if (payload.length < m.applied.length) this.fail(`snapshot to ${m.id} loses applied entries`);
    for (const [i, e] of payload.entries()) this.checkChain(i, e);
  }

  private send(from: Member, to: number, message: ZabMessage): void {
    if (this.options.faults && this.rng.below(1000) < this.options.dropPerMille) {
      // A lost message on a stream is a broken stream: both ends learn of it, as from gRPC.
      this.broken.push([from.id, to]);
      return;
    }
    if (this.cut(from.id, to)) {
      // A partition that loses messages ends the stream too (keepalive), or a short one would
      // lose them silently, which TCP never does.
      this.broken.push([from.id, to]);
      return;
    }
    const key = `${from.id}>${to}`;
    const at = Math.max(
      this.linkLast.get(key) ?? 0,
      this.now + 1 + this.rng.below(this.options.delayTicksMax),
    );
    this.linkLast.set(key, at);
    this.stats[
      message.type === "snap" || message.type === "trunc" || message.type === "diff" ? message.type : "other"
    ]++;
    const snapshot =
      message.type === "snap" ? { entries: [...from.applied], bytes: from.state.encode() } : undefined;
    if (message.type === "snap" && (from.applied[from.applied.length - 1]?.zxid ?? 0) !== message.zxid) {
      this.fail(`snap at ${message.zxid} but member ${from.id} applied ${from.applied.length} entries`);
    }
    this.net.push({ at, seq: this.seq++, from: from.id, to, message, ...(snapshot ? { snapshot } : {}) });
  }

  /** Drops everything in flight between each broken pair and tells both members. */
  private breakStreams(): void {
    const pairs = new Map(
      this.broken.map(([a, b]) => [`${Math.min(a, b)}-${Math.max(a, b)}`, [a, b] as const]),
    );
    this.broken = [];
    for (const [a, b] of pairs.values()) {
      this.stats.streamsBroken++;
      this.net = this.net.filter((f) => !((f.from === a && f.to === b) || (f.from === b && f.to === a)));
      for (const [self, other] of [
        [a, b],
        [b, a],
      ] as const) {
        const m = this.members.get(self)!;
        m.node?.peerDisconnected(other);
        this.drain(m);
      }
    }
  }

  private cut(a: number, b: number): boolean {
    return this.now < this.partitionUntil && this.partition.has(a) !== this.partition.has(b);
  }

  private deliver(): void {
    const due = this.net.filter((f) => f.at <= this.now).sort((x, y) => x.at - y.at || x.seq - y.seq);
    this.net = this.net.filter((f) => f.at > this.now);
    for (const f of due) {
      const m = this.members.get(f.to)!;
      if (m.node === undefined) continue;
      if (this.cut(f.from, f.to)) {
        this.broken.push([f.from, f.to]);
        continue;
      }
      if (f.snapshot !== undefined && f.message.type === "snap") m.snapshots.set(f.message.zxid, f.snapshot);
      m.node.step(f.from, f.message);
      this.drain(m);
    }
  }

  private faults(): void {
    if (!this.options.faults) return;
    const ids = [...this.members.keys()];
    const roll = this.rng.below(1000);
    if (roll < 4) {
      const victim = this.members.get(ids[this.rng.below(ids.length)]!)!;
      if (victim.node !== undefined && this.crashed() < Math.floor((this.options.voters - 1) / 2))
        this.crash(victim);
    } else if (roll < 12) {
      for (const m of this.members.values()) {
        if (m.node === undefined) {
          m.restarts++;
          this.start(m);
          break;
        }
      }
    } else if (roll < 14 && this.now >= this.partitionUntil) {
      // One member, or with five or more a minority pair (a split of the ensemble).
      const size = ids.length >= 5 && this.rng.below(2) === 0 ? 2 : 1;
      const cutOff = new Set<number>();
      while (cutOff.size < size) cutOff.add(ids[this.rng.below(ids.length)]!);
      if (size > 1) this.stats.groupPartitions++;
      this.partition = cutOff;
      this.partitionUntil = this.now + 20 + this.rng.below(60);
    } else if (roll < 80) {
      this.leaderPowerLoss();
    }
  }

  private crash(victim: Member): void {
    victim.node = undefined;
    this.crashDisk(victim);
    this.clients.abandon(victim.id);
    this.stats.crashes++;
    victim.snapshots.clear();
    for (const [k] of this.linkLast) if (k.endsWith(`>${victim.id}`)) this.linkLast.delete(k);
  }

  /**
   * Two faults at once: the leader loses power while it still has unsynced writes, and the
   * follower whose durable log is furthest ahead of the leader's is partitioned away; the leader
   * restarts a few ticks later. The surviving majority then holds only what was durable on it: a
   * commit counted on the leader's unsynced log is lost here (and only here, with three voters).
   */
  private leaderPowerLoss(): void {
    if (this.now < this.partitionUntil || this.crashed() > 0) return;
    const leader = [...this.members.values()].find(
      (m) => m.node?.currentRole === "leading" && m.node.isBroadcasting,
    );
    if (leader === undefined || leader.unsynced.length === 0) return;
    const durable = (m: Member): number => m.disk.log[m.disk.log.length - 1]?.zxid ?? 0;
    const ahead = this.voterIds
      .map((id) => this.members.get(id)!)
      .filter((m) => m !== leader && m.node !== undefined)
      .sort((a, b) => durable(b) - durable(a))[0];
    if (ahead === undefined || durable(ahead) <= durable(leader)) return;
    this.stats.leaderPowerLosses++;
    this.partition = new Set([ahead.id]);
    this.partitionUntil = this.now + 20 + this.rng.below(40);
    this.crash(leader);
    this.restartAt.set(leader.id, this.now + 1 + this.rng.below(4));
  }

  private restartDue(): void {
    for (const [id, at] of this.restartAt) {
      if (at > this.now) continue;
      this.restartAt.delete(id);
      const m = this.members.get(id)!;
      if (m.node !== undefined) continue;
      m.restarts++;
      this.start(m);
    }
  }

  private crashed(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.node === undefined) n++;
    return n;
  }

  private clientWrites(): void {
    for (const m of this.members.values()) {
      if (m.node !== undefined && m.node.currentRole !== "leading") this.clients.abandon(m.id);
    }
    const leader = [...this.members.values()].find(
      (m) => m.node?.currentRole === "leading" && m.node.canPropose(),
    );
    const live = [...this.members.values()].filter((m) => m.node !== undefined).map((m) => m.state);
    this.clients.invoke(this.now, leader && { id: leader.id, node: leader.node!, state: leader.state }, live);
    if (leader !== undefined) this.drain(leader);
  }

  step(): void {
    this.now++;
    this.breakStreams();
    for (const m of this.members.values()) {
      if (m.node === undefined || m.unsynced.length === 0) continue;
      this.sync(m);
      this.drain(m);
    }
    this.deliver();
    for (const m of this.members.values()) {
      if (m.node === undefined) continue;
      m.node.tick();
      this.drain(m);
    }
    this.clientWrites();
    this.reconfigure();
    this.restartDue();
    this.faults();
  }

  /** Now and then a membership change on the leader, with its faults (reconfig-driver.ts). */
  private reconfigure(): void {
    if (this.reconfig === undefined || !this.options.faults) return;
    const leader = [...this.members.values()].find(
      (m) => m.node?.currentRole === "leading" && m.node.isBroadcasting,
    );
    if (leader?.node === undefined) return;
    this.reconfig.step(leader.node, {
      drain: () => this.drain(leader),
      crashLeader: () => {
        if (this.crashed() > 0) return false;
        this.crash(leader);
        this.restartAt.set(leader.id, this.now + 1 + this.rng.below(4));
        return true;
      },
      partition: (id) => {
        if (this.now < this.partitionUntil) return false;
        this.partition = new Set([id]);
        this.partitionUntil = this.now + 20 + this.rng.below(60);
        return true;
      },
    });
  }

  /** Members of the newest committed configuration (all of them without reconfig): removed ones idle. */
  private current(): Member[] {
    const latest = this.configs?.latest;
    const all = [...this.members.values()];
    return latest === undefined ? all : all.filter((m) => latest.members.some((c) => c.id === m.id));
  }

  /** Runs the faulty phase, then heals and requires one more write to reach every member. */
  run(): void {
    for (let i = 0; i < this.options.ticks; i++) this.step();
    this.partitionUntil = 0;
    this.restartAt.clear();
    for (const m of this.members.values()) {
      if (m.node === undefined) {
        m.restarts++;
        this.start(m);
      }
    }
    const faults = this.options.faults;
    (this.options as { faults: boolean }).faults = false;
    const before = this.chain.length;
    for (let i = 0; i < 2000; i++) {
      this.step();
      if (this.chain.length > before && this.allCaughtUp()) break;
    }
    (this.options as { faults: boolean }).faults = faults;
    if (!(this.chain.length > before && this.allCaughtUp())) {
      const roles = [...this.members.values()].map((m) => `${m.id}:${m.node?.currentRole}`).join(" ");
      this.fail(`no progress after healing (${roles}, chain ${this.chain.length})\n${this.debug()}`);
    }
    this.checkFinalState();
    this.configs?.final(this.chain[this.chain.length - 1]?.zxid ?? 0);
  }

  /** Equal trees at equal zxids: every member's digest after a zxid matches the first one's. */
  private checkDigest(m: Member, zxid: number): void {
    const digest = m.state.tree.digest;
    const known = this.digests.get(zxid);
    if (known === undefined) this.digests.set(zxid, digest);
    else if (known !== digest)
      this.fail(`member ${m.id} tree digest at ${zxid} differs from another member's`);
  }

  /**
   * Session invariants after each apply: an ephemeral belongs to a live session; a closed session
   * leaves no ephemeral behind, on any member.
   */
  private checkSessions(m: Member, e: Entry): void {
    const body = e.txn.body;
    if (body?.$case === "closeSession") {
      if (m.state.tree.ephemeralsOf(e.txn.sessionId)?.size)
        this.fail(`member ${m.id} kept ephemerals of a closed session`);
      if (m.id === 1) this.stats.sessionsClosed++;
      return;
    }
    const bodies = body?.$case === "multi" ? body.value.txns.map((t) => t.body) : [body];
    for (const b of bodies) {
      if (b?.$case !== "create" || ownerKind(b.value.ephemeralOwner) !== OwnerKind.Ephemeral) continue;
      const owner = b.value.ephemeralOwner;
      if (m.state.sessions.get(owner) === undefined) {
        this.fail(
          `member ${m.id} created ephemeral ${b.value.path} for session ${owner.toString(16)}, which is closed`,
        );
      }
    }
  }

  /**
   * After healing: the client histories are linearizable, every member holds the same ephemerals,
   * each owned by an open session, and every acknowledged ephemeral of an open session is there.
   */
  private checkFinalState(): void {
    const first = this.current()[0]!;
    const queue = new Map<string, string>();
    for (const name of first.state.tree.getChildren(QUEUE, []).children) {
      queue.set(name, Buffer.from(first.state.tree.getData(`${QUEUE}/${name}`, []).data).toString());
    }
    const history = this.clients.check(queue);
    if (history !== undefined) this.fail(history);
    for (const m of this.current()) {
      const tree = m.state.tree;
      for (const name of tree.getChildren(EPHEMERALS, []).children) {
        const owner = tree.node(`${EPHEMERALS}/${name}`)!.ephemeralOwner;
        if (m.state.sessions.get(owner) === undefined)
          this.fail(`member ${m.id} keeps ${name} of closed session`);
      }
      for (const [path, owner] of this.clients.ephemerals) {
        const open = m.state.sessions.get(owner) !== undefined;
        if (open && tree.node(path)?.ephemeralOwner !== owner)
          this.fail(`member ${m.id} lost acknowledged ${path}`);
        if (!open && tree.node(path) !== undefined)
          this.fail(`member ${m.id} keeps ${path} of a closed session`);
        if (!open && m === first) this.stats.ephemeralsGone++;
      }
    }
  }

  private allCaughtUp(): boolean {
    for (const m of this.current()) if (m.applied.length !== this.chain.length) return false;
    return true;
  }

  debug(): string {
    return [...this.members.values()]
      .map(
        (m) =>
          `${m.id}:${m.node?.currentRole}/${m.node?.isBroadcasting} applied=${m.applied.length} log=${m.disk.log.length} last=${m.node?.lastZxid}${m.node && this.configs ? ` config=${configLine(m.node)}` : ""}`,
      )
      .join("\n");
  }

  roles(): string[] {
    return [...this.members.values()].map((m) => m.node?.currentRole ?? "crashed");
  }
}

export function writeTxn(path: string): Txn {
  return txnOf({ $case: "delete", value: { path } });
}

/** The member's active (and pending) configuration, for failure messages: version and voters/observers. */
function configLine(node: ZabNode): string {
  const ids = (c: MemberConfig): string =>
    `${c.version.toString(16)}[${c.members.map((m) => `${m.observer ? "o" : "v"}${m.id}`).join(",")}]`;
  const pending = node.pendingConfig;
  return `${ids(node.activeConfig)}${pending ? ` pending ${ids(pending)}` : ""} epoch=${node.currentEpoch}`;
}

/** What the chain checker compares: the body's kind and its content. */
function txnPath(txn: Txn): string {
  const body = txn.body;
  if (body?.$case === "delete") return body.value.path;
  if (body?.$case === "reconfig")
    return `reconfig:${body.value.members.map((m) => `${m.observer ? "o" : "v"}${m.id}`).join(",")}`;
  if (body?.$case === "setData") return `${body.value.path}=${Buffer.from(body.value.data).toString()}`;
  return body?.$case ?? "?";
}
