/** Command-line parsing for `paddock bench` (pure: no I/O, throws BenchArgError on bad input). */

export const targetNames = ["paddock", "zookeeper", "etcd", "noop"] as const;
export type TargetName = (typeof targetNames)[number];

/** Closed-loop workloads run by the generator processes; the rest are run by the coordinator. */
export const loadWorkloads = ["create-100", "create-1k", "set", "get", "mixed"] as const;
export const workloadNames = [
  ...loadWorkloads,
  "watch",
  "sessions",
  "connect-storm",
  "resume-storm",
  "memory",
  "recovery",
] as const;
export type WorkloadName = (typeof workloadNames)[number];
export type LoadWorkload = (typeof loadWorkloads)[number];
export const topologies = ["independent", "multiplexed"] as const;
export type Topology = (typeof topologies)[number];
export const generatorNames = ["ts", "go", "python", "java"] as const;
export type GeneratorName = (typeof generatorNames)[number];
/** The generators written in another language than the coordinator (bench/gen-<name>). */
export type ForeignGenerator = Exclude<GeneratorName, "ts">;
/**
 * Each foreign generator's two client libraries: Paddock's client of its language (its
 * --paddock-client, the default) and the established ZooKeeper client of its language, which
 * drives ZooKeeper and, with --paddock-client jute, Paddock's ZooKeeper door.
 */
export const foreignClients: Record<
  ForeignGenerator,
  { language: string; paddock: string; zookeeper: string }
> = {
  go: { language: "Go", paddock: "clients/go", zookeeper: "go-zookeeper" },
  python: { language: "Python", paddock: "clients/python", zookeeper: "kazoo" },
  java: { language: "Java", paddock: "clients/java", zookeeper: "ZooKeeper's Java client" },
};
/** The targets the foreign generators drive: Paddock (either client), ZooKeeper, the no-op. */
export const foreignGeneratorTargets: readonly TargetName[] = ["paddock", "zookeeper", "noop"];

export interface BenchOptions {
  command: "run" | "compare" | "help";
  targets: TargetName[];
  workloads: WorkloadName[];
  /** host:port[,host:port...] of an already running server or ensemble (one target only). */
  address: string | undefined;
  /** pids of that server's processes (one per member), for CPU and RSS summed over them. */
  serverPids: number[] | undefined;
  /**
   * Members of each ensemble the tool starts: 1 (standalone) or an odd quorum of 3 or 5, all on
   * 127.0.0.1. Server CPU and RSS are then summed over every member process.
   */
  members: number;
  /** Generator processes. */
  workers: number;
  /** Sessions (connections) per generator process. */
  clients: number;
  /** Outstanding operations per session. */
  concurrency: number;
  /** Value size in bytes for set, get and mixed (create-100 and create-1k fix their own). */
  valueSize: number;
  durationS: number;
  /** Total operations per row instead of a duration. */
  ops: number | undefined;
  warmupS: number;
  /** Fraction of reads in the mixed workload. */
  readRatio: number;
  watchers: number;
  sessions: number;
  /** Znodes loaded by the memory and recovery workloads. */
  znodes: number;
  /** Znodes loaded under /bench/tree before the other workloads of a server (0: none). */
  tree: number;
  /** Seconds the memory workload lets the server rest before its baseline and after loading before it reads RSS. */
  settleS: number;
  sessionTimeoutMs: number;
  /**
   * How the paddock and noop targets are driven: clients/ts, the raw stubs adapter, ZooKeeper's
   * protocol (node-zookeeper-client, or the ZooKeeper client of a foreign generator's language), or
   * the foreign generator's own Paddock client (clients/go, clients/python, clients/java: its default).
   */
  paddockClient: "ts" | "raw" | "jute" | ForeignGenerator;
  /**
   * How the generator's sessions reach the server. independent: each session its own connection
   * (one gRPC channel per session, as separate applications connect); multiplexed: the sessions of
   * one generator process share one gRPC transport (Paddock's TS clients only).
   */
  topology: Topology;
  /** The generator processes' language: ts (forked load-worker.ts), or go, python, java (bench/gen-*). */
  generator: GeneratorName;
  outDir: string;
  /** Also print the JSON results on stdout. */
  json: boolean;
}

export class BenchArgError extends Error {}

const paddockClients: readonly BenchOptions["paddockClient"][] = [
  "ts",
  "raw",
  "jute",
  "go",
  "python",
  "java",
];

