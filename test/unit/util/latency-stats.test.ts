import { describe, expect, it } from "vitest";
import { LatencyStats } from "../../../server/util/latency-stats.js";

describe("LatencyStats", () => {
  it("keeps count, sum, min, max and quantiles within a bucket's width", () => {
    const s = new LatencyStats();
    expect([s.count, s.min, s.max, s.avg, s.quantile(0.5)]).toEqual([0, 0, 0, 0, 0]);
    for (let i = 1; i <= 1000; i++) s.record(i / 10);
    expect(s.count).toBe(1000);
    expect(s.min).toBeCloseTo(0.1);
    expect(s.max).toBeCloseTo(100);
    expect(s.avg).toBeCloseTo(50.05);
    // Four buckets per power of two: within 19% of the true quantile.
    for (const [q, truth] of [
      [0.5, 50],
      [0.9, 90],
      [0.99, 99],
    ] as const) {
      expect(Math.abs(s.quantile(q) - truth) / truth).toBeLessThan(0.19);
    }
    expect(s.quantile(1)).toBeLessThanOrEqual(s.max);
  });

  it("counts negative and NaN durations as 0 and resets to empty", () => {
    const s = new LatencyStats();
    s.record(-5);
    s.record(Number.NaN);
    expect([s.count, s.sum, s.min, s.max]).toEqual([2, 0, 0, 0]);
    s.record(1e12);
    expect(s.quantile(0.99)).toBe(1e12);
    s.reset();
    expect([s.count, s.sum, s.min, s.max, s.quantile(0.5)]).toEqual([0, 0, 0, 0, 0]);
  });
});
