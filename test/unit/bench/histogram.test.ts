import { describe, expect, it } from "vitest";
import { bucketHighest, bucketIndex, Histogram, histogramValueMax } from "../../../bench/histogram.js";

describe("latency histogram", () => {
  it("is exact below 256 µs: nearest-rank percentiles of 1..100", () => {
    const h = new Histogram();
    for (let v = 1; v <= 100; v++) h.record(v);
    expect(h.percentile(50)).toBe(50);
    expect(h.percentile(90)).toBe(90);
    expect(h.percentile(99)).toBe(99);
    expect(h.percentile(99.9)).toBe(100);
    expect(h.percentile(100)).toBe(100);
    expect(h.percentile(0)).toBe(1);
    expect(h.mean()).toBe(50.5);
  });

  it("keeps larger values within 1/128 and never reports below the true value", () => {
    for (const v of [256, 257, 1000, 12_345, 999_999, 60_000_000]) {
      const high = bucketHighest(bucketIndex(v));
      expect(high).toBeGreaterThanOrEqual(v);
      expect((high - v) / v).toBeLessThan(1 / 128);
    }
  });

  it("maps buckets monotonically and covers the whole range", () => {
    let previous = -1;
    for (let v = 0; v < 2_000_000; v = v < 1000 ? v + 1 : Math.ceil(v * 1.003)) {
      const i = bucketIndex(v);
      expect(i).toBeGreaterThanOrEqual(previous);
      previous = i;
    }
    expect(bucketHighest(bucketIndex(histogramValueMax))).toBe(histogramValueMax);
  });

  it("caps a percentile at the recorded maximum", () => {
    const h = new Histogram();
    h.record(1001);
    expect(h.percentile(50)).toBe(1001);
  });

  it("merges serialized parts to the same percentiles as one histogram", () => {
    const whole = new Histogram();
    const a = new Histogram();
    const b = new Histogram();
    for (let i = 0; i < 5000; i++) {
      const v = (i * 7919) % 20_000;
      whole.record(v);
      (i % 2 === 0 ? a : b).record(v);
    }
    const merged = Histogram.fromData(a.toData());
    merged.merge(b.toData());
    for (const q of [50, 90, 99, 99.9]) expect(merged.percentile(q)).toBe(whole.percentile(q));
    expect(merged.count).toBe(5000);
    expect(merged.min).toBe(whole.min);
    expect(merged.max).toBe(whole.max);
  });

  it("reports zeros when empty", () => {
    const h = new Histogram();
    expect(h.percentile(99)).toBe(0);
    expect(h.toData()).toEqual({ buckets: [], count: 0, min: 0, max: 0, sum: 0 });
  });
});
