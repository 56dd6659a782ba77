/** Helpers shared by the workloads the coordinating process runs (coordinator-workloads.ts, memory-workload.ts, failure-workloads.ts). */
import type { Histogram } from "./histogram.js";
import { valueOfSize } from "./load-worker.js";
import { totalCpuSeconds, totalRssBytes } from "./proc-stats.js";
import type { BenchClient } from "./targets/target.js";

export const roundDeadlineMs = 5000;
/** Parallel opens/closes in the session storm and parallel creates while loading znodes. */
export const inFlightMax = 64;

export const cpuOf = (pids: readonly number[]) => totalCpuSeconds(pids);
export const rssOf = (pids: readonly number[]) => totalRssBytes(pids);
export const nowMs = () => performance.now();
/** CPU of this (coordinating) process since `start`, in seconds. */
export const clientCpuSince = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
};

export async function inParallel<T>(
  count: number,
  limit: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
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

/** Creates `count` 100-byte znodes under `parent`, 64 in flight, recording each create's latency. */
export async function loadZnodes(client: BenchClient, parent: string, count: number, histogram: Histogram) {
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
