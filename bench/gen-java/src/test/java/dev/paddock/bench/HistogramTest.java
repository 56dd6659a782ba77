package dev.paddock.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistogramTest {
  /** The expected indices are bench/histogram.ts's bucketIndex for the same values. */
  @Test
  void bucketIndexMatchesTheTypeScriptHistogram() {
    double[][] cases = {
      {0, 0}, {0.4, 0}, {0.5, 1}, {1, 1}, {2.5, 3}, {255, 255}, {255.5, 256}, {256, 256},
      {257, 256}, {300, 278}, {511, 383}, {512, 384}, {513, 384}, {1000, 506}, {1023.7, 512},
      {4096, 768}, {12345.6, 960}, {99999, 1347}, {1e6, 1780}, {123456789, 2667},
      {2147483647, 3199}, {2147483653.0, 3199}, {-3, 0},
    };
    for (double[] c : cases)
      assertEquals((int) c[1], Histogram.bucketIndex(c[0]), "bucketIndex(" + c[0] + ")");
  }

  @Test
  void dataIsSparseAndMerges() {
    Histogram a = new Histogram();
    Histogram b = new Histogram();
    a.record(10);
    a.record(10.2);
    b.record(300);
    a.merge(b);
    Map<String, Object> d = a.data();
    assertEquals(3L, d.get("count"));
    assertEquals(10.0, d.get("min"));
    assertEquals(300.0, d.get("max"));
    @SuppressWarnings("unchecked")
    List<long[]> buckets = (List<long[]>) d.get("buckets");
    assertEquals(2, buckets.size());
    assertArrayEquals(new long[] {10, 2}, buckets.get(0));
    assertArrayEquals(new long[] {278, 1}, buckets.get(1));
    Map<String, Object> empty = new Histogram().data();
    assertEquals(0L, empty.get("count"));
    assertEquals(0.0, empty.get("min"));
    assertEquals(List.of(), empty.get("buckets"));
  }
}
