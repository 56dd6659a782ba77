import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { LatencyStats } from "../util/latency-stats.js";

/** One configured member, for voting_view, quorum_size and conf. */
export interface MemberFigure {
  readonly id: number;
  readonly host: string;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly observer: boolean;
}

/** One data directory's free space against the floor (server/persistence/disk-floor.ts). */
export interface DiskFigure {
  readonly name: string;
  readonly path: string;
  /** -1 if it could not be read. */
  readonly freeBytes: number;
  readonly totalBytes: number;
  readonly floorBytes: number;
  readonly low: boolean;
}

/**
 * What the composition root owns and the admin commands and /metrics read: the write-ahead log,
 * snapshots, the client port's sockets, the peer transport, the members. Plain fields and
 * functions read when asked; nothing here is updated per request.
 */
export interface ServerFigures {
  /** Group-commit write plus fdatasync, ms (fsynctime). */
  readonly fsyncTime: LatencyStats;
  /** Snapshot walk, encode and write, ms (snapshottime). */
  readonly snapshotTime: LatencyStats;
  lastSnapshot(): { zxid: number; timestampMs: number } | undefined;
  /** dataDir's and dataLogDir's free space against the floor, as last read. */
  disk(): readonly DiskFigure[];
  /** Client connections open, refused over maxClientCnxns, and their bytes (both client ports). */
  clientConnections(): number;
  clientConnectionsRejected(): number;
  clientBytes(): { received: number; sent: number };
  /** Peer traffic; undefined for a standalone server. */
  peerBytes(): { received: number; sent: number; receivedMessages: number; sentMessages: number } | undefined;
  /** An open peer stream to member `id`: without the leader's report, a member not reachable is down. */
  peerConnected(id: number): boolean;
  readonly members: readonly MemberFigure[];
  /** Voting members configured (ZooKeeper's quorum_size); 1 for a standalone server. */
  readonly quorumSize: number;
}

/** Bytes of every file under dir (ZooKeeper's datadir_size and logdir_size); 0 if it is missing. */
export function directorySize(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const full = join(dir, name);
    try {
      const st = statSync(full);
      total += st.isDirectory() ? directorySize(full) : st.size;
    } catch {
      // Removed meanwhile (a purge): not counted.
    }
  }
  return total;
}

/** Open file descriptors and their limit (Linux /proc); -1 where unknown. */
export function fileDescriptors(): { open: number; max: number } {
  let open = -1;
  let max = -1;
  try {
    open = readdirSync("/proc/self/fd").length;
    const limits = readFileSync("/proc/self/limits", "utf8");
    const match = /^Max open files\s+(\d+)/m.exec(limits);
    if (match) max = Number(match[1]);
  } catch {
    // Not Linux: unknown.
  }
  return { open, max };
}
