// SPDX-License-Identifier: MIT
/**
 * The side-by-side benchmark (`deno task bench`): zmqkit on Deno and on Bun, zeromq.js on
 * Node, pyzmq where installed, and each runtime's raw-TCP floor; PUSH→PULL throughput and
 * REQ↔REP latency over tcp loopback at 1 B, 64 B, 1 KiB and 64 KiB. Every measurement is
 * two processes started the way libzmq's perf tools are (bench/peers/*_perf.*). Runs are
 * interleaved (run 1 of every implementation, then run 2, …); the table shows the median
 * and ±half-range, then the ratios the issue's acceptance asks for. Writes bench/RESULTS.md
 * between its markers (hand-written notes outside them are kept).
 *
 *   deno run -A bench/harness.ts [--runs 3] [--sizes 1,64,1024,65536] [--only thr|lat]
 *        [--impls zmqkit/deno,zeromq.js/node,...] [--scale 1] [--soak 60] [--soak-size 64]
 *        [--baseline DIR] [--pin] [--transport tcp|ws|udp] [--no-write]
 *
 * --scale multiplies the message counts (0.2 for a quick look). --soak N adds an N-second
 * zmqkit PUSH→PULL run (64 B, or --soak-size) per zmqkit row at full speed, sampling both
 * processes' RSS every second, and reports first/last/max.
 *
 * --transport udp runs RADIO→DISH (group "bench") throughput over udp://127.0.0.1:PORT for
 * zmqkit/deno, zmqkit/bun and zeromq.js/node only (sizes 64 and 1024 by default, at most 8186),
 * and adds a table of the loss, 1 − received/sent: a RADIO drops at its high-water mark and UDP
 * loses datagrams, so the receiver stops at the count or 500 ms after its last message, and its
 * rate is over first to last message received.
 *
 * --baseline DIR adds the zmqkit rows of another checkout (`zmqkit/deno@base`, …), for "what
 * did this change cost": DIR is a checkout with node_modules, e.g.
 * `git worktree add /tmp/base REF && ln -s "$PWD/node_modules" /tmp/base/`. A table of
 * this checkout's medians ÷ the baseline's follows. Each run starts one implementation later
 * in the list than the run before, so no row always runs first (on a busy machine the first of a
 * pair measured 3–5% low against an identical second in PUSH→PULL 64 B). Next to that ratio of
 * medians stands the median of the runs' own ratios (each run measures both rows close
 * together), with a bootstrap 95% interval: when it spans 1×, the runs cannot tell the two apart.
 *
 * --pin runs the bound half on CPU 0 and the connecting half on CPU 1 (`taskset`, Linux), each
 * with its runtime's helper threads, instead of wherever the scheduler puts them.
 */
import { createSocket } from "node:dgram";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import process from "node:process";
import { type Impl, measure, pinHalves, rssKiB, versionOf } from "./_spawn.ts";
import { formatRate } from "../lib/internal.ts";
import { spread } from "../lib/internal.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const BIN = `${ROOT}node_modules/.bin`;
const P = `${ROOT}bench/peers`;

