import { resolve } from "node:path";
import { backup, type Manifest, readManifest, restore } from "../persistence/backup.js";
import { recover } from "../persistence/recovery.js";
import { DataTree } from "../tree/data-tree.js";
import { zxidHex } from "../util/zxid.js";
import { defaultConfig, loadZooCfg } from "./config.js";
import { parseFlags, UsageError } from "./usage-error.js";

/** The data and log directories from --config zoo.cfg, or --data-dir (and --data-log-dir). */
function directories(flags: Map<string, string | true>): { dataDir: string; dataLogDir: string } | undefined {
  const config = flags.get("--config");
  const dataDir = flags.get("--data-dir");
  if (typeof config === "string") {
    if (dataDir !== undefined) throw new UsageError("give --config or --data-dir, not both");
    const c = defaultConfig();
    loadZooCfg(config, c, () => undefined);
    c.dataLogDir ||= c.dataDir;
    return { dataDir: c.dataDir, dataLogDir: c.dataLogDir };
  }
  if (typeof dataDir !== "string") return undefined;
  const log = flags.get("--data-log-dir");
  return { dataDir: resolve(dataDir), dataLogDir: resolve(typeof log === "string" ? log : dataDir) };
}

/**
 * Reads a backup as a member would at start (snapshot, its digest, the log after it); the
 * manifest's zxid must be where the log ends.
 */
async function verify(dir: string, manifest: Manifest): Promise<string> {
  const recovered = await recover({ dataDir: dir, dataLogDir: dir });
  const snap = recovered.snapshot;
  if (snap === undefined) throw new Error(`${dir}: no snapshot`);
  const digest = DataTree.restore(snap.acls, snap.nodes, Number(snap.header.zxid)).digest;
  if (digest !== snap.header.digest) throw new Error(`${snap.file}: digest mismatch`);
  if (recovered.truncatedTail !== undefined)
    throw new Error(`${dir}: log damaged: ${recovered.truncatedTail.reason}`);
  if (zxidHex(recovered.lastZxid) !== manifest.zxid)
    throw new Error(
      `${dir}: the log ends at ${zxidHex(recovered.lastZxid)}, the manifest says ${manifest.zxid}`,
    );
  return `${snap.nodes.length} znodes at ${zxidHex(Number(snap.header.zxid))} plus ${recovered.txns.length} logged transactions`;
}

/** What a live member says about itself on its AdminServer: its directories and applied zxid. */
async function askMember(address: string): Promise<{ dataDir: string; dataLogDir: string; zxid: number }> {
  const get = async (command: string): Promise<Record<string, unknown>> => {
    const response = await fetch(`http://${address}/commands/${command}`).catch((e: unknown) => {
      throw new Error(`${address}: cannot reach the AdminServer: ${(e as Error).message}`);
    });
    if (!response.ok) throw new Error(`${address}/commands/${command}: HTTP ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const conf = await get("configuration");
  const stats = (await get("server_stats")).server_stats as { last_processed_zxid: number };
  return {
    dataDir: String(conf.data_dir),
    dataLogDir: String(conf.data_log_dir),
    zxid: stats.last_processed_zxid,
  };
}

/**
 * `paddock backup --from host:adminPort | --data-dir D [--data-log-dir L] | --config zoo.cfg --to DIR`.
 * With --from the member (on this machine: its files are read here) names its directories and
 * applied zxid, and the log is cut there, so an ensemble member's uncommitted tail stays out.
 */
export async function backupCommand(args: string[]): Promise<number> {
  const values = ["--from", "--data-dir", "--data-log-dir", "--config", "--to"];
  const { flags, positionals } = parseFlags(args, { booleans: [], values });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const to = flags.get("--to");
  if (typeof to !== "string") throw new UsageError("--to DIR is required");
  const from = flags.get("--from");
  const local = directories(flags);
  if ((typeof from === "string") === (local !== undefined))
    throw new UsageError("give one of --from host:adminPort, --data-dir DIR or --config zoo.cfg");
  const source = typeof from === "string" ? await askMember(from) : { ...local!, zxid: undefined };
  const manifest = await backup({
    dataDir: source.dataDir,
    dataLogDir: source.dataLogDir,
    to: resolve(to),
    ...(source.zxid === undefined ? {} : { upToZxid: source.zxid }),
  });
  const what = await verify(resolve(to), manifest);
  process.stdout.write(
    `backup of ${source.dataDir} up to zxid ${manifest.zxid} in ${resolve(to)}: ${what}\n`,
  );
  return 0;
}

/** `paddock restore --from DIR --data-dir D [--data-log-dir L] | --config zoo.cfg`: into a new member. */
export async function restoreCommand(args: string[]): Promise<number> {
  const values = ["--from", "--data-dir", "--data-log-dir", "--config"];
  const { flags, positionals } = parseFlags(args, { booleans: [], values });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const from = flags.get("--from");
  if (typeof from !== "string") throw new UsageError("--from DIR (a backup) is required");
  const target = directories(flags);
  if (target === undefined) throw new UsageError("give --data-dir DIR or --config zoo.cfg");
  const manifest = readManifest(resolve(from));
  const what = await verify(resolve(from), manifest);
  await restore(resolve(from), target.dataDir, target.dataLogDir);
  process.stdout.write(`restored zxid ${manifest.zxid} (${what}) into ${target.dataDir}\n`);
  return 0;
}
