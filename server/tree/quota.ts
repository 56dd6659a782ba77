import { Code } from "../util/error-code.js";
import { PaddockError } from "../util/paddock-error.js";
import { loadData, type StoredData, storeData } from "./bytes.js";
import type { TreeStore } from "./tree-store.js";

/**
 * ZooKeeper's quotas. A quota on /p is two ordinary znodes that any client may read and write:
 * /zookeeper/quota/p/zookeeper_limits (written by zkCli's setquota) and
 * /zookeeper/quota/p/zookeeper_stats (the count of nodes under /p, /p included, and the bytes of
 * their data, kept by the server). As in ZooKeeper's DataTree, the stats node's data is rewritten
 * while a transaction is applied, so every member derives the same stats from the same log, and a
 * snapshot carries them like any data. Its stat (version, mzxid) does not change and no watch
 * fires, as in ZooKeeper.
 *
 * QuotaIndex is the apply side (ZooKeeper's quota path trie plus updateQuotaStat); QuotaGuard is
 * prep's side (ZooKeeper's checkQuota): it refuses a write past a hard limit when enforceQuota is
 * on and reports every limit passed.
 */

export const QUOTA_DIR = "/zookeeper/quota";
export const LIMITS_NODE = "zookeeper_limits";
export const STATS_NODE = "zookeeper_stats";
const QUOTA_PREFIX = `${QUOTA_DIR}/`;

/** ZooKeeper's StatsTrack: `key=long` pairs; a key that is absent reads as -1. */
export type StatsTrack = Map<string, bigint>;

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/**
 * StatsTrack's parser ("count=1,bytes=5=;countHardLimit=3": pairs split on runs of , and ;, each
 * on =). ZooKeeper throws on a pair it cannot read (and its server then fails the transaction);
 * here such a pair is skipped, so a client writing junk into a quota node breaks nothing.
 */
export function parseStatsTrack(text: string): StatsTrack {
  const track: StatsTrack = new Map();
  for (const pair of text.split(/[,;]+/)) {
    const parts = pair.split("=");
    if (parts.length < 2 || parts[0] === "") continue;
    const value = parts[1]!;
    if (value === "") {
      track.set(parts[0]!, -1n);
      continue;
    }
    if (!/^[+-]?\d+$/.test(value)) continue;
    const n = BigInt(value);
    if (n >= LONG_MIN && n <= LONG_MAX) track.set(parts[0]!, n);
  }
  return track;
}

/**
 * StatsTrack.toString: count and bytes first, then, after an extra "=" that old parsers skip, the
 * other keys sorted and ";"-separated. Byte for byte what ZooKeeper writes (pinned against 3.8).
 */
export function formatStatsTrack(track: StatsTrack): string {
  let text = `count=${trackValue(track, "count")},bytes=${trackValue(track, "bytes")}`;
  const rest = [...track.keys()].filter((k) => k !== "count" && k !== "bytes").sort();
  if (rest.length > 0) text += `=${rest.map((k) => `;${k}=${track.get(k)}`).join("")}`;
  return text;
}