// ---------------------------------------------------------------- arguments

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const RUNS = Number(arg("runs") ?? 3);
/** tcp (the default), ws: the same rows over ws:// loopback (raw-TCP rows left out), or udp. */
const TRANSPORT = arg("transport") ?? "tcp";
if (TRANSPORT !== "tcp" && TRANSPORT !== "ws" && TRANSPORT !== "udp") {
  throw new Error(`--transport tcp|ws|udp, not ${TRANSPORT}`);
}
const UDP = TRANSPORT === "udp";
const SIZES = (arg("sizes") ?? (UDP ? "64,1024" : "1,64,1024,65536")).split(",").map(Number);
/** The largest body that fits a udp:// datagram with group "bench" (8192 − 1 − 5). */
const UDP_MAX_BODY = 8186;
if (UDP && SIZES.some((s) => s > UDP_MAX_BODY)) {
  console.error(`--transport udp: sizes of at most ${UDP_MAX_BODY} bytes (one datagram)`);
  process.exit(2);
}
const ONLY = UDP ? "thr" : arg("only");
const SCALE = Number(arg("scale") ?? 1);
const SOAK = arg("soak") === undefined ? 0 : Number(arg("soak"));
const SOAK_SIZE = Number(arg("soak-size") ?? 64);
const WRITE = !process.argv.includes("--no-write");
const IMPL_FILTER = arg("impls")?.split(",");
const BASELINE = arg("baseline");
if (process.argv.includes("--pin")) {
  if (cpus().length < 2 || (await versionOf(["taskset", "--version"])) === "") {
    console.error("--pin: needs taskset (util-linux) and at least 2 CPUs");
    process.exit(2);
  }
  pinHalves(["0", "1"]);
}
/**
 * Where the bound half binds: a wildcard port for tcp and ws; for udp a port free now (libzmq's
 * DISH takes no wildcard).
 */
async function endpoint(): Promise<string> {
  if (TRANSPORT === "ws") return "ws://127.0.0.1:0";
  if (!UDP) return "tcp://127.0.0.1:*";
  const s = createSocket("udp4");
  const port = await new Promise<number>((r) => s.bind(0, "127.0.0.1", () => r(s.address().port)));
  await new Promise<void>((r) => s.close(() => r()));
  return `udp://127.0.0.1:${port}`;
}

// ---------------------------------------------------------------- implementations

const hasPyzmq = (await versionOf(["python3", "-c", "import zmq; print(zmq.__version__)"])) !== "";

const perf = (argv: string[]) => (tool: string, ep: string, size: number, count: number) => [
  ...argv,
  tool,
  ep,
  String(size),
  String(count),
  ...(UDP ? ["radio-dish"] : []),
];
/** The same tool with `keep` appended: the receiver keeps its messages (no release()). */
const keep = (c: Impl["command"]): Impl["command"] => (...a) => [...c(...a), "keep"];
const ALL: Impl[] = [
  {
    name: "zmqkit/deno",
    kind: "zmq",
    runtime: "deno",
    command: perf([`${BIN}/deno`, "run", "-A", `${P}/zmqkit_perf.ts`]),
  },
  {
    name: "zmqkit/bun",
    kind: "zmq",
    runtime: "bun",
    command: perf([`${BIN}/bun`, `${P}/zmqkit_perf.ts`]),
  },
  // the receive path of an application that never calls release(): throughput only
  {
    name: "zmqkit/deno keep",
    kind: "zmq",
    runtime: "deno",
    benches: ["thr"],
    command: keep(perf([`${BIN}/deno`, "run", "-A", `${P}/zmqkit_perf.ts`])),
  },
  {
    name: "zmqkit/bun keep",
    kind: "zmq",
    runtime: "bun",
    benches: ["thr"],
    command: keep(perf([`${BIN}/bun`, `${P}/zmqkit_perf.ts`])),
  },
  {
    name: "zeromq.js/node",
    kind: "zmq",
    runtime: "node",
    command: perf(["node", `${P}/zmqjs_perf.mjs`]),
  },
  {
    name: "pyzmq",
    kind: "zmq",
    runtime: "python3",
    command: perf(["python3", `${P}/pyzmq_perf.py`]),
  },
  { name: "raw/node", kind: "raw", runtime: "node", command: perf(["node", `${P}/raw_tcp.mjs`]) },
  {
    name: "raw/deno",
    kind: "raw",
    runtime: "deno",
    command: perf([`${BIN}/deno`, "run", "-A", `${P}/raw_tcp.mjs`]),
  },
  {
    name: "raw/bun",
    kind: "raw",
    runtime: "bun",
    command: perf([`${BIN}/bun`, `${P}/raw_tcp.mjs`]),
  },
];
/** The rows that speak radio-dish over udp (the perf peers with the `radio-dish` argument). */
const UDP_IMPLS = ["zmqkit/deno", "zmqkit/bun", "zeromq.js/node"];
const SELECTED = ALL.filter((i) =>
  (i.name !== "pyzmq" || hasPyzmq) &&
  (TRANSPORT === "tcp" || i.kind !== "raw") && // the raw floor is tcp only
  (!UDP || UDP_IMPLS.includes(i.name)) &&
  (!IMPL_FILTER || IMPL_FILTER.includes(i.name))
);
/** The zmqkit rows again, run from the baseline checkout's own perf peer. */
const baselineOf = (dir: string) =>
  SELECTED.filter((i) => i.name === "zmqkit/deno" || i.name === "zmqkit/bun").map((i) => ({
    ...i,
    name: `${i.name}@base`,
    command: perf(
      i.runtime === "deno"
        ? [`${BIN}/deno`, "run", "-A", `${dir}/bench/peers/zmqkit_perf.ts`]
        : [`${BIN}/bun`, `${dir}/bench/peers/zmqkit_perf.ts`],
    ),
  }));
