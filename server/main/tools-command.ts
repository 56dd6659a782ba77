import { dumpLog, inspectSnapshot } from "../persistence/dump.js";
import { nodeFiles } from "../persistence/file-layer.js";
import { purge } from "../persistence/purge.js";
import { parseServerArgs } from "./server-command.js";

/** `paddock purge [server flags] [-n count]`: ZooKeeper's PurgeTxnLog, never removing what recovery needs. */
export async function purgeCommand(args: string[]): Promise<number> {
  let count = 3;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-n") count = Number(args[++i]);
    else rest.push(args[i]!);
  }
  if (!Number.isInteger(count) || count < 3) {
    process.stderr.write(`paddock purge: -n must be an integer >= 3, got ${count}\n`);
    return 2;
  }
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

/** `paddock log dump <segment>` and `paddock snapshot inspect <file>`, on a stopped server's files. */
export async function fileToolCommand(kind: "log" | "snapshot", args: string[]): Promise<number> {
  const [verb, file] = args;
  if (kind === "log" && verb === "dump" && file) {
    for await (const line of dumpLog(file, nodeFiles)) process.stdout.write(`${line}\n`);
    return 0;
  }
  if (kind === "snapshot" && verb === "inspect" && file) {
    process.stdout.write(`${await inspectSnapshot(file, nodeFiles)}\n`);
    return 0;
  }
  process.stderr.write(`usage: paddock log dump <log file> | paddock snapshot inspect <snapshot file>\n`);
  return 2;
}
