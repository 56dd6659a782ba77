/**
 * `paddock bench`: runs the workloads against each target, prints the table (and the Paddock /
 * reference ratios when references ran), writes results.json and one latency SVG per workload.
 * Run directly: node --import tsx bench/main.ts [run|compare] [options].
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  BenchArgError,
  type BenchOptions,
  loadWorkloads,
  parseArgs,
  type TargetName,
  usage,
  type WorkloadName,
} from "./args.js";
import { runMemory, runRecovery, runSessionStorm, runWatchFanOut } from "./coordinator-workloads.js";
import { Histogram } from "./histogram.js";
import { runLoadRow, type ServerRef } from "./load-runner.js";
import { computeRatios, formatRatios, formatTable, makeRow, type RowResult } from "./report.js";
import { repoRoot, type ServerHandle, startServer } from "./servers.js";
import { latencyChartSvg } from "./svg-chart.js";
import { loadDriver } from "./targets/index.js";
import type { BenchClient } from "./targets/target.js";

function noteRow(target: string, workload: string, note: string, errorSample?: string): RowResult {
  return makeRow({
    target,
    workload,
    ops: 0,
    durationS: 0,
    histogram: new Histogram(),
    errors: 0,
    errorSample,
    clientCpuS: 0,
    serverCpuS: null,
    note,
  });
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

const isLoad = (w: WorkloadName): w is (typeof loadWorkloads)[number] =>
  (loadWorkloads as readonly string[]).includes(w);

/** Runs one row, turning a failure into a row that says so. */
async function guarded(target: string, workload: string, run: () => Promise<RowResult>): Promise<RowResult> {
  try {
    return await run();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log(`${target} ${workload} failed: ${message}`);
    return noteRow(target, workload, "failed", message.split("\n")[0]);
  }
}

async function withFreshServer(
  target: TargetName,
  run: (handle: ServerHandle) => Promise<{ row: RowResult; handle: ServerHandle }>,
): Promise<RowResult> {
  let handle = await startServer(target);
  try {
    const out = await run(handle);
    handle = out.handle;
    return out.row;
  } finally {
    await handle.dispose();
  }
}

async function runTarget(
  opts: BenchOptions,
  target: TargetName,
  emit: (row: RowResult) => void,
): Promise<void> {
  const shared = opts.workloads.filter((w) => w !== "memory" && w !== "recovery");
  let handle: ServerHandle | undefined;
  let server: ServerRef | undefined;
  if (shared.length > 0) {
    try {
      if (opts.address !== undefined) server = { target, address: opts.address, pid: opts.serverPid };
      else {
        handle = await startServer(target);
        server = { target, address: handle.address, pid: handle.pid };
        log(`${target} serving on ${handle.address} (pid ${handle.pid})`);
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log(`${target}: server did not start: ${message}`);
      for (const w of shared) emit(noteRow(target, w, "server did not start", message.split("\n")[0]));
    }
  }
  try {
    const ref = server;
    let coordinator: BenchClient | undefined;
    if (ref !== undefined) {
      try {
        coordinator = await (await loadDriver(target, opts.paddockClient)).connect(
          ref.address,
          opts.sessionTimeoutMs,
        );
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        log(`${target}: cannot connect: ${message}`);
        for (const w of shared) emit(noteRow(target, w, "failed", message.split("\n")[0]));
      }
    }
    if (ref !== undefined && coordinator !== undefined) {
      const client = coordinator;
      try {
        for (const w of shared) {
          if (w === "watch" && target === "noop") {
            emit(noteRow(target, w, "n/a (no-op target)"));
            continue;
          }
          log(`${target} ${w} ...`);
          if (isLoad(w)) emit(await guarded(target, w, () => runLoadRow(opts, ref, w, client)));
          else if (w === "watch") emit(await guarded(target, w, () => runWatchFanOut(opts, ref)));
          else if (w === "sessions") emit(await guarded(target, w, () => runSessionStorm(opts, ref)));
        }
      } finally {
        await client.close().catch(() => {});
      }
    }
  } finally {
    await handle?.dispose();
  }
  for (const w of opts.workloads) {
    if (w !== "memory" && w !== "recovery") continue;
    if (target === "noop") {
      emit(noteRow(target, w, "n/a (no-op target)"));
      continue;
    }
    log(`${target} ${w} ...`);
    if (w === "memory") {
      if (opts.address !== undefined)
        emit(
          await guarded(target, w, () =>
            runMemory(opts, { target, address: opts.address!, pid: opts.serverPid }),
          ),
        );
      else
        emit(
          await guarded(target, w, () =>
            withFreshServer(target, async (h) => ({
              row: await runMemory(opts, { target, address: h.address, pid: h.pid }),
              handle: h,
            })),
          ),
        );
    } else if (opts.address !== undefined) emit(noteRow(target, w, "n/a (needs a server the tool starts)"));
    else emit(await guarded(target, w, () => withFreshServer(target, (h) => runRecovery(opts, h))));
  }
}

export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage1m: loadavg()[0] ?? 0,
  };
}

