import { hostname, userInfo } from "node:os";
import type { AdminContext } from "./commands.js";
import { diskCommand, diskLow } from "./disk-figures.js";
import { heapAfterGc } from "./heap-command.js";
import { mntrRows, serverState } from "./mntr.js";
import { directorySize } from "./server-figures.js";

/** A command's answer before ZooKeeper's `command` and `error` keys are added. */
export type CommandData = Record<string, unknown>;

/** One AdminServer command: ZooKeeper's name, its aliases (the four-letter word first), its JSON. */
export interface AdminCommand {
  readonly name: string;
  readonly aliases: readonly string[];
  run(ctx: AdminContext): CommandData;
}

/** Thrown by a command that cannot answer now (ZooKeeper: "server is not initialized"). */
class CommandError extends Error {}

function sessionHex(id: bigint): string {
  return `0x${id.toString(16)}`;
}

function serverStats(ctx: AdminContext): CommandData {
  const v = ctx.view;
  const all = v.requests.all;
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  return {
    packets_sent: v.sent,
    packets_received: v.received,
    fsync_threshold_exceed_count: ctx.logStats().fsyncThresholdExceeded,
    client_response_stats: { last_buffer_size: -1, min_buffer_size: -1, max_buffer_size: -1 },
    data_dir_size: directorySize(ctx.dataDirs.dataDir),
    log_dir_size: directorySize(ctx.dataDirs.dataLogDir),
    provider_null: false,
    server_state: serverState(ctx),
    last_processed_zxid: v.zxid,
    outstanding_requests: v.outstanding,
    avg_latency: round(all.avg),
    max_latency: round(all.max),
    min_latency: round(all.min),
    num_alive_client_connections: ctx.figures.clientConnections(),
    auth_failed_count: v.requests.authFailed,
    non_mtlsremote_conn_count: 0,
    non_mtlslocal_conn_count: 0,
    uptime: Date.now() - ctx.startedAt,
  };
}

function srvr(ctx: AdminContext): CommandData {
  return {
    version: `paddock-${ctx.version}`,
    read_only: diskLow(ctx),
    server_stats: serverStats(ctx),
    client_response: { last_buffer_size: -1, min_buffer_size: -1, max_buffer_size: -1 },
    node_count: ctx.view.nodeCount,
  };
}

function connections(ctx: AdminContext): CommandData {
  return {
    connections: ctx.view.connections().map((c) => ({
      remote_socket_address: c.address,
      session_id: sessionHex(c.sessionId),
      outstanding_requests: c.queued,
      attached: c.attached,
    })),
    secure_connections: [],
  };
}

function memberLine(ctx: AdminContext, id: number): string | undefined {
  const m = ctx.figures.members.find((x) => x.id === id);
  if (m === undefined) return undefined;
  return `${m.host}:${m.quorumPort}:${m.electionPort}:${m.observer ? "observer" : "participant"};${ctx.clientAddress}`;
}

function leader(ctx: AdminContext): CommandData {
  const r = ctx.view.replica;
  if (ctx.ensembleSize <= 1 || !r.broadcasting) throw new CommandError("server is not initialized");
  const m = ctx.figures.members.find((x) => x.id === r.leaderId);
  return { is_leader: r.role === "leading", leader_id: r.leaderId, leader_ip: m?.host ?? "" };
}

function observers(ctx: AdminContext): CommandData {
  const r = ctx.view.replica;
  const list = r.role === "leading" ? r.learners().filter((l) => l.observer) : [];
  return {
    synced_observers: list.filter((l) => l.synced).length,
    observers: list.map((l) => ({ sid: l.id, synced: l.synced, last_acked_zxid: l.ackedZxid })),
  };
}

function zabstate(ctx: AdminContext): CommandData {
  const r = ctx.view.replica;
  if (ctx.ensembleSize <= 1) return { voting: false, zabstate: "" };
  const voting = !ctx.figures.members.find((m) => m.id === r.serverId)?.observer;
  return { voting, zabstate: r.broadcasting ? "broadcast" : "election" };
}

function environment(ctx: AdminContext): CommandData {
  return {
    "zookeeper.version": `paddock-${ctx.version}`,
    "host.name": hostname(),
    ...ctx.environment,
    "user.name": userInfo().username,
  };
}

