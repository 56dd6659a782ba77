import { durableZxid, type Member } from "./member.js";
import type { Network } from "./network.js";
import type { SimContext } from "./sim-context.js";
import type { ZkClients } from "./zk-clients.js";

/**
 * The faults the seeded run injects besides the network's drops: crashes that keep only the disk
 * (and a random prefix of what was written but not fsynced), restarts, partitions, slow fsyncs, and
 * a leader's power loss while its most up-to-date follower is cut off.
 */
export class FaultInjector {
  /** Crashed members due back at a tick: a compound fault restarts its victim soon. */
  private readonly restartAt = new Map<number, number>();

  constructor(
    private readonly ctx: SimContext,
    private readonly network: Network,
    private readonly clients: ZkClients,
    private readonly voterIds: readonly number[],
    /** Starts a crashed member again from its disk. */
    private readonly restart: (m: Member) => void,
  ) {}

  /** One roll per tick: a crash, a restart, a partition, a leader's power loss, or nothing. */
  step(): void {
    const { options, rng } = this.ctx;
    if (!options.faults) return;
    const ids = [...this.ctx.members.keys()];
    const roll = rng.below(1000);
    if (roll < 4) {
      const victim = this.ctx.members.get(ids[rng.below(ids.length)]!)!;
      if (victim.node !== undefined && this.crashed() < Math.floor((options.voters - 1) / 2))
        this.crash(victim);
    } else if (roll < 12) {
      for (const m of this.ctx.members.values()) {
        if (m.node === undefined) {
          this.restart(m);
          break;
        }
      }
    } else if (roll < 14 && !this.network.partitioned) {
      // One member, or with five or more a minority pair (a split of the ensemble).
      const size = ids.length >= 5 && rng.below(2) === 0 ? 2 : 1;
      const cutOff = new Set<number>();
      while (cutOff.size < size) cutOff.add(ids[rng.below(ids.length)]!);
      if (size > 1) this.ctx.stats.groupPartitions++;
      this.network.isolate(cutOff, this.ctx.now() + 20 + rng.below(60));
    } else if (roll < 80) {
      this.leaderPowerLoss();
    }
  }

  /** fsync takes 0 to 3 ticks, now and then 10 to 29. */
  syncDelay(): number {
    const { rng } = this.ctx;
    if (rng.below(40) !== 0) return rng.below(4);
    this.ctx.stats.slowSyncs++;
    return 10 + rng.below(20);
  }

  /** Restarts the crashed members whose time has come. */
  restartDue(): void {
    for (const [id, at] of this.restartAt) {
      if (at > this.ctx.now()) continue;
      this.restartAt.delete(id);
      const m = this.ctx.members.get(id)!;
      if (m.node !== undefined) continue;
      this.restart(m);
    }
  }

  /** No restart is pending any more (healing restarts every member itself). */
  cancelRestarts(): void {
    this.restartAt.clear();
  }

  /** The reconfig driver's fault: the leader crashes mid-change, unless a member is down already. */
  crashLeader(leader: Member): boolean {
    if (this.crashed() > 0) return false;
    this.crashRestartingSoon(leader);
    return true;
  }

  /** The reconfig driver's fault: one member cut off, unless a partition is in force. */
  partitionOne(id: number): boolean {
    if (this.network.partitioned) return false;
    this.network.isolate(new Set([id]), this.ctx.now() + 20 + this.ctx.rng.below(60));
    return true;
  }

  crashed(): number {
    let n = 0;
    for (const m of this.ctx.members.values()) if (m.node === undefined) n++;
    return n;
  }

  private crash(victim: Member): void {
    victim.node = undefined;
    this.crashDisk(victim);
    this.clients.abandon(victim.id);
    this.ctx.stats.crashes++;
    victim.snapshots.clear();
    this.network.forgetLinksTo(victim.id);
  }

  private crashRestartingSoon(m: Member): void {
    this.crash(m);
    this.restartAt.set(m.id, this.ctx.now() + 1 + this.ctx.rng.below(4));
  }

  /**
   * A crash keeps the fsynced log and, of what was written but not fsynced, a random prefix (the
   * page cache got that far; a torn last record is cut by recovery, so it is simply absent).
   */
  private crashDisk(m: Member): void {
    const written = m.unsynced.flatMap((u) => u.entries);
    m.disk.log.push(...written.slice(0, this.ctx.rng.below(written.length + 1)));
    m.unsynced = [];
  }

  /**
   * Two faults at once: the leader loses power while it still has unsynced writes, and the
   * follower whose durable log is furthest ahead of the leader's is partitioned away; the leader
   * restarts a few ticks later. The surviving majority then holds only what was durable on it: a
   * commit counted on the leader's unsynced log is lost here (and only here, with three voters).
   */
  private leaderPowerLoss(): void {
    if (this.network.partitioned || this.crashed() > 0) return;
    const leader = [...this.ctx.members.values()].find(
      (m) => m.node?.currentRole === "leading" && m.node.isBroadcasting,
    );
    if (leader === undefined || leader.unsynced.length === 0) return;
    const ahead = this.voterIds
      .map((id) => this.ctx.members.get(id)!)
      .filter((m) => m !== leader && m.node !== undefined)
      .sort((a, b) => durableZxid(b) - durableZxid(a))[0];
    if (ahead === undefined || durableZxid(ahead) <= durableZxid(leader)) return;
    this.ctx.stats.leaderPowerLosses++;
    this.network.isolate(new Set([ahead.id]), this.ctx.now() + 20 + this.ctx.rng.below(40));
    this.crashRestartingSoon(leader);
  }
}
