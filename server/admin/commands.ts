import type { AdminView } from "../pipeline/admin-view.js";
import { zxidHex } from "../util/zxid.js";
import { adminCommands, runAdminCommand } from "./admin-commands.js";
import { diskLow } from "./disk-figures.js";
import { mntrRows, serverState } from "./mntr.js";
import { directorySize, type ServerFigures } from "./server-figures.js";

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
    /** Group commits slower than fsync.warningthresholdms. */
    fsyncThresholdExceeded: number;
  };
  /** Log, snapshot, socket, peer and member figures the composition root owns. */
  readonly figures: ServerFigures;
}

type Command = (ctx: AdminContext) => string;

const mode = serverState;

/** ZooKeeper's srvr latency: min/avg/max ms over every request since start or srst. */
export function latencyLine(ctx: AdminContext): string {
  const all = ctx.view.requests.all;
  const f = (n: number): string => String(Math.round(n * 1000) / 1000);
  return `${f(all.min)}/${f(all.avg)}/${f(all.max)}`;
}

function srvr(ctx: AdminContext): string {
  const v = ctx.view;
  return [
    `Zookeeper version: paddock-${ctx.version}`,
    `Latency min/avg/max: ${latencyLine(ctx)}`,
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

/** ZooKeeper's mntr (tab-separated): its keys with the zk_ prefix, Paddock's own as they are. */
function mntr(ctx: AdminContext): string {
  const rows = mntrRows(ctx);
  return `${rows.map(([k, v]) => `${k.startsWith("paddock_") ? k : `zk_${k}`}\t${v}`).join("\n")}\n`;
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
  isro: (ctx) => (diskLow(ctx) ? "ro" : "rw"),
  srst: (ctx) => {
    ctx.view.requests.reset();
    return "Server stats reset.\n";
  },
  crst: () => "Connection stats reset.\n",
  gtmk: () => "0\n",
  dirs: (ctx) =>
    `datadir_size: ${directorySize(ctx.dataDirs.dataDir)}\nlogdir_size: ${directorySize(ctx.dataDirs.dataLogDir)}\n`,
};

export function runCommand(name: string, ctx: AdminContext): { ok: boolean; output: string } {
  const command = commands[name];
  // The AdminServer's commands (and aliases) the words do not cover answer with their JSON.
  const json = command === undefined ? adminCommands.get(name) : undefined;
  if (json !== undefined)
    return { ok: true, output: `${JSON.stringify(runAdminCommand(name, ctx).body, null, 2)}\n` };
  if (command === undefined) {
    return {
      ok: false,
      output: `${name} is not a known command; known: ${Object.keys(commands).join(", ")}`,
    };
  }
  return { ok: true, output: command(ctx) };
}
