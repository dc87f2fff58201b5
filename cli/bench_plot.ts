// SPDX-License-Identifier: MIT
/**
 * `zmqkit bench run --plot FILE.svg`: the measured sweep as one standalone SVG (no scripts, no
 * external fonts or styles; a browser opens it). Pure: rows in, SVG text out; bench.ts writes
 * the file. Two panels: throughput by message size (msg/s on the left axis, MB/s = 10^6 bytes/s
 * on the right, size on a log-scale x axis, every point labelled with the number the table
 * prints), and, when latency was measured, the one-way latency histogram of each size (share
 * of round trips per bucket, buckets as lib/bench/stats.ts makes them) with avg/p50/p99.
 */
import { formatSize } from "../lib/internal.ts";

/** One latency histogram bucket: `from` ≤ one-way latency (µs) < `to`. */
export interface HistogramBucket {
  from: number;
  to: number;
  count: number;
}

/** One size's results in a sweep (`bench run`, with or without --sizes). */
export interface SweepRow {
  size: number;
  thr?: { msgsPerSec: number; bytesPerSec: number } | undefined;
  lat?: {
    avg: number;
    p50: number;
    p99: number;
    roundTrips?: number | undefined;
    histogram?: readonly HistogramBucket[] | undefined;
  } | undefined;
  /** Ctrl-C stopped this size's run: what was measured until then. */
  partial?: boolean | undefined;
}

export interface PlotInfo {
  /** First line of the picture, e.g. `zmqkit bench run (tcp, push-pull, req-rep)`. */
  title: string;
  /** A second line (runtime, date, "interrupted"). */
  subtitle?: string | undefined;
}

/** Digits of each printed number, the same as the table's columns. */
export const PLOT_DIGITS = { msgsPerSec: 0, mbPerSec: 3, latencyUs: 3 } as const;

export const PLOT_WIDTH = 960;
const PANEL_HEIGHT = 420;
const HEADER = 64;
const LEGEND_LINE = 18;
const LEFT = 90;
const RIGHT = PLOT_WIDTH - 90;
const MSG_COLOR = "#1f77b4";
const MB_COLOR = "#d62728";
const SERIES = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/** `text` safe as XML character data or an attribute value. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) =>
      c === "&"
        ? "&amp;"
        : c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === '"'
        ? "&quot;"
        : "&apos;",
  );
}

/** A coordinate with at most one decimal. */
function n(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function finite(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v);
}

interface TextOptions {
  anchor?: "start" | "middle" | "end";
  size?: number;
  fill?: string;
  weight?: "bold";
  rotate?: number;
  /** A white outline, so a label stays readable over the lines it crosses. */
  halo?: boolean;
}

function text(x: number, y: number, s: string, o: TextOptions = {}): string {
  const attrs = [`x="${n(x)}"`, `y="${n(y)}"`];
  if (o.anchor && o.anchor !== "start") attrs.push(`text-anchor="${o.anchor}"`);
  if (o.size !== undefined) attrs.push(`font-size="${o.size}"`);
  if (o.fill !== undefined) attrs.push(`fill="${o.fill}"`);
  if (o.weight !== undefined) attrs.push(`font-weight="${o.weight}"`);
  if (o.halo) attrs.push(`stroke="#fff" stroke-width="3" paint-order="stroke"`);
  if (o.rotate !== undefined) attrs.push(`transform="rotate(${o.rotate} ${n(x)} ${n(y)})"`);
  return `<text ${attrs.join(" ")}>${escapeXml(s)}</text>`;
}

function line(x1: number, y1: number, x2: number, y2: number, stroke: string, extra = ""): string {
  return `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${
    n(y2)
  }" stroke="${stroke}"${extra}/>`;
}

/** 0, step, 2 step, … up to at least `max`, with step 1, 2 or 5 × 10^k (about `parts` steps). */
export function niceTicks(max: number, parts = 5): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0, 1];
  const raw = max / parts;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9))!;
  const ticks: number[] = [];
  for (let i = 0; ticks.length === 0 || ticks[ticks.length - 1]! < max * (1 - 1e-9); i++) {
    ticks.push(Number((i * step).toPrecision(12)));
  }
  return ticks;
}

