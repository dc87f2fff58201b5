// SPDX-License-Identifier: MIT
/**
 * The `zmqkit cat` line pipe, measured: lines per second and peak memory (RSS) of
 *
 *   seq N | <push> -c tcp://127.0.0.1:PORT        <pull> -b tcp://127.0.0.1:0 -n N | wc -l
 *
 * side by side, in one run, for:
 *   zmqkit/bun    the single binary dist/zmqkit (bun build --compile)
 *   zmqkit/deno   `deno run -A cli/main.ts`
 *   zeromq.js     bench/peers/zmqjs_cat.mjs under Node (libzmq, the baseline)
 *
 * Not part of the test suite; run it by hand (Linux: peak RSS comes from /proc):
 *
 *   npx bun build --compile cli/main.ts --outfile dist/zmqkit
 *   npx deno run -A bench/cat_pipe_bench.ts [--lines 100000,1000000] [--runs 3] [--json]
 *   (or: npx bun bench/cat_pipe_bench.ts ...)
 *
 * Time runs from starting the pushing process (its start-up included) to the pulling
 * process exiting after the last line; the puller is started and bound first. Lines are
 * counted on the puller's stdout (what `wc -l` would print) and must equal N. Each row is
 * the median of the runs for lines/s and the largest peak RSS seen for either process.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import process from "node:process";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

interface Impl {
  name: string;
  push: (ep: string) => [string, string[]];
  pull: (n: number) => [string, string[]];
}

const deno = `${ROOT}node_modules/.bin/deno`;
const IMPLS: Impl[] = [
  {
    name: "zmqkit/bun",
    push: (ep) => [`${ROOT}dist/zmqkit`, ["cat", "push", "-c", ep]],
    pull: (n) => [`${ROOT}dist/zmqkit`, ["cat", "pull", "-b", "tcp://127.0.0.1:0", "-n", `${n}`]],
  },
  {
    name: "zmqkit/deno",
    push: (ep) => [deno, ["run", "-A", `${ROOT}cli/main.ts`, "cat", "push", "-c", ep]],
    pull: (n) => [deno, [
      "run",
      "-A",
      `${ROOT}cli/main.ts`,
      "cat",
      "pull",
      "-b",
      "tcp://127.0.0.1:0",
      "-n",
      `${n}`,
    ]],
  },
  {
    name: "zeromq.js",
    push: (ep) => ["node", [`${ROOT}bench/peers/zmqjs_cat.mjs`, "push", ep]],
    pull: (
      n,
    ) => ["node", [`${ROOT}bench/peers/zmqjs_cat.mjs`, "pull", "tcp://127.0.0.1:0", `${n}`]],
  },
];

interface Row {
  bench: string;
  impl: string;
  lines: number;
  runs: number;
  lines_per_s: number;
  seconds: number;
  push_peak_rss_mb: number;
  pull_peak_rss_mb: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Peak resident memory of a live process in MiB (VmHWM), or 0 once it is gone. */
function peakRss(pid: number | undefined): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmHWM:\s+(\d+) kB/);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function exited(p: ChildProcess): Promise<number | null> {
  return new Promise((r) => p.once("close", (code) => r(code)));
}

async function once(impl: Impl, n: number): Promise<Omit<Row, "bench" | "runs">> {
  const [pullCmd, pullArgs] = impl.pull(n);
  const pull = spawn(pullCmd, pullArgs, { stdio: ["ignore", "pipe", "pipe"] });
  let lines = 0;
  pull.stdout!.on("data", (b: Uint8Array) => {
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
  });
  let err = "";
  const ep = await new Promise<string>((resolve, reject) => {
    pull.stderr!.on("data", (d) => {
      err += d;
      const m = err.match(/bind (tcp:\/\/\S+)/);
      if (m) resolve(m[1]!);
    });
    pull.once("close", () => reject(new Error(`${impl.name} pull ended: ${err}`)));
  });
  const pullDone = exited(pull);
  const t0 = performance.now();
  const [pushCmd, pushArgs] = impl.push(ep);
  const seq = spawn("seq", [`${n}`], { stdio: ["ignore", "pipe", "ignore"] });
  const push = spawn(pushCmd, pushArgs, { stdio: ["pipe", "ignore", "inherit"] });
  seq.stdout!.pipe(push.stdin!);
  let pushPeak = 0;
  let pullPeak = 0;
  const poll = setInterval(() => {
    pushPeak = Math.max(pushPeak, peakRss(push.pid));
    pullPeak = Math.max(pullPeak, peakRss(pull.pid));
  }, 20);
  const [pullCode, pushCode] = await Promise.all([pullDone, exited(push)]);
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(poll);
  if (pullCode !== 0 || pushCode !== 0 || lines !== n) {
    throw new Error(`${impl.name}: push ${pushCode}, pull ${pullCode}, ${lines}/${n} lines`);
  }
  return {
    impl: impl.name,
    lines: n,
    lines_per_s: Math.round(n / seconds),
    seconds: Number(seconds.toFixed(2)),
    push_peak_rss_mb: Number(pushPeak.toFixed(1)),
    pull_peak_rss_mb: Number(pullPeak.toFixed(1)),
  };
}

async function main(): Promise<void> {
  const counts = arg("lines", "100000,1000000").split(",").map(Number);
  const runs = Number(arg("runs", "3"));
  const json = process.argv.includes("--json");
  if (!existsSync(`${ROOT}dist/zmqkit`)) {
    throw new Error(
      "build dist/zmqkit first: npx bun build --compile cli/main.ts --outfile dist/zmqkit",
    );
  }
  const rows: Row[] = [];
  for (const n of counts) {
    for (const impl of IMPLS) {
      const results = [];
      for (let r = 0; r < runs; r++) results.push(await once(impl, n));
      results.sort((a, b) => a.lines_per_s - b.lines_per_s);
      const mid = results[Math.floor(results.length / 2)]!;
      const row: Row = {
        bench: "cat_pipe",
        ...mid,
        runs,
        push_peak_rss_mb: Math.max(...results.map((x) => x.push_peak_rss_mb)),
        pull_peak_rss_mb: Math.max(...results.map((x) => x.pull_peak_rss_mb)),
      };
      rows.push(row);
      if (json) console.log(JSON.stringify(row));
    }
  }
  if (json) return;
  const head = ["impl", "lines", "lines/s", "s", "push RSS MiB", "pull RSS MiB", "vs zeromq.js"];
  const table = rows.map((r) => {
    const base = rows.find((b) => b.impl === "zeromq.js" && b.lines === r.lines);
    return [
      r.impl,
      String(r.lines),
      String(r.lines_per_s),
      String(r.seconds),
      String(r.push_peak_rss_mb),
      String(r.pull_peak_rss_mb),
      base ? `${(r.lines_per_s / base.lines_per_s).toFixed(2)}x` : "",
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(`cat_pipe: seq N | push -c tcp → pull -b tcp -n N | wc -l, median of ${runs} runs`);
  console.log(fmt(head));
  for (const t of table) console.log(fmt(t));
}

await main();
