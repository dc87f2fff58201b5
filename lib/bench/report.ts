// SPDX-License-Identifier: MIT
/**
 * The printed forms of results: libzmq's perf-tool lines (so output compares directly with
 * `local_thr` and `remote_lat`), our additions (percentiles, histogram), and one JSON row.
 */
import type { LatResult } from "./lat.ts";
import { histogram, renderHistogram, summarizeLatency } from "./stats.ts";
import type { SendResult, ThrResult } from "./thr.ts";

/**
 * `local_thr`'s four lines; for a lossy pattern (radio-dish) also what was received and, when
 * the sender's count is known, what was sent and the loss.
 */
export function thrLines(r: ThrResult): string[] {
  const lines = [
    `message size: ${r.size} [B]`,
    `message count: ${r.count}`,
    `mean throughput: ${Math.trunc(r.msgsPerSec)} [msg/s]`,
    `mean throughput: ${r.mbPerSec.toFixed(3)} [Mb/s]`,
  ];
  if (r.lossy) {
    lines.push(`messages received: ${r.count}`);
    if (r.sent !== undefined) {
      const dropped = r.dropped === undefined ? "" : ` (dropped at the sender's HWM: ${r.dropped})`;
      lines.push(`messages sent: ${r.sent}${dropped}`);
      lines.push(`loss: ${lossPercent(r.count, r.sent)} % (1 - received/sent)`);
    }
  }
  return lines;
}

/** 1 − received/sent, as a percentage with one decimal ("0.0" when nothing was sent). */
export function lossPercent(received: number, sent: number): string {
  return sent <= 0 ? "0.0" : (Math.max(0, 1 - received / sent) * 100).toFixed(1);
}

/** A lossy (radio-dish) sender's lines: what it sent, what its RADIO dropped at the HWM. */
export function sendLines(r: SendResult): string[] {
  const lines = [`messages sent: ${r.sent}`];
  if (r.dropped !== undefined) lines.push(`dropped at the high-water mark: ${r.dropped}`);
  return lines;
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
    ...(r.lossy ? { received: r.count } : {}),
    ...(r.sent !== undefined
      ? { sent: r.sent, loss: Number((Number(lossPercent(r.count, r.sent)) / 100).toFixed(3)) }
      : {}),
    ...(r.dropped !== undefined ? { dropped: r.dropped } : {}),
    ...(r.partial ? { partial: true } : {}),
    date: new Date().toISOString(),
  };
}

/** A sender's result as a JSON-able row (lossy patterns print one). */
export function sendRow(ctx: RowContext, size: number, r: SendResult): Record<string, unknown> {
  return {
    ...ctx,
    size,
    sent: r.sent,
    elapsed_us: Math.round(r.elapsedUs),
    ...(r.dropped !== undefined ? { dropped: r.dropped } : {}),
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
