// SPDX-License-Identifier: MIT
/**
 * The printed forms of results: libzmq's perf-tool lines (so output compares directly with
 * `local_thr` and `remote_lat`), our additions (percentiles, histogram), and one JSON row.
 */
import type { LatResult } from "./lat.ts";
import { histogram, renderHistogram, summarizeLatency } from "./stats.ts";
import type { ThrResult } from "./thr.ts";

/** `local_thr`'s four lines. */
export function thrLines(r: ThrResult): string[] {
  return [
    `message size: ${r.size} [B]`,
    `message count: ${r.count}`,
    `mean throughput: ${Math.trunc(r.msgsPerSec)} [msg/s]`,
    `mean throughput: ${r.mbPerSec.toFixed(3)} [Mb/s]`,
  ];
}

/** `remote_lat`'s three lines, then percentiles and a histogram of one-way latency. */
export function latLines(r: LatResult, withHistogram = true): string[] {
  const s = summarizeLatency(r.samplesUs);
  const f = (v: number) => v.toFixed(3);
  const lines = [
    `message size: ${r.size} [B]`,
    `roundtrip count: ${r.roundTrips}`,
    `average latency: ${f(r.averageUs)} [us]`,
    `latency percentiles (one-way = round trip / 2) [us]: p50 ${f(s.p50)} p90 ${f(s.p90)} ` +
    `p99 ${f(s.p99)} p99.9 ${f(s.p999)} max ${f(s.max)}`,
  ];
  if (withHistogram) lines.push("histogram (one-way):", ...renderHistogram(histogram(r.samplesUs)));
  return lines;
}

export interface RowContext {
  bench: "thr" | "lat";
  impl: string;
  runtime: string;
  transport: string;
  pattern: string;
}

/** One result as a flat JSON-able row (style §7.8 names). */
export function thrRow(ctx: RowContext, r: ThrResult): Record<string, unknown> {
  return {
    ...ctx,
    size: r.size,
    count: r.count,
    elapsed_us: Math.round(r.elapsedUs),
    msgs_per_s: Math.round(r.msgsPerSec),
    mb_per_s: Number(r.mbPerSec.toFixed(3)),
    ...(r.partial ? { partial: true } : {}),
    date: new Date().toISOString(),
  };
}

export function latRow(ctx: RowContext, r: LatResult): Record<string, unknown> {
  const s = summarizeLatency(r.samplesUs);
  const us = (v: number) => Number(v.toFixed(3));
  return {
    ...ctx,
    size: r.size,
    count: r.roundTrips,
    elapsed_us: Math.round(r.elapsedUs),
    avg_us: us(r.averageUs),
    p50_us: us(s.p50),
    p90_us: us(s.p90),
    p99_us: us(s.p99),
    p999_us: us(s.p999),
    max_us: us(s.max),
    histogram: histogram(r.samplesUs),
    ...(r.partial ? { partial: true } : {}),
    date: new Date().toISOString(),
  };
}
