import { VirtualTimeScheduler } from "rxjs";
import { Prng } from "../../../server/util/prng.js";
import { EPHEMERALS, MemberState, QUEUE, REGISTERS } from "../member-state.js";
import { ChainCheck, hex } from "./chain-check.js";
import { type FaultStats, Nemesis } from "./nemesis.js";
import { SimClients } from "./sim-clients.js";
import type { DiskStats, DiskTiming, DurableDisk } from "./sim-disk.js";
import { CORE_TICK_MS, crashMember, type MemberEnv, type SimMember, startMember } from "./sim-member.js";
import { type NetOptions, type NetStats, SimNetwork } from "./sim-network.js";
import { SimWatchers } from "./sim-watchers.js";
import { checkWatchStreams, type WatchCheckStats } from "./watch-stream-check.js";

/*
 * Server bugs this simulator found, all fixed (docs/TESTING.md): a new leader served (prepped
 * writes) before it had applied the history its core had committed when it took over; a refusal
 * judged against an outstanding change was answered at once; a close forwarded by a follower did
 * not mark the session closing on the leader, so the session, resumed elsewhere, created an
 * ephemeral after its close; a deposed leader kept its closing marks and refused to resume live
 * sessions; a restarted follower answered a new request with a transaction it had forwarded
 * before the restart under the same handle; a follower dropped the SNAP state chunks it had from
 * its leader when another peer's stream went down (found with watch streams and multis).
 */

export interface RealSimOptions {
  readonly seed: number;
  readonly voters: number;
  /** Core ticks of the faulty phase (a core tick is CORE_TICK_MS of virtual time). */
  readonly ticks: number;
  readonly clients: number;
  readonly faults: boolean;
  /** Per-message chance, in thousandths, that a stream breaks. */
  readonly dropPerMille: number;
  /** One flush in this many takes 10 to 29 ticks. */
  readonly slowSyncOneIn: number;
  /** Per-break chance, in thousandths, of a half-open stream (sim-network.ts: the reordering fault). */
  readonly lateNoticePerMille: number;
  /** Clients of resumable watch streams (sim-watchers.ts); 0: none, the run as it always was. */
  readonly watchers?: number;
  /** The clients also send multis (sim-clients.ts). */
  readonly multis?: boolean;
  /** zoo.cfg watchStreamBufferSize of every member, in bytes. */
  readonly watchStreamBufferBytes?: number;
}

export const realFaultyRun = {
  ticks: 500,
  clients: 5,
  faults: true,
  dropPerMille: 3,
  slowSyncOneIn: 16,
  lateNoticePerMille: 500,
} as const;

/** The faulty run with watch-stream clients, multis, and a buffer slow readers overrun. */
export const realWatchRun = {
  ...realFaultyRun,
  watchers: 4,
  multis: true,
  watchStreamBufferBytes: 1024,
} as const;

/** Everything a run counts: faults that happened and what the clients did. */
export interface RealSimStats extends FaultStats, NetStats, DiskStats {
  leaderChanges: number;
  snaps: number;
  truncs: number;
  diffs: number;
}

/** A failed run: the message, the tail of the client history and the fault log, the replay line. */
export class RealSimFailure extends Error {}

/**
 * A seeded simulation on the real serving stack: N members, each the real Pipeline, Replica,
 * ReadyLoop, ZabNode, DataTree and SessionTable (sim-member.ts), on one rxjs VirtualTimeScheduler,
 * joined by a seeded network (sim-network.ts) and each on a seeded disk (sim-disk.ts); clients go
 * through the real front-end API (sim-clients.ts); the nemesis (nemesis.ts) breaks things. After
 * the faulty phase everything heals and the run must converge; then the checkers run: one
 * committed chain and equal digests throughout (chain-check.ts), linearizable registers and
 * sequential creates, nothing acknowledged lost, session and ephemeral invariants.
 */