export function trackValue(track: StatsTrack, key: string): bigint {
  return track.get(key) ?? -1n;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function readTrack(data: StoredData): StatsTrack {
  return parseStatsTrack(decoder.decode(loadData(data)));
}

export function limitsPath(root: string): string {
  return `${QUOTA_DIR}${root}/${LIMITS_NODE}`;
}

export function statsPath(root: string): string {
  return `${QUOTA_DIR}${root}/${STATS_NODE}`;
}

/** The quota'd path a node directly under /zookeeper/quota/<root> belongs to ("" for none). */
function quotaRootOfChild(path: string, name: string): string {
  if (!path.startsWith(QUOTA_PREFIX)) return "";
  // "/zookeeper/quota/p/zookeeper_limits" → "/p". A limits node right under /zookeeper/quota
  // would be a quota on "/": ZooKeeper 3.8 exits applying it; here it is a node like any other.
  return path.slice(QUOTA_DIR.length, path.length - name.length - 1);
}

/** What prep needs of the quota over a path: its root, limits and stats as applied. */
export interface QuotaView {
  root: string;
  limits: StatsTrack;
  stats: StatsTrack;
}

/**
 * The apply side: which paths have a quota (a limits node exists for them) and the stats nodes'
 * upkeep. TreeStore calls created/deleted/changed after each successful mutation, in the order
 * ZooKeeper's DataTree does its own bookkeeping, so the stats read exactly as ZooKeeper's.
 */
export class QuotaIndex {
  private readonly roots = new Set<string>();

  constructor(private readonly store: TreeStore) {}

  get size(): number {
    return this.roots.size;
  }

  /** ZooKeeper's getMaxPrefixWithQuota: the deepest quota'd path that is path or an ancestor. */
  rootOf(path: string): string | undefined {
    if (this.roots.size === 0) return undefined;
    for (let p = path; p.length > 1; p = p.slice(0, p.lastIndexOf("/"))) {
      if (this.roots.has(p)) return p;
    }
    return undefined;
  }

  /** Limits and stats of the quota over path, if both nodes exist (ZooKeeper skips the check otherwise). */
  view(path: string): QuotaView | undefined {
    const root = this.rootOf(path);
    if (root === undefined) return undefined;
    const limits = this.store.get(limitsPath(root));
    const stats = this.store.get(statsPath(root));
    if (limits === undefined || stats === undefined) return undefined;
    return { root, limits: readTrack(limits.data), stats: readTrack(stats.data) };
  }

  created(path: string, dataLength: number): void {
    if (path.startsWith(QUOTA_PREFIX)) {
      const name = path.slice(path.lastIndexOf("/") + 1);
      const root = name === LIMITS_NODE || name === STATS_NODE ? quotaRootOfChild(path, name) : "";
      if (root !== "" && name === LIMITS_NODE) this.roots.add(root);
      // zkCli writes "count=0,bytes=0"; the server counts what is already there.
      if (root !== "" && name === STATS_NODE) this.recount(root);
    }
    this.add(path, 1, dataLength);
  }

  deleted(path: string, dataLength: number): void {
    if (path.startsWith(QUOTA_PREFIX) && path.endsWith(`/${LIMITS_NODE}`)) {
      const root = quotaRootOfChild(path, LIMITS_NODE);
      if (root !== "") this.roots.delete(root);
    }
    this.add(path, -1, -dataLength);
  }

  changed(path: string, oldLength: number, newLength: number): void {
    // Even with no change in size: ZooKeeper rewrites the stats node then too.
    this.add(path, 0, newLength - oldLength);
  }

  /** After a restore: every limits node names a quota'd path, as when it was created. */
  rebuild(): void {
    this.roots.clear();
    const dir = this.store.get(QUOTA_DIR);
    if (dir === undefined) return;
    const stack = [dir];
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      if (n.name === LIMITS_NODE) {
        const root = quotaRootOfChild(n.path, LIMITS_NODE);
        if (root !== "") this.roots.add(root);
      }
      if (n.children !== null) for (const child of n.children) stack.push(child);
    }
  }

  /** ZooKeeper's updateQuotaStat: adds to the stats of the quota over path, if any. */
  private add(path: string, count: number, bytes: number): void {
    // Every create, delete and setData comes here: with no quota anywhere, nothing more is done.
    if (this.roots.size === 0) return;
    const root = this.rootOf(path);
    if (root === undefined) return;
    // A missing stats node (deleted by a client, or not yet created) is skipped, as ZooKeeper does.
    const node = this.store.get(statsPath(root));
    if (node === undefined) return;
    const track = readTrack(node.data);
    track.set("count", trackValue(track, "count") + BigInt(count));
    track.set("bytes", trackValue(track, "bytes") + BigInt(bytes));
    this.store.rewriteData(node, storeData(encoder.encode(formatStatsTrack(track))));
  }

  /** ZooKeeper's updateQuotaForPath: the stats node restarts from the subtree as it is. */
  private recount(root: string): void {
    let count = 0n;
    let bytes = 0n;
    const top = this.store.get(root);
    const stack = top === undefined ? [] : [top];
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      count++;
      bytes += BigInt(n.data.length);
      if (n.children !== null) for (const child of n.children) stack.push(child);
    }
    const node = this.store.get(statsPath(root))!;
    const text = formatStatsTrack(
      new Map([
        ["count", count],
        ["bytes", bytes],
      ]),
    );
    this.store.rewriteData(node, storeData(encoder.encode(text)));
  }
}

export interface QuotaGuardOptions {
  /** zookeeper.enforceQuota: refuse writes past a hard limit (-N, -B) with QuotaExceeded. */
  enforce: boolean;
  /** A line for the server's log when a write passes a limit. */
  warn?: (message: string) => void;
}

/** A proposed change to a quota'd subtree: counted until its transaction is applied. */
interface Pending {
  zxid: number;
  root: string;
  count: bigint;
  bytes: bigint;
}

/** The same quota and kind of limit is logged at most once per this many ms. */
const WARN_INTERVAL_MS = 1000;

/**
 * Prep's side, ZooKeeper's checkQuota: a create (count +1, its bytes) or setData (the change in
 * bytes) under a quota is checked against the hard limit if one is set, else the soft one (as
 * ZooKeeper: with both set only the hard one counts). Passing a soft limit, or a hard one with
 * enforcement off, only logs; passing a hard one with enforcement on throws QuotaExceeded, which
 * prep turns into an error transaction like any refusal.
 *
 * ZooKeeper checks against applied state only, so concurrent writes can overshoot a hard limit
 * together; here the changes proposed and not yet applied count too (pending), so a hard limit
 * holds however many writes are in flight.
 */
