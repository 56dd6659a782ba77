/**
 * The console's JSON, as the AdminServer sends it (console-http.ts) and the page reads it
 * (console-ui/api.ts imports these types): one definition for both sides. No imports, so the
 * page's own type check (console-ui/tsconfig.json, DOM only) can read it.
 */

/** A znode's Stat with 64-bit values as hex strings. */
export interface StatJson {
  czxid: string;
  mzxid: string;
  pzxid: string;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
}

export interface EnsembleMember {
  readonly id: number;
  readonly address: string;
  readonly observer: boolean;
  readonly self: boolean;
  /** leader, follower, observer, standalone, looking, or "" when this member cannot tell. */
  readonly role: string;
  /**
   * As the leader sees it (on a learner, as the leader last reported): up, syncing, or down (not
   * the leader's learner). Without a leader: down when unreachable from here, else unknown.
   */
  readonly health: "up" | "syncing" | "down" | "unknown";
  readonly zxid: string | undefined;
  /** Transactions behind the leader's last logged zxid (same epoch only); the leader's own is 0. */
  readonly lag: number | undefined;
}

/** The ensemble as this member sees it. */
export interface EnsembleView {
  readonly serverId: number;
  readonly state: string;
  readonly leaderId: number;
  readonly epoch: number;
  readonly zxid: string;
  readonly members: EnsembleMember[];
}

export interface SessionFigures {
  readonly id: string;
  readonly timeoutMs: number;
  /** The client's address when its connection is on this member. */
  readonly address: string | undefined;
  readonly ephemerals: readonly string[];
}

/** One sample of the key metrics. */
export interface MetricSample {
  readonly t: number;
  readonly znodes: number;
  readonly watches: number;
  readonly sessions: number;
  readonly outstanding: number;
  /** Requests received per second since the previous sample. */
  readonly requestsPerSecond: number;
  readonly latencyAvgMs: number;
}
