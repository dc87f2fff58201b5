// SPDX-License-Identifier: MIT
/**
 * `zmqkit bench thr|lat|run`: libzmq's perf tools, wire-compatible (either half can be
 * `local_thr`/`remote_thr`/`local_lat`/`remote_lat`), plus latency percentiles, a one-process
 * loopback run, live progress on a terminal and `--json`. The measuring is lib/bench/.
 */
import { Command, Option } from "commander";
import {
  createFileSink,
  formatSize,
  type HalfOptions,
  histogram,
  LAT_PATTERNS,
  latLines,
  latRow,
  openLatClient,
  openLatServer,
  openThrReceiver,
  openThrSender,
  type RowContext,
  runLat,
  runThr,
  runtimeName,
  stderr,
  summarizeLatency,
  thrLines,
  thrRow,
  type Transport,
} from "../../lib/internal.ts";
import { ALL_THR_PATTERNS } from "../../lib/bench/patterns.ts";
import { sendLines, sendRow } from "../../lib/bench/report.ts";
import { benchSvg, type SweepRow } from "../bench_plot.ts";
import { csvLines, tableLines } from "../bench_table.ts";
import {
  type BenchFlags,
  checkUdpSize,
  latPattern,
  noLatencyOver,
  parsed,
  type Settings,
  settings,
  sizeList,
  sweepCount,
  thrPattern,
  thrPatternFor,
  transportOf,
  UDP_DEFAULT_COUNT,
} from "../bench_options.ts";
import {
  interrupted,
  interruptible,
  note,
  print,
  progress,
  runHalf,
  timedOut,
} from "../bench_io.ts";
import { CliError, ExitCode, usage } from "../errors.ts";
import { addSecurityOptions, asOptions, pairSecurity, securitySettings } from "../security.ts";