/** `1500000` → `1.5M`: an axis label. */
function short(v: number): string {
  const abs = Math.abs(v);
  const [d, u] = abs >= 1e9
    ? [1e9, "G"]
    : abs >= 1e6
    ? [1e6, "M"]
    : abs >= 1e3
    ? [1e3, "k"]
    : [1, ""];
  return `${Number((v / d).toPrecision(3))}${u}`;
}

/** x of each size on a log scale between `left` and `right` (one size: the middle). */
function sizeScale(sizes: number[], left: number, right: number): (size: number) => number {
  const lg = (s: number) => Math.log2(Math.max(s, 0.5));
  const lo = Math.min(...sizes.map(lg)), hi = Math.max(...sizes.map(lg));
  if (!(hi > lo)) return () => (left + right) / 2;
  const pad = (right - left) * 0.08;
  return (s) => left + pad + ((lg(s) - lo) / (hi - lo)) * (right - left - 2 * pad);
}

function throughputPanel(rows: readonly SweepRow[], top: number): string[] {
  const out: string[] = [];
  const plotTop = top + 56, plotBottom = top + PANEL_HEIGHT - 60;
  const measured = rows.filter((r) => r.thr !== undefined);
  out.push(text(LEFT, top + 20, "Throughput by message size", { size: 16, weight: "bold" }));
  // legend
  out.push(
    `<circle cx="${LEFT + 6}" cy="${top + 38}" r="4" fill="${MSG_COLOR}"/>`,
    text(LEFT + 16, top + 42, "messages per second (left axis)", { size: 12 }),
    `<rect x="${LEFT + 256}" y="${top + 34}" width="8" height="8" fill="${MB_COLOR}"/>`,
    text(LEFT + 272, top + 42, "MB/s = 10^6 bytes per second (right axis)", { size: 12 }),
  );
  out.push(
    `<rect x="${LEFT}" y="${plotTop}" width="${RIGHT - LEFT}" height="${plotBottom - plotTop}" ` +
      `fill="none" stroke="#999"/>`,
  );
  if (measured.length === 0) {
    out.push(
      text((LEFT + RIGHT) / 2, (plotTop + plotBottom) / 2, "throughput was not measured", {
        anchor: "middle",
        fill: "#666",
      }),
    );
    return out;
  }
  const msgs = measured.map((r) => r.thr!.msgsPerSec);
  const mbs = measured.map((r) => r.thr!.bytesPerSec / 1e6);
  const msgTicks = niceTicks(Math.max(0, ...msgs.filter(finite)));
  const mbTicks = niceTicks(Math.max(0, ...mbs.filter(finite)));
  const msgTop = msgTicks[msgTicks.length - 1]!, mbTop = mbTicks[mbTicks.length - 1]!;
  // labels above and below points need room: 0 sits above the frame's bottom, the top tick
  // below its top
  const inner = plotTop + 24, base = plotBottom - 26;
  const yMsg = (v: number) => base - (v / msgTop) * (base - inner);
  const yMb = (v: number) => base - (v / mbTop) * (base - inner);
  for (const t of msgTicks) {
    out.push(line(LEFT, yMsg(t), RIGHT, yMsg(t), "#e5e5e5"));
    out.push(text(LEFT - 6, yMsg(t) + 4, short(t), { anchor: "end", size: 11, fill: MSG_COLOR }));
  }
  for (const t of mbTicks) {
    out.push(line(RIGHT, yMb(t), RIGHT + 4, yMb(t), MB_COLOR));
    out.push(text(RIGHT + 7, yMb(t) + 4, short(t), { size: 11, fill: MB_COLOR }));
  }
  out.push(
    text(22, (plotTop + plotBottom) / 2, "msg/s", {
      anchor: "middle",
      size: 12,
      fill: MSG_COLOR,
      rotate: -90,
    }),
    text(PLOT_WIDTH - 18, (plotTop + plotBottom) / 2, "MB/s", {
      anchor: "middle",
      size: 12,
      fill: MB_COLOR,
      rotate: 90,
    }),
  );
  const x = sizeScale(rows.map((r) => r.size), LEFT, RIGHT);
  for (const r of rows) {
    out.push(line(x(r.size), plotBottom, x(r.size), plotBottom + 5, "#666"));
    out.push(text(x(r.size), plotBottom + 20, formatSize(r.size), { anchor: "middle", size: 12 }));
  }
  out.push(
    text((LEFT + RIGHT) / 2, plotBottom + 44, "message size (bytes, log scale)", {
      anchor: "middle",
      size: 12,
    }),
  );
  const series = (
    values: number[],
    y: (v: number) => number,
    color: string,
    dash: string,
  ) => {
    const pts = measured.map((r, i) => [x(r.size), values[i]!] as const)
      .filter(([, v]) => finite(v));
    if (pts.length > 1) {
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${
          pts.map(([px, v]) => `${n(px)},${n(y(v))}`).join(" ")
        }"/>`,
      );
    }
  };
  series(msgs, yMsg, MSG_COLOR, "");
  series(mbs, yMb, MB_COLOR, ` stroke-dasharray="6 4"`);
  measured.forEach((r, i) => {
    const px = x(r.size);
    const msg = msgs[i]!, mb = mbs[i]!;
    const mark = r.partial ? " (interrupted)" : "";
    if (finite(msg)) {
      out.push(`<circle cx="${n(px)}" cy="${n(yMsg(msg))}" r="4.5" fill="${MSG_COLOR}"/>`);
      out.push(
        text(px, yMsg(msg) - 10, `${msg.toFixed(PLOT_DIGITS.msgsPerSec)} msg/s${mark}`, {
          anchor: "middle",
          size: 11,
          fill: MSG_COLOR,
          halo: true,
        }),
      );
    }
    if (finite(mb)) {
      out.push(
        `<rect x="${n(px - 4)}" y="${n(yMb(mb) - 4)}" width="8" height="8" fill="${MB_COLOR}"/>`,
      );
      out.push(
        text(px, yMb(mb) + 18, `${mb.toFixed(PLOT_DIGITS.mbPerSec)} MB/s`, {
          anchor: "middle",
          size: 11,
          fill: MB_COLOR,
          halo: true,
        }),
      );
    }
  });
  return out;
}

