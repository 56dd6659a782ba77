import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

export const ensembleUsage = `usage: paddock ensemble [--size N] [--observers K] [--dir D] [--base-port P] [--quorum-port Q]
                        [--admin-port A] [--metrics-port M]
  Starts a local pseudo-cluster: one server process per member, data under D/member-<id>
  (default ./ensemble), client ports P.. (default 2181), quorum ports Q+id (default Q=2888),
  election ports Q+1000+id, AdminServer ports A.. (default 8080) and /metrics ports M..
  (default 7000); 0 for any free port. Each member's line shows its pid. Ctrl-C stops every member.
  An existing D is reused (members keep their data).`;

export interface EnsemblePlan {
  readonly id: number;
  readonly observer: boolean;
  readonly dataDir: string;
  readonly clientPort: number;
  /** zoo.cfg text for this member. */
  readonly config: string;
}

/**
 * The members' directories and zoo.cfg files, as ZooKeeper's docs lay out a pseudo-cluster:
 * quorum ports quorumBase+id, election ports quorumBase+1000+id (2889.., 3889.. by default).
 */
export function planEnsemble(
  size: number,
  observers: number,
  dir: string,
  basePort: number,
  quorumBase = 2888,
  httpBases: { admin: number; metrics: number } = { admin: 8080, metrics: 7000 },
): EnsemblePlan[] {
  if (!Number.isInteger(size) || size < 1 || size > 9) throw new Error(`--size ${size}: from 1 to 9 members`);
  if (!Number.isInteger(observers) || observers < 0 || observers >= size) {
    throw new Error(`--observers ${observers}: from 0 to size-1 (at least one voter)`);
  }
  if (!Number.isInteger(basePort) || basePort < 1 || basePort + size - 1 > 65535) {
    throw new Error(`--base-port ${basePort}: not a usable port range`);
  }
  if (!Number.isInteger(quorumBase) || quorumBase < 0 || quorumBase + 1000 + size > 65535) {
    throw new Error(`--quorum-port ${quorumBase}: not a usable port range`);
  }
  const ids = Array.from({ length: size }, (_, i) => i + 1);
  const observerFrom = size - observers + 1;
  const servers = ids.map(
    (id) =>
      `server.${id}=127.0.0.1:${quorumBase + id}:${quorumBase + 1000 + id}${id >= observerFrom ? ":observer" : ""}`,
  );
  return ids.map((id) => {
    const dataDir = join(dir, `member-${id}`);
    const clientPort = basePort + id - 1;
    // Each member its own AdminServer and /metrics port: base+id-1 (8080.., 7000..), or 0 for any.
    const httpPort = (base: number): number => (base === 0 ? 0 : base + id - 1);
    const config = [
      "tickTime=2000",
      "initLimit=10",
      "syncLimit=5",
      `dataDir=${dataDir}`,
      `clientPort=${clientPort}`,
      `admin.serverPort=${httpPort(httpBases.admin)}`,
      "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
      `metricsProvider.httpPort=${httpPort(httpBases.metrics)}`,
      ...servers,
      "",
    ].join("\n");
    return { id, observer: id >= observerFrom, dataDir, clientPort, config };
  });
}

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  if (value === undefined) throw new Error(`${name} needs a value`);
  return value;
}

/** `paddock ensemble`: runs until Ctrl-C; a member that dies is reported, the others keep going. */
export async function ensembleCommand(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${ensembleUsage}\n`);
    return 0;
  }
  const plan = planEnsemble(
    Number(option(args, "--size", "3")),
    Number(option(args, "--observers", "0")),
    resolve(option(args, "--dir", "ensemble")),
    Number(option(args, "--base-port", "2181")),
    Number(option(args, "--quorum-port", "2888")),
    {
      admin: Number(option(args, "--admin-port", "8080")),
      metrics: Number(option(args, "--metrics-port", "7000")),
    },
  );
  const bin = resolve(import.meta.dirname, "../../bin/paddock.js");
  const children = new Map<number, ChildProcess>();
  let stopping = false;
  let finished: () => void = () => {};
  const done = new Promise<void>((r) => {
    finished = r;
  });
  for (const member of plan) {
    mkdirSync(member.dataDir, { recursive: true });
    writeFileSync(join(member.dataDir, "zoo.cfg"), member.config);
    if (!existsSync(join(member.dataDir, "myid")))
      writeFileSync(join(member.dataDir, "myid"), `${member.id}\n`);
    const child = spawn(process.execPath, [bin, "server", "--config", join(member.dataDir, "zoo.cfg")], {
      stdio: ["ignore", "inherit", "pipe"],
    });
    children.set(member.id, child);
    const lines = createInterface({ input: child.stderr! });
    lines.on("line", (line) => process.stderr.write(`[member ${member.id}] ${line}\n`));
    // A member that cannot start (spawn failure) is reported like one that died.
    child.on("error", (error) => process.stderr.write(`[member ${member.id}] failed: ${error.message}\n`));
    child.on("exit", (code, signal) => {
      children.delete(member.id);
      if (!stopping)
        process.stderr.write(`[member ${member.id}] exited (${signal ?? code}); the others keep running\n`);
      if (children.size === 0) finished();
    });
    const role = member.observer ? "observer" : "voter";
    process.stdout.write(
      `member ${member.id} (${role}): 127.0.0.1:${member.clientPort}, pid ${child.pid}, data in ${member.dataDir}\n`,
    );
  }
  process.stdout.write(`connect string: ${plan.map((m) => `127.0.0.1:${m.clientPort}`).join(",")}\n`);
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write("stopping every member\n");
    for (const child of children.values()) child.kill("SIGTERM");
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await done;
  return 0;
}
