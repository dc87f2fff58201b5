import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  histogram,
  percentile,
  renderHistogram,
  spread,
  summarizeLatency,
} from "../../lib/internal.ts";

describe("bench stats", () => {
  it("takes nearest-rank percentiles", () => {
    const v = Float64Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    assert.equal(percentile(v, 50), 50);
    assert.equal(percentile(v, 90), 90);
    assert.equal(percentile(v, 99), 99);
    assert.equal(percentile(v, 99.9), 100);
    assert.equal(percentile(v, 0), 1);
    assert.equal(percentile(v, 100), 100);
    assert.equal(percentile([7], 50), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it("summarizes latency samples in any order without changing them", () => {
    const samples = [5, 1, 4, 2, 3];
    const s = summarizeLatency(samples);
    assert.deepEqual(samples, [5, 1, 4, 2, 3]);
    assert.deepEqual(s, { count: 5, mean: 3, min: 1, p50: 3, p90: 5, p99: 5, p999: 5, max: 5 });
    // p99.9 needs 1000 samples to differ from the max
    const many = Array.from({ length: 2000 }, (_, i) => i);
    const m = summarizeLatency(many);
    assert.equal(m.p999, 1997);
    assert.equal(m.max, 1999);
  });

  it("buckets a histogram on a 1-2-5 scale, trimming empty ends only", () => {
    const b = histogram([3, 4, 30, 31, 32, 0.5]);
    assert.deepEqual(b.map((x) => [x.from, x.to, x.count]), [
      [0, 1, 1],
      [1, 2, 0],
      [2, 5, 2],
      [5, 10, 0],
      [10, 20, 0],
      [20, 50, 3],
    ]);
    assert.equal(b.reduce((n, x) => n + x.count, 0), 6);
    const h = histogram([12, 13]);
    assert.deepEqual(h.map((x) => [x.from, x.to, x.count]), [[10, 20, 2]]);
    assert.deepEqual(histogram([]), []);
  });

  it("renders one bar line per bucket with counts and shares", () => {
    const lines = renderHistogram(
      [
        { from: 10, to: 20, count: 3 },
        { from: 20, to: 50, count: 1 },
      ],
      "us",
      8,
    );
    assert.deepEqual(lines, ["  10–20 us  ######## 3 (75.0%)", "  20–50 us  ### 1 (25.0%)"]);
  });

  it("reports median, range and ±half-range of repeated runs", () => {
    assert.deepEqual(spread([100, 90, 110]), { median: 100, min: 90, max: 110, halfRangePct: 10 });
    assert.equal(spread([1, 3]).median, 2);
    assert.ok(Number.isNaN(spread([]).median));
  });
});
