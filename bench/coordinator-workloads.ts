/**
 * Workloads run from the coordinating process rather than the generators: watch fan-out and
 * session storm here; memory per znode (memory-workload.ts); recovery and failover time
 * (failure-workloads.ts). Each returns one row. Server CPU and RSS are summed over every server
 * process (each member of an ensemble).
 */
import type { BenchOptions } from "./args.js";
import { Histogram } from "./histogram.js";
import type { ServerRef } from "./load-runner.js";
import { valueOfSize } from "./load-worker.js";
import { cpuDelta } from "./proc-stats.js";
import { makeRow, type RowResult } from "./report.js";
import { loadDriver } from "./targets/index.js";
import { type BenchClient, ensurePath } from "./targets/target.js";
import {
  clientCpuSince,
  cpuOf,
  inFlightMax,
  inParallel,
  nowMs,
  roundDeadlineMs,
  rssOf,
} from "./workload-helpers.js";

/**
 * W sessions each watch one znode; a writer sets it, then re-arms. The histogram is the time from
 * sending the write to each notification: measured from the write's ack instead, most values would
 * be negative, since ZooKeeper (and Paddock, by the same apply-then-reply order) notify the other
 * sessions before the writer's reply leaves. The ack-relative view is kept as counts in `extra`.
 */
export async function runWatchFanOut(opts: BenchOptions, server: ServerRef): Promise<RowResult> {
  const driver = await loadDriver(server.target, opts.paddockClient, opts.topology);
  const writer = await driver.connect(server.address, opts.sessionTimeoutMs);
  const watchers = await inParallel(opts.watchers, inFlightMax, () =>
    driver.connect(server.address, opts.sessionTimeoutMs),
  );
  const path = `/bench/watch-${Date.now().toString(36)}`;
  const value = valueOfSize(opts.valueSize);
  const histogram = new Histogram();
  let errors = 0;
  let errorSample: string | undefined;
  let early = 0;
  let rounds = 0;
  let fanOutTotalUs = 0;
  let ackToLastTotalUs = 0;
  const cpuClient0 = process.cpuUsage();
  try {
    await ensurePath(writer, "/bench");
    await writer.create(path, value, "persistent");
    const warmupEnd = nowMs() + opts.warmupS * 1000;
    let measureStart = Number.NaN;
    let cpuStart: number | null = null;
    const wantedRounds =
      opts.ops === undefined ? Number.POSITIVE_INFINITY : Math.ceil(opts.ops / opts.watchers);
    for (;;) {
      const now = nowMs();
      const measuring = now >= warmupEnd;
      if (measuring && Number.isNaN(measureStart)) {
        measureStart = now;
        cpuStart = cpuOf(server.pids);
      }
      if (measuring && (now - measureStart >= opts.durationS * 1000 || rounds >= wantedRounds)) break;
      const notified: number[] = [];
      let allNotified: () => void = () => {};
      const complete = new Promise<void>((r) => (allNotified = r));
      await Promise.all(
        watchers.map((w) =>
          w.watchData(path, () => {
            notified.push(nowMs());
            if (notified.length === watchers.length) allNotified();
          }),
        ),
      );
      const t0 = nowMs();
      await writer.setData(path, value);
      const ack = nowMs();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([complete, new Promise<void>((r) => (timer = setTimeout(r, roundDeadlineMs)))]);
      clearTimeout(timer);
      if (!measuring) continue;
      rounds++;
      const missing = watchers.length - notified.length;
      if (missing > 0) {
        errors += missing;
        errorSample ??= `${missing} of ${watchers.length} watchers not notified within ${roundDeadlineMs} ms`;
      }
      for (const t of notified) {
        if (t < ack) early++;
        histogram.record((t - t0) * 1000);
      }
      if (notified.length > 0) {
        const lastAt = Math.max(...notified);
        fanOutTotalUs += (lastAt - t0) * 1000;
        ackToLastTotalUs += (lastAt - ack) * 1000;
      }
    }
    const elapsedS = (nowMs() - measureStart) / 1000;
    return makeRow({
      target: server.target,
      members: server.members,
      workload: "watch",
      ops: histogram.count,
      durationS: elapsedS,
      histogram,
      errors,
      errorSample,
      clientCpuS: clientCpuSince(cpuClient0),
      serverCpuS: cpuDelta(cpuStart, cpuOf(server.pids)),
      serverRssBytes: rssOf(server.pids),
      extra: {
        watchers: opts.watchers,
        rounds,
        earlyNotifications: early,
        meanFanOutUs: rounds > 0 ? fanOutTotalUs / rounds : 0,
        meanAckToLastNotificationUs: rounds > 0 ? ackToLastTotalUs / rounds : 0,
      },
    });
  } finally {
    await Promise.allSettled([writer, ...watchers].map((c) => c.close()));
  }
}

/** Opens N sessions (64 at a time), holds them, and measures open latency, RSS and idle CPU per session. */
export async function runSessionStorm(opts: BenchOptions, server: ServerRef): Promise<RowResult> {
  const driver = await loadDriver(server.target, opts.paddockClient, opts.topology);
  const holdMs = Math.min(5000, opts.durationS * 1000);
  const histogram = new Histogram();
  const rss0 = rssOf(server.pids);
  const cpu0 = cpuOf(server.pids);
  const cpuClient0 = process.cpuUsage();
  const t0 = nowMs();
  let errors = 0;
  let errorSample: string | undefined;
  const sessions = await inParallel(opts.sessions, inFlightMax, async () => {
    const s0 = nowMs();
    try {
      const s = await driver.connect(server.address, opts.sessionTimeoutMs);
      histogram.record((nowMs() - s0) * 1000);
      return s;
    } catch (e) {
      errors++;
      errorSample ??= (e as Error).message;
      return undefined;
    }
  });
  const openS = (nowMs() - t0) / 1000;
  const cpu1 = cpuOf(server.pids);
  const clientCpuS = clientCpuSince(cpuClient0);
  const open = sessions.filter((s): s is BenchClient => s !== undefined);
  await new Promise((r) => setTimeout(r, holdMs));
  const rss1 = rssOf(server.pids);
  const cpu2 = cpuOf(server.pids);
  await inParallel(open.length, inFlightMax, (i) => open[i]!.close().catch(() => {}));
  const extra: Record<string, number> = { sessions: open.length, holdMs };
  if (rss0 !== null && rss1 !== null && open.length > 0) {
    extra.rssGrowthBytes = rss1 - rss0;
    extra.rssPerSessionBytes = (rss1 - rss0) / open.length;
  }
  const holdCpu = cpuDelta(cpu1, cpu2);
  if (holdCpu !== null) extra.idleServerCpuPct = (holdCpu / (holdMs / 1000)) * 100;
  return makeRow({
    target: server.target,
    members: server.members,
    workload: "sessions",
    ops: open.length,
    durationS: openS,
    histogram,
    errors,
    errorSample,
    clientCpuS,
    serverCpuS: cpuDelta(cpu0, cpu1),
    serverRssBytes: rss1,
    extra,
  });
}
