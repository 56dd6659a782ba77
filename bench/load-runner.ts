/**
 * Runs one closed-loop workload row against one server or ensemble with `workers` forked generator
 * processes, and reads the server's CPU (summed over every member process) from /proc over exactly
 * the measured window.
 */
import { type ChildProcess, execFile, fork, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import {
  type BenchOptions,
  clientName,
  type ForeignGenerator,
  type LoadWorkload,
  type TargetName,
} from "./args.js";
import type { WorkerGo, WorkerJob, WorkerReply, WorkerResult } from "./load-worker.js";
import { cpuDelta, totalCpuSeconds, totalRssBytes } from "./proc-stats.js";
import { makeRow, mergeHistograms, type RowResult } from "./report.js";
import { tcpExchange } from "./server-process.js";
import { repoRoot, tsxLoader } from "./servers.js";
import { type BenchClient, ensurePath } from "./targets/target.js";

const workerReadyDeadlineMs = 120_000;
/** Slack between "go" and the opening of the window, so every process has the message. */
const goLeadMs = 200;

export interface ServerRef {
  target: TargetName;
  /** host:port, or the connect string of an ensemble. */
  address: string;
  /** Every server process (one per member); empty when unknown (then no server CPU or RSS). */
  pids: readonly number[];
  /** Members behind the address (1: standalone). */
  members: number;
}

/**
 * One generator process as the runner sees it: a forked load-worker.ts (Node IPC) or a foreign
 * generator, bench/gen-go, gen-py or gen-java (JSON lines on its stdin and stdout). The messages
 * are the same either way.
 */
interface Generator {
  readonly child: ChildProcess;
  send(message: WorkerJob | WorkerGo): void;
  /** The next reply; rejects on "failed", on exit, or after `deadlineMs` of silence. */
  next(deadlineMs: number): Promise<WorkerReply>;
}

/**
 * Replies in arrival order and the waiters for them; the child's end fails every waiter. `end` is
 * "close" for a child that replies on stdout (its last lines may still be unread at "exit").
 */
function replyQueue(child: ChildProcess, end: "exit" | "close") {
  const replies: WorkerReply[] = [];
  const waiters: { resolve: (m: WorkerReply) => void; reject: (e: Error) => void }[] = [];
  let exitError: Error | undefined;
  const ended = (error: Error) => {
    exitError ??= error;
    for (const w of waiters.splice(0)) w.reject(exitError);
  };
  child.on(end, (code: number | null, signal: NodeJS.Signals | null) =>
    ended(new Error(`generator process ${child.pid} exited (${code ?? signal}) early`)),
  );
  child.on("error", (e) => ended(new Error(`generator process: ${e.message}`)));
  return {
    push(m: WorkerReply): void {
      const w = waiters.shift();
      if (w === undefined) replies.push(m);
      else if (m.type === "failed") w.reject(new Error(`generator process: ${m.message}`));
      else w.resolve(m);
    },
    next(deadlineMs: number): Promise<WorkerReply> {
      const ready = replies.shift();
      if (ready !== undefined)
        return ready.type === "failed"
          ? Promise.reject(new Error(`generator process: ${ready.message}`))
          : Promise.resolve(ready);
      if (exitError !== undefined) return Promise.reject(exitError);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`generator process ${child.pid} silent for ${deadlineMs} ms`));
        }, deadlineMs);
        const waiter = {
          resolve: (m: WorkerReply) => {
            clearTimeout(timer);
            resolve(m);
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        waiters.push(waiter);
      });
    },
  };
}

/**
 * serverConnections once two readings 50 ms apart agree (at most about a second): the previous
 * row's generators may have closed connections the server has not yet seen close.
 */
async function settledConnections(target: TargetName, address: string): Promise<number | null> {
  let last = await serverConnections(target, address);
  for (let i = 0; i < 20 && last !== null; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const now = await serverConnections(target, address);
    if (now === last) return now;
    last = now;
  }
  return last;
}

