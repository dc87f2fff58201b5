// SPDX-License-Identifier: MIT
/** `zmqkit bench`'s flags, and what they parse to (sizes, counts, patterns, transports). */
import {
  LAT_PATTERNS,
  type LatPattern,
  parseCount,
  parseDuration,
  parseSize,
  type ThrPattern,
} from "../lib/internal.ts";
import { ALL_THR_PATTERNS, UDP_MAX_BODY } from "../lib/bench/patterns.ts";
import { usage } from "./errors.ts";
import type { SecurityFlags } from "./security.ts";

/** The flags of `bench thr|lat|run`, as commander gives them. */
export interface BenchFlags extends SecurityFlags {
  curve?: boolean;
  bind?: string;
  connect?: string;
  size?: string;
  sizes?: string;
  count?: string;
  duration?: string;
  timeout?: string;
  pattern?: string;
  hwm?: string;
  transport?: string;
  json?: boolean;
  csv?: boolean;
  plot?: string;
  histogram?: boolean;
  release?: boolean;
  quiet?: boolean;
}

export function parsed<T>(text: string | undefined, parse: (s: string) => T, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    return parse(text);
  } catch (e) {
    throw usage((e as Error).message);
  }
}

export interface Settings {
  size: number;
  count: number;
  durationMs: number | undefined;
  hwm: number | undefined;
  timeoutMs: number | undefined;
}

export function settings(kind: "thr" | "lat", f: BenchFlags): Settings {
  const durationMs = parsed(f.duration, parseDuration, undefined);
  const defaultCount = durationMs !== undefined ? Infinity : kind === "thr" ? 1e6 : 1e4;
  const integer = (flag: string, min: number) => (s: string) => {
    const n = Number(s);
    if (!/^\s*\d+\s*$/.test(s) || !Number.isSafeInteger(n) || n < min) {
      throw new RangeError(`${flag} must be an integer of at least ${min}, not "${s}"`);
    }
    return n;
  };
  return {
    size: parsed(f.size, parseSize, kind === "thr" ? 64 : 1),
    count: parsed(f.count, parseCount, defaultCount),
    durationMs,
    hwm: parsed(f.hwm, integer("--hwm", 0), undefined),
    timeoutMs: parsed(f.timeout, integer("-t/--timeout (ms)", 1), undefined),
  };
}

export function sizeList(text: string): number[] {
  const sizes = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (sizes.length === 0) throw new RangeError(`--sizes needs sizes, e.g. 1,64,1KB`);
  return sizes.map(parseSize);
}

/** Throughput messages per size in a sweep without --count/--duration: at most 256 MiB. */
export function sweepCount(size: number): number {
  return Math.min(1e6, Math.max(1e3, Math.floor(256 * 1024 * 1024 / Math.max(1, size))));
}

export function thrPattern(p: string | undefined): ThrPattern {
  const v = (p ?? "push-pull").toLowerCase();
  if (!(ALL_THR_PATTERNS as readonly string[]).includes(v)) {
    throw usage(`throughput pattern must be one of ${ALL_THR_PATTERNS.join(", ")}, not "${p}"`);
  }
  return v as ThrPattern;
}

export function latPattern(p: string | undefined): LatPattern {
  const v = (p ?? "req-rep").toLowerCase();
  if (!(LAT_PATTERNS as readonly string[]).includes(v)) {
    throw usage(`latency pattern must be one of ${LAT_PATTERNS.join(", ")}, not "${p}"`);
  }
  return v as LatPattern;
}

export function transportOf(endpoint: string): string {
  return endpoint.split("://")[0] ?? "tcp";
}

/** Messages per throughput run over udp:// without --count or --duration. */
export const UDP_DEFAULT_COUNT = 100_000;

/**
 * The throughput pattern over `transport`: udp:// is RADIO→DISH only (the pattern defaults to
 * radio-dish there; another one is a usage error).
 */
export function thrPatternFor(p: string | undefined, transport: string): ThrPattern {
  if (transport !== "udp") return thrPattern(p);
  const v = thrPattern(p ?? "radio-dish");
  if (v !== "radio-dish") {
    throw usage(
      `over udp:// only the radio-dish pattern runs (RADIO sends, DISH receives), not "${p}"`,
    );
  }
  return v;
}

/** Latency over udp:// is a usage error: RADIO and DISH send one way only. */
export function noLatencyOver(transport: string): void {
  if (transport === "udp") {
    throw usage(
      "latency is not measured over udp:// (RADIO/DISH send one way only); " +
        "use bench thr or bench run thr --transport udp",
    );
  }
}

/** Over udp:// a message and its group must fit one datagram of 8192 bytes. */
export function checkUdpSize(size: number, transport: string): void {
  if (transport === "udp" && size > UDP_MAX_BODY) {
    throw usage(
      `--size ${size} does not fit a udp:// datagram: at most ${UDP_MAX_BODY} bytes ` +
        `(8192 with the group "bench" and its length byte)`,
    );
  }
}
