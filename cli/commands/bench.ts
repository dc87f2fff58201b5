// SPDX-License-Identifier: MIT
/**
 * `zmqkit bench thr|lat|run`: libzmq's perf tools, wire-compatible (either half can be
 * `local_thr`/`remote_thr`/`local_lat`/`remote_lat`), plus latency percentiles, a one-process
 * loopback run, live progress on a terminal and `--json`. The measuring is lib/bench/.
 */
import { Command, Option } from "commander";
import { onSignals } from "../../lib/internal.ts";
import { isTerminal, stderr, stdout } from "../../lib/internal.ts";
import { openLatClient, openLatServer } from "../../lib/internal.ts";
import {
  LAT_PATTERNS,
  type LatPattern,
  THR_PATTERNS,
  type ThrPattern,
} from "../../lib/internal.ts";
import { latLines, latRow, type RowContext, thrLines, thrRow } from "../../lib/internal.ts";
import { runLat, runThr, type Transport } from "../../lib/internal.ts";
import { type Half, openThrReceiver, openThrSender } from "../../lib/internal.ts";
import { formatRate, parseCount, parseDuration, parseSize } from "../../lib/internal.ts";
import { CliError, ExitCode, usage } from "../errors.ts";

interface BenchFlags {
  bind?: string;
  connect?: string;
  size?: string;
  count?: string;
  duration?: string;
  pattern?: string;
  hwm?: string;
  transport?: string;
  json?: boolean;
  histogram?: boolean;
  release?: boolean;
  quiet?: boolean;
}

export const BENCH_HELP = `
Halves (wire-compatible with libzmq's perf tools; either end may be libzmq's):
  zmqkit bench thr --bind EP      as local_thr:  receive, time, print throughput
  zmqkit bench thr --connect EP   as remote_thr: send --count messages of --size bytes
  zmqkit bench lat --bind EP      as local_lat:  echo --count round trips
  zmqkit bench lat --connect EP   as remote_lat: time round trips, print latency
  zmqkit bench run [thr|lat|all]  both halves in this process on a fresh loopback endpoint

Patterns: thr ${THR_PATTERNS.join(", ")} (default push-pull);
          lat ${LAT_PATTERNS.join(", ")} (default req-rep). pub-sub waits for the subscription.
Sizes take units (64, 1KB = 1KiB = 1024, 64KiB, 1MB); counts too (100k, 1M); durations
5s, 500ms. With --duration and no --count, the run lasts that long (a libzmq peer needs
the same count on both ends). Latency is one-way: round trip / 2, as libzmq reports it.

Examples:
  zmqkit bench run                                  throughput and latency over tcp
  zmqkit bench run thr --size 1KB --transport ipc   throughput of 1 KiB messages over ipc
  zmqkit bench thr --bind tcp://127.0.0.1:5555 --size 64 --count 1M
  remote_thr tcp://127.0.0.1:5555 64 1000000        (libzmq's tool as the other half)
  zmqkit bench lat --connect tcp://host:5556 --size 1 --count 20k --json
`;

const enc = new TextEncoder();
const NO_RELEASE =
  "the receiver keeps each message instead of handing it back with release() (as an " +
  "application that never releases)";