if (BASELINE !== undefined && !existsSync(`${BASELINE}/bench/peers/zmqkit_perf.ts`)) {
  console.error(`--baseline ${BASELINE}: no bench/peers/zmqkit_perf.ts there`);
  process.exit(2);
}
const IMPLS: Impl[] = BASELINE === undefined ? SELECTED : [...SELECTED, ...baselineOf(BASELINE)];
/** The implementations in the order run `run` (from 1) measures them: rotated by one each run. */
const orderOf = (run: number) => {
  const k = (run - 1) % IMPLS.length;
  return [...IMPLS.slice(k), ...IMPLS.slice(0, k)];
};

/** Messages per throughput run, sized so the slowest stack (zeromq.js) takes ~2 s. */
function thrCount(impl: Impl, size: number): number {
  // udp: a RADIO never waits (it drops at its HWM), so a run lasts about 1–3 s
  if (UDP) return Math.max(1000, Math.round(300_000 * SCALE));
  const base = size <= 64 ? 500_000 : size <= 1024 ? 300_000 : 30_000;
  const raw = impl.kind === "raw" ? (size <= 64 ? 40 : size <= 1024 ? 4 : 1) : 1;
  return Math.max(1000, Math.round(base * raw * SCALE));
}
const latCount = (size: number) =>
  Math.max(500, Math.round((size >= 65536 ? 5000 : 10_000) * SCALE));

// ---------------------------------------------------------------- running

type Key = string; // `${bench}|${impl}|${size}`
const results = new Map<Key, number[]>();
/** The same values by run (index run − 1), for ratios of rows measured in the same run. */
const byRun = new Map<Key, number[]>();
/** udp: the loss of each run, 1 − received/sent, by the same key. */
const losses = new Map<Key, number[]>();
const errors: string[] = [];
const benches = (["thr", "lat"] as const).filter((b) => !ONLY || ONLY === b);

const log = (s: string) => process.stderr.write(s + "\n");
log(
  `impls: ${IMPLS.map((i) => i.name).join(", ")}${
    hasPyzmq ? "" : " (pyzmq: skipped (not installed))"
  }`,
);
const started = new Date();
for (let run = 1; run <= RUNS; run++) {
  for (const bench of benches) {
    for (const size of SIZES) {
      for (const impl of orderOf(run)) {
        if (impl.benches && !impl.benches.includes(bench)) continue;
        const count = bench === "thr" ? thrCount(impl, size) : latCount(size);
        const r = await measure(impl, bench, size, count, 120_000, undefined, await endpoint());
        const key = `${bench}|${impl.name}|${size}`;
        if (!results.has(key)) results.set(key, []);
        if (Number.isNaN(r.value)) errors.push(`${key} run ${run}: ${r.error}`);
        else {
          results.get(key)!.push(r.value);
          if (!byRun.has(key)) byRun.set(key, []);
          byRun.get(key)![run - 1] = r.value;
        }
        let shown = bench === "thr" ? `${formatRate(r.value)} msg/s` : `${r.value.toFixed(1)} us`;
        if (UDP && r.received !== undefined) {
          const sent = r.sent ?? count;
          const loss = sent > 0 ? Math.max(0, 1 - r.received / sent) : 0;
          if (!losses.has(key)) losses.set(key, []);
          losses.get(key)!.push(loss);
          shown += `, received ${r.received}/${sent}, loss ${(loss * 100).toFixed(1)} %`;
        }
        log(
          `run ${run}/${RUNS} ${bench} ${impl.name} ${size} B n=${count}: ${shown}${
            r.error ? ` (${r.error})` : ""
          }`,
        );
      }
    }
  }
}

