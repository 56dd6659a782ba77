"""The log-linear latency histogram of bench/histogram.ts, bucket for bucket, so the coordinator
merges what this generator sends with what the TS and Go generators send: whole microseconds,
exact below 256 us, above that 128 linear buckets per power of two."""

from __future__ import annotations

import math

SUB_BITS = 7
SUB_COUNT = 1 << SUB_BITS
EXACT_LIMIT = SUB_COUNT * 2
VALUE_MAX = 2**31 - 1
BUCKET_COUNT = EXACT_LIMIT + (31 - (SUB_BITS + 1)) * SUB_COUNT


def bucket_index(value: float) -> int:
    # JavaScript's Math.round rounds halves up; Python's round() would round them to even.
    v = min(max(0, math.floor(value + 0.5)), VALUE_MAX)
    if v < EXACT_LIMIT:
        return v
    exponent = v.bit_length() - 1  # >= 8
    shift = exponent - SUB_BITS
    return EXACT_LIMIT + (exponent - (SUB_BITS + 1)) * SUB_COUNT + (v >> shift) - SUB_COUNT


class Histogram:
    def __init__(self) -> None:
        self.counts = [0] * BUCKET_COUNT
        self.count = 0
        self.min = math.inf
        self.max = 0.0
        self.sum = 0.0

    def record(self, us: float) -> None:
        """Adds one value in microseconds."""
        v = min(max(0.0, us), VALUE_MAX)
        self.counts[bucket_index(v)] += 1
        self.count += 1
        self.sum += v
        self.min = min(self.min, v)
        self.max = max(self.max, v)

    def merge(self, other: Histogram) -> None:
        for i, n in enumerate(other.counts):
            if n:
                self.counts[i] += n
        self.count += other.count
        self.sum += other.sum
        if other.count > 0:
            self.min = min(self.min, other.min)
            self.max = max(self.max, other.max)

    def data(self) -> dict[str, object]:
        """bench/histogram.ts's HistogramData: sparse [bucket index, count] pairs."""
        return {
            "buckets": [[i, n] for i, n in enumerate(self.counts) if n],
            "count": self.count,
            "min": self.min if self.count > 0 else 0,
            "max": self.max,
            "sum": self.sum,
        }
