package dev.paddock.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The log-linear latency histogram of bench/histogram.ts, bucket for bucket, so the coordinator
 * merges what this generator sends with what the TS generators send: whole microseconds, exact
 * below 256 µs, above that 128 linear buckets per power of two. Not thread-safe: one per loop.
 */
final class Histogram {
  static final int SUB_BITS = 7;
  static final int SUB_COUNT = 1 << SUB_BITS;
  static final int EXACT_LIMIT = SUB_COUNT * 2;
  static final long VALUE_MAX = (1L << 31) - 1;
  static final int BUCKET_COUNT = EXACT_LIMIT + (31 - (SUB_BITS + 1)) * SUB_COUNT;

  private final long[] counts = new long[BUCKET_COUNT];
  long count;
  double min = Double.POSITIVE_INFINITY;
  double max;
  double sum;

  static int bucketIndex(double value) {
    // Math.round rounds halves up, as JavaScript's does.
    long v = Math.min(Math.max(0, Math.round(value)), VALUE_MAX);
    if (v < EXACT_LIMIT) return (int) v;
    int exponent = 63 - Long.numberOfLeadingZeros(v); // >= 8
    int shift = exponent - SUB_BITS;
    return EXACT_LIMIT + (exponent - (SUB_BITS + 1)) * SUB_COUNT + (int) (v >> shift) - SUB_COUNT;
  }

  /** Records one value in microseconds. */
  void record(double us) {
    double v = Math.min(Math.max(0, us), VALUE_MAX);
    counts[bucketIndex(v)]++;
    count++;
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }

  void merge(Histogram o) {
    for (int i = 0; i < BUCKET_COUNT; i++) counts[i] += o.counts[i];
    count += o.count;
    sum += o.sum;
    if (o.count > 0) {
      min = Math.min(min, o.min);
      max = Math.max(max, o.max);
    }
  }

  /** bench/histogram.ts's HistogramData: sparse [bucket index, count] pairs. */
  Map<String, Object> data() {
    List<long[]> buckets = new ArrayList<>();
    for (int i = 0; i < BUCKET_COUNT; i++) if (counts[i] > 0) buckets.add(new long[] {i, counts[i]});
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("buckets", buckets);
    d.put("count", count);
    d.put("min", count > 0 ? min : 0);
    d.put("max", max);
    d.put("sum", sum);
    return d;
  }
}
