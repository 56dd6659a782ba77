import { mkdirSync } from "node:fs";
import { purge } from "../persistence/purge.js";
import { recover } from "../persistence/recovery.js";
import { writeSnapshot } from "../persistence/snapshot.js";
import { TxnLog } from "../persistence/txn-log.js";
import { applySessionTxn, type SessionTable } from "../sessions/index.js";
import { DataTree } from "../tree/data-tree.js";
import type { ServerConfig } from "./config.js";
import type { Log } from "./server.js";

export interface DurableState {
  readonly tree: DataTree;
  readonly log: TxnLog;
  readonly lastZxid: number;
  /** No snapshot on disk yet: the caller writes one before serving, so the log's start is known. */
  readonly needsSnapshot: boolean;
}

/**
 * Recovery at start: the newest valid snapshot, its digest checked, then the log after it.
 * Sessions come back with a fresh timeout, as in ZooKeeper; those that do not return expire and
 * take their ephemerals with them.
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
  const options = { superDigest: config.superDigest };
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
  for (const txn of recovered.txns) {
    tree.apply(txn);
    applySessionTxn(txn, sessions, now);
  }
  if (tree.replaying) tree.finishReplay();
  const lastZxid = Math.max(recovered.lastZxid, tree.lastZxid);
  if (!config.forceSync)
    log("warn", "forceSync=no: acknowledged writes are NOT durable until the OS flushes them");
  const txnLog = await TxnLog.open({
    dir: config.dataLogDir,
    forceSync: config.forceSync,
    preAllocBytes: config.preAllocSize,
    segmentBytesMax: 64 * 1024 * 1024,
    batchCountMax: 10_000,
    batchBytesMax: 8 * 1024 * 1024,
    lastZxid,
  });
  log(
    "info",
    `recovered ${tree.nodeCount} znodes, ${sessions.size} sessions, ${recovered.txns.length} txns replayed, last zxid 0x${lastZxid.toString(16)} in ${Date.now() - started} ms`,
  );
  return { tree, log: txnLog, lastZxid, needsSnapshot: snapshot === undefined };
}

/**
 * Snapshots every snapCount/2 + random(snapCount/2) transactions (ZooKeeper's jitter, so members do
 * not snapshot together). The records are copied synchronously at one zxid, so the snapshot is
 * exact and its digest verifiable; encoding and writing then run without blocking writes.
 */
export class Snapshotter {
  private sinceLast = 0;
  private threshold: number;
  private running: Promise<void> | undefined;

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
    const tree = this.tree;
    const input = {
      zxid: tree.lastZxid,
      digest: tree.digest,
      nodeCount: tree.nodeCount,
      acls: [...tree.snapshotAcls()],
      nodes: [...tree.snapshotNodes()],
      sessions: [...this.sessions.entries()].map((s) => ({
        sessionId: s.id,
        timeoutMs: s.timeoutMs,
        password: Buffer.from(s.password),
      })),
    };
    const started = Date.now();
    this.running = writeSnapshot(this.config.dataDir, input)
      .then((file) =>
        this.log("info", `snapshot ${file}: ${input.nodeCount} znodes in ${Date.now() - started} ms`),
      )
      .catch((error: unknown) => this.log("error", `snapshot failed: ${(error as Error).message}`))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async purge(): Promise<void> {
    const { removed } = await purge({
      dataDir: this.config.dataDir,
      dataLogDir: this.config.dataLogDir,
      snapRetainCount: this.config.snapRetainCount,
    });
    if (removed.length > 0) this.log("info", `purged ${removed.length} files: ${removed.join(", ")}`);
  }
}