/** Ensemble sizes --members takes: standalone, or an odd quorum (keep in step with its message). */
const memberCounts = ["1", "3", "5"];

export const defaultOptions: Readonly<BenchOptions> = {
  command: "run",
  targets: ["paddock"],
  workloads: ["create-100", "create-1k", "set", "get", "mixed", "watch", "sessions", "memory", "recovery"],
  address: undefined,
  serverPids: undefined,
  members: 1,
  workers: 2,
  clients: 4,
  concurrency: 8,
  valueSize: 100,
  durationS: 10,
  ops: undefined,
  warmupS: 2,
  readRatio: 0.9,
  watchers: 50,
  sessions: 500,
  znodes: 20_000,
  tree: 0,
  settleS: 30,
  sessionTimeoutMs: 10_000,
  paddockClient: "ts",
  topology: "independent",
  generator: "ts",
  outDir: "bench/out",
  json: false,
};

function intArg(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new BenchArgError(`--${name} wants an integer in [${min}, ${max}], got "${text}"`);
  return n;
}

function numArg(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < min || n > max)
    throw new BenchArgError(`--${name} wants a number in [${min}, ${max}], got "${text}"`);
  return n;
}

function listArg<T extends string>(name: string, text: string, allowed: readonly T[]): T[] {
  if (text === "all") return [...allowed];
  const items = text.split(",").filter((s) => s !== "");
  if (items.length === 0) throw new BenchArgError(`--${name} wants a comma-separated list`);
  for (const item of items)
    if (!(allowed as readonly string[]).includes(item))
      throw new BenchArgError(`--${name}: unknown "${item}" (known: ${allowed.join(", ")})`);
  return [...new Set(items)] as T[];
}

