import { describe, expect, it } from "vitest";
import {
  processCpuSeconds,
  processRssBytes,
  totalCpuSeconds,
  totalRssBytes,
} from "../../../bench/proc-stats.js";

describe("server CPU and RSS over several processes", () => {
  it("sums over the members' pids", () => {
    const rss = processRssBytes(process.pid)!;
    expect(rss).toBeGreaterThan(0);
    const twice = totalRssBytes([process.pid, process.pid])!;
    // RSS moves a little between the readings.
    expect(twice).toBeGreaterThan(1.5 * rss);
    expect(twice).toBeLessThan(2.5 * rss);
    const cpu = processCpuSeconds(process.pid)!;
    expect(totalCpuSeconds([process.pid, process.pid])).toBeGreaterThanOrEqual(2 * cpu);
  });

  it("gives no figure for no pids, or when one process is gone", () => {
    expect(totalCpuSeconds([])).toBeNull();
    expect(totalRssBytes([])).toBeNull();
    expect(totalCpuSeconds([process.pid, 2 ** 22 + 1])).toBeNull();
    expect(totalRssBytes([2 ** 22 + 1])).toBeNull();
  });
});