function latencyPanel(rows: readonly SweepRow[], top: number): string[] {
  const out: string[] = [];
  const measured = rows.filter((r) => r.lat !== undefined);
  out.push(
    text(LEFT, top + 20, "One-way latency (round trip / 2): histogram by message size", {
      size: 16,
      weight: "bold",
    }),
  );
  // legend: one line per size, with the numbers the table prints
  const d = PLOT_DIGITS.latencyUs;
  measured.forEach((r, i) => {
    const y = top + 42 + i * LEGEND_LINE;
    const l = r.lat!;
    const trips = l.roundTrips === undefined ? "" : `, ${l.roundTrips} round trips`;
    const v = (x: number) => (finite(x) ? x.toFixed(d) : "-");
    out.push(
      `<rect x="${LEFT}" y="${y - 9}" width="10" height="10" fill="${SERIES[i % SERIES.length]}"/>`,
      text(
        LEFT + 16,
        y,
        `${formatSize(r.size)}: avg ${v(l.avg)} µs, p50 ${v(l.p50)} µs, p99 ${v(l.p99)} µs` +
          `${trips}${r.partial ? " (interrupted)" : ""}`,
        { size: 12 },
      ),
    );
  });
  const plotTop = top + 42 + measured.length * LEGEND_LINE;
  const plotBottom = plotTop + PANEL_HEIGHT - 110;
  out.push(
    `<rect x="${LEFT}" y="${plotTop}" width="${RIGHT - LEFT}" height="${plotBottom - plotTop}" ` +
      `fill="none" stroke="#999"/>`,
  );
  const keys = new Map<string, { from: number; to: number }>();
  for (const r of measured) {
    for (const b of r.lat!.histogram ?? []) keys.set(`${b.from}-${b.to}`, b);
  }
  const buckets = [...keys.values()].sort((a, b) => a.from - b.from || a.to - b.to);
  if (buckets.length === 0) {
    out.push(
      text((LEFT + RIGHT) / 2, (plotTop + plotBottom) / 2, "no latency histogram", {
        anchor: "middle",
        fill: "#666",
      }),
    );
    return out;
  }
  const shares = measured.map((r) => {
    const h = r.lat!.histogram ?? [];
    const total = h.reduce((s, b) => s + b.count, 0);
    return buckets.map((k) => {
      const count = h.find((b) => b.from === k.from && b.to === k.to)?.count ?? 0;
      return { count, pct: total ? (100 * count) / total : 0 };
    });
  });
  const ticks = niceTicks(Math.max(0, ...shares.flat().map((s) => s.pct)));
  const yTop = ticks[ticks.length - 1]!;
  const inner = plotTop + 30;
  const y = (pct: number) => plotBottom - (pct / yTop) * (plotBottom - inner);
  for (const t of ticks) {
    out.push(line(LEFT, y(t), RIGHT, y(t), "#e5e5e5"));
    out.push(text(LEFT - 6, y(t) + 4, `${short(t)}%`, { anchor: "end", size: 11 }));
  }
  out.push(
    text(22, (plotTop + plotBottom) / 2, "share of round trips", {
      anchor: "middle",
      size: 12,
      rotate: -90,
    }),
  );
  const group = (RIGHT - LEFT) / buckets.length;
  const bar = Math.min(36, (group * 0.8) / measured.length);
  buckets.forEach((k, bi) => {
    const gx = LEFT + bi * group + (group - bar * measured.length) / 2;
    out.push(
      text(LEFT + (bi + 0.5) * group, plotBottom + 18, `${k.from}–${k.to}`, {
        anchor: "middle",
        size: 11,
      }),
    );
    shares.forEach((s, si) => {
      const { count, pct } = s[bi]!;
      if (count === 0) return;
      const bx = gx + si * bar;
      out.push(
        `<rect x="${n(bx)}" y="${n(y(pct))}" width="${n(Math.max(1, bar - 1))}" ` +
          `height="${n(plotBottom - y(pct))}" fill="${SERIES[si % SERIES.length]}"/>`,
      );
      if (bar >= 9) {
        out.push(
          text(bx + bar / 2 + 3, y(pct) - 4, String(count), { size: 9, rotate: -90 }),
        );
      }
    });
  });
  out.push(
    text((LEFT + RIGHT) / 2, plotBottom + 42, "one-way latency (µs)", {
      anchor: "middle",
      size: 12,
    }),
  );
  return out;
}

