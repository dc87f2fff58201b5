// SPDX-License-Identifier: MIT
/**
 * CURVE side by side, in one run (issue 14's benchmark): PUSH→PULL throughput over CURVE at
 * 64 B and 1 KiB, two processes each (bench/peers/*_perf.* with BENCH_CURVE=1), and CURVE
 * connections per second (handshake plus a first message, both ends in one process:
 * bench/peers/handshakes.*), for zmqkit on Deno and on Bun and zeromq.js (libzmq 4.3.5) on
 * Node. Runs are interleaved and rotated; prints a markdown table of medians (±half-range)
 * and zmqkit ÷ libzmq.
 *
 *   deno run -A bench/curve_bench.ts [--runs 3] [--scale 1]
 */
import process from "node:process";
import { type Impl, measure, start } from "./_spawn.ts";
import { formatRate, spread } from "../lib/internal.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const BIN = `${ROOT}node_modules/.bin`;
const P = `${ROOT}bench/peers`;
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg("runs") ?? 3);
const SCALE = Number(arg("scale") ?? 1);
const SIZES = [64, 1024];

process.env.BENCH_CURVE = "1"; // the perf peers inherit it: every connection is CURVE

const perf = (argv: string[]): Impl["command"] => (tool, ep, size, count) => [
  ...argv,
  tool,
  ep,
  String(size),
  String(count),
];
const IMPLS: Array<Impl & { handshakes: string[] }> = [
  {
    name: "zmqkit/deno",
    kind: "zmq",
    runtime: "deno",
    command: perf([`${BIN}/deno`, "run", "-A", `${P}/zmqkit_perf.ts`]),
    handshakes: [`${BIN}/deno`, "run", "-A", `${P}/handshakes.ts`],
  },
  {
    name: "zmqkit/bun",
    kind: "zmq",
    runtime: "bun",
    command: perf([`${BIN}/bun`, `${P}/zmqkit_perf.ts`]),
    handshakes: [`${BIN}/bun`, `${P}/handshakes.ts`],
  },
  {
    name: "zeromq.js/node",
    kind: "zmq",
    runtime: "node",
    command: perf(["node", `${P}/zmqjs_perf.mjs`]),
    handshakes: ["node", `${P}/handshakes.mjs`],
  },
];
const LIBZMQ = "zeromq.js/node";

const results = new Map<string, number[]>();
const record = (key: string, v: number) => {
  if (!results.has(key)) results.set(key, []);
  if (Number.isFinite(v)) results.get(key)!.push(v);
};
const log = (s: string) => process.stderr.write(s + "\n");

async function handshakes(impl: (typeof IMPLS)[number], count: number): Promise<number> {
  const p = start([...impl.handshakes, String(count)]);
  const out = await p.stdout;
  const m = /handshakes: (\d+)/.exec(out);
  return m ? Number(m[1]) : NaN;
}

for (let run = 1; run <= RUNS; run++) {
  const k = (run - 1) % IMPLS.length;
  const order = [...IMPLS.slice(k), ...IMPLS.slice(0, k)];
  for (const impl of order) {
    for (const size of SIZES) {
      // zmqkit's CURVE runs near 10–20k msg/s here, libzmq's 5× that: ~2 s a run for both
      const count = Math.round((impl.name === LIBZMQ ? 150_000 : 30_000) * SCALE);
      const r = await measure(impl, "thr", size, count, 120_000);
      record(`thr|${impl.name}|${size}`, r.value);
      log(
        `run ${run} thr ${impl.name} ${size} B: ${formatRate(r.value)} msg/s${
          r.error ? ` (${r.error})` : ""
        }`,
      );
    }
    const h = await handshakes(impl, Math.round((impl.name === LIBZMQ ? 1000 : 200) * SCALE));
    record(`hs|${impl.name}`, h);
    log(`run ${run} handshakes ${impl.name}: ${h}/s`);
  }
}

const cell = (key: string, unit = "") => {
  const s = spread(results.get(key) ?? []);
  return Number.isNaN(s.median)
    ? "failed"
    : `${formatRate(s.median)}${unit} ±${s.halfRangePct.toFixed(0)}%`;
};
const ratio = (a: string, b: string) => {
  const x = spread(results.get(a) ?? []).median, y = spread(results.get(b) ?? []).median;
  return Number.isFinite(x / y) ? `${(x / y).toFixed(2)}×` : "n/a";
};
const lines = [
  `CURVE, ${RUNS} interleaved runs, medians (±half-range); thr = PUSH→PULL msg/s, two processes;`,
  "conn/s = connect + CURVE handshake + first message + close, both ends in one process.",
  "",
  "| impl | thr 64 B | thr 1 KiB | conn/s |",
  "| ---- | -------- | --------- | ------ |",
  ...IMPLS.map((i) =>
    `| ${i.name} | ${cell(`thr|${i.name}|64`)} | ${cell(`thr|${i.name}|1024`)} | ${
      cell(`hs|${i.name}`)
    } |`
  ),
  "",
  "| zmqkit ÷ libzmq | thr 64 B | thr 1 KiB | conn/s |",
  "| --------------- | -------- | --------- | ------ |",
  ...IMPLS.filter((i) => i.name !== LIBZMQ).map((i) =>
    `| ${i.name} | ${ratio(`thr|${i.name}|64`, `thr|${LIBZMQ}|64`)} | ${
      ratio(`thr|${i.name}|1024`, `thr|${LIBZMQ}|1024`)
    } | ${ratio(`hs|${i.name}`, `hs|${LIBZMQ}`)} |`
  ),
];
console.log(lines.join("\n"));
