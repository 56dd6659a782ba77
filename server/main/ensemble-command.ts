import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Supervisor } from "./ensemble-supervisor.js";
import { parseFlags, UsageError } from "./usage-error.js";

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
  voters: number,
  observers: number,
  dir: string,
  basePort: number,
  quorumBase = 2888,
  httpBases: { admin: number; metrics: number } = { admin: 8080, metrics: 7000 },
): EnsemblePlan[] {
  if (!Number.isInteger(voters) || voters < 1 || voters > 9) {
    throw new UsageError(`--size ${voters}: from 1 to 9 voting members (1, 3 or 5 usually)`);
  }
  if (!Number.isInteger(observers) || observers < 0 || observers > 9) {
    throw new UsageError(`--observers ${observers}: from 0 to 9`);
  }
  const size = voters + observers;
  if (!Number.isInteger(basePort) || basePort < 1 || basePort + size - 1 > 65535) {
    throw new UsageError(`--base-port ${basePort}: not a usable port range`);
  }
  if (!Number.isInteger(quorumBase) || quorumBase < 0 || quorumBase + 1000 + size > 65535) {
    throw new UsageError(`--quorum-port ${quorumBase}: not a usable port range`);
  }
  const ids = Array.from({ length: size }, (_, i) => i + 1);
  const observerFrom = voters + 1;
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

const valueFlags = [
  "--size",
  "--observers",
  "--dir",
  "--base-port",
  "--quorum-port",
  "--admin-port",
  "--metrics-port",
];

/** A whole number for a port or count flag: "3x" or "" is an error, not NaN further down. */
function integer(flags: Map<string, string | true>, name: string, fallback: number): number {
  const value = flags.get(name);
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !/^\d+$/.test(value))
    throw new UsageError(`${name} ${value}: not a number`);
  return Number(value);
}

/** Signals a terminal, a service manager or `kill` sends to stop a process; each stops the members. */
const stopSignals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;

/** `paddock ensemble`: runs and supervises the members until a signal stops it. */
export async function ensembleCommand(args: string[]): Promise<number> {
  const { flags, positionals } = parseFlags(args, { booleans: ["--no-restart"], values: valueFlags });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const dir = resolve(typeof flags.get("--dir") === "string" ? (flags.get("--dir") as string) : "ensemble");
  const plan = planEnsemble(
    integer(flags, "--size", 3),
    integer(flags, "--observers", 0),
    dir,
    integer(flags, "--base-port", 2181),
    integer(flags, "--quorum-port", 2888),
    { admin: integer(flags, "--admin-port", 8080), metrics: integer(flags, "--metrics-port", 7000) },
  );
  const bin = resolve(import.meta.dirname, "../../bin/paddock.js");
  for (const member of plan) {
    mkdirSync(member.dataDir, { recursive: true });
    writeFileSync(join(member.dataDir, "zoo.cfg"), member.config);
    if (!existsSync(join(member.dataDir, "myid")))
      writeFileSync(join(member.dataDir, "myid"), `${member.id}\n`);
  }
  const supervisor = new Supervisor(
    plan.map((member) => ({
      id: member.id,
      argv: [bin, "server", "--config", join(member.dataDir, "zoo.cfg")],
      describe: (pid) =>
        `(${member.observer ? "observer" : "voter"}): 127.0.0.1:${member.clientPort}, pid ${pid}, data in ${member.dataDir}`,
    })),
    { restart: !flags.has("--no-restart") },
  );
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    supervisor.stop(signal, signals > 1);
  };
  for (const signal of stopSignals) process.on(signal, onSignal);
  supervisor.start();
  process.stdout.write(`connect string: ${plan.map((m) => `127.0.0.1:${m.clientPort}`).join(",")}\n`);
  try {
    return await supervisor.done;
  } finally {
    for (const signal of stopSignals) process.off(signal, onSignal);
  }
}