export class QuotaGuard {
  private pending: Pending[] = [];
  private head = 0;
  private readonly sums = new Map<string, { count: bigint; bytes: bigint }>();
  private readonly warned = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly options: QuotaGuardOptions) {}

  /** Throws QuotaExceeded (reporting reportPath, the request's path) or logs; path is the final path. */
  check(
    index: QuotaIndex,
    path: string,
    countDiff: number,
    bytesDiff: number,
    now: number,
    reportPath = path,
  ): void {
    if (index.size === 0) return;
    const view = index.view(path);
    if (view === undefined) return;
    const { root, limits, stats } = view;
    const inFlight = this.sums.get(root);
    const dc = BigInt(countDiff);
    const db = BigInt(bytesDiff);
    const v = (track: StatsTrack, key: string) => trackValue(track, key);
    if (dc !== 0n && (v(limits, "count") > -1n || v(limits, "countHardLimit") > -1n)) {
      const after = v(stats, "count") + (inFlight?.count ?? 0n) + dc;
      this.judge(root, "count", after, v(limits, "countHardLimit"), v(limits, "count"), now, reportPath);
    }
    if (db !== 0n && (v(limits, "bytes") > -1n || v(limits, "byteHardLimit") > -1n)) {
      const after = v(stats, "bytes") + (inFlight?.bytes ?? 0n) + db;
      this.judge(root, "bytes", after, v(limits, "byteHardLimit"), v(limits, "bytes"), now, reportPath);
    }
  }

  /** Counts a prepped change under the quota over path (if any) until zxid is applied. */
  record(index: QuotaIndex, zxid: number, path: string, countDiff: number, bytesDiff: number): void {
    if (index.size === 0) return;
    const root = index.rootOf(path);
    if (root === undefined) return;
    const entry = { zxid, root, count: BigInt(countDiff), bytes: BigInt(bytesDiff) };
    this.pending.push(entry);
    this.bump(entry, 1n);
  }

  /** Where a multi starts: rollback(mark) takes back what it recorded. */
  mark(): number {
    return this.pending.length;
  }

  rollback(mark: number): void {
    while (this.pending.length > mark) this.bump(this.pending.pop()!, -1n);
  }

  /** The tree has applied everything up to zxid: its stats now hold those changes. */
  committed(zxid: number): void {
    while (this.head < this.pending.length && this.pending[this.head]!.zxid <= zxid) {
      this.bump(this.pending[this.head]!, -1n);
      this.head++;
    }
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    }
  }

  reset(): void {
    this.pending = [];
    this.head = 0;
    this.sums.clear();
  }

  private bump(entry: Pending, sign: bigint): void {
    const sum = this.sums.get(entry.root) ?? { count: 0n, bytes: 0n };
    sum.count += sign * entry.count;
    sum.bytes += sign * entry.bytes;
    if (sum.count === 0n && sum.bytes === 0n) this.sums.delete(entry.root);
    else this.sums.set(entry.root, sum);
  }

  private judge(
    root: string,
    what: "count" | "bytes",
    value: bigint,
    hard: bigint,
    soft: bigint,
    now: number,
    reportPath: string,
  ): void {
    const isHard = hard > -1n;
    const limit = isHard ? hard : soft;
    if (value <= limit) return;
    const kind = `${isHard ? "hard" : "soft"}${what === "count" ? "Count" : "Byte"}Limit`;
    const refuse = isHard && this.options.enforce;
    // ZooKeeper's wording, so log searches carry over; it logs only with enforcement on.
    let line = `Quota exceeded: ${root} [current ${what}=${value}, ${kind}=${limit}]`;
    if (isHard && !refuse) line += " (not enforced: enforceQuota=false)";
    this.warn(`${root} ${kind}`, line, now);
    if (refuse) {
      const unit = what === "count" ? "nodes" : "bytes";
      throw new PaddockError(
        Code.QuotaExceeded,
        reportPath,
        `QuotaExceeded for ${reportPath}: the quota on ${root} allows ${limit} ${unit} (${kind}), this write makes ${value}`,
      );
    }
  }

  /** Rate-limited per quota and kind: a busy subtree over a soft limit must not flood the log. */
  private warn(key: string, line: string, now: number): void {
    const warn = this.options.warn;
    if (warn === undefined) return;
    const last = this.warned.get(key);
    if (last !== undefined && now - last.at < WARN_INTERVAL_MS) {
      last.suppressed++;
      return;
    }
    const more =
      last !== undefined && last.suppressed > 0 ? ` (and ${last.suppressed} more since the last)` : "";
    this.warned.set(key, { at: now, suppressed: 0 });
    warn(line + more);
  }
}
