import type { Ready } from "../consensus/ready.js";
import { LatencyStats } from "../util/latency-stats.js";

/** Proposals whose start time is kept (a ring by zxid); more in flight are not timed. */
const PROPOSALS_TIMED = 8192;

/**
 * Replication figures in plain fields, read at scrape time: election time (looking until serving,
 * ZooKeeper's election_time), proposal latency on the leader (proposed until committed,
 * proposal_latency), and counts of proposals, commits and elections. Each Ready costs a write per
 * new entry and a read per committed one into preallocated arrays; nothing is allocated.
 */
export class ReplicaStats {
  readonly electionTime = new LatencyStats();
  readonly proposalLatency = new LatencyStats();
  /** Times this member started looking (ZooKeeper's looking_count). */
  lookingCount = 0;
  /** Proposals made while leading (proposal_count). */
  proposalCount = 0;
  /** Transactions committed on this member (commit_count). */
  commitCount = 0;
  /** Syncs this member served as leader: DIFF and TRUNC (ZooKeeper's diff_count counts both), SNAP. */
  diffCount = 0;
  truncCount = 0;
  snapCount = 0;
  /** When this member last became leader, in the clock's ms; -1 when not leading. */
  leadingSinceMs = -1;
  private lookingSinceMs = -1;
  private readonly proposedAt = new Float64Array(PROPOSALS_TIMED);
  private readonly proposedZxid = new Float64Array(PROPOSALS_TIMED);

  constructor(private readonly clock: () => number) {}

  /** The member's serving state changed (from checkView). */
  viewChanged(role: string, serving: boolean): void {
    const now = this.clock();
    if (!serving && this.lookingSinceMs < 0) {
      this.lookingSinceMs = now;
      this.lookingCount++;
    } else if (serving && this.lookingSinceMs >= 0) {
      this.electionTime.record(now - this.lookingSinceMs);
      this.lookingSinceMs = -1;
    }
    const leading = serving && role === "leading";
    if (leading && this.leadingSinceMs < 0) this.leadingSinceMs = now;
    else if (!leading) this.leadingSinceMs = -1;
  }

  /** A learner's sync started with this packet (sent once per sync). */
  syncServed(type: "diff" | "trunc" | "snap"): void {
    if (type === "snap") this.snapCount++;
    else {
      this.diffCount++;
      if (type === "trunc") this.truncCount++;
    }
  }

  /** One Ready handed out by the core: new entries start their clock on the leader, commits stop it. */
  ready(ready: Ready): void {
    const leading = ready.role === "leading";
    if (ready.entries.length === 0 && ready.committed.length === 0) return;
    const now = this.clock();
    if (leading) {
      for (const e of ready.entries) {
        const i = e.zxid % PROPOSALS_TIMED;
        this.proposedAt[i] = now;
        this.proposedZxid[i] = e.zxid;
      }
      this.proposalCount += ready.entries.length;
    }
    for (const e of ready.committed) {
      const i = e.zxid % PROPOSALS_TIMED;
      if (leading && this.proposedZxid[i] === e.zxid) {
        this.proposalLatency.record(now - this.proposedAt[i]!);
        this.proposedZxid[i] = -1;
      }
    }
    this.commitCount += ready.committed.length;
  }
}