export function addBenchCommand(program: Command): void {
  const bench = program
    .command("bench")
    .summary("throughput and latency, compatible with libzmq's perf tools")
    .description("Measure ZeroMQ throughput and latency (see the halves below).")
    .addHelpText("after", BENCH_HELP);
  const common = (c: Command, defaultSize: string, defaultCount: string) =>
    c.option("-s, --size <bytes>", `message size (default ${defaultSize})`)
      .option("-n, --count <n>", `messages or round trips (default ${defaultCount})`)
      .option("-d, --duration <time>", "stop after this long (5s, 500ms)")
      .option("-p, --pattern <pattern>", "socket pattern (see bench --help)")
      .option("--hwm <n>", "send and receive high-water marks, in messages")
      .option("--json", "one JSON object per result on stdout")
      .option("-q, --quiet", "no progress on stderr");
  common(
    bench.command("thr").description("one throughput half: --bind receives, --connect sends"),
    "64",
    "1M",
  )
    .option("-b, --bind <endpoint>", "bind and receive (local_thr)")
    .option("-c, --connect <endpoint>", "connect and send (remote_thr)")
    .option("--no-release", NO_RELEASE)
    .action((flags: BenchFlags) => halfAction("thr", flags));
  common(
    bench.command("lat").description("one latency half: --bind echoes, --connect times"),
    "1",
    "10k",
  )
    .option("-b, --bind <endpoint>", "bind and echo (local_lat)")
    .option("-c, --connect <endpoint>", "connect and time round trips (remote_lat)")
    .option("--no-histogram", "leave the histogram out")
    .action((flags: BenchFlags) => halfAction("lat", flags));
  common(
    bench.command("run").description("both halves in one process on loopback, one summary"),
    "64 (thr), 1 (lat)",
    "1M (thr), 10k (lat)",
  )
    .argument("[what]", "thr, lat or all", "all")
    .addOption(
      new Option("-t, --transport <transport>", "loopback transport")
        .choices(["tcp", "ipc", "inproc"]).default("tcp"),
    )
    .option("--no-histogram", "leave the histogram out")
    .option("--no-release", NO_RELEASE)
    .action((what: string, flags: BenchFlags) => runAction(what, flags));
}

// ---------------------------------------------------------------- options

function parsed<T>(text: string | undefined, parse: (s: string) => T, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    return parse(text);
  } catch (e) {
    throw usage((e as Error).message);
  }
}

interface Settings {
  size: number;
  count: number;
  durationMs: number | undefined;
  hwm: number | undefined;
}

function settings(kind: "thr" | "lat", f: BenchFlags): Settings {
  const durationMs = parsed(f.duration, parseDuration, undefined);
  const defaultCount = durationMs !== undefined ? Infinity : kind === "thr" ? 1e6 : 1e4;
  const hwm = parsed(f.hwm, (s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`invalid --hwm: ${s}`);
    return n;
  }, undefined);
  return {
    size: parsed(f.size, parseSize, kind === "thr" ? 64 : 1),
    count: parsed(f.count, parseCount, defaultCount),
    durationMs,
    hwm,
  };
}

function thrPattern(p: string | undefined): ThrPattern {
  const v = (p ?? "push-pull").toLowerCase();
  if (!(THR_PATTERNS as readonly string[]).includes(v)) {
    throw usage(`throughput pattern must be one of ${THR_PATTERNS.join(", ")}, not "${p}"`);
  }
  return v as ThrPattern;
}

function latPattern(p: string | undefined): LatPattern {
  const v = (p ?? "req-rep").toLowerCase();
  if (!(LAT_PATTERNS as readonly string[]).includes(v)) {
    throw usage(`latency pattern must be one of ${LAT_PATTERNS.join(", ")}, not "${p}"`);
  }
  return v as LatPattern;
}

function transportOf(endpoint: string): string {
  return endpoint.split("://")[0] ?? "tcp";
}

function runtimeName(): string {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  return g.Deno ? "deno" : g.Bun ? "bun" : "node";
}

// ---------------------------------------------------------------- output

async function print(lines: string[]): Promise<void> {
  await stdout().write(enc.encode(lines.join("\n") + "\n"));
}

/** A progress line on stderr, rewritten in place; only on a terminal and without --quiet. */
function progress(f: BenchFlags, unit: string): {
  report: ((n: number, ms: number) => void) | undefined;
  clear: () => void;
} {
  if (f.quiet || !isTerminal(2)) return { report: undefined, clear: () => {} };
  let shown = false;
  return {
    report: (n, ms) => {
      shown = true;
      const rate = ms > 0 ? formatRate((n / ms) * 1000) : "-";
      void stderr().write(enc.encode(`\r\x1b[K${formatRate(n)} ${unit}, ${rate}/s`));
    },
    clear: () => {
      if (shown) void stderr().write(enc.encode("\r\x1b[K"));
    },
  };
}

