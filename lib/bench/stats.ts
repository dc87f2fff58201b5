// SPDX-License-Identifier: MIT
/**
 * Statistics for benchmark results: percentiles of latency samples (nearest-rank, as
 * HdrHistogram and wrk report them), a log-scale histogram for the terminal, and the
 * median-and-spread summary of repeated runs.
 */

/** The nearest-rank percentile `p` (0–100) of ascending `sorted` values; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (p <= 0) return sorted[0]!;
  if (p >= 100) return sorted[n - 1]!;
  const rank = Math.ceil((p * n) / 100 - 1e-9); // 99.9 × 2000 / 100 is 1998, not 1998.0000001
  return sorted[Math.max(0, rank - 1)]!;
}

export interface LatencySummary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Mean, min, max and p50/p90/p99/p99.9 of `samples` (any order; not modified). */
export function summarizeLatency(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples as ArrayLike<number>).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : NaN,
    min: percentile(sorted, 0),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: percentile(sorted, 100),
  };
}

export interface Bucket {
  /** Inclusive lower bound. */
  from: number;
  /** Exclusive upper bound. */
  to: number;
  count: number;
}

/**
 * Buckets with bounds 1, 2, 5, 10, 20, 50, … (in the samples' unit) covering `samples`;
 * empty buckets at both ends are left out, those in between kept.
 */
export function histogram(samples: ArrayLike<number>): Bucket[] {
  const bounds: number[] = [0];
  let max = 0;
  for (let i = 0; i < samples.length; i++) if (samples[i]! > max) max = samples[i]!;
  for (let decade = 1; bounds[bounds.length - 1]! <= max; decade *= 10) {
    bounds.push(decade, 2 * decade, 5 * decade);
  }
  const buckets: Bucket[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    buckets.push({ from: bounds[i]!, to: bounds[i + 1]!, count: 0 });
  }
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    let lo = 0, hi = buckets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (buckets[mid]!.from <= v) lo = mid;
      else hi = mid - 1;
    }
    if (buckets.length) buckets[lo]!.count++;
  }
  let first = 0, last = buckets.length - 1;
  while (first <= last && buckets[first]!.count === 0) first++;
  while (last >= first && buckets[last]!.count === 0) last--;
  return buckets.slice(first, last + 1);
}

/** Text bars for `buckets`, one line each: `  20–50 us  ████████ 1234 (61.7%)`. */
export function renderHistogram(buckets: Bucket[], unit = "us", width = 40): string[] {
  const total = buckets.reduce((s, b) => s + b.count, 0);
  const top = Math.max(1, ...buckets.map((b) => b.count));
  const label = (b: Bucket) => `${b.from}–${b.to} ${unit}`;
  const pad = Math.max(0, ...buckets.map((b) => label(b).length));
  return buckets.map((b) => {
    const bar = "#".repeat(Math.round((b.count / top) * width));
    const pct = total ? ((100 * b.count) / total).toFixed(1) : "0.0";
    return `  ${label(b).padStart(pad)}  ${bar} ${b.count} (${pct}%)`;
  });
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Half the range relative to the median, in percent (the tables' "±"). */
  halfRangePct: number;
}

/** Median, min, max and ±half-range% of repeated measurements. */
export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: NaN, min: NaN, max: NaN, halfRangePct: NaN };
  const median = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  const min = sorted[0]!, max = sorted[n - 1]!;
  return { median, min, max, halfRangePct: median ? (50 * (max - min)) / median : 0 };
}
