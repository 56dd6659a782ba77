/**
 * What connect-storm and resume-storm share: every attempt started at once, each success's
 * latency, the failures, and the server's and this process's CPU over the storm, as one row
 * (ops/s = successes per second; `serverCpuUsPerSession` = server CPU per success).
 */
import { Histogram } from "./histogram.js";
import type { ServerRef } from "./load-runner.js";
import { cpuDelta, totalCpuSeconds } from "./proc-stats.js";
import { makeRow, type RowResult } from "./report.js";

export interface Storm<T> {
  /** What each successful attempt gave, in no particular order. */
  done: T[];
  row: RowResult;
}

export async function runStorm<T>(
  server: ServerRef,
  workload: string,
  attempts: readonly (() => Promise<T>)[],
): Promise<Storm<T>> {
  const histogram = new Histogram();
  let errors = 0;
  let errorSample: string | undefined;
  const cpu0 = totalCpuSeconds(server.pids);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  const results = await Promise.all(
    attempts.map(async (attempt) => {
      const s0 = performance.now();
      try {
        const result = await attempt();
        histogram.record((performance.now() - s0) * 1000);
        return { result };
      } catch (e) {
        errors++;
        errorSample ??= e instanceof Error ? e.message : String(e);
        return undefined;
      }
    }),
  );
  const durationS = (performance.now() - t0) / 1000;
  const serverCpuS = cpuDelta(cpu0, totalCpuSeconds(server.pids));
  const clientUsage = process.cpuUsage(client0);
  const done = results.flatMap((r) => (r === undefined ? [] : [r.result]));
  const extra: Record<string, number> = { sessions: done.length };
  if (serverCpuS !== null && done.length > 0) extra.serverCpuUsPerSession = (serverCpuS / done.length) * 1e6;
  const row = makeRow({
    target: server.target,
    members: server.members,
    workload,
    ops: done.length,
    durationS,
    histogram,
    errors,
    errorSample,
    clientCpuS: (clientUsage.user + clientUsage.system) / 1e6,
    serverCpuS,
    extra,
  });
  return { done, row };
}
