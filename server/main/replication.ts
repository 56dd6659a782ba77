import { randomInt } from "node:crypto";
import { asyncScheduler } from "rxjs";
import { ZabNode } from "../consensus/zab-node.js";
import { encodeSnapshot, installSnapshotBytes } from "../persistence/snapshot.js";
import { LogHistory } from "../replica/log-history.js";
import { LogStorage } from "../replica/log-storage.js";
import { Replica } from "../replica/replica.js";
import type { SessionTable } from "../sessions/index.js";
import { PeerTransport, type PeerTransportStats } from "../transport/peer-transport.js";
import { DataTree } from "../tree/data-tree.js";
import { Prng } from "../util/prng.js";
import type { ServerConfig, ServerSpec } from "./config.js";
import { type DurableState, snapshotInput } from "./durability.js";
import { quorumCredentials } from "./quorum-tls.js";
import type { Log } from "./server.js";

/** Core ticks per tickTime: fine enough that a lost leader is replaced well under a second. */
const TICKS_PER_TICK_TIME = 20;

export interface Replication {
  readonly replica: Replica;
  /** The bound quorum port, or 0 for a standalone server. */
  readonly peerPort: number;
  readonly ensembleSize: number;
  /** Peer traffic figures; undefined for a standalone server. */
  readonly peerStats: PeerTransportStats | undefined;
  /** An open peer stream to member `id` (false for a standalone server). */
  peerConnected(id: number): boolean;
  /** Starts peer traffic and ticking; SNAP installs call back into `replaced`. */
  start(replaced: (zxid: number) => void): Promise<void>;
  stop(): Promise<void>;
}

/** Members as configured; a server without server.N lines is an ensemble of one. */
export function members(config: ServerConfig): ServerSpec[] {
  if (config.servers.length > 0) return config.servers;
  return [{ id: config.serverId, host: "127.0.0.1", quorumPort: 0, electionPort: 0, observer: false }];
}

/** Ids and roles only: addresses may differ per member (proxies in tests, NAT in real life). */
export function ensembleDigest(specs: readonly ServerSpec[]): string {
  return [...specs]
    .sort((a, b) => a.id - b.id)
    .map((s) => `${s.id}${s.observer ? "o" : "p"}`)
    .join(",");
}

/**
 * Builds this member's replication: the ZAB core from the recovered log and epochs, the Ready
 * loop's storage, the SNAP state transfer, and (with peers) the gRPC peer transport.
 */
export function buildReplication(
  config: ServerConfig,
  durable: DurableState,
  sessions: SessionTable,
  log: Log,
): Replication {
  const specs = members(config);
  const tree = durable.tree;
  const coreTickMs = Math.max(5, Math.floor(config.tickTime / TICKS_PER_TICK_TIME));
  // The log's recent records, compact, for DIFF beyond the in-memory log; seeded with the
  // recovered records after the snapshot. A standalone member has no one to DIFF: none there
  // (4 MiB by default; a restart with peers seeds it again from the log).
  const history = new LogHistory(specs.length > 1 ? config.diffHistoryBytes : 0);
  history.seed(tree.lastZxid, durable.entries);
  const node = new ZabNode({
    id: config.serverId,
    voters: specs.filter((s) => !s.observer).map((s) => s.id),
    observers: specs.filter((s) => s.observer).map((s) => s.id),
    acceptedEpoch: durable.acceptedEpoch,
    currentEpoch: durable.currentEpoch,
    lastZxid: durable.lastZxid,
    log: durable.entries,
    logBaseZxid: tree.lastZxid,
    committedZxid: tree.lastZxid,
    logEntriesMax: config.commitLogCount,
    history,
    proposalsInFlightMax: Math.max(1000, config.limits.outstandingGlobalMax * 2),
    electionTimeoutTicks: 4,
    heartbeatTicks: TICKS_PER_TICK_TIME / 2,
    initLimitTicks: config.initLimit * TICKS_PER_TICK_TIME,
    syncLimitTicks: config.syncLimit * TICKS_PER_TICK_TIME,
    random: new Prng(randomInt(1, 0x7fff_ffff)),
  });
  let replaced: (zxid: number) => void = () => {};
  const replica = new Replica(
    node,
    new LogStorage(durable.log, config.dataDir, history),
    {
      encode: (zxid) => (tree.lastZxid === zxid ? encodeSnapshot(snapshotInput(tree, sessions)) : undefined),
      install: async (zxid, bytes) => {
        const { snapshot } = await installSnapshotBytes(config.dataDir, zxid, bytes);
        const restored = DataTree.restore(snapshot.acls, snapshot.nodes, zxid, {
          superDigest: config.superDigest,
        });
        if (restored.digest !== snapshot.header.digest) {
          throw new Error(`SNAP ${zxid.toString(16)}: tree digest does not match the leader's`);
        }
        tree.replaceWith(restored);
        const now = Date.now();
        for (const id of sessions.ids()) sessions.remove(id);
        for (const s of snapshot.sessions) sessions.add(s.sessionId, s.timeoutMs, s.password, now);
        replaced(zxid);
      },
    },
    {
      tickMs: coreTickMs,
      scheduler: asyncScheduler,
      snapshotChunkBytes: 1024 * 1024,
      log,
      clock: () => performance.now(),
      // Learners learn how the leader sees the ensemble once per tickTime (the web console).
      leaderReportTicks: TICKS_PER_TICK_TIME,
    },
  );
  const self = specs.find((s) => s.id === config.serverId)!;
  const peers = specs.filter((s) => s.id !== config.serverId);
  // sslQuorum: mutual TLS on every peer stream; a bad quorum store fails startup here.
  const tls =
    peers.length > 0 && config.quorumTls.enabled ? quorumCredentials(config.quorumTls, log) : undefined;
  const transport =
    peers.length === 0
      ? undefined
      : new PeerTransport({
          myId: config.serverId,
          listenHost: self.host,
          listenPort: self.quorumPort,
          peers: peers.map((p) => ({ id: p.id, host: p.host, port: p.quorumPort })),
          ensemble: ensembleDigest(specs),
          // A proposal carries at most one request (jute.maxbuffer); SNAP goes in 1 MiB chunks.
          messageBytesMax: 2 * config.limits.requestBytesMax + 64 * 1024,
          queueBytesMax: 1024 * 1024 * 1024,
          reconnectMinMs: 20,
          reconnectMaxMs: Math.max(100, config.tickTime),
          onMessage: (from, message) => replica.onPeerMessage(from, message),
          onPeerDown: (id) => replica.onPeerDown(id),
          ...(tls === undefined ? {} : { credentials: tls }),
          log,
        });
  let peerPort = 0;
  return {
    replica,
    get peerPort() {
      return peerPort;
    },
    ensembleSize: specs.length,
    peerStats: transport?.stats,
    peerConnected: (id) => transport?.isConnected(id) ?? false,
    async start(onReplaced) {
      replaced = onReplaced;
      if (transport) {
        peerPort = await transport.start();
        replica.connect(transport);
        log(
          "info",
          `member ${config.serverId} of ${specs.length}: quorum port ${self.host}:${peerPort}${tls ? " (sslQuorum)" : ""}`,
        );
      }
      replica.start();
    },
    async stop() {
      replica.stop();
      await transport?.stop();
      tls?.close();
    },
  };
}
