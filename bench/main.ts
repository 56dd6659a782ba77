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
  clientName,
  foreignClients,
  loadWorkloads,
  parseArgs,
  type TargetName,
  usage,
  type WorkloadName,
} from "./args.js";
import { runConnectStorm } from "./connect-storm.js";
import { runSessionStorm, runWatchFanOut } from "./coordinator-workloads.js";
import { startEnsemble } from "./ensemble-servers.js";
import { runFailover, runRecovery } from "./failure-workloads.js";
import { Histogram } from "./histogram.js";
import { runLoadRow, type ServerRef } from "./load-runner.js";
import { runMemory } from "./memory-workload.js";
import { computeRatios, formatRatios, formatTable, makeRow, type RowResult } from "./report.js";
import { runResumeStorm } from "./resume-storm.js";
import {
  type Deployment,
  type EnsembleHandle,
  repoRoot,
  type ServerHandle,
  startDeployment,
  startServer,
} from "./servers.js";
import { latencyChartSvg } from "./svg-chart.js";
import { loadDriver } from "./targets/index.js";
import { type BenchClient, ensurePath } from "./targets/target.js";
import { loadZnodes } from "./workload-helpers.js";

function noteRow(
  target: string,
  members: number,
  workload: string,
  note: string,
  errorSample?: string,
): RowResult {
  return makeRow({
    target,
    members,
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
async function guarded(
  target: string,
  members: number,
  workload: string,
  run: () => Promise<RowResult>,
): Promise<RowResult> {
  try {
    return await run();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log(`${target} ${workload} failed: ${message}`);
    return noteRow(target, members, workload, "failed", message.split("\n")[0]);
  }
}

/** Starts `start()`, runs `run` on it and disposes of whatever `run` hands back (a restarted server). */
async function withFresh<D extends Deployment>(
  start: () => Promise<D>,
  run: (deployment: D) => Promise<{ row: RowResult; handle: D }>,
): Promise<RowResult> {
  let deployment = await start();
  try {
    const out = await run(deployment);
    deployment = out.handle;
    return out.row;
  } finally {
    await deployment.dispose();
  }
}

function refOf(d: Deployment): ServerRef {
  return { target: d.target, address: d.address, pids: [...d.pids], members: d.members };
}

async function runTarget(
  opts: BenchOptions,
  target: TargetName,
  emit: (row: RowResult) => void,
): Promise<void> {
  // With --address the member count is the connect string's.
  const members = opts.address === undefined ? opts.members : opts.address.split(",").length;
  const note = (w: string, text: string, errorSample?: string) =>
    noteRow(target, members, w, text, errorSample);
  if (target === "noop" && opts.members > 1) {
    for (const w of opts.workloads) emit(note(w, "n/a (the no-op target has no ensemble)"));
    return;
  }
  const shared = opts.workloads.filter((w) => w !== "memory" && w !== "recovery");
  let handle: Deployment | undefined;
  let server: ServerRef | undefined;
  if (shared.length > 0) {
    try {
      if (opts.address !== undefined)
        server = { target, address: opts.address, pids: opts.serverPids ?? [], members };
      else {
        handle = await startDeployment(target, opts.members);
        server = refOf(handle);
        const what = handle.members > 1 ? `${handle.members} members` : "standalone";
        log(`${target} (${what}) serving on ${handle.address} (pids ${handle.pids.join(",")})`);
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log(`${target}: server did not start: ${message}`);
      for (const w of shared) emit(note(w, "server did not start", message.split("\n")[0]));
    }
  }
  try {
    const ref = server;
    let coordinator: BenchClient | undefined;
    if (ref !== undefined) {
      try {
        coordinator = await (await loadDriver(target, opts.paddockClient, opts.topology)).connect(
          ref.address,
          opts.sessionTimeoutMs,
        );
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        log(`${target}: cannot connect: ${message}`);
        for (const w of shared) emit(note(w, "failed", message.split("\n")[0]));
      }
    }
    if (ref !== undefined && coordinator !== undefined) {
      const client = coordinator;
      try {
        const treeError = opts.tree > 0 ? await loadTree(opts, target, client) : undefined;
        if (treeError !== undefined) for (const w of shared) emit(note(w, "failed", treeError));
        for (const w of treeError === undefined ? shared : []) {
          if (w === "watch" && target === "noop") {
            emit(note(w, "n/a (no-op target)"));
            continue;
          }
          log(`${target} ${w} ...`);
          if (isLoad(w)) emit(await guarded(target, members, w, () => runLoadRow(opts, ref, w, client)));
          else if (w === "watch") emit(await guarded(target, members, w, () => runWatchFanOut(opts, ref)));
          else if (w === "sessions")
            emit(await guarded(target, members, w, () => runSessionStorm(opts, ref)));
          else if (w === "connect-storm")
            emit(await guarded(target, members, w, () => runConnectStorm(opts, ref)));
          else if (w === "resume-storm") {
            // A bare client of ZooKeeper's protocol: etcd has none, the no-op keeps no sessions.
            if (target === "paddock" || target === "zookeeper")
              emit(await guarded(target, members, w, () => runResumeStorm(opts, ref)));
            else emit(note(w, `n/a (${target} resumes no ZooKeeper sessions)`));
          }
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
      emit(note(w, "n/a (no-op target)"));
      continue;
    }
    log(`${target} ${w}${w === "recovery" && members > 1 ? " (failover)" : ""} ...`);
    if (w === "memory") {
      if (opts.address !== undefined)
        emit(
          await guarded(target, members, w, () =>
            runMemory(opts, { target, address: opts.address!, pids: opts.serverPids ?? [], members }),
          ),
        );
      else
        emit(
          await guarded(target, members, w, () =>
            withFresh(
              () => startDeployment(target, opts.members),
              async (d) => ({ row: await runMemory(opts, refOf(d)), handle: d }),
            ),
          ),
        );
    } else if (opts.address !== undefined) emit(note(w, "n/a (needs a server the tool starts)"));
    else if (opts.members > 1)
      // An ensemble's recovery is failover: kill -9 the leader, time until a write succeeds.
      emit(
        await guarded(target, members, "failover", () =>
          withFresh<EnsembleHandle>(
            () => startEnsemble(target, opts.members),
            async (e) => ({ row: await runFailover(opts, e), handle: e }),
          ),
        ),
      );
    else
      emit(
        await guarded(target, members, w, () =>
          withFresh<ServerHandle>(
            () => startServer(target),
            (h) => runRecovery(opts, h),
          ),
        ),
      );
  }
}

/** --tree: the large tree every later workload of this server runs against; why it failed, if it did. */
async function loadTree(
  opts: BenchOptions,
  target: TargetName,
  client: BenchClient,
): Promise<string | undefined> {
  log(`${target}: loading ${opts.tree} znodes under /bench/tree ...`);
  const t0 = Date.now();
  try {
    await ensurePath(client, "/bench/tree");
    const { errors, errorSample } = await loadZnodes(client, "/bench/tree", opts.tree, new Histogram());
    if (errors > 0) return `loading --tree: ${errors} of ${opts.tree} creates failed (${errorSample})`;
  } catch (e) {
    return `loading --tree: ${e instanceof Error ? e.message : String(e)}`;
  }
  log(`${target}: ${opts.tree} znodes loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return undefined;
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
    `${JSON.stringify({ meta, options: opts, shape: shapeOf(opts), rows, ratios }, null, 2)}\n`,
  );
  for (const workload of new Set(rows.map((r) => r.workload))) {
    const series = rows
      .filter((r) => r.workload === workload && r.histogram.count > 0)
      .map((r) => ({
        label: `${r.target}${r.members > 1 ? ` ×${r.members}` : ""} (${r.generator ?? "?"} ${r.client ?? "?"}, ${r.topology ?? "?"})  p50 ${fmt(r.latency.p50)}  p99 ${fmt(r.latency.p99)}`,
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
  const start = 3 + 3 * (opts.members - 1); // server start: members start side by side, then elect
  let perTarget = start + opts.tree / 5000;
  for (const w of opts.workloads) {
    if (isLoad(w) || w === "watch") perTarget += rowS + 2;
    else if (w === "sessions") perTarget += Math.min(5, opts.durationS) + 2;
    else perTarget += start + 2 + opts.znodes / 5000 + (w === "memory" ? 2 * opts.settleS + 2 : 0);
  }
  return Math.round(perTarget * opts.targets.length);
}

const fmt = (us: number) => (us < 1000 ? `${Math.round(us)}µs` : `${(us / 1000).toFixed(2)}ms`);

/** Who generates the load and how its sessions connect: printed with every table, kept in the JSON. */
export function shapeOf(opts: BenchOptions) {
  const sessions = opts.workers * opts.clients;
  return {
    topology: opts.topology,
    generator: opts.generator,
    clients: Object.fromEntries(opts.targets.map((t) => [t, clientName(t, opts)])),
    generatorProcesses: opts.workers,
    sessionsPerProcess: opts.clients,
    sessions,
    inFlightPerSession: opts.concurrency,
    connections: opts.topology === "independent" ? sessions : opts.workers,
  };
}

export function describeShape(opts: BenchOptions): string {
  const s = shapeOf(opts);
  const how =
    s.topology === "independent"
      ? "each session its own connection"
      : `the sessions of each generator process share one gRPC transport (${s.connections} connections)`;
  const clients = Object.entries(s.clients)
    .map(([t, c]) => `${t} through ${c}`)
    .join(", ");
  return (
    `shape: ${s.topology}: ${s.sessions} sessions (${s.generatorProcesses} ${s.generator} generator ` +
    `process${s.generatorProcesses === 1 ? "" : "es"} × ${s.sessionsPerProcess}), ${s.inFlightPerSession} ` +
    `in flight each, ${how}; ${clients}`
  );
}

/** Names the generator, client and topology on rows that do not (notes, coordinator workloads). */
function labelled(opts: BenchOptions, row: RowResult): RowResult {
  if (row.client !== undefined) return row;
  const load = isLoad(row.workload as WorkloadName);
  // The coordinator's own workloads run here, through the TS clients.
  const generator = load ? opts.generator : "ts";
  const paddockClient = !load && opts.paddockClient in foreignClients ? "ts" : opts.paddockClient;
  const target = row.target as TargetName;
  return {
    ...row,
    generator,
    client: clientName(target, { generator, paddockClient }),
    topology: opts.topology,
    ...(load ? { sessions: opts.workers * opts.clients, inFlight: opts.concurrency } : {}),
  };
}

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
  process.stdout.write(`${describeShape(opts)}\n`);
  for (const target of opts.targets) {
    await runTarget(opts, target, (unlabelled) => {
      const row = labelled(opts, unlabelled);
      rows.push(row);
      process.stdout.write(`${formatTable([row]).split("\n")[1]}\n`);
    });
  }
  const meta = { ...metaStart, loadAverage1mAtEnd: loadavg()[0] ?? 0 };
  process.stdout.write(`\n${describeShape(opts)}\n${formatTable(rows)}\n`);
  const ratios = computeRatios(rows);
  if (ratios.length > 0) process.stdout.write(`\n${formatRatios(ratios)}\n`);
  const dir = writeOutputs(opts, rows, meta);
  process.stdout.write(
    `\nmachine: ${meta.cpus} cpus (${meta.cpuModel}), ${meta.memoryGiB} GiB, node ${meta.node}, ` +
      `load average ${Number(meta.loadAverage1m).toFixed(2)} → ${Number(meta.loadAverage1mAtEnd).toFixed(2)}\n` +
      (opts.members > 1 && opts.address === undefined
        ? `servers: ${opts.members}-member ensembles on 127.0.0.1; server CPU and RSS summed over the members\n`
        : "") +
      `results: ${dir}\n`,
  );
  if (opts.json) process.stdout.write(`${JSON.stringify({ meta, shape: shapeOf(opts), rows, ratios })}\n`);
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
