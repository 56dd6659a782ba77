import { renameSync, writeFileSync } from "node:fs";
import { startEnsemble } from "./ensemble.js";

/**
 * A real ensemble for the Go, Python and Java clients' own test suites, which cannot import the
 * TypeScript launcher: `node --import tsx test/support/ensemble-for-clients.ts --ready-file F
 * [--voters N] [--set key=value]...` starts it as `startEnsemble` does (port 0 everywhere, peers
 * through proxies owned by this process), waits for a leader and writes F as JSON:
 * `{ leader, members: [{ id, address, line }] }`, where `line` (not for the leader) is the
 * member's `server.N=` line as the leader reaches it, with its client port (what a reconfig that adds it back needs).
 * It stops every member when its stdin closes (the test process ended, however it ended) or on
 * SIGTERM/SIGINT.
 */
function parse(argv: readonly string[]): {
  readyFile: string;
  voters: number;
  settings: Record<string, string>;
} {
  let readyFile: string | undefined;
  let voters = 3;
  const settings: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag}: needs a value`);
    if (flag === "--ready-file") readyFile = value;
    else if (flag === "--voters") voters = Number(value);
    else if (flag === "--set") {
      const eq = value.indexOf("=");
      if (eq <= 0) throw new Error(`--set ${value}: expected key=value`);
      settings[value.slice(0, eq)] = value.slice(eq + 1);
    } else throw new Error(`unknown flag ${flag}`);
  }
  if (readyFile === undefined) throw new Error("--ready-file is required");
  if (!Number.isInteger(voters) || voters < 1 || voters > 9) throw new Error(`--voters ${voters}: 1 to 9`);
  return { readyFile, voters, settings };
}

const { readyFile, voters, settings } = parse(process.argv.slice(2));
const ensemble = await startEnsemble({ voters, settings });
let stopping: Promise<void> | undefined;
const stop = (): Promise<void> => {
  stopping ??= ensemble.stopAll().then(() => process.exit(0));
  return stopping;
};
process.stdin.on("end", stop).on("close", stop).resume();
process.on("SIGTERM", stop).on("SIGINT", stop);
try {
  const leader = await ensemble.waitForLeader({ timeoutMs: 30_000 });
  const members = ensemble.members.map((m) => ({
    id: m.id,
    address: m.address,
    line: m.id === leader ? undefined : `server.${m.id}=${ensemble.serverLine(leader, m.id)}`,
  }));
  // Written whole, then renamed: a reader polling for the file never sees half of it.
  writeFileSync(`${readyFile}.tmp`, JSON.stringify({ leader, members }));
  renameSync(`${readyFile}.tmp`, readyFile);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  for (const m of ensemble.members) process.stderr.write(`member ${m.id}:\n${m.log()}\n`);
  await ensemble.stopAll();
  process.exit(1);
}
