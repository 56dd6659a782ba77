/**
 * Workloads run from the coordinating process rather than the generators: watch fan-out, session
 * storm, memory per znode, recovery time and (for ensembles) failover time. Each returns one row.
 * Server CPU and RSS are summed over every server process (each member of an ensemble).
 */
import type { BenchOptions } from "./args.js";
import { heapAfterGc } from "./heap-stats.js";
import { Histogram } from "./histogram.js";
import type { ServerRef } from "./load-runner.js";
import { valueOfSize } from "./load-worker.js";
import { cpuDelta, totalCpuSeconds, totalRssBytes } from "./proc-stats.js";
import { makeRow, type RowResult } from "./report.js";
import type { EnsembleHandle, ServerHandle } from "./servers.js";
import { loadDriver } from "./targets/index.js";
import { type BenchClient, ensurePath } from "./targets/target.js";

const roundDeadlineMs = 5000;
/** Parallel opens/closes in the session storm and parallel creates while loading znodes. */
const inFlightMax = 64;

const cpuOf = (pids: readonly number[]) => totalCpuSeconds(pids);
const rssOf = (pids: readonly number[]) => totalRssBytes(pids);
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

/** Seconds after loading at which the memory workload also notes RSS per znode (those within --settle). */
export const rssCheckpointsS = [5, 10, 20, 30, 60, 120, 300] as const;

/**
 * The RSS once the server has held its data at rest for `restS` seconds: a JVM keeps the heap a
 * load grew; V8 gives a load burst's garbage back to the OS only after a full collection (its
 * memory reducer: 8 s after a major GC at the earliest, and only once it judges the allocation
 * rate low; Paddock's idle collection: 10 s after the last write), so a reading right after
 * loading measures garbage too. Also the RSS at each checkpoint reached (rssCheckpointsS).
 * Undefined if a process is gone.
 */
async function restingRss(
  pids: readonly number[],
  restS: number,
): Promise<{ rss: number; at: Map<number, number> } | undefined> {
  const t0 = nowMs();
  const until = t0 + restS * 1000;
  const at = new Map<number, number>();
  const checkpoints = rssCheckpointsS.filter((c) => c < restS);
  while (nowMs() < until) {
    const next = checkpoints.find((c) => !at.has(c));
    const wakeAt = next === undefined ? until : Math.min(until, t0 + next * 1000, nowMs() + 1000);
    await new Promise((r) => setTimeout(r, Math.max(0, wakeAt - nowMs())));
    const rss = rssOf(pids);
    if (rss === null) return undefined;
    if (next !== undefined && nowMs() >= t0 + next * 1000) at.set(next, rss);
  }
  const rss = rssOf(pids);
  return rss === null ? undefined : { rss, at };
}

/**
 * A fresh server's memory per znode after loading N znodes of 100 bytes: RSS growth 1 s after
 * loading and after `--settle` seconds at rest (from a baseline read after the fresh server rested
 * as long and had a full GC), then live heap growth after a forced full GC (ZooKeeper: jcmd GC.run and GC.heap_info;
 * Paddock: its `heap` admin command, V8's used heap plus external memory, from a forced GC before
 * loading) and the RSS just after that GC.
 */
