package main

import (
	"math"
	"math/bits"
)

// The log-linear latency histogram of bench/histogram.ts, bucket for bucket, so the coordinator
// merges what this generator sends with what the TS generators send: whole microseconds, exact
// below 256 µs, above that 128 linear buckets per power of two.
const (
	subBits           = 7
	subCount          = 1 << subBits
	exactLimit        = subCount * 2
	histogramValueMax = 1<<31 - 1
	bucketCount       = exactLimit + (31-(subBits+1))*subCount
)

func bucketIndex(value float64) int {
	v := int64(math.Min(math.Max(0, math.Round(value)), histogramValueMax))
	if v < exactLimit {
		return int(v)
	}
	exponent := 63 - bits.LeadingZeros64(uint64(v)) // ≥ 8
	shift := exponent - subBits
	return exactLimit + (exponent-(subBits+1))*subCount + int(v>>shift) - subCount
}

type histogram struct {
	counts   [bucketCount]float64
	count    float64
	min, max float64
	sum      float64
}

func newHistogram() *histogram { return &histogram{min: math.Inf(1)} }

// record adds one value in microseconds.
func (h *histogram) record(us float64) {
	v := math.Min(math.Max(0, us), histogramValueMax)
	h.counts[bucketIndex(v)]++
	h.count++
	h.sum += v
	h.min = math.Min(h.min, v)
	h.max = math.Max(h.max, v)
}

func (h *histogram) merge(o *histogram) {
	for i, n := range o.counts {
		h.counts[i] += n
	}
	h.count += o.count
	h.sum += o.sum
	if o.count > 0 {
		h.min = math.Min(h.min, o.min)
		h.max = math.Max(h.max, o.max)
	}
}

// histogramData is bench/histogram.ts's HistogramData: sparse [bucket index, count] pairs.
type histogramData struct {
	Buckets [][2]float64 `json:"buckets"`
	Count   float64      `json:"count"`
	Min     float64      `json:"min"`
	Max     float64      `json:"max"`
	Sum     float64      `json:"sum"`
}

func (h *histogram) data() histogramData {
	d := histogramData{Buckets: [][2]float64{}, Count: h.count, Max: h.max, Sum: h.sum}
	for i, n := range h.counts {
		if n > 0 {
			d.Buckets = append(d.Buckets, [2]float64{float64(i), n})
		}
	}
	if h.count > 0 {
		d.Min = h.min
	}
	return d
}
