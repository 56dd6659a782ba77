import type { AdminView } from "../pipeline/admin-view.js";
import { zxidHex } from "../util/zxid.js";

export interface AdminContext {
  readonly view: AdminView;
  readonly version: string;
  readonly startedAt: number;
  readonly clientAddress: string;
  /** Voters and observers configured (1 for a standalone server). */
  readonly ensembleSize: number;
  /** Configuration as key=value pairs, for `conf`. */
  readonly config: Record<string, string | number | boolean | undefined>;
  readonly environment: Record<string, string>;
  readonly dataDirs: { dataDir: string; dataLogDir: string };
  /** Write-ahead log figures: group commit shows as records per fsync. */
  readonly logStats: () => {
    fsyncs: number;
    records: number;
    lastFsyncMs: number;
    fsyncMsMax: number;
    recordsPerFsyncAvg: number;
  };
}

type Command = (ctx: AdminContext) => string;

/** ZooKeeper's words: standalone for an ensemble of one, looking until synchronised. */
function mode(ctx: AdminContext): string {
  const replica = ctx.view.replica;
  if (!replica.broadcasting) return "looking";
  const role = replica.role;
  if (role === "leading") return ctx.ensembleSize > 1 ? "leader" : "standalone";
  return role === "following" ? "follower" : role === "observing" ? "observer" : role;
}

/** The leader's learners with their lag in transactions of the current epoch. */
function learnerRows(ctx: AdminContext): [string, string | number][] {
  const replica = ctx.view.replica;
  if (replica.role !== "leading") return [];
  const learners = replica.learners();
  const rows: [string, string | number][] = [
    ["zk_followers", learners.filter((l) => !l.observer).length],
    ["zk_synced_followers", learners.filter((l) => !l.observer && l.synced).length],
    ["zk_synced_observers", learners.filter((l) => l.observer && l.synced).length],
  ];
  for (const l of learners) {
    const lag = Math.max(0, replica.lastLoggedZxid - l.ackedZxid);
    rows.push([`paddock_learner_${l.id}_lag`, l.synced ? lag : -1]);
  }
  return rows;
}

function srvr(ctx: AdminContext): string {
  const v = ctx.view;
  return [
    `Zookeeper version: paddock-${ctx.version}`,
    `Latency min/avg/max: 0/0/0`,
    `Received: ${v.received}`,
    `Sent: ${v.sent}`,
    `Connections: ${v.connections().length}`,
    `Outstanding: ${v.outstanding}`,
    `Zxid: ${zxidHex(v.zxid)}`,
    `Mode: ${mode(ctx)}`,
    `Node count: ${v.nodeCount}`,
    "",
  ].join("\n");
}

/** ZooKeeper's mntr keys (tab-separated), the ones that apply to Paddock. */
function mntr(ctx: AdminContext): string {
  const v = ctx.view;
  const rows: [string, string | number][] = [
    ["zk_version", `paddock-${ctx.version}`],
    ["zk_server_state", mode(ctx)],
    ["zk_packets_received", v.received],
    ["zk_packets_sent", v.sent],
    ["zk_num_alive_connections", v.connections().length],
    ["zk_outstanding_requests", v.outstanding],
    ["zk_znode_count", v.nodeCount],
    ["zk_watch_count", v.watchCount],
    ["zk_global_sessions", v.sessionCount],
    ["zk_last_zxid", zxidHex(v.zxid)],
    ["paddock_proposals_in_flight", v.replica.proposalsInFlight],
    ["paddock_epoch", v.replica.epoch],
    ["paddock_leader_id", v.replica.leaderId],
    ["paddock_last_logged_zxid", zxidHex(v.replica.lastLoggedZxid)],
    ...learnerRows(ctx),
    ["paddock_storage_failed", v.storageFailed ? 1 : 0],
    ["paddock_uptime_ms", Date.now() - ctx.startedAt],
  ];
  const log = ctx.logStats();
  rows.push(
    ["paddock_log_fsyncs", log.fsyncs],
    ["paddock_log_records", log.records],
    ["paddock_log_records_per_fsync_avg", log.recordsPerFsyncAvg.toFixed(2)],
    ["paddock_log_fsync_ms_last", log.lastFsyncMs.toFixed(3)],
    ["paddock_log_fsync_ms_max", log.fsyncMsMax.toFixed(3)],
  );
  return `${rows.map(([k, v]) => `${k}\t${v}`).join("\n")}\n`;
}

function cons(ctx: AdminContext): string {
  const lines: string[] = [];
  for (const c of ctx.view.connections()) {
    const state = c.attached ? "connected" : "detached";
    lines.push(` /${c.address}[1](queued=${c.queued},sid=0x${c.sessionId.toString(16)},state=${state})`);
  }
  return `${lines.join("\n")}\n`;
}

function wchs(ctx: AdminContext): string {
  const bySession = ctx.view.watchesBySession();
  const paths = new Set<string>();
  for (const list of bySession.values()) for (const p of list) paths.add(p);
  return `${ctx.view.connections().length} connections watching ${paths.size} paths\nTotal watches:${ctx.view.watchCount}\n`;
}

function wchc(ctx: AdminContext): string {
  const out: string[] = [];
  for (const [id, paths] of ctx.view.watchesBySession()) {
    out.push(`0x${id.toString(16)}`);
    for (const p of paths) out.push(`\t${p}`);
  }
  return `${out.join("\n")}\n`;
}

function wchp(ctx: AdminContext): string {
  const out: string[] = [];
  for (const [path, ids] of ctx.view.watchesByPath()) {
    out.push(path);
    for (const id of ids) out.push(`\t0x${id.toString(16)}`);
  }
  return `${out.join("\n")}\n`;
}

function dump(ctx: AdminContext): string {
  const sessions = ctx.view.sessions();
  const out = ["SessionTracker dump:", `Session count: ${sessions.length}`];
  for (const s of sessions) {
    out.push(`0x${s.id.toString(16)}\ttimeout=${s.timeoutMs}`);
  }
  out.push("ephemeral nodes dump:");
  for (const s of sessions) {
    const paths = ctx.view.ephemeralsOf(s.id);
    if (paths.length === 0) continue;
    out.push(`Sessions with Ephemerals (1):\n0x${s.id.toString(16)}:`);
    for (const p of paths) out.push(`\t${p}`);
  }
  return `${out.join("\n")}\n`;
}

export const commands: Record<string, Command> = {
  ruok: (ctx) => (ctx.view.storageFailed ? "" : "imok"),
  srvr,
  stat: (ctx) => `${srvr(ctx).replace("Latency", `Clients:\n${cons(ctx)}\nLatency`)}`,
  mntr,
  conf: (ctx) =>
    `${Object.entries(ctx.config)
      .map(([k, v]) => `${k}=${v ?? ""}`)
      .join("\n")}\n`,
  envi: (ctx) =>
    `Environment:\n${Object.entries(ctx.environment)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`,
  cons,
  wchs,
  wchc,
  wchp,
  dump,
  isro: () => "rw",
  dirs: (ctx) =>
    `datadir_size: n/a\nlogdir_size: n/a\ndataDir: ${ctx.dataDirs.dataDir}\ndataLogDir: ${ctx.dataDirs.dataLogDir}\n`,
};

export function runCommand(name: string, ctx: AdminContext): { ok: boolean; output: string } {
  const command = commands[name];
  if (command === undefined) {
    return {
      ok: false,
      output: `${name} is not a known command; known: ${Object.keys(commands).join(", ")}`,
    };
  }
  return { ok: true, output: command(ctx) };
}
