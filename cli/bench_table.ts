// SPDX-License-Identifier: MIT
/** `zmqkit bench run --sizes`: the sweep's rows as an aligned table or as CSV (pure). */
import { formatSize } from "../lib/internal.ts";
import type { SweepRow } from "./bench_plot.ts";

function columns(
  what: string,
): Array<{ head: string; csv: string; get: (r: SweepRow) => number | undefined; digits: number }> {
  const cols: Array<
    { head: string; csv: string; get: (r: SweepRow) => number | undefined; digits: number }
  > = [
    { head: "size", csv: "size", get: (r) => r.size, digits: 0 },
  ];
  if (what !== "lat") {
    cols.push(
      { head: "msg/s", csv: "msgs_per_s", get: (r) => r.thr?.msgsPerSec, digits: 0 },
      { head: "MB/s", csv: "mb_per_s", get: (r) => r.thr && r.thr.bytesPerSec / 1e6, digits: 3 },
    );
  }
  if (what !== "thr") {
    cols.push(
      { head: "avg µs", csv: "lat_avg_us", get: (r) => r.lat?.avg, digits: 3 },
      { head: "p50 µs", csv: "lat_p50_us", get: (r) => r.lat?.p50, digits: 3 },
      { head: "p99 µs", csv: "lat_p99_us", get: (r) => r.lat?.p99, digits: 3 },
    );
  }
  return cols;
}

/** The sweep as CSV: a header, then one line per size (empty cells for what was not measured). */
export function csvLines(what: string, rows: SweepRow[]): string[] {
  const cols = columns(what);
  return [
    cols.map((c) => c.csv).join(","),
    ...rows.map((r) =>
      cols.map((c) => {
        const v = c.get(r);
        return v === undefined || !Number.isFinite(v) ? "" : v.toFixed(c.digits);
      }).join(",")
    ),
  ];
}

/** The sweep as an aligned table. */
export function tableLines(what: string, rows: SweepRow[], transport: string): string[] {
  const cols = columns(what);
  const cells = rows.map((r) =>
    cols.map((c, i) => {
      const v = c.get(r);
      if (v === undefined || !Number.isFinite(v)) return "-";
      return i === 0 ? formatSize(v) : v.toFixed(c.digits);
    })
  );
  const widths = cols.map((c, i) => Math.max(c.head.length, ...cells.map((row) => row[i]!.length)));
  const line = (parts: string[]) => parts.map((p, i) => p.padStart(widths[i]!)).join("  ");
  return [
    `${
      what === "all" ? "throughput and latency" : what === "thr" ? "throughput" : "latency"
    } by size (${transport}):`,
    line(cols.map((c) => c.head)),
    ...cells.map(line),
  ];
}