/** Runs `half`, aborting it on SIGINT/SIGTERM (exit 130/143). */
async function runHalf<R>(half: Half<R>): Promise<R> {
  let signal: string | undefined;
  const off = onSignals((s) => {
    signal = s;
    half.abort();
  });
  try {
    return await half.run();
  } catch (e) {
    if (signal) {
      throw new CliError(signal === "SIGINT" ? ExitCode.SIGINT : ExitCode.SIGTERM, "");
    }
    throw e;
  } finally {
    off();
  }
}

// ---------------------------------------------------------------- actions

async function halfAction(kind: "thr" | "lat", f: BenchFlags): Promise<void> {
  if ((f.bind === undefined) === (f.connect === undefined)) {
    throw usage(`bench ${kind} needs exactly one of --bind or --connect`);
  }
  const s = settings(kind, f);
  const bind = f.bind !== undefined;
  const endpoint = (f.bind ?? f.connect)!;
  const ctx: RowContext = {
    bench: kind,
    impl: "zmqkit",
    runtime: runtimeName(),
    transport: transportOf(endpoint),
    pattern: "",
  };
  if (kind === "thr") {
    const pattern = thrPattern(f.pattern);
    ctx.pattern = pattern;
    const p = progress(f, "msgs");
    const o = { ...s, endpoint, bind, pattern, onProgress: p.report, release: f.release };
    if (bind) {
      const r = await runHalf(await openThrReceiver(o));
      p.clear();
      await print(f.json ? [JSON.stringify(thrRow(ctx, r))] : thrLines(r));
    } else {
      await runHalf(await openThrSender(o));
      p.clear();
    }
    return;
  }
  const pattern = latPattern(f.pattern);
  ctx.pattern = pattern;
  const p = progress(f, "round trips");
  const o = { ...s, endpoint, bind, pattern, onProgress: p.report };
  if (bind) {
    await runHalf(await openLatServer(o));
  } else {
    const r = await runHalf(await openLatClient(o));
    p.clear();
    await print(f.json ? [JSON.stringify(latRow(ctx, r))] : latLines(r, f.histogram !== false));
  }
}

async function runAction(what: string, f: BenchFlags): Promise<void> {
  if (!["thr", "lat", "all"].includes(what)) {
    throw usage(`bench run takes thr, lat or all, not "${what}"`);
  }
  const transport = (f.transport ?? "tcp") as Transport;
  const base = { impl: "zmqkit", runtime: runtimeName(), transport };
  if (what !== "lat") {
    const pattern = thrPattern(what === "all" && f.pattern === "req-rep" ? undefined : f.pattern);
    const p = progress(f, "msgs");
    const r = await runThr(transport, {
      ...settings("thr", f),
      pattern,
      onProgress: p.report,
      release: f.release,
    });
    p.clear();
    const ctx: RowContext = { bench: "thr", ...base, pattern };
    await print(
      f.json
        ? [JSON.stringify(thrRow(ctx, r))]
        : [`throughput (${pattern}, ${transport}):`, ...thrLines(r)],
    );
  }
  if (what !== "thr") {
    const lp = what === "all" && !(LAT_PATTERNS as readonly string[]).includes(f.pattern ?? "")
      ? undefined
      : f.pattern;
    const pattern = latPattern(lp);
    const p = progress(f, "round trips");
    const r = await runLat(transport, { ...settings("lat", f), pattern, onProgress: p.report });
    p.clear();
    const ctx: RowContext = { bench: "lat", ...base, pattern };
    await print(
      f.json
        ? [JSON.stringify(latRow(ctx, r))]
        : [`latency (${pattern}, ${transport}):`, ...latLines(r, f.histogram !== false)],
    );
  }
}
