import type { LearnerStatus } from "../consensus/zab-node.js";
import type { EnsembleStatus } from "../gen/paddock/internal/v1/peer.js";

/** The leader's view of its learners: on the leader its own, on a learner as the leader last sent it. */
export interface LeaderReport {
  readonly leaderId: number;
  readonly epoch: number;
  /** The leader's last logged zxid. */
  readonly lastZxid: number;
  readonly learners: readonly LearnerStatus[];
}

/** A report is dropped after this many intervals without a newer one (the leader went quiet). */
const FRESH_INTERVALS = 3;

/**
 * Only the leader tracks its learners (synced, acked zxid). So that any member can show the whole
 * ensemble, the leader sends its view to each learner every `everyTicks` core ticks
 * (peer.proto's EnsembleStatus), and a learner keeps the last one while it is fresh. Counted in
 * ticks, not read from a clock, so the simulator's virtual time drives it too; 0 sends nothing.
 */
export class LeaderReports {
  private ticks = 0;
  private last: { report: LeaderReport; tick: number } | undefined;

  constructor(private readonly everyTicks: number) {}

  /** One core tick; true when a leader sends its report now. */
  tick(): boolean {
    this.ticks++;
    return this.everyTicks > 0 && this.ticks % this.everyTicks === 0;
  }

  received(from: number, status: EnsembleStatus): void {
    this.last = { report: reportFromWire(from, status), tick: this.ticks };
  }

  /** The last report of `leaderId` in `epoch`, unless it is stale. */
  latest(leaderId: number, epoch: number): LeaderReport | undefined {
    const last = this.last;
    if (last === undefined || last.report.leaderId !== leaderId || last.report.epoch !== epoch)
      return undefined;
    return this.ticks - last.tick <= FRESH_INTERVALS * this.everyTicks ? last.report : undefined;
  }
}

export function reportToWire(report: LeaderReport): EnsembleStatus {
  return {
    epoch: BigInt(report.epoch),
    lastZxid: BigInt(report.lastZxid),
    learners: report.learners.map((l) => ({
      serverId: l.id,
      observer: l.observer,
      synced: l.synced,
      ackedZxid: BigInt(l.ackedZxid),
    })),
  };
}

function reportFromWire(from: number, status: EnsembleStatus): LeaderReport {
  return {
    leaderId: from,
    epoch: Number(status.epoch),
    lastZxid: Number(status.lastZxid),
    learners: status.learners.map((l) => ({
      id: l.serverId,
      observer: l.observer,
      synced: l.synced,
      ackedZxid: Number(l.ackedZxid),
    })),
  };
}