// ---------------------------------------------------------------- soak

interface Soak {
  impl: string;
  rx: number[];
  tx: number[];
  error?: string;
}
const soaks: Soak[] = [];
for (const impl of SOAK > 0 ? IMPLS.filter((i) => i.name.startsWith("zmqkit/")) : []) {
  const s: Soak = { impl: impl.name, rx: [], tx: [] };
  log(`soak ${impl.name}: ${SOAK} s of PUSH→PULL ${SOAK_SIZE} B at full speed`);
  const r = await measure(impl, "thr", SOAK_SIZE, 1e12, SOAK * 1000 + 500, ([a, b]) => {
    s.rx.push(rssKiB(a!));
    s.tx.push(rssKiB(b!));
  });
  if (r.error && !r.error.startsWith("timed out")) s.error = r.error;
  soaks.push(s);
}

// ---------------------------------------------------------------- report

const cell = (bench: string, impl: string, size: number): string => {
  const v = results.get(`${bench}|${impl}|${size}`) ?? [];
  if (v.length === 0) return "failed";
  const s = spread(v);
  const m = bench === "thr" ? formatRate(s.median) : s.median.toFixed(1);
  return `${m} ±${s.halfRangePct.toFixed(0)}%`;
};
const median = (bench: string, impl: string, size: number) =>
  spread(results.get(`${bench}|${impl}|${size}`) ?? []).median;

const md: string[] = [];
const table = (title: string, bench: "thr" | "lat") => {
  md.push(
    `### ${title}`,
    "",
    `| impl | ${SIZES.map((s) => `${s} B`).join(" | ")} |`,
    `|---|${SIZES.map(() => "---").join("|")}|`,
  );
  for (const i of IMPLS) {
    if (i.benches && !i.benches.includes(bench)) continue;
    md.push(`| ${i.name} | ${SIZES.map((s) => cell(bench, i.name, s)).join(" | ")} |`);
  }
  md.push("");
};
if (UDP) {
  table(
    "Throughput, msg/s received (RADIO→DISH, udp; first to last message; median ±half-range)",
    "thr",
  );
  md.push(
    "### Loss, 1 − received/sent (median of runs, min–max)",
    "",
    `| impl | ${SIZES.map((s) => `${s} B`).join(" | ")} |`,
    `|---|${SIZES.map(() => "---").join("|")}|`,
  );
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  for (const i of IMPLS) {
    md.push(
      `| ${i.name} | ${
        SIZES.map((s) => {
          const v = losses.get(`thr|${i.name}|${s}`) ?? [];
          if (v.length === 0) return "n/a";
          return `${pct(spread(v).median)} (${pct(Math.min(...v))}–${pct(Math.max(...v))})`;
        }).join(" | ")
      } |`,
    );
  }
  md.push("");
} else {
  const tp = TRANSPORT;
  if (benches.includes("thr")) {
    table(`Throughput, msg/s (PUSH→PULL, ${tp}; median of runs ±half-range)`, "thr");
  }
  if (benches.includes("lat")) {
    table(`Latency, one-way µs (REQ↔REP, ${tp}; elapsed / (2·round trips))`, "lat");
  }
}

