package main

import "testing"

// The expected indices are bench/histogram.ts's bucketIndex for the same values.
func TestBucketIndexMatchesTheTypeScriptHistogram(t *testing.T) {
	cases := []struct {
		value float64
		index int
	}{
		{0, 0}, {0.4, 0}, {0.5, 1}, {1, 1}, {255, 255}, {255.5, 256}, {256, 256}, {257, 256},
		{300, 278}, {511, 383}, {512, 384}, {513, 384}, {1000, 506}, {1023.7, 512}, {4096, 768},
		{12345.6, 960}, {99999, 1347}, {1e6, 1780}, {123456789, 2667}, {2147483647, 3199},
		{2147483653, 3199}, {-3, 0},
	}
	for _, c := range cases {
		if got := bucketIndex(c.value); got != c.index {
			t.Errorf("bucketIndex(%v) = %d, want %d", c.value, got, c.index)
		}
	}
}

func TestHistogramDataIsSparseAndMerges(t *testing.T) {
	a, b := newHistogram(), newHistogram()
	a.record(10)
	a.record(10.2)
	b.record(300)
	a.merge(b)
	d := a.data()
	if d.Count != 3 || d.Min != 10 || d.Max != 300 || len(d.Buckets) != 2 {
		t.Fatalf("data = %+v", d)
	}
	if d.Buckets[0] != [2]float64{10, 2} || d.Buckets[1] != [2]float64{278, 1} {
		t.Fatalf("buckets = %v", d.Buckets)
	}
	if e := newHistogram().data(); e.Count != 0 || e.Min != 0 || len(e.Buckets) != 0 {
		t.Fatalf("empty = %+v", e)
	}
}
