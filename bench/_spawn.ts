// SPDX-License-Identifier: MIT
/**
 * Runs one benchmark measurement as two processes (the bound half, then the connecting
 * half), as libzmq's perf tools are run, and reads the result from the reporting half's
 * libzmq-style lines. Also samples a process's resident memory (Linux /proc).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export type Tool = "local_thr" | "remote_thr" | "local_lat" | "remote_lat";

/** One implementation: how to start its perf tool `tool` with libzmq's arguments. */
export interface Impl {
  name: string;
  /** "zmq" rows are ZeroMQ stacks; "raw" rows are the raw-TCP floor. */
  kind: "zmq" | "raw";
  runtime: string;
  /** The benchmarks it takes part in (default: all). */
  benches?: readonly ("thr" | "lat")[];
  command: (tool: Tool, endpoint: string, size: number, count: number) => string[];
}

export interface Proc {
  child: ChildProcess;
  stdout: Promise<string>;
  exited: Promise<number | null>;
}

/**
 * The CPUs the bound half and the connecting half are pinned to (`taskset -c`), or none: on a
 * machine with few cores, where the scheduler puts each end decides a run as much as the code.
 */
let pins: readonly [string, string] | undefined;
export function pinHalves(cpus: readonly [string, string] | undefined): void {
  pins = cpus;
}
const pinned = (argv: string[], cpu: string | undefined) =>
  cpu === undefined ? argv : ["taskset", "-c", cpu, ...argv];

export function start(argv: string[]): Proc {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (s: string) => (out += s));
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(-1));
  });
  return { child, stdout: exited.then(() => out), exited };
}

/** Resolves with the endpoint the bound half prints as "bound <endpoint>" on stderr. */
export function boundEndpoint(p: Proc, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`no "bound" line in ${ms} ms: ${err}`)), ms);
    p.child.stderr!.setEncoding("utf8");
    p.child.stderr!.on("data", (s: string) => {
      err += s;
      const m = /bound (\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void p.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bound half exited (${code}) before binding: ${err.trim()}`));
    });
  });
}

function kill(p: Proc): void {
  if (p.child.exitCode === null) p.child.kill("SIGKILL");
}

/** A measurement's value, and for a lossy pattern (radio-dish) what each half counted. */
export interface Measured {
  value: number;
  error?: string;
  /** `messages received: N` of the receiving half, when it printed one. */
  received?: number;
  /** `messages sent: N` of the sending half, when it printed one. */
  sent?: number;
}

/**
 * One measurement: msg/s for "thr", one-way µs for "lat"; NaN when it failed or took longer
 * than `timeoutMs`. With `sample`, both pids are passed to it while the run lasts.
 */
export async function measure(
  impl: Impl,
  bench: "thr" | "lat",
  size: number,
  count: number,
  timeoutMs: number,
  sample?: (pids: number[]) => void,
  endpoint = "tcp://127.0.0.1:*",
): Promise<Measured> {
  const [local, remote]: [Tool, Tool] = bench === "thr"
    ? ["local_thr", "remote_thr"]
    : ["local_lat", "remote_lat"];
  const a = start(pinned(impl.command(local, endpoint, size, count), pins?.[0]));
  let b: Proc | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    const ep = await boundEndpoint(a, 30_000);
    b = start(pinned(impl.command(remote, ep, size, count), pins?.[1]));
    b.child.stderr!.resume();
    if (sample) {
      const pids = [a.child.pid!, b.child.pid!];
      sampler = setInterval(() => sample(pids), 1000);
    }
    const timedOut = new Promise<"timeout">((
      r,
    ) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
    const done = await Promise.race([Promise.all([a.exited, b.exited]), timedOut]);
    if (done === "timeout") return { value: NaN, error: `timed out after ${timeoutMs} ms` };
    const text = await (bench === "thr" ? a.stdout : b.stdout);
    const re = bench === "thr"
      ? /mean throughput: (\d+) \[msg\/s\]/
      : /average latency: ([\d.]+) \[us\]/;
    const m = re.exec(text);
    if (!m) return { value: NaN, error: `no result line (exit ${done.join(",")}): ${text.trim()}` };
    const r: Measured = { value: Number(m[1]) };
    if (bench === "thr") {
      const received = /messages received: (\d+)/.exec(text);
      const sent = /messages sent: (\d+)/.exec(await b.stdout);
      if (received) r.received = Number(received[1]);
      if (sent) r.sent = Number(sent[1]);
    }
    return r;
  } catch (e) {
    return { value: NaN, error: (e as Error).message };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (sampler !== undefined) clearInterval(sampler);
    kill(a);
    if (b) kill(b);
  }
}

/** Resident set size of `pid` in KiB (Linux), or NaN. */
export function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** Runs `argv` and returns its trimmed stdout (first line), or "" when it fails. */
export async function versionOf(argv: string[]): Promise<string> {
  const p = start(argv);
  const code = await p.exited;
  return code === 0 ? (await p.stdout).trim().split("\n")[0]! : "";
}
