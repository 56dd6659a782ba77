import unittest

from histogram import Histogram, bucket_index

# The expected indices are bench/histogram.ts's bucketIndex for the same values (and
# bench/gen-go/histogram_test.go's).
CASES = [
    (0, 0), (0.4, 0), (0.5, 1), (1, 1), (2.5, 3), (255, 255), (255.5, 256), (256, 256),
    (257, 256), (300, 278), (511, 383), (512, 384), (513, 384), (1000, 506), (1023.7, 512),
    (4096, 768), (12345.6, 960), (99999, 1347), (1e6, 1780), (123456789, 2667),
    (2147483647, 3199), (2147483653, 3199), (-3, 0),
]  # fmt: skip


class BucketIndexTest(unittest.TestCase):
    def test_matches_the_typescript_histogram(self) -> None:
        for value, index in CASES:
            with self.subTest(value=value):
                self.assertEqual(bucket_index(value), index)


class HistogramTest(unittest.TestCase):
    def test_data_is_sparse_and_merges(self) -> None:
        a, b = Histogram(), Histogram()
        a.record(10)
        a.record(10.2)
        b.record(300)
        a.merge(b)
        d = a.data()
        self.assertEqual((d["count"], d["min"], d["max"]), (3, 10, 300))
        self.assertEqual(d["buckets"], [[10, 2], [278, 1]])
        self.assertEqual(
            Histogram().data(), {"buckets": [], "count": 0, "min": 0, "max": 0, "sum": 0}
        )


if __name__ == "__main__":
    unittest.main()
