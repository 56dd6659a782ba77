import { bucketOf, LatencyStats } from "../util/latency-stats.js";
import { isWrite, type Op } from "./op-kinds.js";

/** Every request op's name, as the session protocol spells it (Request.op.$case). */
export const requestOpNames = [
  "addAuth",
  "addWatch",
  "close",
  "create",
  "delete",
  "exists",
  "getAcl",
  "getAllChildrenNumber",
  "getChildren",
  "getData",
  "getEphemerals",
  "multi",
  "multiRead",
  "ping",
  "reconfig",
  "removeWatches",
  "setAcl",
  "setData",
  "setWatches",
  "sync",
  "txn",
  "whoAmI",
] as const satisfies readonly Op["$case"][];

/**
 * Request latency, arrival to reply, in milliseconds: over all requests (ZooKeeper's
 * min/avg/max_latency), reads and writes apart (readlatency, updatelatency) and per op. One
 * preallocated LatencyStats per op, reached by a property of a fixed-shape object: recording costs
 * a few plain additions, no Map lookup and no allocation. Read at scrape time.
 */
export class RequestStats {
  readonly all = new LatencyStats();
  readonly read = new LatencyStats();
  readonly update = new LatencyStats();
  readonly byOp: Readonly<Record<Op["$case"], LatencyStats>>;
  /** addAuth requests whose credentials were refused (ZooKeeper's auth_failed_count). */
  authFailed = 0;
  /** Resumes of an existing session on this member (ZooKeeper's connection_revalidate_count). */
  connectionRevalidations = 0;
  /** Other members' resumes checked here as the leader (ZooKeeper's revalidate_count). */
  revalidations = 0;

  constructor() {
    const byOp = {} as Record<Op["$case"], LatencyStats>;
    for (const name of requestOpNames) byOp[name] = new LatencyStats();
    this.byOp = byOp;
  }

  record(op: Op | undefined, ms: number): void {
    const bucket = bucketOf(ms);
    this.all.add(ms, bucket);
    if (op === undefined) return;
    if (isWrite(op)) this.update.add(ms, bucket);
    else this.read.add(ms, bucket);
    this.byOp[op.$case].add(ms, bucket);
  }

  /** ZooKeeper's srst: latency figures back to empty. */
  reset(): void {
    this.all.reset();
    this.read.reset();
    this.update.reset();
    for (const name of requestOpNames) this.byOp[name].reset();
  }
}