export async function runMemory(opts: BenchOptions, server: ServerRef): Promise<RowResult> {
  const client = await (await loadDriver(server.target, opts.paddockClient, opts.topology)).connect(
    server.address,
    opts.sessionTimeoutMs,
  );
  try {
    const parent = "/bench/memory";
    await ensurePath(client, parent);
    // The baseline at rest and after a full GC: a fresh Node process holds tens of MiB of start-up
    // garbage (tsx's compiled sources among it) until a full collection (V8's memory reducer,
    // Paddock's idle collection) returns it, which would otherwise be subtracted from the growth
    // whenever that collection comes before the final reading. The JVM gets the same full GC.
    await restingRss(server.pids, opts.settleS);
    const heap0 = await heapAfterGc(server.target, server.address, server.pids);
    // A compacting GC maps its new pages before the old ones are unmapped: read RSS a moment later.
    await new Promise((r) => setTimeout(r, 1000));
    const rss0 = rssOf(server.pids);
    const cpu0 = cpuOf(server.pids);
    const cpuClient0 = process.cpuUsage();
    const histogram = new Histogram();
    const t0 = nowMs();
    const { errors, errorSample } = await loadZnodes(client, parent, opts.znodes, histogram);
    const loadS = (nowMs() - t0) / 1000;
    const clientCpuS = clientCpuSince(cpuClient0);
    const cpu1 = cpuOf(server.pids);
    await new Promise((r) => setTimeout(r, 1000)); // let deferred allocation (GC, JIT) settle a little
    const rssLoaded = rssOf(server.pids);
    const rested = opts.settleS > 0 ? await restingRss(server.pids, opts.settleS) : undefined;
    const rss1 = rested?.rss ?? rssLoaded;
    const extra: Record<string, number> = { znodes: opts.znodes };
    const n = Math.max(1, histogram.count);
    if (rss0 !== null && rss1 !== null && rssLoaded !== null) {
      extra.rssBeforeBytes = rss0;
      extra.rssLoadedBytes = rssLoaded;
      extra.rssAfterBytes = rss1;
      extra.rssGrowthBytes = rss1 - rss0;
      extra.bytesPerZnode = (rss1 - rss0) / n;
      extra.loadedBytesPerZnode = (rssLoaded - rss0) / n;
      if (rested !== undefined) {
        extra.settledAfterS = opts.settleS;
        for (const [s, rss] of rested.at) extra[`rssAt${s}sBytesPerZnode`] = (rss - rss0) / n;
      }
    }
    const heap1 = await heapAfterGc(server.target, server.address, server.pids);
    // A compacting GC maps its new pages before the old ones are unmapped: read RSS a moment later.
    await new Promise((r) => setTimeout(r, 1000));
    const rssAfterGc = rssOf(server.pids);
    if (heap0 !== null && heap1 !== null) {
      extra.liveHeapBeforeBytes = heap0.live;
      extra.liveHeapAfterBytes = heap1.live;
      extra.liveHeapBytesPerZnode = (heap1.live - heap0.live) / n;
      extra.heapUsedBytesPerZnode = (heap1.used - heap0.used) / n;
      extra.externalBytesPerZnode = (heap1.external - heap0.external) / n;
      if (heap1.gcMs !== undefined) extra.forcedGcMs = heap1.gcMs;
    }
    if (rss0 !== null && rssAfterGc !== null) {
      extra.rssAfterGcBytes = rssAfterGc;
      extra.rssAfterGcBytesPerZnode = (rssAfterGc - rss0) / n;
    }
    return makeRow({
      target: server.target,
      members: server.members,
      workload: "memory",
      ops: histogram.count,
      durationS: loadS,
      histogram,
      errors,
      errorSample,
      clientCpuS,
      serverCpuS: cpuDelta(cpu0, cpu1),
      serverRssBytes: rss1,
      extra,
      // Every member holds every znode: the figures are the ensemble's, not one member's.
      note:
        server.members > 1
          ? `RSS${heap1 !== null ? " and heap" : ""} summed over ${server.members} members`
          : undefined,
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
  const driver = await loadDriver(handle.target, opts.paddockClient, opts.topology);
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

/** How long the failover row waits for a write to succeed after the kill before giving up. */
const failoverDeadlineMs = 60_000;
/** A write still unanswered after this long gets a companion attempt (the first may be stuck on the dead leader). */
const failoverAttemptEveryMs = 250;

/**
 * The recovery workload of an ensemble: loads M znodes through the connect string, SIGKILLs the
 * leader (kill -9), and times until a setData through a session opened on the connect string before
 * the kill is acknowledged. That session may have been on the leader or on a follower (the clients
 * shuffle the connect string), as an application's would be. A session the servers expired is
 * replaced by a new one on the same connect string. Also reports when the members first agree on a
 * new leader (srvr Mode, etcd's status), polled every 20 ms.
 */
export async function runFailover(opts: BenchOptions, ensemble: EnsembleHandle): Promise<RowResult> {
  const driver = await loadDriver(ensemble.target, opts.paddockClient, opts.topology);
  const parent = "/bench/failover";
  const path = `${parent}/probe`;
  const value = valueOfSize(opts.valueSize);
  let client = await driver.connect(ensemble.address, opts.sessionTimeoutMs);
  const clients = [client];
  try {
    await ensurePath(client, parent);
    const { errors: loadErrors, errorSample: loadError } = await loadZnodes(
      client,
      parent,
      opts.znodes,
      new Histogram(),
    );
    if (loadErrors > 0) throw new Error(`loading ${opts.znodes} znodes: ${loadErrors} failed (${loadError})`);
    await client.create(path, value, "persistent");
    await client.setData(path, value); // the session is up and writing before the kill
    const leader = await ensemble.waitForLeader(30_000);

    const t0 = nowMs();
    await ensemble.killMember(leader);
    const newLeader = ensemble.waitForLeader(failoverDeadlineMs).then(
      () => nowMs() - t0,
      () => undefined,
    );
    let acked: number | undefined;
    let failures = 0;
    let lastError: string | undefined;
    let replace = false;
    const attempt = async (c: BenchClient): Promise<void> => {
      try {
        await c.setData(path, value);
        acked ??= nowMs();
      } catch (e) {
        failures++;
        lastError = (e as Error).message;
        // The session is gone (expired, or the raw adapter's stream, which never reconnects): open another.
        if (/expired|closed|session stream/i.test(lastError)) replace = true;
      }
    };
    while (acked === undefined && nowMs() - t0 < failoverDeadlineMs) {
      if (replace) {
        replace = false;
        try {
          client = await driver.connect(ensemble.address, opts.sessionTimeoutMs);
          clients.push(client);
        } catch (e) {
          failures++;
          lastError = (e as Error).message;
          await new Promise((r) => setTimeout(r, 10));
          continue;
        }
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        attempt(client),
        new Promise<void>((r) => (timer = setTimeout(r, failoverAttemptEveryMs))),
      ]);
      clearTimeout(timer);
      if (acked === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    if (acked === undefined)
      throw new Error(
        `no write succeeded within ${failoverDeadlineMs} ms of killing leader ${leader} (${lastError})`,
      );
    const failoverMs = acked - t0;
    const newLeaderMs = await newLeader;
    const histogram = new Histogram();
    histogram.record(failoverMs * 1000);
    const extra: Record<string, number> = {
      znodes: opts.znodes,
      killedMember: leader,
      failoverMs,
      failedWrites: failures,
      sessionsReplaced: clients.length - 1,
    };
    if (newLeaderMs !== undefined) extra.newLeaderMs = newLeaderMs;
    return makeRow({
      target: ensemble.target,
      members: ensemble.members,
      workload: "failover",
      ops: 1,
      durationS: failoverMs / 1000,
      histogram,
      errors: 0,
      errorSample: failures > 0 ? `${failures} writes failed meanwhile, last: ${lastError}` : undefined,
      clientCpuS: 0,
      serverCpuS: null,
      extra,
    });
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}
