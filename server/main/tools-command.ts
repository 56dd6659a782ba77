import { dumpLog, readLogDump } from "../persistence/dump.js";
import { nodeFiles } from "../persistence/file-layer.js";
import { purge } from "../persistence/purge.js";
import { readSnapshot } from "../persistence/snapshot.js";
import { snapshotLines, snapshotReport } from "../persistence/snapshot-inspect.js";
import { DataTree } from "../tree/data-tree.js";
import { parseServerArgs } from "./server-command.js";
import { parseFlags, UsageError } from "./usage-error.js";

/** `paddock purge [server flags] [-n count]`: ZooKeeper's PurgeTxnLog, never removing what recovery needs. */
export async function purgeCommand(args: string[]): Promise<number> {
  let count = 3;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== "-n") rest.push(args[i]!);
    else if (args[i + 1] === undefined) throw new UsageError("-n needs a value");
    else count = Number(args[++i]);
  }
  if (!Number.isInteger(count) || count < 3) throw new UsageError(`-n must be an integer >= 3, got ${count}`);
  const config = parseServerArgs(rest, (m) => process.stderr.write(`${m}\n`));
  const { removed } = await purge({
    dataDir: config.dataDir,
    dataLogDir: config.dataLogDir,
    snapRetainCount: count,
  });
  for (const file of removed) process.stdout.write(`removed ${file}\n`);
  process.stdout.write(
    `kept the newest ${count} snapshots and the logs they need; removed ${removed.length} files\n`,
  );
  return 0;
}

/** The one file a tool reads, after its verb (`dump`, `inspect`) and flags. */
function fileArgument(verb: string, args: string[], booleans: string[]) {
  if (args[0] !== verb) throw new UsageError(`expected ${verb}, got ${args[0] ?? "nothing"}`);
  const { flags, positionals } = parseFlags(args.slice(1), { booleans });
  if (positionals.length !== 1) throw new UsageError(`${verb} takes one file, got ${positionals.length}`);
  return { file: positionals[0]!, flag: (name: string) => flags.has(name) };
}

/** `paddock log dump [--hex] [--json] <segment>`, on any segment (a running server's too: it only reads). */
export async function logCommand(args: string[]): Promise<number> {
  const { file, flag } = fileArgument("dump", args, ["--hex", "--json"]);
  const options = { hex: flag("--hex") };
  if (flag("--json")) {
    const dump = readLogDump(file, nodeFiles, options);
    for await (const txn of dump.txns) process.stdout.write(`${JSON.stringify(txn)}\n`);
    process.stderr.write(`${file}: ${dump.summary()}\n`);
    return 0;
  }
  for await (const line of dumpLog(file, nodeFiles, options)) process.stdout.write(`${line}\n`);
  return 0;
}

/** `paddock snapshot inspect [--tree] [--json] [--hex] <file>`; exit 1 when the digest does not match. */
export async function snapshotCommand(args: string[]): Promise<number> {
  const { file, flag } = fileArgument("inspect", args, ["--tree", "--json", "--hex"]);
  const snap = await readSnapshot(file, nodeFiles);
  // The tree computes the digest as the server does when it loads the snapshot at start-up.
  const computedDigest = DataTree.restore(snap.acls, snap.nodes, Number(snap.header.zxid)).digest;
  const options = { tree: flag("--tree"), hex: flag("--hex"), computedDigest };
  const text = flag("--json")
    ? JSON.stringify(snapshotReport(snap, options))
    : snapshotLines(snap, options).join("\n");
  process.stdout.write(`${text}\n`);
  return computedDigest === snap.header.digest ? 0 : 1;
}