export class RealSim {
  readonly scheduler = new VirtualTimeScheduler(undefined, 0);
  private readonly rng: Prng;
  private readonly ids: number[];
  readonly disks = new Map<number, DurableDisk>();
  readonly members = new Map<number, SimMember>();
  private readonly incarnations = new Map<number, number>();
  readonly chain: ChainCheck;
  readonly network: SimNetwork;
  readonly clients: SimClients;
  readonly nemesis: Nemesis;
  readonly watchers: SimWatchers | undefined;
  readonly watchCheck: WatchCheckStats = {
    watchLineages: 0,
    watchBatchesChecked: 0,
    watchMultiBatches: 0,
    watchAckedChecked: 0,
  };
  private readonly netOptions: NetOptions & { faults: boolean };
  private readonly timing: DiskTiming & { faults: boolean };
  readonly stats: RealSimStats;
  private readonly env: MemberEnv;
  private readonly serverLog: string[] = [];
  private leaders = new Set<string>();
  private failure: RealSimFailure | undefined;

  constructor(private readonly options: RealSimOptions) {
    this.rng = new Prng(options.seed);
    this.ids = Array.from({ length: options.voters }, (_, i) => i + 1);
    // Checks that run inside the serving stack (apply, replies) record the first broken
    // guarantee; the driver throws it after the current step.
    const fail = (message: string): void => {
      this.failure ??= this.failureOf(message);
    };
    this.chain = new ChainCheck(fail);
    this.stats = {
      crashes: 0,
      restarts: 0,
      partitions: 0,
      groupPartitions: 0,
      crashWithPartition: 0,
      leaderCrashWhileIsolated: 0,
      leaderPowerLosses: 0,
      streamsBroken: 0,
      longDelays: 0,
      messages: 0,
      lateNotices: 0,
      staleDeliveries: 0,
      staleFromCrashed: 0,
      staleAfterRestart: 0,
      slowSyncs: 0,
      leaderChanges: 0,
      snaps: 0,
      truncs: 0,
      diffs: 0,
    };
    this.netOptions = {
      tickMs: CORE_TICK_MS,
      faults: options.faults,
      dropPerMille: options.dropPerMille,
      longDelayPerMille: 4,
      lateNoticePerMille: options.lateNoticePerMille,
    };
    this.timing = { tickMs: CORE_TICK_MS, slowOneIn: options.slowSyncOneIn, faults: options.faults };
    this.network = new SimNetwork(
      this.scheduler,
      new Prng(this.rng.nextUint32()),
      this.netOptions,
      this.stats,
    );
    this.clients = new SimClients(
      options.clients,
      new Prng(this.rng.nextUint32()),
      () => this.scheduler.now(),
      CORE_TICK_MS,
      fail,
    );
    this.clients.multis = options.multis === true;
    this.clients.closeProposedAt = (id, sessionId) => {
      const m = this.members.get(id);
      return m?.replica.view.role === "leading" && m.sessions.get(sessionId)?.closing === true;
    };
    this.env = {
      scheduler: this.scheduler,
      voters: this.ids,
      seed: options.seed,
      network: this.network,
      chain: this.chain,
      timing: this.timing,
      diskStats: this.stats,
      snapEvery: 60,
      verbose: process.env.SIM_REAL_VERBOSE !== undefined,
      ...(options.watchStreamBufferBytes === undefined
        ? {}
        : { watchStreamBufferBytes: options.watchStreamBufferBytes }),
      log: (line) => {
        if (line.includes("sending SNAP")) this.stats.snaps++;
        else if (line.includes("sending TRUNC")) this.stats.truncs++;
        else if (line.includes("sending DIFF")) this.stats.diffs++;
        this.serverLog.push(`${this.scheduler.now()} ${line}`);
        if (this.serverLog.length > 4000) this.serverLog.splice(0, 2000);
      },
    };
    this.nemesis = new Nemesis(this, new Prng(this.rng.nextUint32()), this.stats);
    // Drawn after everything else, so runs without watchers keep their course seed for seed.
    this.watchers =
      (options.watchers ?? 0) > 0
        ? new SimWatchers(
            options.watchers!,
            new Prng(this.rng.nextUint32()),
            this.scheduler,
            CORE_TICK_MS,
            () => this.chain.follow(new MemberState().tree.lastZxid),
            fail,
          )
        : undefined;
    this.network.note = (what) => this.nemesis.log.push(`${this.scheduler.now()} ${what}`);
    // Every member starts from the same snapshot: the clients' znodes at zxids 1..5.
    const initial = new MemberState();
    for (const id of this.ids) {
      this.disks.set(id, {
        snapshot: initial.encode(),
        snapshotZxid: initial.tree.lastZxid,
        log: [],
        acceptedEpoch: 0,
        currentEpoch: 0,
      });
      this.start(id);
    }
  }

