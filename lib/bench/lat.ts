// SPDX-License-Identifier: MIT
/**
 * Latency, both halves, wire-compatible with libzmq's perf tools: the server is `local_lat`
 * (binds a REP and echoes COUNT round trips) and the client is `remote_lat` (connects a REQ,
 * times COUNT round trips of SIZE zero bytes, reports elapsed / (2 × COUNT) as the average
 * one-way latency). The client also times every round trip, for percentiles.
 */
import { attachEndpoint, closeFlushed } from "./close.ts";
import type { Half } from "./thr.ts";
import { applySocketOptions, latClient, type LatPattern, latServer } from "./patterns.ts";

export interface LatOptions {
  endpoint: string;
  bind: boolean;
  size: number;
  /** Round trips (Infinity with a duration; a server with Infinity echoes until aborted). */
  count: number;
  /** Client: stop after this many milliseconds. */
  durationMs?: number | undefined;
  pattern?: LatPattern | undefined;
  hwm?: number | undefined;
  onProgress?: ((roundTrips: number, elapsedMs: number) => void) | undefined;
  /** Give up (EAGAIN) when one send or receive waits longer than this, in ms. */
  timeoutMs?: number | undefined;
  /** More socket options (zeromq.js names), e.g. PLAIN or CURVE, set before bind/connect. */
  socketOptions?: Record<string, unknown> | undefined;
}

export interface LatResult {
  size: number;
  roundTrips: number;
  elapsedUs: number;
  /** elapsed / (2 × round trips), libzmq's `average latency: X [us]`. */
  averageUs: number;
  /** One-way latency of each round trip (its time / 2), in µs, in order. */
  samplesUs: Float64Array;
  /** True when abort() stopped the run early: what was measured until then. */
  partial?: boolean;
}

const PROGRESS_MS = 250;

/** The `local_lat` half: echoes every message back, COUNT times. */
export async function openLatServer(
  o: LatOptions,
): Promise<Half<{ roundTrips: number; partial?: boolean }>> {
  const s = latServer(o.pattern ?? "req-rep", o.hwm, o.timeoutMs);
  applySocketOptions(s, o.socketOptions);
  const endpoint = await attachEndpoint(s, o);
  let aborted = false;
  const run = async () => {
    let n = 0;
    try {
      while (n < o.count) {
        const m = await s.receive();
        if (m[m.length - 1]!.length !== o.size) {
          throw new Error(
            `message of incorrect size received: ${m[m.length - 1]!.length}, expected ${o.size}`,
          );
        }
        await s.send(m);
        n++;
      }
    } catch (e) {
      s.close();
      if (aborted) return { roundTrips: n, partial: true };
      throw e;
    }
    await closeFlushed(s);
    return { roundTrips: n };
  };
  const abort = () => {
    aborted = true;
    s.close();
  };
  return { endpoint, events: s.events, run, abort };
}

/** The `remote_lat` half: sends, waits for the echo, COUNT times (or for the duration). */
export async function openLatClient(o: LatOptions): Promise<Half<LatResult>> {
  const s = latClient(o.pattern ?? "req-rep", o.hwm, o.timeoutMs);
  applySocketOptions(s, o.socketOptions);
  const endpoint = await attachEndpoint(s, o);
  let aborted = false;
  const run = async (): Promise<LatResult> => {
    const body = new Uint8Array(o.size);
    const cap = Number.isFinite(o.count) ? Math.min(o.count, 1 << 20) : 1 << 20;
    let samples = new Float64Array(cap);
    let n = 0;
    const start = performance.now();
    let t0 = start;
    const result = (partial: boolean): LatResult => {
      const elapsedUs = (t0 - start) * 1000;
      const r: LatResult = {
        size: o.size,
        roundTrips: n,
        elapsedUs,
        averageUs: n ? elapsedUs / (2 * n) : NaN,
        samplesUs: samples.subarray(0, n),
      };
      if (partial) r.partial = true;
      return r;
    };
    try {
      const until = o.durationMs === undefined ? Infinity : start + o.durationMs;
      let next = start + PROGRESS_MS;
      while (n < o.count) {
        await s.send(body);
        const m = await s.receive();
        const t1 = performance.now();
        if (m[m.length - 1]!.length !== o.size) {
          throw new Error(
            `message of incorrect size received: ${m[m.length - 1]!.length}, expected ${o.size}`,
          );
        }
        if (n === samples.length) {
          const grown = new Float64Array(samples.length * 2);
          grown.set(samples);
          samples = grown;
        }
        samples[n++] = (t1 - t0) * 500; // ms → µs, halved: one way
        t0 = t1;
        if (t1 >= until) break;
        if (o.onProgress && t1 >= next) {
          o.onProgress(n, t1 - start);
          next = t1 + PROGRESS_MS;
        }
      }
      return result(false);
    } catch (e) {
      if (aborted) return result(true);
      throw e;
    } finally {
      s.close();
    }
  };
  const abort = () => {
    aborted = true;
    s.close();
  };
  return { endpoint, events: s.events, run, abort };
}