/** Parses `[run|compare|help] --key value | --key=value ...`. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = { ...defaultOptions, targets: [...defaultOptions.targets] };
  o.workloads = [...defaultOptions.workloads];
  let i = 0;
  const first = argv[0];
  if (first === "run" || first === "compare" || first === "help") {
    o.command = first;
    i = 1;
    if (first === "compare") o.targets = ["paddock", "zookeeper", "etcd"];
  }
  let targetsGiven = false;
  let workloadsGiven = false;
  let paddockClientGiven = false;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") {
      o.command = "help";
      continue;
    }
    if (!arg.startsWith("--")) throw new BenchArgError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const key = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (key === "json") {
      o.json = true;
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new BenchArgError(`--${key} needs a value`);
      value = next;
      i++;
    }
    switch (key) {
      case "target":
      case "targets":
        o.targets = listArg("target", value, targetNames);
        targetsGiven = true;
        break;
      case "workload":
      case "workloads":
        o.workloads = listArg("workload", value, workloadNames);
        workloadsGiven = true;
        break;
      case "address":
        if (!/^[^\s:,]+:\d+(,[^\s:,]+:\d+)*$/.test(value))
          throw new BenchArgError(`--address wants host:port[,host:port...], got "${value}"`);
        o.address = value;
        break;
      case "server-pid":
      case "server-pids":
        o.serverPids = value.split(",").map((pid) => intArg("server-pid", pid, 1, 2 ** 22));
        break;
      case "members":
        if (!memberCounts.includes(value))
          throw new BenchArgError(`--members wants 1, 3 or 5, got "${value}"`);
        o.members = Number(value);
        break;
      case "workers":
        o.workers = intArg(key, value, 1, 64);
        break;
      case "clients":
        o.clients = intArg(key, value, 1, 10_000);
        break;
      case "concurrency":
        o.concurrency = intArg(key, value, 1, 10_000);
        break;
      case "value-size":
        o.valueSize = intArg(key, value, 0, 1_000_000);
        break;
      case "duration":
        o.durationS = numArg(key, value, 0.1, 3600);
        break;
      case "ops":
        o.ops = intArg(key, value, 1, 1e9);
        break;
      case "warmup":
        o.warmupS = numArg(key, value, 0, 600);
        break;
      case "read-ratio":
        o.readRatio = numArg(key, value, 0, 1);
        break;
      case "watchers":
        o.watchers = intArg(key, value, 1, 100_000);
        break;
      case "sessions":
        o.sessions = intArg(key, value, 1, 1_000_000);
        break;
      case "znodes":
        o.znodes = intArg(key, value, 1, 100_000_000);
        break;
      case "tree":
        o.tree = intArg(key, value, 0, 100_000_000);
        break;
      case "settle":
        o.settleS = intArg(key, value, 0, 3600);
        break;
      case "session-timeout":
        o.sessionTimeoutMs = intArg(key, value, 100, 3_600_000);
        break;
      case "paddock-client":
        if (!paddockClients.includes(value as BenchOptions["paddockClient"]))
          throw new BenchArgError(`--paddock-client wants ${paddockClients.join(", ")}, got "${value}"`);
        o.paddockClient = value as BenchOptions["paddockClient"];
        paddockClientGiven = true;
        break;
      case "topology":
        if (value !== "independent" && value !== "multiplexed")
          throw new BenchArgError(`--topology wants independent or multiplexed, got "${value}"`);
        o.topology = value;
        break;
      case "generator":
        if (!(generatorNames as readonly string[]).includes(value))
          throw new BenchArgError(`--generator wants ${generatorNames.join(", ")}, got "${value}"`);
        o.generator = value as GeneratorName;
        break;
      case "out":
        if (value === "") throw new BenchArgError("--out wants a directory");
        o.outDir = value;
        break;
      default:
        throw new BenchArgError(`unknown option --${key}`);
    }
  }
  if (o.address !== undefined && o.targets.length !== 1)
    throw new BenchArgError("--address names one server: give exactly one --target");
  if (o.serverPids !== undefined && o.address === undefined)
    throw new BenchArgError("--server-pid goes with --address");
  if (o.members > 1 && o.address !== undefined)
    throw new BenchArgError(
      "--members starts an ensemble of each target; with --address, the connect string names the members",
    );
  if (o.command === "compare" && !o.targets.includes("paddock") && targetsGiven)
    throw new BenchArgError("compare computes ratios against paddock: include it in --target");
  checkGenerator(o, { targetsGiven, workloadsGiven, paddockClientGiven });
  checkTopology(o);
  return o;
}

/** A foreign generator's defaults and limits: its targets, its clients, the load workloads only. */
function checkGenerator(
  o: BenchOptions,
  given: { targetsGiven: boolean; workloadsGiven: boolean; paddockClientGiven: boolean },
): void {
  const g = o.generator;
  if (g === "ts") {
    const c = o.paddockClient;
    if (c in foreignClients)
      throw new BenchArgError(
        `--paddock-client ${c} is Paddock's ${foreignClients[c as ForeignGenerator].language} client: ` +
          `it goes with --generator ${c}`,
      );
    return;
  }
  if (!given.paddockClientGiven) o.paddockClient = g;
  else if (o.paddockClient !== g && o.paddockClient !== "jute")
    throw new BenchArgError(
      `--generator ${g} drives Paddock with ${foreignClients[g].paddock} (--paddock-client ${g}, its default) ` +
        `or ${foreignClients[g].zookeeper} (--paddock-client jute), not --paddock-client ${o.paddockClient}`,
    );
  if (!given.targetsGiven) o.targets = o.targets.filter((t) => foreignGeneratorTargets.includes(t));
  const unsupported = o.targets.filter((t) => !foreignGeneratorTargets.includes(t));
  if (unsupported.length > 0)
    throw new BenchArgError(
      `--generator ${g} drives ${foreignGeneratorTargets.join(", ")}, not ${unsupported.join(", ")}`,
    );
  const load = (w: WorkloadName) => (loadWorkloads as readonly string[]).includes(w);
  if (!given.workloadsGiven) o.workloads = o.workloads.filter(load);
  const others = o.workloads.filter((w) => !load(w));
  if (others.length > 0)
    throw new BenchArgError(
      `--generator ${g} runs the load workloads (${loadWorkloads.join(", ")}); ${others.join(", ")} ` +
        `${others.length === 1 ? "runs" : "run"} in the coordinating process, through the TS clients: ` +
        `leave out --generator ${g} for it`,
    );
}

/**
 * Sessions can share one transport only through Paddock's TS clients (clients/ts, raw stubs):
 * ZooKeeper's clients and clients/go open one connection per session, etcd3 one channel per client.
 */
function checkTopology(o: BenchOptions): void {
  if (o.topology === "independent") return;
  if (o.generator !== "ts") {
    const c = foreignClients[o.generator];
    throw new BenchArgError(
      `--topology multiplexed: ${c.paddock} and ${c.zookeeper} give every session its own connection; ` +
        "the multiplexed shape is the TS generator's (--generator ts with --paddock-client ts or raw)",
    );
  }
  for (const t of o.targets) {
    const ownConnections = t === "zookeeper" || t === "etcd" || o.paddockClient === "jute";
    if (ownConnections)
      throw new BenchArgError(
        `--topology multiplexed: ${t} through ${clientName(t, o)} opens one connection per session ` +
          "(independent is its only shape); multiplex only paddock or noop through --paddock-client ts or raw",
      );
  }
}