const table: AdminCommand[] = [
  { name: "ruok", aliases: ["ruok"], run: () => ({}) },
  { name: "server_stats", aliases: ["srvr"], run: srvr },
  { name: "stats", aliases: ["stat"], run: (ctx) => ({ ...srvr(ctx), ...connections(ctx) }) },
  { name: "monitor", aliases: ["mntr"], run: (ctx) => Object.fromEntries(mntrRows(ctx)) },
  {
    name: "configuration",
    aliases: ["conf", "config"],
    run: (ctx) => ({
      client_port: ctx.config.clientPort,
      data_dir: ctx.dataDirs.dataDir,
      data_log_dir: ctx.dataDirs.dataLogDir,
      tick_time: ctx.config.tickTime,
      max_client_cnxns: ctx.config.maxClientCnxns,
      min_session_timeout: ctx.config.minSessionTimeout,
      max_session_timeout: ctx.config.maxSessionTimeout,
      server_id: ctx.config.serverId,
      client_port_listen_backlog: -1,
    }),
  },
  { name: "connections", aliases: ["cons"], run: connections },
  { name: "connection_stat_reset", aliases: ["crst"], run: () => ({}) },
  {
    name: "dirs",
    aliases: ["dirs"],
    run: (ctx) => ({
      datadir_size: directorySize(ctx.dataDirs.dataDir),
      logdir_size: directorySize(ctx.dataDirs.dataLogDir),
    }),
  },
  {
    name: "dump",
    aliases: ["dump"],
    run: (ctx) => {
      const byTimeout: Record<string, string[]> = {};
      const ephemerals: Record<string, string[]> = {};
      for (const s of ctx.view.sessions()) {
        (byTimeout[String(s.timeoutMs)] ??= []).push(sessionHex(s.id));
        const paths = ctx.view.ephemeralsOf(s.id);
        if (paths.length > 0) ephemerals[sessionHex(s.id)] = [...paths];
      }
      return { expiry_time_to_session_ids: byTimeout, session_id_to_ephemeral_paths: ephemerals };
    },
  },
  { name: "environment", aliases: ["envi", "env"], run: environment },
  { name: "get_trace_mask", aliases: ["gtmk"], run: () => ({ tracemask: 0 }) },
  {
    name: "hash",
    aliases: ["hash"],
    run: (ctx) => ({ digests: [{ zxid: ctx.view.zxid, digest: ctx.view.digest.toString() }] }),
  },
  // Paddock's own: a full GC, then the live heap (ZooKeeper's operators use jcmd GC.heap_info).
  { name: "heap", aliases: [], run: () => heapAfterGc() },
  // Paddock's own: free space against the floor (a member below it is read-only).
  { name: "disk", aliases: [], run: diskCommand },
  { name: "is_read_only", aliases: ["isro"], run: (ctx) => ({ read_only: diskLow(ctx) }) },
  {
    name: "last_snapshot",
    aliases: ["lsnp"],
    run: (ctx) => {
      const last = ctx.figures.lastSnapshot();
      return {
        zxid: (last?.zxid ?? 0).toString(16),
        timestamp: Math.floor((last?.timestampMs ?? ctx.startedAt) / 1000),
      };
    },
  },
  { name: "leader", aliases: ["lead"], run: leader },
  { name: "observers", aliases: ["obsr"], run: observers },
  { name: "observer_connection_stat_reset", aliases: ["orst"], run: () => ({}) },
  {
    name: "stat_reset",
    aliases: ["srst"],
    run: (ctx) => {
      ctx.view.requests.reset();
      return {};
    },
  },
  {
    name: "system_properties",
    aliases: ["sysp"],
    run: (ctx) => ({ ...ctx.environment, ...Object.fromEntries(Object.entries(process.versions)) }),
  },
  {
    name: "voting_view",
    aliases: ["voting_view"],
    run: (ctx) => {
      const current: Record<string, string> = {};
      // A standalone server has no voting view (ZooKeeper answers {}).
      if (ctx.ensembleSize <= 1) return { current_config: current };
      for (const m of ctx.figures.members)
        if (!m.observer) current[String(m.id)] = memberLine(ctx, m.id) ?? "";
      return { current_config: current };
    },
  },
  {
    name: "watches",
    aliases: ["wchc"],
    run: (ctx) => ({
      session_id_to_watched_paths: Object.fromEntries(
        [...ctx.view.watchesBySession()].map(([id, paths]) => [sessionHex(id), paths]),
      ),
    }),
  },
  {
    name: "watches_by_path",
    aliases: ["wchp"],
    run: (ctx) => ({
      path_to_session_ids: Object.fromEntries(
        [...ctx.view.watchesByPath()].map(([path, ids]) => [path, ids.map(sessionHex)]),
      ),
    }),
  },
  {
    name: "watch_summary",
    aliases: ["wchs"],
    run: (ctx) => {
      const bySession = ctx.view.watchesBySession();
      const paths = new Set<string>();
      for (const list of bySession.values()) for (const p of list) paths.add(p);
      return {
        num_connections: bySession.size,
        num_paths: paths.size,
        num_total_watches: ctx.view.watchCount,
      };
    },
  },
  { name: "zabstate", aliases: ["zabstate"], run: zabstate },
];

/** Every command by its name and by each alias. */
export const adminCommands: ReadonlyMap<string, AdminCommand> = new Map(
  table.flatMap((c) => [c.name, ...c.aliases].map((n) => [n, c] as const)),
);

/** The names for the /commands index, sorted as ZooKeeper lists them. */
export const adminCommandNames: readonly string[] = table.map((c) => c.name).sort();

/** A command's JSON answer as ZooKeeper's AdminServer gives it: the data, then command and error. */
export function runAdminCommand(name: string, ctx: AdminContext): { status: number; body: CommandData } {
  const command = adminCommands.get(name);
  if (command === undefined)
    return { status: 404, body: { command: name, error: `Unknown command: ${name}` } };
  try {
    return { status: 200, body: { ...command.run(ctx), command: command.name, error: null } };
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    return { status: 200, body: { error: error.message, command: command.name } };
  }
}
