/**
 * One generator process (forked by load-runner.ts): opens `clients` sessions, runs `concurrency`
 * closed loops on each, and records the latency of operations that start after the warm-up and end
 * before the deadline. Talks to its parent over the IPC channel only. bench/gen-go is the same
 * generator in Go: the same messages (as JSON lines on its stdin and stdout), the same loops.
 */
import type { BenchOptions, LoadWorkload, TargetName, Topology } from "./args.js";
import { Histogram, type HistogramData } from "./histogram.js";
import { loadDriver } from "./targets/index.js";
import type { BenchClient } from "./targets/target.js";

export interface WorkerJob {
  type: "job";
  target: TargetName;
  address: string;
  workload: LoadWorkload;
  workerIndex: number;
  clients: number;
  concurrency: number;
  valueSize: number;
  readRatio: number;
  /** Parent znode (exists) under which this row's znodes go. */
  prefix: string;
  sessionTimeoutMs: number;
  paddockClient: BenchOptions["paddockClient"];
  /** Whether this process's sessions share one gRPC transport or each open their own. */
  topology: Topology;
}

export interface WorkerGo {
  type: "go";
  /** Epoch ms at which the measured window opens (the warm-up runs before it). */
  measureStartEpochMs: number;
  /** Epoch ms at which the window closes (duration mode). */
  measureEndEpochMs: number | undefined;
  /** Operations to measure in this process (ops mode). */
  opsQuota: number | undefined;
}

export interface WorkerResult {
  type: "result";
  histogram: HistogramData;
  ops: number;
  errors: number;
  errorSample: string | undefined;
  /** From the first measured start to the last measured end, ms (ops mode). */
  elapsedMs: number;
  cpuSeconds: number;
}

export type WorkerReply = { type: "ready" } | WorkerResult | { type: "failed"; message: string };

export function valueOfSize(n: number): Uint8Array {
  const v = new Uint8Array(n);
  for (let i = 0; i < n; i++) v[i] = 97 + (i % 26);
  return v;
}

function post(message: WorkerReply): void {
  process.send?.(message);
}

async function runJob(job: WorkerJob, go: Promise<WorkerGo>): Promise<WorkerResult> {
  const driver = await loadDriver(job.target, job.paddockClient, job.topology);
  const sessions: BenchClient[] = [];
  for (let c = 0; c < job.clients; c++)
    sessions.push(await driver.connect(job.address, job.sessionTimeoutMs));
  const createSize =
    job.workload === "create-100" ? 100 : job.workload === "create-1k" ? 1024 : job.valueSize;
  const value = valueOfSize(createSize);
  const keyOf = (c: number, l: number) => `${job.prefix}/k-${job.workerIndex}-${c}-${l}`;
  if (job.workload === "set" || job.workload === "get" || job.workload === "mixed") {
    const made: Promise<void>[] = [];
    for (let c = 0; c < job.clients; c++)
      for (let l = 0; l < job.concurrency; l++)
        made.push(sessions[c]!.create(keyOf(c, l), value, "persistent"));
    await Promise.all(made);
  }
  post({ type: "ready" });
  const start = await go;

  const histogram = new Histogram();
  let ops = 0;
  let started = 0;
  let errors = 0;
  let errorSample: string | undefined;
  const nowEpoch = () => performance.timeOrigin + performance.now();
  const endEpoch = start.measureEndEpochMs ?? Number.POSITIVE_INFINITY;
  let firstStart = Number.POSITIVE_INFINITY;
  let lastEnd = 0;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  const cpuTimer = setTimeout(
    () => (cpuAtStart = process.cpuUsage()),
    Math.max(0, start.measureStartEpochMs - Date.now()),
  );

  const op = (s: BenchClient, c: number, l: number): Promise<unknown> => {
    switch (job.workload) {
      case "create-100":
      case "create-1k":
        return s.create(`${job.prefix}/n-`, value, "sequential");
      case "set":
        return s.setData(keyOf(c, l), value);
      case "get":
        return s.getData(keyOf(c, l));
      case "mixed":
        return Math.random() < job.readRatio ? s.getData(keyOf(c, l)) : s.setData(keyOf(c, l), value);
    }
  };

  const loop = async (c: number, l: number): Promise<void> => {
    const s = sessions[c]!;
    for (;;) {
      const t0 = nowEpoch();
      if (t0 >= endEpoch) return;
      const measured = t0 >= start.measureStartEpochMs;
      if (measured && start.opsQuota !== undefined) {
        if (started >= start.opsQuota) return;
        started++;
      }
      let failed = false;
      try {
        await op(s, c, l);
      } catch (e) {
        failed = true;
        if (measured) {
          errors++;
          errorSample ??= (e as Error).message;
        }
        if (errors > 1000 && ops === 0) throw e; // nothing works: stop this loop instead of spinning
      }
      const t1 = nowEpoch();
      if (measured && t1 <= endEpoch && !failed) {
        histogram.record((t1 - t0) * 1000);
        ops++;
        if (t0 < firstStart) firstStart = t0;
        if (t1 > lastEnd) lastEnd = t1;
      }
    }
  };

  const loops: Promise<void>[] = [];
  for (let c = 0; c < job.clients; c++) for (let l = 0; l < job.concurrency; l++) loops.push(loop(c, l));
  const outcomes = await Promise.allSettled(loops);
  clearTimeout(cpuTimer);
  const cpuEnd = process.cpuUsage(cpuAtStart);
  for (const o of outcomes)
    if (o.status === "rejected") {
      errorSample ??= (o.reason as Error).message;
    }
  await Promise.allSettled(sessions.map((s) => s.close()));
  return {
    type: "result",
    histogram: histogram.toData(),
    ops,
    errors,
    errorSample,
    elapsedMs: ops > 0 ? lastEnd - firstStart : 0,
    cpuSeconds: cpuAtStart === undefined ? 0 : (cpuEnd.user + cpuEnd.system) / 1e6,
  };
}

// Entry point when forked: wait for a job, then a go, then report and exit.
if (process.send !== undefined) {
  let resolveGo: (go: WorkerGo) => void = () => {};
  const go = new Promise<WorkerGo>((r) => (resolveGo = r));
  process.on("message", (m: WorkerJob | WorkerGo) => {
    if (m.type === "job") {
      runJob(m, go).then(
        (result) => process.send!(result, () => process.exit(0)),
        (e: unknown) => process.send!({ type: "failed", message: String(e) }, () => process.exit(1)),
      );
    } else if (m.type === "go") resolveGo(m);
  });
}
