import type { VirtualTimeScheduler } from "rxjs";
import type { Prng } from "../../../server/util/prng.js";
import { CORE_TICK_MS, type SimMember } from "./sim-member.js";
import type { SimNetwork } from "./sim-network.js";

/** What the nemesis did in a run (drops, long delays and slow flushes are counted where they happen). */
export interface FaultStats {
  crashes: number;
  restarts: number;
  /** One member cut off. */
  partitions: number;
  /** A minority group of two or more cut off. */
  groupPartitions: number;
  /** Two at once: one member crashes while another is cut off. */
  crashWithPartition: number;
  /** The leader crashes while a follower is cut off. */
  leaderCrashWhileIsolated: number;
  /** The leader loses power with unsynced writes while its most up-to-date follower is cut off. */
  leaderPowerLosses: number;
}

/** What the nemesis acts on. */
export interface NemesisTarget {
  readonly scheduler: VirtualTimeScheduler;
  readonly network: SimNetwork;
  readonly voterIds: readonly number[];
  readonly members: ReadonlyMap<number, SimMember>;
  leader(): SimMember | undefined;
  crash(id: number): void;
  start(id: number): void;
}

/**
 * The faults, one roll per core tick: crashes (power loss: the disk keeps what was durable and a
 * random prefix of the rest) and restarts from the surviving disk, partitions of one member or a
 * minority group, and the compound faults: a crash while another member is cut off, the leader's
 * crash while a follower is cut off, and the leader's power loss while it has unsynced writes and
 * its most up-to-date follower (durable log furthest ahead) is cut off.
 */
export class Nemesis {
  private partitionUntil = 0;
  private readonly restartAt = new Map<number, number>();
  readonly log: string[] = [];

  constructor(
    private readonly sim: NemesisTarget,
    private readonly rng: Prng,
    private readonly stats: FaultStats,
  ) {}

  private get now(): number {
    return this.sim.scheduler.now();
  }

  private note(what: string): void {
    this.log.push(`${this.now} ${what}`);
  }

  step(): void {
    const net = this.sim.network;
    if (net.partitioned !== undefined && this.now >= this.partitionUntil) {
      net.heal();
      this.note("partition healed");
    }
    const roll = this.rng.below(1000);
    const n = this.sim.voterIds.length;
    const down = n - this.sim.members.size;
    if (roll < 4) {
      if (down < Math.max(1, (n - 1) >> 1)) {
        const live = [...this.sim.members.keys()];
        this.crashFor(live[this.rng.below(live.length)]!, 5 + this.rng.below(40), "crash");
      }
    } else if (roll < 7) {
      if (net.partitioned === undefined) this.partition(this.minority(), 20 + this.rng.below(60));
    } else if (roll < 9) {
      this.crashWithPartition();
    } else if (roll < 11) {
      this.leaderCrashWhileIsolated();
    } else if (roll < 80) {
      this.leaderPowerLoss();
    }
  }

  /** The restarts that are due. */
  restartDue(): void {
    for (const [id, at] of this.restartAt) {
      if (at > this.now) continue;
      this.restartAt.delete(id);
      if (this.sim.members.has(id)) continue;
      this.note(`restart ${id}`);
      this.sim.start(id);
    }
  }

  /** The end of the faulty phase: heal the network and bring every member back. */
  healAll(): void {
    this.sim.network.heal();
    this.partitionUntil = 0;
    for (const id of this.sim.voterIds) {
      if (!this.sim.members.has(id)) {
        this.restartAt.delete(id);
        this.note(`restart ${id} (heal)`);
        this.sim.start(id);
      }
    }
  }

  /** One member, or with five or more voters sometimes a minority pair. */
  private minority(): Set<number> {
    const ids = this.sim.voterIds;
    const size = ids.length >= 5 && this.rng.below(2) === 0 ? 2 : 1;
    const group = new Set<number>();
    while (group.size < size) group.add(ids[this.rng.below(ids.length)]!);
    return group;
  }

  private partition(group: Set<number>, ticks: number): void {
    if (group.size > 1) this.stats.groupPartitions++;
    else this.stats.partitions++;
    this.partitionUntil = this.now + ticks * CORE_TICK_MS;
    this.sim.network.partition(group);
    this.note(`partition {${[...group].join(",")}} for ${ticks} ticks`);
  }

  private crashFor(id: number, ticks: number, why: string): void {
    const m = this.sim.members.get(id);
    if (m === undefined) return;
    this.note(
      `${why} ${id} (durable ${m.storage.durableZxid.toString(16)}, ${m.storage.unsynced} unsynced), back in ${ticks} ticks`,
    );
    this.sim.crash(id);
    this.restartAt.set(id, this.now + ticks * CORE_TICK_MS);
  }

  /** Two faults at once: one member crashes while another is cut off. */
  private crashWithPartition(): void {
    if (this.sim.network.partitioned !== undefined || this.sim.members.size < this.sim.voterIds.length)
      return;
    const ids = this.sim.voterIds;
    const cut = ids[this.rng.below(ids.length)]!;
    const others = ids.filter((id) => id !== cut);
    this.stats.crashWithPartition++;
    this.partition(new Set([cut]), 10 + this.rng.below(40));
    this.crashFor(others[this.rng.below(others.length)]!, 5 + this.rng.below(30), "crash (with a partition)");
  }

  /** The leader crashes while one of its followers is cut off. */
  private leaderCrashWhileIsolated(): void {
    if (this.sim.network.partitioned !== undefined || this.sim.members.size < this.sim.voterIds.length)
      return;
    const leader = this.sim.leader();
    if (leader === undefined) return;
    const followers = this.sim.voterIds.filter((id) => id !== leader.id);
    this.stats.leaderCrashWhileIsolated++;
    this.partition(new Set([followers[this.rng.below(followers.length)]!]), 10 + this.rng.below(40));
    this.crashFor(leader.id, 3 + this.rng.below(20), "leader crash (follower isolated)");
  }

  /**
   * The leader loses power while it still has unsynced writes, and at the same moment the
   * follower whose durable log is furthest ahead of the leader's is cut off; the leader restarts a
   * few ticks later. The surviving majority then holds only what was durable on it: a commit
   * counted on the leader's unsynced log is lost here.
   */
  private leaderPowerLoss(): void {
    if (this.sim.network.partitioned !== undefined || this.sim.members.size < this.sim.voterIds.length)
      return;
    const leader = this.sim.leader();
    if (leader === undefined || leader.storage.unsynced === 0) return;
    const ahead = [...this.sim.members.values()]
      .filter((m) => m !== leader)
      .sort((a, b) => b.storage.durableZxid - a.storage.durableZxid)[0];
    if (ahead === undefined || ahead.storage.durableZxid <= leader.storage.durableZxid) return;
    this.stats.leaderPowerLosses++;
    this.partition(new Set([ahead.id]), 20 + this.rng.below(40));
    this.crashFor(leader.id, 1 + this.rng.below(4), "leader power loss (most up-to-date follower cut off)");
  }
}
