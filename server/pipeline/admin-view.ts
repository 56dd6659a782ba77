import type { LearnerStatus } from "../consensus/zab-node.js";
import type { LeaderReport } from "../replica/leader-report.js";
import type { ReplicaStats } from "../replica/replica-stats.js";
import type { PipelineContext } from "./context.js";
import type { RequestStats } from "./request-stats.js";
import type { WatchStreamStats } from "./watch-streams.js";

export type { LeaderReport } from "../replica/leader-report.js";
export type { ReplicaStats } from "../replica/replica-stats.js";
export { type RequestStats, requestOpNames } from "./request-stats.js";

/** One session held on this member, for `cons`. */
export interface ConnectionInfo {
  readonly sessionId: bigint;
  readonly address: string;
  readonly queued: number;
  readonly attached: boolean;
}

/** What the admin commands may read of a running member: figures and copies, nothing to change. */
export interface AdminView {
  readonly received: number;
  readonly sent: number;
  readonly outstanding: number;
  readonly zxid: number;
  readonly storageFailed: boolean;
  readonly replica: {
    readonly serverId: number;
    readonly broadcasting: boolean;
    readonly role: string;
    readonly epoch: number;
    readonly leaderId: number;
    readonly lastLoggedZxid: number;
    readonly proposalsInFlight: number;
    learners(): readonly LearnerStatus[];
    /** How the leader sees its learners, on any member that follows a leader (the console). */
    leaderReport(): LeaderReport | undefined;
    /** Election time, proposal latency and counts. */
    readonly stats: ReplicaStats;
  };
  /** Request latency over all requests, reads, writes and per op; auth failures. */
  readonly requests: RequestStats;
  /** Tree figures, read when asked. */
  readonly approximateDataSize: number;
  readonly ephemeralCount: number;
  /** The tree's digest at `zxid` (ZooKeeper's hash command). */
  readonly digest: bigint;
  readonly nodeCount: number;
  readonly watchCount: number;
  readonly sessionCount: number;
  /** ZooKeeper's local sessions of this member (localSessionsEnabled), 0 when off. */
  readonly localSessionCount: number;
  /** Resumable watch streams (WatchService/Watch) and the history they are served from. */
  readonly watchStreams: {
    readonly open: number;
    readonly stats: WatchStreamStats;
    readonly historyBytes: number;
    readonly historyBatches: number;
    /** The history holds every change after this zxid. */
    readonly historyOldestZxid: number;
  };
  connections(): ConnectionInfo[];
  watchesBySession(): Map<bigint, string[]>;
  watchesByPath(): Map<string, bigint[]>;
  sessions(): { id: bigint; timeoutMs: number }[];
  ephemeralsOf(sessionId: bigint): readonly string[];
}

export function adminView(ctx: PipelineContext): AdminView {
  const { deps, counters, local } = ctx;
  const node = deps.replica.node;
  return {
    get received() {
      return counters.received;
    },
    get sent() {
      return counters.sent;
    },
    get outstanding() {
      return counters.outstanding;
    },
    get zxid() {
      return counters.appliedZxid;
    },
    get storageFailed() {
      return ctx.member.storageFailure !== undefined;
    },
    replica: {
      get serverId() {
        return node.serverId;
      },
      get broadcasting() {
        return node.isBroadcasting;
      },
      get role() {
        return node.currentRole;
      },
      get epoch() {
        return node.currentEpoch;
      },
      get leaderId() {
        return node.leaderId;
      },
      get lastLoggedZxid() {
        return node.lastZxid;
      },
      get proposalsInFlight() {
        return node.inFlightCount;
      },
      learners: () => node.learners(),
      leaderReport: () => deps.replica.leaderReport(),
      stats: deps.replica.stats,
    },
    requests: counters.requests,
    get approximateDataSize() {
      return deps.tree.approximateDataSize;
    },
    get ephemeralCount() {
      return deps.tree.ephemeralCount;
    },
    get digest() {
      return deps.tree.digest;
    },
    get nodeCount() {
      return deps.tree.nodeCount;
    },
    get watchCount() {
      return deps.watches.size;
    },
    get sessionCount() {
      return deps.sessions.size;
    },
    get localSessionCount() {
      return ctx.localSessions?.size ?? 0;
    },
    watchStreams: {
      get open() {
        return ctx.watchStreams.size;
      },
      stats: ctx.watchStreams.stats,
      get historyBytes() {
        return ctx.changes.size;
      },
      get historyBatches() {
        return ctx.changes.count;
      },
      get historyOldestZxid() {
        return ctx.changes.oldest;
      },
    },
    connections: () =>
      [...local.values()].map((r) => ({
        sessionId: r.sessionId,
        address: r.ids.find((i) => i.scheme === "ip")?.id ?? "?",
        queued: r.queue.length,
        attached: r.sink !== undefined,
      })),
    watchesBySession: () => deps.watches.bySession(),
    watchesByPath: () => deps.watches.byPath(),
    sessions: () => [...deps.sessions.entries()].map((s) => ({ id: s.id, timeoutMs: s.timeoutMs })),
    ephemeralsOf: (sessionId) => [...(deps.tree.ephemeralsOf(sessionId) ?? [])],
  };
}