  get voterIds(): readonly number[] {
    return this.ids;
  }

  get seed(): number {
    return this.options.seed;
  }

  fail(message: string): never {
    throw (this.failure ??= this.failureOf(message));
  }

  private failureOf(message: string): RealSimFailure {
    const o = this.options;
    const lines = [
      `seed ${o.seed} (${o.voters} voters) at ${this.scheduler.now()} ms: ${message}`,
      "client history (last 40):",
      ...this.clients.trace.slice(-40).map((l) => `  ${l}`),
      "faults:",
      ...this.nemesis.log.slice(-30).map((l) => `  ${l}`),
      `replay: SIM_REAL_SEED=${o.seed} SIM_REAL_VOTERS=${o.voters} npx vitest run test/unit/consensus/sim-real.test.ts`,
    ];
    if (process.env.SIM_REAL_VERBOSE) lines.push("server log:", ...this.serverLog.slice(-200));
    return new RealSimFailure(lines.join("\n"));
  }

  start(id: number): void {
    const incarnation = (this.incarnations.get(id) ?? -1) + 1;
    this.incarnations.set(id, incarnation);
    if (incarnation > 0) this.stats.restarts++;
    this.members.set(id, startMember(id, incarnation, this.disks.get(id)!, this.env));
  }

  crash(id: number): void {
    const member = this.members.get(id);
    if (member === undefined) return;
    this.members.delete(id);
    this.stats.crashes++;
    this.watchers?.memberCrashed(member);
    this.env.log(`${id}.${member.incarnation} crash: ${crashMember(member, this.network)}`);
  }

  live(): SimMember[] {
    return [...this.members.values()];
  }

  /** The member leading and serving now, if any. */
  leader(): SimMember | undefined {
    return this.live().find((m) => m.replica.view.role === "leading" && m.replica.view.serving);
  }