export const BENCH_HELP = `
Halves (wire-compatible with libzmq's perf tools; either end may be libzmq's):
  zmqkit bench thr --bind EP      as local_thr:  receive, time, print throughput
  zmqkit bench thr --connect EP   as remote_thr: send --count messages of --size bytes
  zmqkit bench lat --bind EP      as local_lat:  echo --count round trips
  zmqkit bench lat --connect EP   as remote_lat: time round trips, print latency
  zmqkit bench run [thr|lat|all]  both halves in this process on a fresh loopback endpoint

Patterns: thr ${ALL_THR_PATTERNS.join(", ")} (default push-pull);
          lat ${LAT_PATTERNS.join(", ")} (default req-rep). pub-sub waits for the subscription.

udp:// (bench thr -b/-c udp://…, bench run thr --transport udp) is radio-dish only: the
RADIO sends to group "bench", the DISH joined to it (also over tcp: --pattern radio-dish).
radio-dish may lose messages (a RADIO drops at its high-water mark, UDP loses datagrams), so
the receiver stops at --count or 500 ms after its last message, and prints the messages
received (the rate is over first to last); bench run also prints sent and the loss, and the
sending half what it sent. A message and its group fit one 8192-byte datagram: --size at most
8186 over udp. Latency is not measured over udp. Without --count, 100k messages over udp.
Sizes take units (64, 1KB = 1KiB = 1024, 64KiB, 1MB); counts too (100k, 1M); durations
5s, 500ms. With --duration and no --count, the run lasts that long (a libzmq peer needs
the same count on both ends). Latency is one-way: round trip / 2, as libzmq reports it.
Short flags mean what they mean in zmqkit cat (-b, -c, -n, -t); the others are long only.

A half that connects says on stderr when it has not connected after 3 s (then every 30 s).
-t/--timeout MS gives up with exit 3 when the peer is not there or one message waits longer.
Ctrl-C prints what was measured so far, marked "(interrupted after N ...)", and exits 130.

bench run --sizes 1,64,1KB,64KB runs the benchmark(s) once per size and prints one table
(size, msg/s, MB/s = 10^6 bytes/s, one-way latency avg/p50/p99 in µs); --csv prints it as CSV.
--plot FILE.svg (bench run, with or without --sizes) also draws the results as an SVG a browser
opens: throughput by size (msg/s and MB/s, log-scale size axis, every point labelled) and the
one-way latency histogram of each size; after Ctrl-C it draws what was measured.
Without --count or --duration, each throughput size sends at most 256 MiB (at most 1M messages).

Examples:
  zmqkit bench run                                  throughput and latency over tcp
  zmqkit bench run thr --size 1KB --transport ipc   throughput of 1 KiB messages over ipc
  zmqkit bench run --sizes 1,64,1KB,64KB --csv      a size sweep as CSV
  zmqkit bench run --sizes 1,64,1KB --plot x.svg    the sweep drawn as x.svg too
  zmqkit bench thr --bind tcp://127.0.0.1:5555 --size 64 --count 1M
  remote_thr tcp://127.0.0.1:5555 64 1000000        (libzmq's tool as the other half)
  zmqkit bench lat -c tcp://host:5556 --size 1 -n 20k -t 5000 --json
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
    c.option("--size <bytes>", `message size (default ${defaultSize})`)
      .option("-n, --count <n>", `messages or round trips (default ${defaultCount})`)
      .option("--duration <time>", "stop after this long (5s, 500ms)")
      .option("-t, --timeout <ms>", "exit 3 when the peer is not there or a message takes longer")
      .option("-p, --pattern <pattern>", "socket pattern (see bench --help)")
      .option("--hwm <n>", "send and receive high-water marks, in messages")
      .option("--json", "one JSON object per result on stdout")
      .option("-q, --quiet", "no progress on stderr");
  const thr = common(
    bench.command("thr").description("one throughput half: --bind receives, --connect sends"),
    "64",
    "1M",
  )
    .option("-b, --bind <endpoint>", "bind and receive (local_thr)")
    .option("-c, --connect <endpoint>", "connect and send (remote_thr)")
    .option("--no-release", NO_RELEASE);
  addSecurityOptions(thr).action((flags: BenchFlags) => halfAction("thr", flags));
  const lat = common(
    bench.command("lat").description("one latency half: --bind echoes, --connect times"),
    "1",
    "10k",
  )
    .option("-b, --bind <endpoint>", "bind and echo (local_lat)")
    .option("-c, --connect <endpoint>", "connect and time round trips (remote_lat)")
    .option("--no-histogram", "leave the histogram out");
  addSecurityOptions(lat).action((flags: BenchFlags) => halfAction("lat", flags));
  const run = common(
    bench.command("run").description("both halves in one process on loopback, one summary"),
    "64 (thr), 1 (lat)",
    "1M (thr), 10k (lat)",
  )
    .argument("[what]", "thr, lat or all", "all")
    .addOption(
      new Option("--transport <transport>", "loopback transport")
        .choices(["tcp", "ipc", "inproc", "ws", "udp"]).default("tcp"),
    )
    .option("--sizes <list>", "run once per size (1,64,1KB,64KB) and print one table")
    .option("--csv", "the table as CSV on stdout")
    .option("--plot <file.svg>", "also draw throughput by size and the latency histogram as SVG")
    .option("--no-histogram", "leave the histogram out")
    .option("--no-release", NO_RELEASE)
    .option("--curve", "both halves over CURVE, with fresh keys (or: --curve-server KEY)");
  addSecurityOptions(run).action((what: string, flags: BenchFlags) => runAction(what, flags));
}

// ---------------------------------------------------------------- actions

async function halfAction(kind: "thr" | "lat", f: BenchFlags): Promise<void> {
  if ((f.bind === undefined) === (f.connect === undefined)) {
    throw usage(`bench ${kind} needs exactly one of --bind or --connect`);
  }
  const s = settings(kind, f);
  const transport = transportOf((f.bind ?? f.connect)!);
  if (kind === "lat") noLatencyOver(transport);
  else {
    thrPatternFor(f.pattern, transport);
    checkUdpSize(s.size, transport);
    if (transport === "udp" && f.count === undefined && f.duration === undefined) {
      s.count = UDP_DEFAULT_COUNT;
    }
  }
  const socketOptions = asOptions(await securitySettings(f));
  await interruptible((signal) => half(kind, f, { ...s, socketOptions }, signal));
}

async function half(
  kind: "thr" | "lat",
  f: BenchFlags,
  s: Settings & { socketOptions: Record<string, unknown> },
  signal: AbortSignal,
): Promise<void> {
  const bind = f.bind !== undefined;
  const endpoint = (f.bind ?? f.connect)!;
  // udp:// has no connection to wait for (nor any connect event): nothing to watch
  const connect = bind || transportOf(endpoint) === "udp" ? undefined : endpoint;
  const ctx: RowContext = {
    bench: kind,
    impl: "zmqkit",
    runtime: runtimeName(),
    transport: transportOf(endpoint),
    pattern: "",
  };
  if (kind === "thr") {
    const pattern = thrPatternFor(f.pattern, ctx.transport);
    ctx.pattern = pattern;
    const p = progress(f, "msgs");
    const o = { ...s, endpoint, bind, pattern, onProgress: p.report, release: f.release };
    if (bind) {
      const r = await runHalf(await openThrReceiver(o), signal, connect, s.timeoutMs);
      p.clear();
      const mark = r.partial ? [interrupted(r.count, "messages")] : [];
      await print(f.json ? [JSON.stringify(thrRow(ctx, r))] : [...thrLines(r), ...mark]);
    } else {
      const r = await runHalf(await openThrSender(o), signal, connect, s.timeoutMs);
      p.clear();
      // a lossy pattern's sender says what it sent (libzmq's remote_thr prints nothing)
      if (r.dropped !== undefined) {
        await print(f.json ? [JSON.stringify(sendRow(ctx, s.size, r))] : sendLines(r));
      }
      if (r.partial) note(interrupted(r.sent, "messages") + "\n");
    }
    return;
  }
  const pattern = latPattern(f.pattern);
  ctx.pattern = pattern;
  const p = progress(f, "round trips");
  const o = { ...s, endpoint, bind, pattern, onProgress: p.report };
  if (bind) {
    const r = await runHalf(await openLatServer(o), signal, connect, s.timeoutMs);
    if (r.partial) note(interrupted(r.roundTrips, "round trips") + "\n");
  } else {
    const r = await runHalf(await openLatClient(o), signal, connect, s.timeoutMs);
    p.clear();
    const mark = r.partial ? [interrupted(r.roundTrips, "round trips")] : [];
    await print(
      f.json ? [JSON.stringify(latRow(ctx, r))] : [...latLines(r, f.histogram !== false), ...mark],
    );
  }
}

async function runAction(what: string, f: BenchFlags): Promise<void> {
  if (!["thr", "lat", "all"].includes(what)) {
    throw usage(`bench run takes thr, lat or all, not "${what}"`);
  }
  if (f.sizes !== undefined && f.size !== undefined) {
    throw usage("bench run takes --size or --sizes, not both");
  }
  const sizes = f.sizes === undefined ? undefined : parsed(f.sizes, sizeList, []);
  const transport = f.transport ?? "tcp";
  // check every option before the first run
  const pair = await pairSecurity(f);
  settings("thr", f);
  settings("lat", f);
  if (transport === "udp") {
    if (what === "lat") noLatencyOver(transport);
    // all over udp: throughput only (said on stderr when it runs)
    thrPatternFor(f.pattern, transport);
    for (const size of sizes ?? [settings("thr", f).size]) checkUdpSize(size, transport);
  } else {
    if (what !== "lat") thrPattern(thrChoice(what, f));
    if (what !== "thr") latPattern(latChoice(what, f));
  }
  if (f.plot === "") throw usage("--plot needs a file name");
  // opened first: a path that cannot be written fails before the measuring, not after it
  const plot = f.plot === undefined ? undefined : openPlot(f.plot);
  const rows: SweepRow[] = [];
  let failed = true;
  try {
    await interruptible((signal) => run(what, f, sizes, rows, signal, pair));
    failed = false;
  } finally {
    // what was measured, also after Ctrl-C (the runs resolve with partial results, then 130)
    await plot?.write(rows, plotTitle(what, f), failed);
  }
}

/** The --plot file, opened (truncated) now and written once, when the run ends. */
function openPlot(path: string): {
  write: (rows: SweepRow[], title: string, failed: boolean) => Promise<void>;
} {
  let sink: ReturnType<typeof createFileSink>;
  try {
    sink = createFileSink(path);
  } catch (e) {
    throw new CliError(ExitCode.FAILURE, (e as Error).message);
  }
  return {
    write: async (rows, title, failed) => {
      const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      const interrupted = rows.some((r) => r.partial) ? "; interrupted: partial results" : "";
      try {
        sink.write(
          enc.encode(
            benchSvg(rows, { title, subtitle: `${runtimeName()}, ${when}${interrupted}` }),
          ),
        );
        sink.close();
      } catch (e) {
        sink.close();
        if (failed) return; // the run's own error is the one to report
        throw new CliError(ExitCode.FAILURE, `cannot write "${path}": ${(e as Error).message}`);
      }
      await stderr().write(enc.encode(`zmqkit: wrote ${path}\n`));
    },
  };
}

/** The throughput pattern of `bench run` (radio-dish over udp). */
function runThrPattern(what: string, f: BenchFlags) {
  return f.transport === "udp" ? thrPatternFor(f.pattern, "udp") : thrPattern(thrChoice(what, f));
}

function thrChoice(what: string, f: BenchFlags): string | undefined {
  return what === "all" && f.pattern === "req-rep" ? undefined : f.pattern;
}

function plotTitle(what: string, f: BenchFlags): string {
  const udp = f.transport === "udp";
  const patterns = [
    ...(what !== "lat" ? [runThrPattern(what, f)] : []),
    ...(what !== "thr" && !udp ? [latPattern(latChoice(what, f))] : []),
  ];
  return `zmqkit bench run ${what} (${f.transport ?? "tcp"}, ${patterns.join(", ")})`;
}

function latChoice(what: string, f: BenchFlags): string | undefined {
  return what === "all" && !(LAT_PATTERNS as readonly string[]).includes(f.pattern ?? "")
    ? undefined
    : f.pattern;
}

async function run(
  what: string,
  f: BenchFlags,
  sizes: number[] | undefined,
  rows: SweepRow[],
  signal: AbortSignal,
  pair: HalfOptions,
): Promise<void> {
  const transport = (f.transport ?? "tcp") as Transport;
  const base = { impl: "zmqkit", runtime: runtimeName(), transport };
  if (transport === "udp" && what === "all") {
    note("zmqkit: over udp:// only throughput is measured (RADIO/DISH send one way)\n");
    what = "thr";
  }
  const table = sizes !== undefined || f.csv === true;
  let stopped: string | undefined;
  const timeoutMs = settings("thr", f).timeoutMs;
  for (const size of sizes ?? [undefined]) {
    const row: SweepRow = { size: 0 };
    if (what !== "lat") {
      const pattern = runThrPattern(what, f);
      const p = progress(f, "msgs");
      const s = settings("thr", f);
      if (size !== undefined) {
        s.size = size;
        if (f.count === undefined && f.duration === undefined) s.count = sweepCount(size);
      }
      if (transport === "udp" && f.count === undefined && f.duration === undefined) {
        s.count = Math.min(s.count, UDP_DEFAULT_COUNT);
      }
      const r = await runThr(transport, {
        ...s,
        pattern,
        onProgress: p.report,
        release: f.release,
        signal,
        ...pair,
      }).catch((e) => {
        throw timedOut(e, timeoutMs);
      });
      p.clear();
      row.size = r.size;
      row.thr = { msgsPerSec: r.msgsPerSec, bytesPerSec: r.msgsPerSec * r.size };
      if (r.partial) row.partial = true;
      const mark = r.partial ? interrupted(r.count, "messages") : undefined;
      const ctx: RowContext = { bench: "thr", ...base, pattern };
      if (f.json) await print([JSON.stringify(thrRow(ctx, r))]);
      else if (!table) {
        await print([
          `throughput (${pattern}, ${transport}):`,
          ...thrLines(r),
          ...(mark ? [mark] : []),
        ]);
      }
      if (mark) stopped = mark;
    }
    if (what !== "thr" && stopped === undefined) {
      const pattern = latPattern(latChoice(what, f));
      const p = progress(f, "round trips");
      const s = settings("lat", f);
      if (size !== undefined) s.size = size;
      const r = await runLat(transport, { ...s, pattern, onProgress: p.report, signal, ...pair })
        .catch((e) => {
          throw timedOut(e, timeoutMs);
        });
      p.clear();
      row.size = r.size;
      if (r.roundTrips > 0) {
        const st = summarizeLatency(r.samplesUs);
        row.lat = {
          avg: r.averageUs,
          p50: st.p50,
          p99: st.p99,
          roundTrips: r.roundTrips,
          histogram: histogram(r.samplesUs),
        };
      }
      if (r.partial) row.partial = true;
      const mark = r.partial ? interrupted(r.roundTrips, "round trips") : undefined;
      const ctx: RowContext = { bench: "lat", ...base, pattern };
      if (f.json) await print([JSON.stringify(latRow(ctx, r))]);
      else if (!table) {
        await print([
          `latency (${pattern}, ${transport}):`,
          ...latLines(r, f.histogram !== false),
          ...(mark ? [mark] : []),
        ]);
      }
      if (mark) stopped = mark;
    }
    rows.push(row);
    if (stopped !== undefined) break;
  }
  if (!table || f.json) return;
  const mark = stopped?.replace(/\)$/, `, at size ${formatSize(rows.at(-1)!.size)})`);
  if (f.csv) {
    await print(csvLines(what, rows));
    if (mark) note(mark + "\n");
  } else {
    await print([...tableLines(what, rows, transport), ...(mark ? [mark] : [])]);
  }
}
