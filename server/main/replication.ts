import { randomInt } from "node:crypto";
import { join } from "node:path";
import { asyncScheduler } from "rxjs";
import type { MemberConfig } from "../consensus/member-config.js";
import { ZabNode } from "../consensus/zab-node.js";
import { readDynamicConfigText, writeDynamicConfigText } from "../persistence/dynamic-config-file.js";
import { encodeSnapshotAsync, installSnapshotBytes } from "../persistence/snapshot.js";
import { LogHistory } from "../replica/log-history.js";
import { LogStorage } from "../replica/log-storage.js";
import { Replica } from "../replica/replica.js";
import type { SessionTable } from "../sessions/index.js";
import { type PeerEndpoint, PeerTransport, type PeerTransportStats } from "../transport/peer-transport.js";
import { DataTree } from "../tree/data-tree.js";
import { Prng } from "../util/prng.js";
import { configText, parseConfigText } from "../util/server-line.js";
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
  /** The committed configuration's members (zoo.cfg's until a reconfig commits). */
  members(): readonly ServerSpec[];
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
  const dynamicFile = config.dynamicConfigFile ?? join(config.dataDir, "zoo.cfg.dynamic");
  const starting = startingConfig(config, durable.tree, dynamicFile, log);
  // This member's own line: from the configuration, else (a member a reconfig removed) zoo.cfg's.
  const specs = starting.members.some((m) => m.id === config.serverId)
    ? starting.members
    : [...starting.members, ...members(config).filter((s) => s.id === config.serverId)];
  const tree = durable.tree;
  const coreTickMs = Math.max(5, Math.floor(config.tickTime / TICKS_PER_TICK_TIME));
  // The log's recent records, compact, for DIFF beyond the in-memory log; seeded with the
  // recovered records after the snapshot. A standalone member has no one to DIFF: none there
  // (4 MiB by default; a restart with peers seeds it again from the log).
  // standaloneEnabled=false: one member still listens for peers, so reconfig can grow it (1 → 3).
  const networked = specs.length > 1 || (!config.standaloneEnabled && config.servers.length > 0);
  const history = new LogHistory(networked ? config.diffHistoryBytes : 0);
  history.seed(tree.lastZxid, durable.entries);
  const node = new ZabNode({
    id: config.serverId,
    voters: [],
    config: starting,
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
      // Encoded a chunk at a time: a large tree's SNAP no longer stops the leader for seconds.
      encode: (zxid) => {
        if (tree.lastZxid !== zxid) return undefined;
        const input = snapshotInput(tree, sessions);
        return encodeSnapshotAsync(input).finally(() => input.close());
      },
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
      configChanged: ({ active, pending }) => {
        const all = new Map<number, ServerSpec>();
        for (const c of [active, ...pending]) for (const m of c.members) all.set(m.id, m);
        transport?.setPeers(peerEndpoints([...all.values()]));
        if (active.version === written) return;
        written = active.version;
        const text = configText(active.members, active.version);
        log("info", `configuration ${active.version.toString(16)} active: ${text.replaceAll("\n", ", ")}`);
        try {
          writeDynamicConfigText(dynamicFile, text);
        } catch (error) {
          // The log and snapshots hold the configuration too; the file is for operators and restarts.
          log("warn", `dynamic configuration file ${dynamicFile} not written: ${(error as Error).message}`);
        }
      },
    },
  );
  let written = starting.version;
  // A peer is reached where this member's zoo.cfg says, if it lists it (proxies, NAT); else where
  // the configuration says. A dialed peer without a port is left out (it dials us if it is higher).
  const local = new Map(members(config).map((s) => [s.id, s]));
  const peerEndpoints = (list: readonly ServerSpec[]): PeerEndpoint[] => {
    const out: PeerEndpoint[] = [];
    for (const m of list) {
      if (m.id === config.serverId) continue;
      const at = local.get(m.id) ?? m;
      if (at.quorumPort === 0 && m.id < config.serverId) {
        log("warn", `member ${m.id} has no quorum port in the configuration; not dialed`);
        continue;
      }
      out.push({ id: m.id, host: at.host, port: at.quorumPort });
    }
    return out;
  };
  // A member listens where its own zoo.cfg line says (a reconfig's line for it tells the others
  // where to reach it, which may be a proxy or a NAT address); the dynamic one only when zoo.cfg has none.
  const self =
    members(config).find((s) => s.id === config.serverId) ?? specs.find((s) => s.id === config.serverId)!;
  const peers = specs.filter((s) => s.id !== config.serverId);
  // sslQuorum: mutual TLS on every peer stream; a bad quorum store fails startup here.
  const tls = networked && config.quorumTls.enabled ? quorumCredentials(config.quorumTls, log) : undefined;
  // A member with peers, or one that may gain them by reconfig (standaloneEnabled=false), has a transport.
  const transport = !networked
    ? undefined
    : new PeerTransport({
        myId: config.serverId,
        listenHost: self.host,
        listenPort: self.quorumPort,
        peers: peerEndpoints(peers),
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
    get ensembleSize() {
      return node.activeConfig.members.length;
    },
    members: () => node.activeConfig.members,
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

/**
 * The configuration a member starts with: the newest of zoo.cfg's server lines (or
 * dynamicConfigFile's), the dynamic configuration file a committed reconfig last wrote, and the
 * one the recovered tree holds in /zookeeper/config. Reconfigs in the log after it are replayed by
 * the core.
 */
function startingConfig(config: ServerConfig, tree: DataTree, dynamicFile: string, log: Log): MemberConfig {
  let best: MemberConfig = { version: 0, members: members(config) };
  const consider = (text: string | undefined, where: string): void => {
    if (text === undefined || text.trim() === "") return;
    try {
      const parsed = parseConfigText(text);
      if (parsed.version > best.version && parsed.members.length > 0) best = parsed;
    } catch (error) {
      log("warn", `${where}: ${(error as Error).message}; ignored`);
    }
  };
  consider(readDynamicConfigText(dynamicFile), dynamicFile);
  const node = tree.statOf(CONFIG_PATH) === undefined ? undefined : tree.getData(CONFIG_PATH, []);
  consider(node === undefined ? undefined : new TextDecoder().decode(node.data), CONFIG_PATH);
  return best;
}

const CONFIG_PATH = "/zookeeper/config";
