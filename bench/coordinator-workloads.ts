/**
 * Workloads run from the coordinating process rather than the generators: watch fan-out, session
 * storm, memory per znode and recovery time. Each returns one row.
 */
import type { BenchOptions } from "./args.js";
import { Histogram } from "./histogram.js";
import type { ServerRef } from "./load-runner.js";
import { valueOfSize } from "./load-worker.js";
import { cpuDelta, javaHeapUsedAfterGc, processCpuSeconds, processRssBytes } from "./proc-stats.js";
import { makeRow, type RowResult } from "./report.js";
import type { ServerHandle } from "./servers.js";
import { loadDriver } from "./targets/index.js";
import { type BenchClient, ensurePath } from "./targets/target.js";

const roundDeadlineMs = 5000;
/** Parallel opens/closes in the session storm and parallel creates while loading znodes. */
const inFlightMax = 64;

const cpuOf = (pid: number | undefined) => (pid === undefined ? null : processCpuSeconds(pid));
const rssOf = (pid: number | undefined) => (pid === undefined ? null : processRssBytes(pid));
const nowMs = () => performance.now();
/** CPU of this (coordinating) process since `start`, in seconds. */
const clientCpuSince = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
};

async function inParallel<T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  return out;
}

/**
 * W sessions each watch one znode; a writer sets it, then re-arms. The histogram is the time from
 * sending the write to each notification: measured from the write's ack instead, most values would
 * be negative, since ZooKeeper (and Paddock, by the same apply-then-reply order) notify the other
 * sessions before the writer's reply leaves. The ack-relative view is kept as counts in `extra`.
 */
export async function runWatchFanOut(opts: BenchOptions, server: ServerRef): Promise<RowResult> {
  const driver = await loadDriver(server.target, opts.paddockClient);
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
        cpuStart = cpuOf(server.pid);
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
      workload: "watch",
      ops: histogram.count,
      durationS: elapsedS,
      histogram,
      errors,
      errorSample,
      clientCpuS: clientCpuSince(cpuClient0),
      serverCpuS: cpuDelta(cpuStart, cpuOf(server.pid)),
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
  const driver = await loadDriver(server.target, opts.paddockClient);
  const holdMs = Math.min(5000, opts.durationS * 1000);
  const histogram = new Histogram();
  const rss0 = rssOf(server.pid);
  const cpu0 = cpuOf(server.pid);
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
  const cpu1 = cpuOf(server.pid);
  const clientCpuS = clientCpuSince(cpuClient0);
  const open = sessions.filter((s): s is BenchClient => s !== undefined);
  await new Promise((r) => setTimeout(r, holdMs));
  const rss1 = rssOf(server.pid);
  const cpu2 = cpuOf(server.pid);
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
    workload: "sessions",
    ops: open.length,
    durationS: openS,
    histogram,
    errors,
    errorSample,
    clientCpuS,
    serverCpuS: cpuDelta(cpu0, cpu1),
    extra,
  });
}

/** Creates `count` 100-byte znodes under `parent`, 64 in flight, recording each create's latency. */
async function loadZnodes(client: BenchClient, parent: string, count: number, histogram: Histogram) {
  const value = valueOfSize(100);
  let errors = 0;
  let errorSample: string | undefined;
  await inParallel(count, inFlightMax, async (i) => {
    const s0 = nowMs();
    try {
      await client.create(`${parent}/z${i}`, value, "persistent");
      histogram.record((nowMs() - s0) * 1000);
    } catch (e) {
      errors++;
      errorSample ??= (e as Error).message;
    }
  });
  return { errors, errorSample };
}

