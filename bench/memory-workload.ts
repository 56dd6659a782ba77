/** The memory workload: RSS and live heap per znode, at rest after loading (see BENCHMARKS.md). */
import type { BenchOptions } from "./args.js";
import { heapAfterGc } from "./heap-stats.js";
import { Histogram } from "./histogram.js";
import type { ServerRef } from "./load-runner.js";
import { cpuDelta } from "./proc-stats.js";
import { makeRow, type RowResult } from "./report.js";
import { loadDriver } from "./targets/index.js";
import { ensurePath } from "./targets/target.js";
import { clientCpuSince, cpuOf, loadZnodes, nowMs, rssOf } from "./workload-helpers.js";

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
