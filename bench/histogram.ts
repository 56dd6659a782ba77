/**
 * A log-linear latency histogram in whole microseconds (HdrHistogram's idea, about 0.8 % precision):
 * values below 256 µs are exact, above that each power of two is cut into 128 linear buckets.
 * Small (3.2k counters), mergeable across generator processes, and serializable as sparse pairs.
 */

const subBits = 7;
const subCount = 1 << subBits; // buckets per power of two above the exact range
const exactLimit = subCount * 2; // 256: below this, one bucket per microsecond
/** Largest value kept; larger values are clamped (35 minutes is far past any sane latency). */
export const histogramValueMax = 2 ** 31 - 1;
const bucketCount = exactLimit + (31 - (subBits + 1)) * subCount;

export function bucketIndex(value: number): number {
  const v = Math.min(Math.max(0, Math.round(value)), histogramValueMax);
  if (v < exactLimit) return v;
  const exponent = 31 - Math.clz32(v); // ≥ 8
  const shift = exponent - subBits;
  return exactLimit + (exponent - (subBits + 1)) * subCount + ((v >>> shift) - subCount);
}

/** The highest value that lands in bucket `index` (reported for percentiles: never flatters). */
export function bucketHighest(index: number): number {
  if (index < exactLimit) return index;
  const rel = index - exactLimit;
  const exponent = Math.floor(rel / subCount) + subBits + 1;
  const shift = exponent - subBits;
  const mantissa = (rel % subCount) + subCount;
  return (mantissa + 1) * 2 ** shift - 1;
}

export interface HistogramData {
  /** [bucket index, count] for each non-empty bucket. */
  buckets: [number, number][];
  count: number;
  min: number;
  max: number;
  sum: number;
}

export class Histogram {
  private readonly counts = new Float64Array(bucketCount);
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  sum = 0;

  /** Records one value in microseconds. */
  record(valueUs: number): void {
    const v = Math.min(Math.max(0, valueUs), histogramValueMax);
    this.counts[bucketIndex(v)]! += 1;
    this.count += 1;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  merge(other: Histogram | HistogramData): void {
    const data = other instanceof Histogram ? other.toData() : other;
    for (const [index, n] of data.buckets) this.counts[index]! += n;
    this.count += data.count;
    this.sum += data.sum;
    if (data.count > 0) {
      this.min = Math.min(this.min, data.min);
      this.max = Math.max(this.max, data.max);
    }
  }

  /**
   * The smallest bucket value v such that at least q % of the recorded values are ≤ v (the
   * nearest-rank definition); the exact maximum for q = 100; 0 when empty.
   */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    if (q >= 100) return this.max;
    const rank = Math.max(1, Math.ceil((q / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < bucketCount; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(bucketHighest(i), this.max);
    }
    return this.max;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  toData(): HistogramData {
    const buckets: [number, number][] = [];
    for (let i = 0; i < bucketCount; i++) if (this.counts[i]! > 0) buckets.push([i, this.counts[i]!]);
    return { buckets, count: this.count, min: this.count === 0 ? 0 : this.min, max: this.max, sum: this.sum };
  }

  static fromData(data: HistogramData): Histogram {
    const h = new Histogram();
    h.merge(data);
    return h;
  }
}
