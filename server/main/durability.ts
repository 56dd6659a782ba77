import { mkdirSync } from "node:fs";
import type { Entry } from "../consensus/ready.js";
import { readEpoch } from "../persistence/epoch-file.js";
import { purge } from "../persistence/purge.js";
import { recover } from "../persistence/recovery.js";
import { type SnapshotInput, writeSnapshot } from "../persistence/snapshot.js";
import { TxnLog } from "../persistence/txn-log.js";
import type { SessionTable } from "../sessions/index.js";
import { DataTree } from "../tree/data-tree.js";
import { LatencyStats } from "../util/latency-stats.js";
import type { ServerConfig } from "./config.js";
import type { Log } from "./server.js";

export interface DurableState {
  /** The snapshot's state: what is known committed. */
  readonly tree: DataTree;
  readonly log: TxnLog;
  /** Logged transactions after the snapshot, committed or not: the ZAB core decides. */
  readonly entries: Entry[];
  readonly lastZxid: number;
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  /** No snapshot on disk yet: the caller writes one before serving, so the log's start is known. */
  readonly needsSnapshot: boolean;
}

/**
 * Recovery at start: the newest valid snapshot, its digest checked, restores the tree; the log
 * after it goes to the ZAB core, not the tree, because in an ensemble its tail may never have
 * committed (a new leader may TRUNC it). The core hands those entries back as committed once they
 * are (at once for a lone voter, through the first Ready). Sessions come back with a fresh
 * timeout, as in ZooKeeper; those that do not return expire and take their ephemerals with them.
 */
export async function openDurableState(
  config: ServerConfig,
  sessions: SessionTable,
  log: Log,
): Promise<DurableState> {
  mkdirSync(config.dataDir, { recursive: true });
  mkdirSync(config.dataLogDir, { recursive: true });
  const started = Date.now();
  const recovered = await recover({
    dataDir: config.dataDir,
    dataLogDir: config.dataLogDir,
    truncateAtDamage: config.truncateAtDamage,
  });
  if (recovered.truncatedTail) {
    const t = recovered.truncatedTail;
    log("warn", `log tail truncated: ${t.file} at offset ${t.offset}: ${t.reason}`);
  }
  for (const d of recovered.damagedSnapshots)
    log("warn", `skipped damaged snapshot ${d.file} at ${d.offset}: ${d.reason}`);
  const options = { superDigest: config.superDigest, skipAcl: config.auth.skipAcl };
  const now = Date.now();
  let tree: DataTree;
  const snapshot = recovered.snapshot;
  if (snapshot !== undefined) {
    const zxid = Number(snapshot.header.zxid);
    tree = DataTree.restore(snapshot.acls, snapshot.nodes, zxid, options);
    if (tree.digest !== snapshot.header.digest) {
      throw new Error(
        `snapshot ${snapshot.file}: tree digest ${tree.digest} does not match the recorded ${snapshot.header.digest}; refusing to serve`,
      );
    }
    for (const s of snapshot.sessions) {
      if (sessions.get(s.sessionId) === undefined) sessions.add(s.sessionId, s.timeoutMs, s.password, now);
    }
  } else {
    tree = new DataTree(options);
  }
  // Snapshots are exact (copied at one zxid), so no replay mode is needed for what follows.
  if (tree.replaying) tree.finishReplay();
  const entries: Entry[] = recovered.txns.map((txn) => ({ zxid: Number(txn.zxid), txn }));
  const lastZxid = Math.max(recovered.lastZxid, tree.lastZxid);
  if (!config.forceSync)
    log("warn", "forceSync=no: acknowledged writes are NOT durable until the OS flushes them");
  const txnLog = await TxnLog.open({
    dir: config.dataLogDir,
    forceSync: config.forceSync,
    preAllocBytes: config.preAllocSize,
    segmentBytesMax: 64 * 1024 * 1024,
    // About 0.5 ms of write + fdatasync per MiB on the bench machine, once per ~7k records.
    zeroAheadBytes: Math.min(config.preAllocSize, 1024 * 1024),
    batchCountMax: 10_000,
    batchBytesMax: 8 * 1024 * 1024,
    lastZxid,
    workerFilesModule: testDiskModule(process.env.PADDOCK_TEST_DISK, log),
    fsyncWarningThresholdMs: config.disk.fsyncWarningThresholdMs,
    onSlowFsync: (ms, records) =>
      log(
        "warn",
        `fsync of the transaction log in ${config.dataLogDir} took ${Math.round(ms)} ms (fsync.warningthresholdms ${config.disk.fsyncWarningThresholdMs}) for ${records} records: every write waited for it`,
      ),
  });
  log(
    "info",
    `recovered ${tree.nodeCount} znodes and ${sessions.size} sessions at 0x${tree.lastZxid.toString(16)}, ${entries.length} logged txns after it, last zxid 0x${lastZxid.toString(16)} in ${Date.now() - started} ms`,
  );
  const acceptedEpoch = (await readEpoch(config.dataDir, "acceptedEpoch")) ?? 0;
  const currentEpoch = (await readEpoch(config.dataDir, "currentEpoch")) ?? 0;
  return {
    tree,
    log: txnLog,
    entries,
    lastZxid,
    acceptedEpoch,
    currentEpoch,
    needsSnapshot: snapshot === undefined,
  };
}

