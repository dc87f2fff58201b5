// SPDX-License-Identifier: MIT
/**
 * Parsing of the benchmark's command-line quantities: sizes (`64`, `1KB`, `64KiB`, `1MB`),
 * counts (`100000`, `100k`, `1M`) and durations (`5s`, `500ms`, `1m`). Sizes are binary
 * (1 KB = 1 KiB = 1024 bytes, as the benchmark tables use); counts are decimal.
 */

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

const COUNT_UNITS: Record<string, number> = { "": 1, k: 1e3, m: 1e6, g: 1e9 };

const DURATION_UNITS: Record<string, number> = { "": 1000, ms: 1, s: 1000, m: 60_000 };

function parseWithUnit(text: string, units: Record<string, number>, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? units[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new RangeError(`invalid ${what}: ${JSON.stringify(text)}`);
  }
  const value = Number(m[1]) * unit;
  if (!Number.isInteger(value)) {
    throw new RangeError(`invalid ${what}: ${JSON.stringify(text)} is not a whole number`);
  }
  return value;
}

/** Bytes in a message: `64`, `64B`, `1KB`/`1KiB`/`1k` (1024), `1MB` (1048576). */
export function parseSize(text: string): number {
  const n = parseWithUnit(text, SIZE_UNITS, "size");
  if (n > 0xffff_ffff) throw new RangeError(`size ${text} exceeds 4 GiB`);
  return n;
}

/** A message count: `1000`, `100k`, `1M` (decimal), at least 1. */
export function parseCount(text: string): number {
  const n = parseWithUnit(text, COUNT_UNITS, "count");
  if (n < 1) throw new RangeError(`count must be at least 1, got ${JSON.stringify(text)}`);
  return n;
}

/** A duration in milliseconds: `5` or `5s` (seconds), `500ms`, `1m`. Must be positive. */
export function parseDuration(text: string): number {
  const n = parseWithUnit(text, DURATION_UNITS, "duration");
  if (n <= 0) throw new RangeError(`duration must be positive, got ${JSON.stringify(text)}`);
  return n;
}

/** `1024` → `1KiB`, `65536` → `64KiB`, `100` → `100B`: the shortest exact form. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}KiB`;
  return `${bytes}B`;
}

/** `1234567` → `1.23M`, `45600` → `45.6k`: three significant digits. */
export function formatRate(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toPrecision(3)}G`;
  if (abs >= 1e6) return `${(n / 1e6).toPrecision(3)}M`;
  if (abs >= 1e3) return `${(n / 1e3).toPrecision(3)}k`;
  return n.toPrecision(3);
}