/**
 * ", runs 0.97× (0.91–1.02)": the median of the per-run ratios of two rows and its bootstrap
 * 95% interval (2000 resamples, fixed seed), or "" with fewer than 3 runs of both.
 */
function pairedRatio(a: Key, b: Key): string {
  const x = byRun.get(a) ?? [], y = byRun.get(b) ?? [];
  const r: number[] = [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== undefined && y[i] !== undefined) r.push(x[i]! / y[i]!);
  }
  if (r.length < 3) return "";
  const med = (v: number[]) => spread(v).median;
  let seed = 0x2545f491;
  const rand = () => { // xorshift32: the same interval for the same runs
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x1_0000_0000;
  };
  const boot = Array.from(
    { length: 2000 },
    () => med(r.map(() => r[Math.floor(rand() * r.length)]!)),
  ).sort((p, q) => p - q);
  const f = (v: number) => v.toFixed(2);
  return `, runs ${f(med(r))}× (${f(boot[50]!)}–${f(boot[1949]!)})`;
}

const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "n/a");
md.push(
  "### Ratios (medians)",
  "",
  "| ratio | runtime | " + SIZES.map((s) => `${s} B`).join(" | ") + " |",
  `|---|---|${SIZES.map(() => "---").join("|")}|`,
);
for (const rt of ["deno", "bun"]) {
  const me = `zmqkit/${rt}`;
  if (!IMPLS.some((i) => i.name === me)) continue;
  const row = (label: string, f: (s: number) => string) =>
    md.push(`| ${label} | ${rt} | ${SIZES.map(f).join(" | ")} |`);
  if (benches.includes("thr")) {
    row(
      UDP
        ? "thr zmqkit ÷ zeromq.js (messages received per second)"
        : "thr zmqkit ÷ zeromq.js (bar: ≥5× 64 B, ≥3× 1 KiB, ≥1.2× 64 KiB)",
      (s) => ratio(median("thr", me, s), median("thr", "zeromq.js/node", s)),
    );
    if (IMPLS.some((i) => i.name === `${me} keep`)) {
      row(
        "thr zmqkit without release() ÷ zeromq.js",
        (s) => ratio(median("thr", `${me} keep`, s), median("thr", "zeromq.js/node", s)),
      );
    }
    if (TRANSPORT === "tcp") {
      row(
        `thr zmqkit ÷ raw/${rt}`,
        (s) => ratio(median("thr", me, s), median("thr", `raw/${rt}`, s)),
      );
    }
  }
  if (benches.includes("lat")) {
    row(
      "lat zmqkit ÷ zeromq.js (bar: ≤0.7× at 1 B)",
      (s) => ratio(median("lat", me, s), median("lat", "zeromq.js/node", s)),
    );
    if (TRANSPORT === "tcp") {
      row(
        `lat zmqkit ÷ raw/${rt}`,
        (s) => ratio(median("lat", me, s), median("lat", `raw/${rt}`, s)),
      );
    }
  }
}
md.push("");
if (BASELINE !== undefined) {
  md.push(
    `### This checkout ÷ baseline (${BASELINE}): ratio of medians, then the median of each run's ratio with its 95% interval; above 1× is faster for thr, slower for lat`,
    "",
    "| bench | runtime | " + SIZES.map((s) => `${s} B`).join(" | ") + " |",
    `|---|---|${SIZES.map(() => "---").join("|")}|`,
  );
  for (const bench of benches) {
    for (const rt of ["deno", "bun"]) {
      const me = `zmqkit/${rt}`;
      if (!IMPLS.some((i) => i.name === `${me}@base`)) continue;
      md.push(
        `| ${bench} | ${rt} | ${
          SIZES.map((s) =>
            `${ratio(median(bench, me, s), median(bench, `${me}@base`, s))}${
              pairedRatio(`${bench}|${me}|${s}`, `${bench}|${me}@base|${s}`)
            }`
          ).join(" | ")
        } |`,
      );
    }
  }
  md.push("");
}
if (soaks.length) {
  md.push(
    `### Soak: ${SOAK} s PUSH→PULL ${SOAK_SIZE} B at full speed, RSS (MiB) sampled every second`,
    "",
    "| impl | half | samples | first | at 1/4 | at 1/2 | last | max | growth in 2nd half |",
    "|---|---|---|---|---|---|---|---|---|",
  );
  const mib = (
    k: number | undefined,
  ) => (k === undefined || Number.isNaN(k) ? "n/a" : (k / 1024).toFixed(1));
  for (const s of soaks) {
    for (const [half, v] of [["PULL (bind)", s.rx], ["PUSH (connect)", s.tx]] as const) {
      const ok = v.filter((x) => !Number.isNaN(x));
      md.push(
        `| ${s.impl} | ${half} | ${ok.length} | ${mib(ok[0])} | ${
          mib(ok[Math.floor(ok.length / 4)])
        } | ${mib(ok[Math.floor(ok.length / 2)])} | ${mib(ok[ok.length - 1])} | ${
          mib(Math.max(...ok))
        } | ${
          ok.length > 1
            ? `${
              ((100 * (ok[ok.length - 1]! - ok[Math.floor(ok.length / 2)]!)) /
                ok[Math.floor(ok.length / 2)]!).toFixed(0)
            } %`
            : "n/a"
        } |${s.error ? ` ${s.error}` : ""}`,
      );
    }
  }
  md.push("");
}
if (errors.length) md.push("### Failed runs", "", ...errors.map((e) => `- ${e}`), "");