/**
 * TEST SEAM (the fault tier, test/faults): PADDOCK_TEST_DISK=`fsyncDelayMs=N&bytesMax=N&loseUnsynced=1`
 * makes the log worker write through server/persistence/test-seam-disk.ts (a slow, full or
 * power-losing disk). Read here only, in the composition root; unset in production.
 */
function testDiskModule(query: string | undefined, log: Log): string | undefined {
  if (query === undefined || query === "") return undefined;
  const fromSource = import.meta.url.endsWith(".ts");
  const module = new URL(`../persistence/test-seam-disk.${fromSource ? "ts" : "js"}`, import.meta.url);
  module.search = query;
  log("warn", `PADDOCK_TEST_DISK=${query}: the log writes through a test seam (${module.pathname})`);
  return module.href;
}

/**
 * Snapshots every snapCount/2 + random(snapCount/2) transactions (ZooKeeper's jitter, so members do
 * not snapshot together). The snapshot is exact at one zxid, so its digest is verifiable, yet it is
 * read while writes go on: the tree's SnapshotCursor keeps what changes before it is read.
 */
export class Snapshotter {
  private sinceLast = 0;
  private threshold: number;
  private running: Promise<void> | undefined;
  private purging: Promise<void> | undefined;
  /** Each snapshot's walk, encoding and write, in ms (ZooKeeper's snapshottime). */
  readonly snapshotTime = new LatencyStats();
  /** The last snapshot written (ZooKeeper's lsnp): its zxid and when, in ms since the epoch. */
  last: { zxid: number; timestampMs: number } | undefined;

  constructor(
    private readonly config: ServerConfig,
    private readonly tree: DataTree,
    private readonly sessions: SessionTable,
    private readonly log: Log,
  ) {
    this.threshold = this.nextThreshold();
  }

  private nextThreshold(): number {
    const half = Math.max(1, Math.floor(this.config.snapCount / 2));
    return half + Math.floor(Math.random() * half);
  }

  applied(count: number): void {
    this.sinceLast += count;
    if (this.sinceLast >= this.threshold && this.running === undefined) void this.take();
  }

  /** Takes a snapshot now (also on demand and at first start); resolves when it is durable. */
  take(): Promise<void> {
    if (this.running) return this.running;
    this.sinceLast = 0;
    this.threshold = this.nextThreshold();
    const started = performance.now();
    const zxid = this.tree.lastZxid;
    const input = snapshotInput(this.tree, this.sessions);
    this.running = writeSnapshot(this.config.dataDir, input)
      .finally(() => input.close())
      .then((file) => {
        const ms = performance.now() - started;
        this.snapshotTime.record(ms);
        this.last = { zxid, timestampMs: Date.now() };
        this.log("info", `snapshot ${file}: ${input.nodeCount} znodes in ${Math.round(ms)} ms`);
        // Autopurge also follows every snapshot: the disk then holds snapRetainCount snapshots
        // and their logs however fast writes come, not whatever piled up within purgeInterval.
        if (this.config.purgeIntervalHours > 0) void this.purge();
      })
      .catch((error: unknown) => this.log("error", `snapshot failed: ${(error as Error).message}`))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Autopurge: one run at a time; a failure is logged, never thrown (it runs from timers). */
  purge(): Promise<void> {
    this.purging ??= purge({
      dataDir: this.config.dataDir,
      dataLogDir: this.config.dataLogDir,
      snapRetainCount: this.config.snapRetainCount,
    })
      .then(({ removed }) => {
        if (removed.length > 0) this.log("info", `purged ${removed.length} files: ${removed.join(", ")}`);
      })
      .catch((error: unknown) => this.log("error", `autopurge failed: ${(error as Error).message}`))
      .finally(() => {
        this.purging = undefined;
      });
    return this.purging;
  }
}

/**
 * The applied state at its zxid: ACLs and sessions copied now, nodes through a cursor that keeps
 * them as they are now while the tree changes. close() ends the cursor if its nodes were not all read.
 */
export function snapshotInput(tree: DataTree, sessions: SessionTable): SnapshotInput & { close(): void } {
  const cursor = tree.snapshotCursor();
  return {
    zxid: tree.lastZxid,
    digest: tree.digest,
    nodeCount: tree.nodeCount,
    close: () => cursor.close(),
    acls: [...tree.snapshotAcls()],
    nodes: cursor.views(),
    sessions: [...sessions.entries()].map((s) => ({
      sessionId: s.id,
      timeoutMs: s.timeoutMs,
      password: Buffer.from(s.password),
    })),
  };
}