/** The generator's client library for `target` ("clients/go", "node-zookeeper-client", ...). */
export function clientName(target: TargetName, o: Pick<BenchOptions, "generator" | "paddockClient">): string {
  if (o.generator !== "ts") {
    const c = foreignClients[o.generator];
    return target === "zookeeper" || (target !== "etcd" && o.paddockClient === "jute")
      ? c.zookeeper
      : c.paddock;
  }
  if (target === "zookeeper") return "node-zookeeper-client";
  if (target === "etcd") return "etcd3";
  if (o.paddockClient === "raw") return "raw stubs";
  if (o.paddockClient === "jute") return "node-zookeeper-client";
  return "clients/ts";
}

export const usage = `usage: paddock bench [run|compare] [options]

  run       run the workloads against each target (default target: paddock)
  compare   the same against paddock,zookeeper,etcd and print Paddock/reference ratios

  --target LIST         paddock, zookeeper, etcd, noop (an echo of Paddock's gRPC protocol and of
                        ZooKeeper's on one port: the tool's own ceiling), or all
  --workload LIST       ${workloadNames.join(", ")}, or all
  --address HOST:PORT[,HOST:PORT...]  use a running server or ensemble instead of starting one (one target)
  --server-pid PID[,PID...]  that server's pids (one per member), for server CPU and RSS summed over them
  --members N           start each target as an ensemble of N members on 127.0.0.1: 1 (default), 3 or 5;
                        server CPU and RSS are summed over the members, and recovery becomes failover
                        (SIGKILL the leader, time until a write succeeds through the connect string)
  --workers N           generator processes (default ${defaultOptions.workers})
  --clients N           sessions per generator process (default ${defaultOptions.clients})
  --concurrency N       outstanding operations per session (default ${defaultOptions.concurrency})
  --value-size BYTES    value size for set, get, mixed (default ${defaultOptions.valueSize})
  --duration S          measured seconds per row (default ${defaultOptions.durationS})
  --ops N               measure N operations per row instead of a duration
  --warmup S            unmeasured seconds before each row (default ${defaultOptions.warmupS})
  --read-ratio R        reads in the mixed workload, 0..1 (default ${defaultOptions.readRatio})
  --watchers N          watchers on one znode for watch (default ${defaultOptions.watchers})
  --sessions N          sessions opened by sessions, connect-storm and resume-storm (default ${defaultOptions.sessions})
  --znodes N            znodes loaded by memory and recovery (default ${defaultOptions.znodes})
  --tree N              first load N znodes of 100 B under /bench/tree, so the load and coordinator
                        workloads run against a large tree (GC and snapshot pauses show in p99.9)
  --settle S            memory: let the fresh server rest S s before its baseline and S s after loading
                        before reading RSS (0: no rest, RSS 1 s after loading) (default ${defaultOptions.settleS})
  --session-timeout MS  requested session timeout (default ${defaultOptions.sessionTimeoutMs})
  --topology independent|multiplexed
                        independent (default, how applications connect): every session its own
                        connection (a gRPC channel each for Paddock's clients; one TCP socket per
                        session is the only shape of the ZooKeeper clients and of clients/go,
                        clients/python, clients/java); multiplexed: the sessions of one generator
                        process share one gRPC transport (paddock and noop through --paddock-client
                        ts or raw, --generator ts only)
  --generator ts|go|python|java
                        the generator processes: ts (default: forked node processes), or a program in
                        another language driving that language's clients: go (bench/gen-go, built
                        with go build at start), python (bench/gen-py), java (bench/gen-java; install
                        those two first with their build.sh); targets paddock, zookeeper, noop; the
                        load workloads only, which they default to
  --paddock-client ts|raw|jute|go|python|java
                        drive paddock with clients/ts (the ts generator's default), the raw-stubs
                        adapter, ZooKeeper's protocol through the zookeeper target's client
                        (node-zookeeper-client; go-zookeeper, kazoo or ZooKeeper's Java client with
                        --generator go, python, java: one client, two servers; the noop target
                        through the same client gives its ceiling), or Paddock's client of the
                        generator's language (clients/go, clients/python, clients/java: its default)
  --out DIR             results.json and latency SVGs go to DIR/<timestamp> (default ${defaultOptions.outDir})
  --json                also print the JSON results
`;
