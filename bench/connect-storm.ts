/**
 * The connect storm (issue 14): `--sessions` clients open their sessions all at once, each over
 * its own connection, as a fleet of applications does after a restart or a network blip. Reports
 * sessions/s over the storm, each open's latency, and server CPU per session (every member's).
 * Run it with and without localSessionsEnabled (BENCH_ZOO_CFG, see bench/ensemble-servers.ts):
 * a local session costs its member no transaction.
 */
import type { BenchOptions } from "./args.js";
import { Histogram } from "./histogram.js";
import type { ServerRef } from "./load-runner.js";
import { cpuDelta, totalCpuSeconds } from "./proc-stats.js";
import { makeRow, type RowResult } from "./report.js";
import { loadDriver } from "./targets/index.js";
import type { BenchClient } from "./targets/target.js";

/** Closes after the storm, this many at a time (not measured). */
const closesInFlightMax = 64;

export async function runConnectStorm(opts: BenchOptions, server: ServerRef): Promise<RowResult> {
  const driver = await loadDriver(server.target, opts.paddockClient, opts.topology);
  const histogram = new Histogram();
  let errors = 0;
  let errorSample: string | undefined;
  const cpu0 = totalCpuSeconds(server.pids);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  const opened = await Promise.all(
    Array.from({ length: opts.sessions }, async () => {
      const s0 = performance.now();
      try {
        const client = await driver.connect(server.address, opts.sessionTimeoutMs);
        histogram.record((performance.now() - s0) * 1000);
        return client;
      } catch (e) {
        errors++;
        errorSample ??= e instanceof Error ? e.message : String(e);
        return undefined;
      }
    }),
  );
  const stormS = (performance.now() - t0) / 1000;
  const cpu1 = totalCpuSeconds(server.pids);
  const clientUsage = process.cpuUsage(client0);
  const open = opened.filter((c): c is BenchClient => c !== undefined);
  for (let i = 0; i < open.length; i += closesInFlightMax) {
    await Promise.allSettled(open.slice(i, i + closesInFlightMax).map((c) => c.close()));
  }
  const serverCpuS = cpuDelta(cpu0, cpu1);
  const extra: Record<string, number> = { sessions: open.length };
  if (serverCpuS !== null && open.length > 0) extra.serverCpuUsPerSession = (serverCpuS / open.length) * 1e6;
  return makeRow({
    target: server.target,
    members: server.members,
    workload: "connect-storm",
    ops: open.length,
    durationS: stormS,
    histogram,
    errors,
    errorSample,
    clientCpuS: (clientUsage.user + clientUsage.system) / 1e6,
    serverCpuS,
    extra,
  });
}
