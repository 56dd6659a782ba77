/**
 * Runs one closed-loop workload row against one server or ensemble with `workers` forked generator
 * processes, and reads the server's CPU (summed over every member process) from /proc over exactly
 * the measured window.
 */
import { type ChildProcess, fork } from "node:child_process";
import type { BenchOptions, LoadWorkload, TargetName } from "./args.js";
import type { WorkerGo, WorkerJob, WorkerReply, WorkerResult } from "./load-worker.js";
import { cpuDelta, totalCpuSeconds, totalRssBytes } from "./proc-stats.js";
import { makeRow, mergeHistograms, type RowResult } from "./report.js";
import { tsxLoader } from "./servers.js";
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

function nextMessage(child: ChildProcess, deadlineMs: number): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`generator process ${child.pid} silent for ${deadlineMs} ms`));
    }, deadlineMs);
    const onMessage = (m: WorkerReply) => {
      cleanup();
      if (m.type === "failed") reject(new Error(`generator process: ${m.message}`));
      else resolve(m);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`generator process ${child.pid} exited (${code}) early`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
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
  const children: ChildProcess[] = [];
  try {
    for (let w = 0; w < opts.workers; w++)
      children.push(
        fork(new URL("./load-worker.ts", import.meta.url), [], {
          execArgv: ["--import", tsxLoader(), ...generatorNodeArgs],
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        }),
      );
    const readies = children.map((c) => nextMessage(c, workerReadyDeadlineMs));
    children.forEach((c, w) => {
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
      };
      c.send(job);
    });
    await Promise.all(readies);

    const measureStart = Date.now() + goLeadMs + opts.warmupS * 1000;
    const durationMs = opts.ops === undefined ? opts.durationS * 1000 : undefined;
    const quota = opts.ops === undefined ? undefined : Math.ceil(opts.ops / opts.workers);
    const results = children.map((c) => nextMessage(c, workerReadyDeadlineMs + (durationMs ?? 600_000)));
    const go: WorkerGo = {
      type: "go",
      measureStartEpochMs: measureStart,
      measureEndEpochMs: durationMs === undefined ? undefined : measureStart + durationMs,
      opsQuota: quota,
    };
    for (const c of children) c.send(go);

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
    });
  } finally {
    // A profiled generator writes its profile as it exits: give it the chance.
    if (generatorNodeArgs.length > 0) await Promise.all(children.map((c) => exited(c, 5000)));
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  }
}