/**
 * The sweep as an SVG document: the throughput panel, then the latency panel when any row has
 * latency. Fixed width ({@linkcode PLOT_WIDTH}); the height depends only on which panels there
 * are and how many sizes have latency. All text is escaped.
 */
export function benchSvg(rows: readonly SweepRow[], info: PlotInfo): string {
  const withThr = rows.some((r) => r.thr !== undefined) || !rows.some((r) => r.lat !== undefined);
  const latRows = rows.filter((r) => r.lat !== undefined).length;
  const body: string[] = [
    text(LEFT, 28, info.title, { size: 18, weight: "bold" }),
    ...(info.subtitle ? [text(LEFT, 48, info.subtitle, { size: 12, fill: "#555" })] : []),
  ];
  let top = HEADER;
  if (rows.length === 0) {
    body.push(text(PLOT_WIDTH / 2, top + 40, "nothing was measured", { anchor: "middle" }));
    top += 80;
  }
  if (rows.length > 0 && withThr) {
    body.push(...throughputPanel(rows, top));
    top += PANEL_HEIGHT;
  }
  if (latRows > 0) {
    body.push(...latencyPanel(rows, top));
    top += PANEL_HEIGHT + latRows * LEGEND_LINE;
  }
  const height = top + 10;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PLOT_WIDTH}" height="${height}" ` +
    `viewBox="0 0 ${PLOT_WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(info.title)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...body,
    `</svg>`,
    "",
  ].join("\n");
}