function forkTsGenerator(): Generator {
  const child = fork(new URL("./load-worker.ts", import.meta.url), [], {
    execArgv: ["--import", tsxLoader(), ...generatorNodeArgs],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const queue = replyQueue(child, "exit");
  child.on("message", (m: WorkerReply) => queue.push(m));
  return { child, send: (m) => child.send(m), next: queue.next };
}

/** Where `go build` puts the Go generator (.cache/ is gitignored). */
export const goGeneratorBinary = join(repoRoot, ".cache", "bench-gen-go");
let goBuild: Promise<string> | undefined;

/**
 * Builds bench/gen-go into .cache/bench-gen-go once per invocation (go's build cache makes a
 * rebuild a second or so). BENCH_GEN_GO=PATH uses a binary built elsewhere instead.
 */
export function buildGoGenerator(): Promise<string> {
  const prebuilt = process.env.BENCH_GEN_GO;
  if (prebuilt !== undefined && prebuilt !== "") return Promise.resolve(prebuilt);
  goBuild ??= promisify(execFile)("go", ["build", "-o", goGeneratorBinary, "."], {
    cwd: join(repoRoot, "bench", "gen-go"),
    timeout: 300_000,
  }).then(
    () => goGeneratorBinary,
    (e: Error & { stderr?: string }) => {
      goBuild = undefined;
      throw new Error(
        `building the Go generator (cd bench/gen-go && go build) failed: ${e.stderr?.trim() || e.message}`,
      );
    },
  );
  return goBuild;
}

/** A foreign generator's command line: the program and its arguments. */
type GeneratorCommand = readonly [file: string, ...args: string[]];

/** `command` once `file` (what bench/`dir`/build.sh installs) exists; otherwise an error naming that step. */
function installed(dir: string, file: string, command: GeneratorCommand): Promise<GeneratorCommand> {
  if (existsSync(file)) return Promise.resolve(command);
  return Promise.reject(
    new Error(`bench/${dir} is not installed (no ${file}): run bash bench/${dir}/build.sh`),
  );
}

/**
 * How each foreign generator starts: Go is built at start (seconds with go's cache); Python and
 * Java are installed ahead by their build.sh (a venv from PyPI, a jar from Maven Central: minutes
 * on a fresh machine). BENCH_GEN_GO, BENCH_GEN_PY (a python with paddock and kazoo) and
 * BENCH_GEN_JAVA (the jar) use programs installed elsewhere.
 */
const generatorCommands: Record<ForeignGenerator, () => Promise<GeneratorCommand>> = {
  go: async () => [await buildGoGenerator()],
  python: () => {
    const python = process.env.BENCH_GEN_PY || join(repoRoot, ".cache", "bench-gen-py", "bin", "python");
    return installed("gen-py", python, [python, join(repoRoot, "bench", "gen-py", "gen.py")]);
  },
  java: () => {
    const jar = process.env.BENCH_GEN_JAVA || join(repoRoot, ".cache", "bench-gen-java", "gen-java.jar");
    return installed("gen-java", jar, ["java", "-jar", jar]);
  },
};

function spawnForeignGenerator(name: ForeignGenerator, [file, ...args]: GeneratorCommand): Generator {
  const child = spawn(file, args, { stdio: ["pipe", "pipe", "inherit"] });
  const queue = replyQueue(child, "close");
  child.stdin!.on("error", () => {}); // an exited generator: its exit says so
  createInterface({ input: child.stdout! }).on("line", (line) => {
    try {
      queue.push(JSON.parse(line) as WorkerReply);
    } catch {
      process.stderr.write(`[gen-${name} ${child.pid}] ${line}\n`);
    }
  });
  return { child, send: (m) => child.stdin!.write(`${JSON.stringify(m)}\n`), next: queue.next };
}

/**
 * The client connections a server holds, by its `mntr` four-letter word (zk_num_alive_connections,
 * the probe's own connection included), summed over the members of `address`; null when any
 * member does not answer it (not whitelisted, not ZooKeeper-shaped: etcd, the no-op).
 */
export async function serverConnections(target: TargetName, address: string): Promise<number | null> {
  if (target !== "paddock" && target !== "zookeeper") return null;
  let total = 0;
  for (const member of address.split(",")) {
    const [host, port] = member.split(":");
    if (host !== "127.0.0.1" && host !== "localhost") return null;
    const answer = await tcpExchange(Number(port), "mntr");
    const m = /^zk_num_alive_connections\s+(\d+)/m.exec(answer ?? "");
    if (m === null) return null;
    total += Number(m[1]);
  }
  return total;
}

/** Extra node flags for the generator processes, e.g. BENCH_GENERATOR_NODE_ARGS="--cpu-prof". */
const generatorNodeArgs = (process.env.BENCH_GENERATOR_NODE_ARGS ?? "").split(" ").filter(Boolean);

function exited(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function runLoadRow(
  opts: BenchOptions,
  server: ServerRef,
  workload: LoadWorkload,
  coordinator: BenchClient,
): Promise<RowResult> {
  const prefix = `/bench/${workload}-${Date.now().toString(36)}`;
  await ensurePath(coordinator, prefix);
  const g = opts.generator;
  const foreign = g === "ts" ? undefined : await generatorCommands[g]();
  // The connections the server holds before the generators start (the coordinator's, the
  // probe's own): subtracted from the count once every generator session is open.
  const connectionsBefore = await settledConnections(server.target, server.address);
  const generators: Generator[] = [];
  const children: ChildProcess[] = [];
  try {
    for (let w = 0; w < opts.workers; w++) {
      const gen = foreign === undefined || g === "ts" ? forkTsGenerator() : spawnForeignGenerator(g, foreign);
      generators.push(gen);
      children.push(gen.child);
    }
    const readies = generators.map((g) => g.next(workerReadyDeadlineMs));
    // Promise.all reports the first failure; the others (killed below) must not go unhandled.
    for (const p of readies) p.catch(() => {});
    generators.forEach((g, w) => {
      const job: WorkerJob = {
        type: "job",
        target: server.target,
        address: server.address,
        workload,
        workerIndex: w,
        clients: opts.clients,
        concurrency: opts.concurrency,
        valueSize: opts.valueSize,
        readRatio: opts.readRatio,
        prefix,
        sessionTimeoutMs: opts.sessionTimeoutMs,
        paddockClient: opts.paddockClient,
        topology: opts.topology,
      };
      g.send(job);
    });
    await Promise.all(readies);
    // Every generator session is open (ready): what the server counts now, less what it counted
    // before, is the generators' connections.
    const connectionsDuring = await serverConnections(server.target, server.address);

    const measureStart = Date.now() + goLeadMs + opts.warmupS * 1000;
    const durationMs = opts.ops === undefined ? opts.durationS * 1000 : undefined;
    const quota = opts.ops === undefined ? undefined : Math.ceil(opts.ops / opts.workers);
    const results = generators.map((g) => g.next(workerReadyDeadlineMs + (durationMs ?? 600_000)));
    for (const p of results) p.catch(() => {});
    const go: WorkerGo = {
      type: "go",
      measureStartEpochMs: measureStart,
      measureEndEpochMs: durationMs === undefined ? undefined : measureStart + durationMs,
      opsQuota: quota,
    };
    for (const g of generators) g.send(go);

    let serverCpuStart: number | null = null;
    let serverCpuEnd: number | null = null;
    let serverRss: number | null = null;
    const pids = server.pids;
    const startTimer = setTimeout(() => (serverCpuStart = totalCpuSeconds(pids)), measureStart - Date.now());
    const endTimer =
      durationMs === undefined
        ? undefined
        : setTimeout(
            () => {
              serverCpuEnd = totalCpuSeconds(pids);
              serverRss = totalRssBytes(pids);
            },
            measureStart + durationMs - Date.now(),
          );
    const done = (await Promise.all(results)) as WorkerResult[];
    clearTimeout(startTimer);
    if (endTimer !== undefined) clearTimeout(endTimer);
    // Ops mode, or the results overtook the end timer: read it now (a few ms late at most).
    if (serverCpuEnd === null) serverCpuEnd = totalCpuSeconds(pids);
    serverRss ??= totalRssBytes(pids);

    const histogram = mergeHistograms(done.map((r) => r.histogram));
    const ops = done.reduce((n, r) => n + r.ops, 0);
    const elapsedS =
      durationMs !== undefined ? durationMs / 1000 : Math.max(...done.map((r) => r.elapsedMs)) / 1000;
    return makeRow({
      target: server.target,
      members: server.members,
      workload,
      ops,
      durationS: elapsedS,
      histogram,
      errors: done.reduce((n, r) => n + r.errors, 0),
      errorSample: done.find((r) => r.errorSample !== undefined)?.errorSample,
      clientCpuS: done.reduce((n, r) => n + r.cpuSeconds, 0),
      serverCpuS: cpuDelta(serverCpuStart, serverCpuEnd),
      serverRssBytes: serverRss,
      generator: opts.generator,
      client: clientName(server.target, opts),
      topology: opts.topology,
      sessions: opts.workers * opts.clients,
      inFlight: opts.concurrency,
      extra:
        connectionsBefore === null || connectionsDuring === null
          ? {}
          : { serverConnections: connectionsDuring - connectionsBefore },
    });
  } finally {
    // A profiled generator writes its profile as it exits: give it the chance.
    if (generatorNodeArgs.length > 0) await Promise.all(children.map((c) => exited(c, 5000)));
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  }
}