const versions = {
  deno: await versionOf([`${BIN}/deno`, "--version"]),
  bun: await versionOf([`${BIN}/bun`, "--version"]),
  node: await versionOf(["node", "--version"]),
  "zeromq.js": JSON.parse(readFileSync(`${ROOT}node_modules/zeromq/package.json`, "utf8")).version,
  pyzmq: hasPyzmq
    ? await versionOf(["python3", "-c", "import zmq; print(zmq.__version__, zmq.zmq_version())"])
    : "skipped (not installed)",
};
const header = [
  `Run ${started.toISOString()} → ${
    new Date().toISOString()
  }, ${RUNS} interleaved runs, scale ${SCALE}.`,
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${
    (totalmem() / 2 ** 30).toFixed(1)
  } GiB, Linux ${release()}; ${
    process.argv.includes("--pin")
      ? "the bound half pinned to CPU 0, the connecting half to CPU 1, each with its helper threads"
      : "both ends and the runtimes' helper threads share the cores"
  }.`,
  `Versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join("; ")}.`,
  `Command: \`deno run -A bench/harness.ts ${process.argv.slice(2).join(" ")}\`.`,
  `Counts: thr ${
    SIZES.map((s) => `${s} B ${thrCount(IMPLS[0]!, s)}`).join(", ")
  } (raw-TCP rows more); lat ${SIZES.map((s) => `${s} B ${latCount(s)}`).join(", ")} round trips.`,
  "",
];
const report = [...header, ...md].join("\n");
console.log(report);

if (WRITE && TRANSPORT !== "tcp") {
  log(`--transport ${TRANSPORT}: RESULTS.md not written (its harness section is the tcp run)`);
} else if (WRITE) {
  const path = `${ROOT}bench/RESULTS.md`;
  const BEGIN = "<!-- harness:begin -->", END = "<!-- harness:end -->";
  const old = existsSync(path)
    ? readFileSync(path, "utf8")
    : `# Benchmark results\n\n${BEGIN}\n${END}\n`;
  const i = old.indexOf(BEGIN), j = old.indexOf(END);
  const next = i >= 0 && j > i
    ? `${old.slice(0, i + BEGIN.length)}\n${report}\n${old.slice(j)}`
    : `${old.trimEnd()}\n\n${BEGIN}\n${report}\n${END}\n`;
  writeFileSync(path, next);
  log(`wrote ${path}`);
}
process.exit(0);