  /** Runs the virtual clock to `until`, event time by event time, letting microtasks settle at each. */
  private async advance(until: number): Promise<void> {
    const s = this.scheduler;
    for (;;) {
      const next = s.actions[0]?.delay;
      if (next === undefined || next > until) break;
      s.maxFrames = next;
      s.flush();
      // The Ready loops' and storage's promise callbacks run before time moves on.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    s.schedule(() => {}, until - s.now());
    s.maxFrames = until;
    s.flush();
  }

  private async tick(): Promise<void> {
    await this.advance(this.scheduler.now() + CORE_TICK_MS);
    if (this.failure !== undefined) throw this.failure;
    this.network.reconnect(this.ids);
    const leader = this.leader();
    if (leader !== undefined) this.leaders.add(`${leader.id}/${leader.replica.view.epoch}`);
    this.clients.step(this.live());
    this.watchers?.step(this.live());
    if (this.timing.faults) this.nemesis.step();
    this.nemesis.restartDue();
  }

  /** The faulty phase, then healing until every member agrees; then the final checks. */
  async run(): Promise<void> {
    // A server assertion inside a Ready loop surfaces as an unhandled rejection: it fails the seed.
    const rejected = (reason: unknown): void => {
      const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
      this.failure ??= this.failureOf(`server error: ${text.split("\n").slice(0, 4).join(" | ")}`);
    };
    process.on("unhandledRejection", rejected);
    try {
      await this.phases();
    } catch (error) {
      // Anything else thrown (by the stack or a driver) is reported with the seed too.
      if (error instanceof RealSimFailure) throw error;
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      throw this.failureOf(`unexpected error: ${text.split("\n").slice(0, 4).join(" | ")}`);
    } finally {
      process.off("unhandledRejection", rejected);
    }
  }

  private async phases(): Promise<void> {
    for (let i = 0; i < this.options.ticks; i++) await this.tick();
    this.timing.faults = false;
    this.netOptions.faults = false;
    this.nemesis.healAll();
    this.clients.quiet = true;
    if (this.watchers !== undefined) this.watchers.quiet = true;
    let settled = false;
    for (let i = 0; i < 1200 && !settled; i++) {
      await this.tick();
      settled = i > 40 && this.converged();
    }
    this.clients.finish();
    this.stats.leaderChanges = this.leaders.size - 1;
    if (!settled) {
      const state = this.live()
        .map(
          (m) =>
            `${m.id}:${m.replica.view.role}${m.replica.view.serving ? "+" : ""} applied ${hex(m.applied)}`,
        )
        .join(", ");
      this.fail(`no convergence after healing: ${state}`);
    }
    this.checkFinal();
  }

  /** One serving leader, every member serving and applied to the leader's last zxid. */
  private converged(): boolean {
    const leader = this.leader();
    if (leader === undefined || this.members.size !== this.ids.length) return false;
    const last = leader.replica.node.lastZxid;
    return (
      this.live().every((m) => m.pipeline.isServing && m.applied === last && m.storage.unsynced === 0) &&
      (this.watchers?.caughtUp(last) ?? true)
    );
  }

  private checkFinal(): void {
    const members = this.live();
    const first = members[0]!;
    for (const m of members) {
      if (m.tree.digest !== first.tree.digest)
        this.fail(`member ${m.id}'s tree differs from member ${first.id}'s`);
      const a = [...m.sessions.ids()].sort().join(",");
      const b = [...first.sessions.ids()].sort().join(",");
      if (a !== b) this.fail(`member ${m.id}'s sessions differ from member ${first.id}'s`);
      this.checkEphemerals(m);
    }
    for (const a of this.clients.acked) {
      const txn = this.chain.at(a.zxid);
      const expected = `${a.sessionId.toString(16)}/${a.xid} `;
      if (txn === undefined || !txn.startsWith(expected) || a.zxid > first.applied)
        this.fail(
          `acknowledged ${a.what} at ${hex(a.zxid)} is lost: the chain holds ${txn ?? "nothing"} there`,
        );
    }
    const registers = new Map<string, { value: string; version: number }>();
    for (const key of REGISTERS) {
      const r = first.tree.getData(key, []);
      registers.set(key, { value: Buffer.from(r.data).toString(), version: r.stat!.version });
    }
    const queue = new Map<string, string>();
    for (const name of first.tree.getChildren(QUEUE, []).children)
      queue.set(name, Buffer.from(first.tree.getData(`${QUEUE}/${name}`, []).data).toString());
    const problem = this.clients.check(registers, queue, (key, value) => this.chain.wrote(key, value));
    if (problem !== undefined) this.fail(problem);
    if (this.watchers !== undefined) {
      this.watchers.finish();
      const streams = checkWatchStreams(
        this.watchers.lineages,
        this.chain,
        this.clients.acked,
        this.watchCheck,
      );
      if (streams !== undefined) this.fail(`watch streams: ${streams}`);
    }
  }

  /** Ephemerals belong to open sessions; acknowledged ones of open sessions are there. */
  private checkEphemerals(m: SimMember): void {
    for (const name of m.tree.getChildren(EPHEMERALS, []).children) {
      const owner = m.tree.node(`${EPHEMERALS}/${name}`)!.ephemeralOwner;
      if (m.sessions.get(owner) === undefined) this.fail(`member ${m.id} keeps ${name} of closed session`);
    }
    for (const id of this.clients.closedSessions) {
      // A close the leader had proposed when it said "expired" may have been lost with it.
      if (m.sessions.get(id) !== undefined && !this.clients.toldWhileClosing.has(id))
        this.fail(`member ${m.id} still has session ${id.toString(16)}, whose end a client saw`);
    }
    for (const [path, owner] of this.clients.ephemerals) {
      const open = m.sessions.get(owner) !== undefined;
      const node = m.tree.node(path);
      if (open && node?.ephemeralOwner !== owner) this.fail(`member ${m.id} lost acknowledged ${path}`);
      if (!open && node !== undefined) this.fail(`member ${m.id} keeps ${path} of a closed session`);
    }
  }

  /** The server log's last lines (SIM_REAL_VERBOSE prints them on failure). */
  logTail(n: number): string[] {
    return this.serverLog.slice(-n);
  }
}
