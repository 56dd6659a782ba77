/**
 * A running summary of durations in milliseconds (or any non-negative sizes): count, sum, min, max
 * and a fixed log-linear histogram, in plain number fields and one preallocated array. Recording
 * allocates nothing and looks nothing up, so the hot path can afford it; quantiles and averages are
 * worked out only when someone reads them (a scrape, `mntr`).
 */

/** Sub-buckets per power of two: a quantile is within about 19% of the true value. */
const STEPS_PER_OCTAVE = 4;
/** Values from 1 µs to about 2^26 ms (18 hours) fall in distinct buckets; outside, the ends. */
const OFFSET_OCTAVES = 10;
const BUCKETS = (OFFSET_OCTAVES + 26) * STEPS_PER_OCTAVE;

/** The bucket of a value, for LatencyStats.add. */
export function bucketOf(value: number): number {
  if (!(value > 0)) return 0;
  const i = Math.floor((Math.log2(value) + OFFSET_OCTAVES) * STEPS_PER_OCTAVE);
  return i < 0 ? 0 : i >= BUCKETS ? BUCKETS - 1 : i;
}

export class LatencyStats {
  count = 0;
  sum = 0;
  /** 0 until the first value, as ZooKeeper's min_latency. */
  min = 0;
  max = 0;
  private readonly buckets = new Float64Array(BUCKETS);

  record(value: number): void {
    this.add(value, bucketOf(value));
  }

  /** record() with the bucket worked out once by the caller (one value into several summaries). */
  add(value: number, bucket: number): void {
    // Negative or NaN (a clock step) counts as 0.
    const v = Number.isFinite(value) && value > 0 ? value : 0;
    if (this.count === 0 || v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.count++;
    this.sum += v;
    this.buckets[bucket]!++;
  }

  get avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** The q-quantile (0 < q ≤ 1) estimated from the buckets, clamped to [min, max]; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = q * this.count;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) {
        // The last bucket has no upper edge: everything past it is at most max.
        if (i === BUCKETS - 1) return this.max;
        // The bucket's geometric middle.
        const estimate = 2 ** ((i + 0.5) / STEPS_PER_OCTAVE - OFFSET_OCTAVES);
        return Math.min(this.max, Math.max(this.min, estimate));
      }
    }
    return this.max;
  }

  /** ZooKeeper's `srst`: everything back to empty. */
  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = 0;
    this.max = 0;
    this.buckets.fill(0);
  }
}