/** RSS growth of a fresh server after loading N znodes of 100 bytes. */
export async function runMemory(opts: BenchOptions, server: ServerRef): Promise<RowResult> {
  const client = await (await loadDriver(server.target, opts.paddockClient)).connect(
    server.address,
    opts.sessionTimeoutMs,
  );
  try {
    const parent = "/bench/memory";
    await ensurePath(client, parent);
    const java = server.target === "zookeeper" && server.pid !== undefined;
    const heap0 = java ? javaHeapUsedAfterGc(server.pid!) : null;
    const rss0 = rssOf(server.pid);
    const cpu0 = cpuOf(server.pid);
    const cpuClient0 = process.cpuUsage();
    const histogram = new Histogram();
    const t0 = nowMs();
    const { errors, errorSample } = await loadZnodes(client, parent, opts.znodes, histogram);
    const loadS = (nowMs() - t0) / 1000;
    const clientCpuS = clientCpuSince(cpuClient0);
    const cpu1 = cpuOf(server.pid);
    await new Promise((r) => setTimeout(r, 1000)); // let deferred allocation (GC, JIT) settle a little
    const rss1 = rssOf(server.pid);
    const extra: Record<string, number> = { znodes: opts.znodes };
    if (rss0 !== null && rss1 !== null) {
      extra.rssBeforeBytes = rss0;
      extra.rssAfterBytes = rss1;
      extra.rssGrowthBytes = rss1 - rss0;
      extra.bytesPerZnode = (rss1 - rss0) / Math.max(1, histogram.count);
    }
    const heap1 = java ? javaHeapUsedAfterGc(server.pid!) : null;
    if (heap0 !== null && heap1 !== null)
      extra.heapBytesPerZnode = (heap1 - heap0) / Math.max(1, histogram.count);
    return makeRow({
      target: server.target,
      workload: "memory",
      ops: histogram.count,
      durationS: loadS,
      histogram,
      errors,
      errorSample,
      clientCpuS,
      serverCpuS: cpuDelta(cpu0, cpu1),
      extra,
    });
  } finally {
    await client.close().catch(() => {});
  }
}

/**
 * Loads M znodes, SIGKILLs the server, starts it again on the same data dir and times until the
 * first and the last znodes written read back. A server that restarts empty reports "n/a (no durability)".
 */
export async function runRecovery(
  opts: BenchOptions,
  handle: ServerHandle,
): Promise<{ row: RowResult; handle: ServerHandle }> {
  const driver = await loadDriver(handle.target, opts.paddockClient);
  const client = await driver.connect(handle.address, opts.sessionTimeoutMs);
  const parent = "/bench/recovery";
  const loadHistogram = new Histogram();
  try {
    await ensurePath(client, parent);
    await loadZnodes(client, parent, opts.znodes, loadHistogram);
  } finally {
    await client.close().catch(() => {});
  }
  const last = `${parent}/z${opts.znodes - 1}`;
  const t0 = nowMs();
  await handle.kill();
  const restarted = await handle.restart();
  const readyMs = nowMs() - t0;
  const histogram = new Histogram();
  let note: string | undefined;
  let recoveryMs = Number.NaN;
  let errorSample: string | undefined;
  let probe: BenchClient | undefined;
  try {
    probe = await driver.connect(restarted.address, opts.sessionTimeoutMs);
    await probe.getData(`${parent}/z0`);
    await probe.getData(last);
    recoveryMs = nowMs() - t0;
    histogram.record(recoveryMs * 1000);
  } catch (e) {
    errorSample = (e as Error).message;
    note = handle.target === "paddock" ? "n/a (no durability)" : "n/a (znodes lost on restart)";
  } finally {
    await probe?.close().catch(() => {});
  }
  const extra: Record<string, number> = { znodes: opts.znodes, readyMs };
  if (note === undefined) {
    extra.recoveryMs = recoveryMs;
  }
  const row = makeRow({
    target: handle.target,
    workload: "recovery",
    ops: note === undefined ? 1 : 0,
    durationS: note === undefined ? recoveryMs / 1000 : 0,
    histogram,
    errors: note === undefined ? 0 : 1,
    errorSample,
    clientCpuS: 0,
    serverCpuS: null,
    extra,
    note,
  });
  return { row, handle: restarted };
}
