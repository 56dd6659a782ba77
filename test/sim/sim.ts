import type { MemberConfig } from "../../server/consensus/member-config.js";
import type { ZabNode } from "../../server/consensus/zab-node.js";
import type { Txn } from "../../server/gen/paddock/internal/v1/txn.js";
import { Prng } from "../../server/util/prng.js";
import { ConfigChecker } from "./config-check.js";
import { nodeFromDisk, txnOf } from "./disk.js";
import { FaultInjector } from "./fault-injector.js";
import { InvariantChecker } from "./invariant-check.js";
import { type Member, newHistory, newMember } from "./member.js";
import { MemberState } from "./member-state.js";
import { Network } from "./network.js";
import { ReadyDriver } from "./ready-driver.js";
import { ReconfigDriver, simConfig } from "./reconfig-driver.js";
import { clientPlantOf, newStats, type SimContext, type SimOptions } from "./sim-context.js";
import { historyOf } from "./state-transfer.js";
import { ZkClients } from "./zk-clients.js";

export { faultyRun, type SimOptions } from "./sim-context.js";

/**
 * All members in one process on a seeded network (network.ts) with faults (fault-injector.ts),
 * each core driven as the server drives it (ready-driver.ts). Checkers (invariant-check.ts) run
 * on every step and throw with the seed in the message. This class composes them and runs the
 * steps; a seed replays exactly.
 */
export class Sim {
  private readonly members = new Map<number, Member>();
  private readonly voterIds: number[];
  private readonly observerIds: number[];
  now = 0;
  /** What the run exercised, so a test can show the faults happened. */
  readonly stats = newStats();
  /** The committed history every member must agree with: zxid and txn path per position. */
  readonly chain: { zxid: number; path: string }[];
  /** Register clients whose histories the linearizability checker reads. */
  readonly clients: ZkClients;
  /** Epoch → the member that led it. */
  readonly leaders: Map<number, number>;
  /** Membership changes and their checkers, in runs with spares. */
  readonly reconfig: ReconfigDriver | undefined;
  readonly configs: ConfigChecker | undefined;
  private readonly ctx: SimContext;
  private readonly checks: InvariantChecker;
  private readonly network: Network;
  private readonly faults: FaultInjector;
  private readonly driver: ReadyDriver;

  constructor(private readonly options: SimOptions) {
    this.ctx = {
      options,
      rng: new Prng(options.seed),
      stats: this.stats,
      members: this.members,
      now: () => this.now,
      fail: (message) => this.fail(message),
    };
    this.clients = new ZkClients(new Prng(options.seed * 7919 + 1), 4, clientPlantOf(options.plant));
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
    this.checks = new InvariantChecker(this.ctx, this.configs, this.clients);
    this.chain = this.checks.chain;
    this.leaders = this.checks.leaders;
    this.network = new Network(this.ctx, (m) => this.driver.drain(m));
    this.faults = new FaultInjector(this.ctx, this.network, this.clients, this.voterIds, (m) =>
      this.restart(m),
    );
    this.driver = new ReadyDriver(this.ctx, {
      checks: this.checks,
      configs: this.configs,
      clients: this.clients,
      faults: this.faults,
      network: this.network,
    });
    for (const id of all) {
      const member = newMember(id);
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
    for (const [i, e] of m.applied.entries()) this.checks.checkChain(i, e);
    m.state = MemberState.replay(m.applied);
    // As the server: the history restarts from the recovered log.
    m.history = newHistory();
    m.history.seed(0, m.disk.log);
    m.node = nodeFromDisk(
      m.id,
      m.disk,
      { voters: this.voterIds, observers: this.observerIds, ...this.staticConfig(m.id) },
      {
        proposalsInFlightMax: 50,
        logEntriesMax: 16,
        random: new Prng(this.options.seed * 31 + m.id * 7 + m.restarts),
        history: historyOf(this.ctx, m),
      },
    );
    this.configs?.activation(m.id, m.node.activeConfig, true);
    this.driver.drain(m);
  }

  private restart(m: Member): void {
    m.restarts++;
    this.start(m);
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
    if (leader !== undefined) this.driver.drain(leader);
  }

  step(): void {
    this.now++;
    this.network.breakStreams();
    for (const m of this.members.values()) {
      if (m.node === undefined || m.unsynced.length === 0) continue;
      this.driver.sync(m);
      this.driver.drain(m);
    }
    this.network.deliver();
    for (const m of this.members.values()) {
      if (m.node === undefined) continue;
      m.node.tick();
      this.driver.drain(m);
    }
    this.clientWrites();
    this.reconfigure();
    this.faults.restartDue();
    this.faults.step();
  }

  /** Now and then a membership change on the leader, with its faults (reconfig-driver.ts). */
  private reconfigure(): void {
    if (this.reconfig === undefined || !this.options.faults) return;
    const leader = [...this.members.values()].find(
      (m) => m.node?.currentRole === "leading" && m.node.isBroadcasting,
    );
    if (leader?.node === undefined) return;
    this.reconfig.step(leader.node, {
      drain: () => this.driver.drain(leader),
      crashLeader: () => this.faults.crashLeader(leader),
      partition: (id) => this.faults.partitionOne(id),
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
    this.network.heal();
    this.faults.cancelRestarts();
    for (const m of this.members.values()) if (m.node === undefined) this.restart(m);
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
    this.checks.checkFinalState(this.current());
    this.configs?.final(this.chain[this.chain.length - 1]?.zxid ?? 0);
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