function writeOutputs(opts: BenchOptions, rows: RowResult[], meta: Record<string, unknown>): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const dir = resolve(opts.outDir === "bench/out" ? join(repoRoot, "bench/out") : opts.outDir, stamp);
  mkdirSync(dir, { recursive: true });
  const ratios = computeRatios(rows);
  writeFileSync(
    join(dir, "results.json"),
    `${JSON.stringify({ meta, options: opts, rows, ratios }, null, 2)}\n`,
  );
  for (const workload of new Set(rows.map((r) => r.workload))) {
    const series = rows
      .filter((r) => r.workload === workload && r.histogram.count > 0)
      .map((r) => ({
        label: `${r.target}  p50 ${fmt(r.latency.p50)}  p99 ${fmt(r.latency.p99)}`,
        histogram: r.histogram,
      }));
    if (series.length === 0) continue;
    writeFileSync(
      join(dir, `latency-${workload}.svg`),
      latencyChartSvg(`${workload}: latency histogram`, series),
    );
  }
  return dir;
}

/** A rough duration of the whole invocation, so a shared machine is not held longer than meant. */
export function estimateSeconds(opts: BenchOptions): number {
  const rowS = opts.ops === undefined ? opts.warmupS + opts.durationS : opts.warmupS + 5;
  let perTarget = 3; // server start
  for (const w of opts.workloads) {
    if (isLoad(w) || w === "watch") perTarget += rowS + 2;
    else if (w === "sessions") perTarget += Math.min(5, opts.durationS) + 2;
    else perTarget += 5 + opts.znodes / 5000;
  }
  return Math.round(perTarget * opts.targets.length);
}

const fmt = (us: number) => (us < 1000 ? `${Math.round(us)}µs` : `${(us / 1000).toFixed(2)}ms`);

export async function main(argv: string[]): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof BenchArgError)) throw e;
    process.stderr.write(`paddock bench: ${e.message}\n\n${usage}`);
    return 2;
  }
  if (opts.command === "help") {
    process.stdout.write(usage);
    return 0;
  }
  const metaStart = machineInfo();
  log(
    `about ${estimateSeconds(opts)} s (more where servers start slowly); load average ${metaStart.loadAverage1m}`,
  );
  const rows: RowResult[] = [];
  for (const target of opts.targets) {
    await runTarget(opts, target, (row) => {
      rows.push(row);
      process.stdout.write(`${formatTable([row]).split("\n")[1]}\n`);
    });
  }
  const meta = { ...metaStart, loadAverage1mAtEnd: loadavg()[0] ?? 0 };
  process.stdout.write(`\n${formatTable(rows)}\n`);
  const ratios = computeRatios(rows);
  if (ratios.length > 0) process.stdout.write(`\n${formatRatios(ratios)}\n`);
  const dir = writeOutputs(opts, rows, meta);
  process.stdout.write(
    `\nmachine: ${meta.cpus} cpus (${meta.cpuModel}), ${meta.memoryGiB} GiB, node ${meta.node}, ` +
      `load average ${Number(meta.loadAverage1m).toFixed(2)} → ${Number(meta.loadAverage1mAtEnd).toFixed(2)}\n` +
      `results: ${dir}\n`,
  );
  if (opts.json) process.stdout.write(`${JSON.stringify({ meta, rows, ratios })}\n`);
  return rows.some((r) => r.note === "failed" || r.note === "server did not start") ? 1 : 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
