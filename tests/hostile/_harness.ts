// SPDX-License-Identifier: MIT
/**
 * The hostile-peer suite's rig: a zmqkit process on the runtime of the test (tests/hostile/
 * _target.ts, `zmqkit proxy` or the `zmqkit dump` relay from cli/main.ts), its memory read from
 * /proc/<pid>/status, the good clients that must keep being served, and the raw writers the
 * attacks use. Each case prints one summary line on stderr:
 *
 *   hostile: <case> runtime=<deno|bun> sent=<MB> rss_before=<MiB> rss_peak=<MiB>
 *     rss_after=<MiB> alive=<bool>
 *
 * Sizes are scaled down for CI; `ZMQKIT_HOSTILE_FULL=1` selects the full sizes of issue 11.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import type * as net from "node:net";
import process from "node:process";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { Dealer, Reply, Request, Subscriber } from "../../mod.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const RUNTIME: "deno" | "bun" = "Deno" in globalThis ? "deno" : "bun";
export const FULL = process.env.ZMQKIT_HOSTILE_FULL === "1";
/** The CI size, or the full one of issue 11 under ZMQKIT_HOSTILE_FULL=1. */
export function scaled<T>(ci: T, full: T): T {
  return FULL ? full : ci;
}

export const KiB = 1024;
export const MiB = 1024 * 1024;

/**
 * C, the RSS growth any case may show on top of 2 × the bytes a peer could make the target
 * hold. Chosen from the benign baseline (baseline_test.ts: 16 MB, or 64 MB in full, echoed in
 * 64 KiB messages, then 100 good clients connecting and leaving), measured at 115d5fe: peak
 * growth 38–46 MiB on Deno and 16–24 MiB on Bun, the same at 16 and 64 MB, so not a cost per
 * byte: V8/JSC heaps growing to their working size (V8's young generation alone reaches
 * tens of MiB), the allocator keeping what GC freed, each runtime's I/O buffers. 64 MiB
 * leaves room over the worst of those, while every attack that costs memory today costs
 * 1.5× to 40× its bound at the CI sizes (the closest: 500 trickled handshakes on Deno, 151 MiB
 * against a bound of 95 MiB), so a broken engine cannot pass by a small margin either.
 */
export const C = 64 * MiB;

/**
 * A child whose RSS passes this is killed by the suite (its memory bound is long failed), so
 * that a broken engine cannot take the machine down with it (nor take minutes swapping): 2 GiB
 * at the CI sizes, where no bound is over 130 MiB, 4 GiB at the full ones, or
 * ZMQKIT_HOSTILE_RSS_CAP_MIB.
 */
export const RSS_CAP = Number(process.env.ZMQKIT_HOSTILE_RSS_CAP_MIB ?? scaled(2048, 4096)) *
  MiB;

/** Bound on one wait for something that should happen at once; a failure guard, not a timing. */
export const WAIT = scaled(15_000, 120_000);

/**
 * Bound on a whole case, so that a broken engine fails every check it fails before the test
 * runner's own timeout (Bun's is 60 s in CI; run_full.sh gives it 30 min) kills the case
 * half-way: past it, every wait gets only a last second.
 */
const CASE_BUDGET = scaled(45_000, 1_500_000);
let caseDeadline = Infinity;

/** `ms`, or less when the case's budget runs out sooner (never under 1 s). */
export function wait(ms = WAIT): number {
  return Math.max(1000, Math.min(ms, caseDeadline - Date.now()));
}

/** The runtime command line that runs a TypeScript file of this repository. */
function runtimeArgs(script: string, args: string[]): string[] {
  return RUNTIME === "deno" ? ["run", "-A", script, ...args] : [script, ...args];
}

const live = new Set<Child>();

/** Kills every child still running: an `after` hook, so a failed case leaves no process. */
export function killAll(): void {
  for (const c of live) c.kill();
  live.clear();
}

type Line = Record<string, unknown>;

/** A zmqkit process: its JSON lines on stdout, its stderr, and its memory from /proc. */
export class Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly name: string;
  /** JSON lines printed on stdout (other lines are counted, not kept). */
  readonly lines: Line[] = [];
  otherLines = 0;
  stderr = "";
  /** Set when the suite killed it for passing RSS_CAP: the RSS it had then. */
  cappedAt: number | undefined;
  /** Rejects once the process has exited: race a wait with it to fail fast. */
  readonly exited: Promise<never>;
  #partial = "";

  constructor(name: string, script: string, args: string[]) {
    this.name = name;
    this.proc = spawn(process.execPath, runtimeArgs(script, args), {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.pid = this.proc.pid!;
    live.add(this);
    this.proc.stdout!.setEncoding("utf8");
    this.proc.stdout!.on("data", (s: string) => this.#onStdout(s));
    this.proc.stderr!.setEncoding("utf8");
    this.proc.stderr!.on("data", (s: string) => {
      this.stderr = (this.stderr + s).slice(-20_000);
    });
    this.proc.stdin!.on("error", () => {});
    this.exited = new Promise<never>((_, reject) => {
      this.proc.once("exit", (code, signal) => {
        live.delete(this);
        reject(
          new Error(
            `${this.name} exited (code ${code}, signal ${signal}); stderr: ${
              this.stderr.slice(-2000)
            }`,
          ),
        );
      });
    });
    this.exited.catch(() => {});
  }

  #onStdout(s: string): void {
    const parts = (this.#partial + s).split("\n");
    this.#partial = parts.pop()!;
    for (const l of parts) {
      if (l.startsWith("{")) {
        try {
          this.lines.push(JSON.parse(l) as Line);
          continue;
        } catch { /* not JSON after all */ }
      }
      this.otherLines++;
    }
  }

  /** Running, and not a zombie. */
  get alive(): boolean {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return false;
    const state = this.#status("State");
    return state !== undefined && !state.startsWith("Z");
  }

  #status(field: string): string | undefined {
    try {
      const text = readFileSync(`/proc/${this.pid}/status`, "utf8");
      return new RegExp(`^${field}:\\s*(.*)$`, "m").exec(text)?.[1];
    } catch {
      return undefined;
    }
  }

  #kiB(field: string): number {
    const v = this.#status(field);
    return v === undefined ? NaN : Number.parseInt(v, 10) * KiB;
  }

  /** Resident set size now, bytes (NaN once gone). */
  rss(): number {
    return this.#kiB("VmRSS");
  }

  /** Peak resident set size since start or the last resetPeak(), bytes. */
  hwm(): number {
    return this.#kiB("VmHWM");
  }

  /** Resets VmHWM to the current RSS (Linux ≥ 4.0); false where that is not allowed. */
  resetPeak(): boolean {
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, "5");
      return true;
    } catch {
      return false;
    }
  }

  /** Waits for a JSON line matching `pred` at index `from` or later; fails if the process exits. */
  waitLine(pred: (l: Line) => boolean, what: string, from = 0, ms = wait()): Promise<Line> {
    return waitUntil(() => this.lines.slice(from).find(pred), `${this.name}: ${what}`, ms, this);
  }

  /** Waits until `n` JSON lines from index `from` on match `pred`. */
  waitCount(pred: (l: Line) => boolean, n: number, what: string, from = 0, ms = wait()) {
    return waitUntil(
      () => this.lines.slice(from).filter(pred).length >= n ? true : undefined,
      () => `${this.name}: ${n} × ${what} (saw ${this.lines.slice(from).filter(pred).length})`,
      ms,
      this,
    );
  }

  /** Events printed from index `from` on. */
  events(from = 0): Line[] {
    return this.lines.slice(from).filter((l) => typeof l.event === "string");
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
    live.delete(this);
  }
}

/**
 * Polls `check` every 25 ms until it returns a value; fails after `ms`, or at once when `child`
 * is given and has exited.
 */
export async function waitUntil<T>(
  check: () => T | undefined,
  what: string | (() => string),
  ms = wait(),
  child?: Child,
): Promise<T> {
  const end = Date.now() + ms;
  const name = () => typeof what === "string" ? what : what();
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (child && !child.alive) {
      throw new Error(
        `${child.name} died waiting for ${name()}; stderr: ${child.stderr.slice(-2000)}`,
      );
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${name()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `p`, or a rejection naming `what` after `ms`, or as soon as one of `children` exits. */
export function guard<T>(p: Promise<T>, what: string, children: Child[], ms = wait()): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, deadline, ...children.map((c) => c.exited)]).finally(() =>
    clearTimeout(timer)
  );
}

// ---------------------------------------------------------------- the processes

export type TargetType = "ROUTER" | "PUB" | "XPUB";

/** A running tests/hostile/_target.ts and the endpoint it bound. */
export interface Target {
  child: Child;
  endpoint: string;
}

/** Starts a target socket of `type` bound on `bind` (tcp://127.0.0.1:* by default). */
export async function startTarget(
  type: TargetType,
  options: Record<string, unknown> = {},
  bind?: string,
): Promise<Target> {
  const child = new Child(`${type} target`, "tests/hostile/_target.ts", [
    JSON.stringify({ type, options, bind }),
  ]);
  const line = await child.waitLine((l) => typeof l.endpoint === "string", "endpoint", 0, 60_000);
  return { child, endpoint: line.endpoint as string };
}

/** `zmqkit proxy queue` with both sides bound on wildcard ports. */
export async function startProxy(): Promise<{ child: Child; frontend: string; backend: string }> {
  const child = new Child("proxy", "cli/main.ts", [
    "proxy",
    "queue",
    "tcp://127.0.0.1:*",
    "tcp://127.0.0.1:*",
  ]);
  const re = /frontend: router bound to (\S+)[\s\S]*backend: dealer bound to (\S+)/;
  const m = await waitUntil(() => re.exec(child.stderr) ?? undefined, "proxy bound", 60_000, child);
  return { child, frontend: m[1]!, backend: m[2]! };
}

/** The `zmqkit dump` relay listening on a wildcard port in front of `upstream`. */
export async function startRelay(upstream: string): Promise<{ child: Child; endpoint: string }> {
  const child = new Child("dump relay", "cli/main.ts", [
    "dump",
    "--listen",
    "tcp://127.0.0.1:*",
    "--upstream",
    upstream,
    "--max-bytes",
    "16",
  ]);
  const m = await waitUntil(
    () => /relaying \S+ \(([^)]*)\) →/.exec(child.stderr) ?? undefined,
    "relay listening",
    60_000,
    child,
  );
  return { child, endpoint: `tcp://${m[1]!}` };
}

// ---------------------------------------------------------------- memory

/** RSS of one child before, at the peak of (sampled every 20 ms, and VmHWM), and after a case. */
export class Meter {
  readonly child: Child;
  before = NaN;
  peak = NaN;
  after = NaN;
  #hwm = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(child: Child) {
    this.child = child;
  }

  start(): this {
    this.before = this.child.rss();
    this.#hwm = this.child.resetPeak();
    this.peak = this.before;
    this.#timer = setInterval(() => this.sample(), 20);
    return this;
  }

  sample(): void {
    const r = this.child.rss();
    if (r > this.peak) this.peak = r;
    if (this.#hwm) {
      const h = this.child.hwm();
      if (h > this.peak) this.peak = h;
    }
    if (this.peak > RSS_CAP && this.child.cappedAt === undefined) {
      this.child.cappedAt = this.peak;
      this.child.kill();
    }
  }

  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.sample();
    this.after = this.child.rss();
  }

  get growth(): number {
    return this.peak - this.before;
  }
}

const mib = (n: number) => Number.isNaN(n) ? "NaN" : (n / MiB).toFixed(1);

/** Prints the case's summary line on stderr. */
export function report(name: string, sent: number, meter: Meter): void {
  const line = `hostile: ${name} runtime=${RUNTIME} sent=${(sent / 1e6).toFixed(2)} ` +
    `rss_before=${mib(meter.before)} rss_peak=${mib(meter.peak)} ` +
    `rss_after=${mib(meter.after)} alive=${meter.child.alive}\n`;
  process.stderr.write(line);
}

/** (b): peak growth within 2 × what the peer could make the target hold, plus C. */
export function memoryWithin(meter: Meter, held: number, extra = 0): string | undefined {
  const bound = 2 * held + C + extra;
  if (meter.growth <= bound) return undefined;
  return `${meter.child.name} RSS grew ${mib(meter.growth)} MiB (${mib(meter.before)} → ` +
    `${mib(meter.peak)}), bound 2 × ${mib(held)} + ${mib(C + extra)} = ${mib(bound)} MiB`;
}

// ---------------------------------------------------------------- verdicts

/**
 * Collects the failures of one case, so that a broken engine is described by every check it
 * fails (alive, memory, good client during and after, refusal event), not only the first.
 */
export class Verdict {
  readonly failures: string[] = [];

  /** Runs `fn`; a throw becomes a failure named `what`. Resolves to false if it failed. */
  async step(what: string, fn: () => Promise<unknown> | unknown): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (e) {
      this.failures.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }

  check(failure: string | undefined): void {
    if (failure !== undefined) this.failures.push(failure);
  }

  done(): void {
    assert.deepEqual(this.failures, [], this.failures.join("\n"));
  }
}

/** (a): undefined while `child` is up, else how it ended. */
export function deathOf(child: Child): string | undefined {
  if (child.alive) return undefined;
  if (child.cappedAt !== undefined) {
    return `${child.name} killed by the suite at ${mib(child.cappedAt)} MiB RSS ` +
      `(over the ${mib(RSS_CAP)} MiB cap)`;
  }
  return `${child.name} died (code ${child.proc.exitCode}, signal ${child.proc.signalCode}): ${
    child.stderr.slice(-1000)
  }`;
}

// ---------------------------------------------------------------- one case

/** What an attack gets: the verdict, good clients to start meanwhile, the bytes it sent. */
export interface Attack {
  v: Verdict;
  /** Starts a good client's round trip now (awaited before "after"), recorded as `what`. */
  during(what: string): void;
  /** Samples every meter now (besides the 20 ms timer and VmHWM). */
  sample(): void;
  /** Add every byte written to the target. */
  sent: number;
}

export interface CaseSpec {
  /** For the summary line, e.g. "1a-multipart-maxsize". */
  name: string;
  /** Processes whose memory is measured, with the bytes of the attack each may hold. */
  measured: Array<{ label: string; child: Child; held: (sent: number) => number; extra?: number }>;
  /** Every process that must stay up (a). */
  children: Child[];
  /** A good client's round trip (c), also run once before, as a warm-up. */
  good(): Promise<void>;
  /** The attack; it calls during() while its connections are open and checks refusals (d). */
  attack(a: Attack): Promise<void>;
  /** Kills the processes and closes what the rig opened. */
  close(): void;
}

/**
 * Runs one case: warm-up, meters on, the attack (with good clients during it), a good client
 * after it, meters off, the summary line, then every check: (a) alive, (b) memory, (c) good
 * clients, (d) refusals, all failures reported together.
 */
export async function runCase(spec: CaseSpec): Promise<void> {
  const v = new Verdict();
  const meters = spec.measured.map((m) => new Meter(m.child));
  const pending: Promise<boolean>[] = [];
  const a: Attack = {
    v,
    during: (what) => pending.push(v.step(`good client ${what}`, () => spec.good())),
    sample: () => meters.forEach((m) => m.sample()),
    sent: 0,
  };
  caseDeadline = Date.now() + CASE_BUDGET;
  try {
    await spec.good();
    for (const m of meters) m.start();
    await v.step("attack", () => spec.attack(a));
    await Promise.all(pending);
    await v.step("good client after", () => spec.good());
  } finally {
    caseDeadline = Infinity;
    for (const c of spec.children) v.check(deathOf(c));
    for (const [i, m] of meters.entries()) {
      m.stop();
      const label = spec.measured[i]!.label;
      report(label === "" ? spec.name : `${spec.name}-${label}`, a.sent, m);
    }
    spec.close();
  }
  for (const [i, m] of meters.entries()) {
    const { held, extra } = spec.measured[i]!;
    v.check(memoryWithin(m, held(a.sent), extra));
  }
  v.done();
}

/** Events with an error, but for peers that simply left (good clients do). */
export function errorEvents(child: Child, from: number): Record<string, unknown>[] {
  return child.events(from).filter((e) =>
    e.message !== undefined && e.message !== "connection closed by peer"
  );
}

/**
 * (d): waits for `n` events printed from line `from` on that match `type`, one of `codes`
 * and `message`; the failure lists the last error events seen (good clients leaving aside).
 */
export function refusal(
  child: Child,
  from: number,
  want: { type: string; codes: string[]; message: RegExp; n?: number },
): Promise<true> {
  const match = (l: Record<string, unknown>) =>
    l.event === want.type && want.codes.includes(String(l.code)) &&
    want.message.test(String(l.message));
  const n = want.n ?? 1;
  return waitUntil(
    () => child.events(from).filter(match).length >= n ? true : undefined,
    () =>
      `${n} × ${want.type} with ${want.codes.join("|")} naming ${want.message} (saw ${
        child.events(from).filter(match).length
      }; last errors: ${JSON.stringify(errorEvents(child, from).slice(-3))})`,
    wait(),
    child,
  );
}

// ---------------------------------------------------------------- good clients

const dec = new TextDecoder();
let tags = 0;

/**
 * `p` with its rejection also handled elsewhere: a wait that timed out leaves it pending, and
 * closing the socket then rejects it, which must not be an unhandled rejection.
 */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/** A fresh DEALER connects to a ROUTER target (or through a relay) and gets its echo back. */
export function dealerRoundTrip(endpoint: string, children: Child[]): Promise<void> {
  return echoRoundTrip(new Dealer({ linger: 0 }), "DEALER", endpoint, children);
}

/** `sock` connects, sends a fresh tag and must get that tag back; closed in any case. */
async function echoRoundTrip(
  sock: Dealer | Request,
  what: string,
  endpoint: string,
  children: Child[],
): Promise<void> {
  const tag = `good-${++tags}`;
  try {
    sock.connect(endpoint);
    await guard(quiet(sock.send(tag)), `good ${what} send`, children);
    const reply = await guard(quiet(sock.receive()), `good ${what} reply`, children);
    assert.deepEqual(reply.map((f) => dec.decode(f)), [tag]);
  } finally {
    sock.close();
  }
}

/** A fresh SUB subscribes to "good" at a PUB/XPUB target and receives one message. */
export async function subReceive(endpoint: string, children: Child[]): Promise<void> {
  const s = new Subscriber({ linger: 0 });
  try {
    s.subscribe("good");
    s.connect(endpoint);
    const [topic] = await guard(quiet(s.receive()), "good SUB message", children);
    assert.equal(dec.decode(topic), "good");
  } finally {
    s.close();
  }
}

/** An echo worker (REP) on a proxy's backend, in this process. */
export function startWorker(backend: string): { close(): void } {
  const rep = new Reply({ linger: 0 });
  rep.connect(backend);
  void (async () => {
    try {
      for (;;) await rep.send(await rep.receive());
    } catch { /* closed */ }
  })();
  return { close: () => rep.close() };
}

/** A fresh REQ sends through a proxy's frontend and gets the worker's echo. */
export function reqRoundTrip(frontend: string, children: Child[]): Promise<void> {
  return echoRoundTrip(new Request({ linger: 0 }), "REQ", frontend, children);
}

// ---------------------------------------------------------------- attack writers

/** Calls `fn` once `sent` reaches `at` bytes (while writing goes on). */
export interface Mark {
  at: number;
  fn: () => void;
}

/** What stream() did: bytes the kernel took, and whether the reader stopped taking them. */
export interface Streamed {
  sent: number;
  /** No progress for WAIT ms: the target stopped reading (writing was given up). */
  stalled: boolean;
}

/**
 * Writes `total` bytes to `sock` as repeats of `chunk` (or the slices of `chunk` when `total`
 * is its length), keeping to the socket's back-pressure. Stops early when the other side
 * closes or stops reading for WAIT ms. `sent` counts what the kernel took (write callbacks
 * without error).
 */
export async function stream(
  sock: net.Socket,
  chunk: Uint8Array,
  total: number,
  marks: Mark[] = [],
): Promise<Streamed> {
  const slice = 64 * KiB;
  let queued = 0, sent = 0, failed = false, stalled = false;
  const pending = [...marks].sort((a, b) => a.at - b.at);
  const onWritten = (n: number) => (err?: Error | null) => {
    if (err) failed = true;
    else sent += n;
  };
  while (queued < total && !failed && !stalled && !sock.destroyed && sock.writable) {
    let piece: Uint8Array;
    if (chunk.length === total) piece = chunk.subarray(queued, queued + slice);
    else piece = total - queued >= chunk.length ? chunk : chunk.subarray(0, total - queued);
    queued += piece.length;
    const ok = sock.write(piece, onWritten(piece.length));
    while (pending.length > 0 && pending[0]!.at <= queued) pending.shift()!.fn();
    if (!ok) stalled = !(await drainOrClose(sock));
  }
  for (const m of pending) m.fn();
  if (!stalled) stalled = !(await drainOrClose(sock));
  // some runtimes call write callbacks late: what left the socket's buffer counts as sent
  if (!sock.destroyed) sent = Math.max(sent, queued - sock.writableLength);
  return { sent, stalled };
}

/** Resolves true on drain or close, false when neither came within WAIT. */
function drainOrClose(sock: net.Socket): Promise<boolean> {
  if (sock.destroyed || sock.writableLength === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      clearTimeout(timer);
      sock.off("drain", onDrain);
      sock.off("close", onDrain);
      resolve(ok);
    };
    const onDrain = done(true);
    const timer = setTimeout(done(false), wait());
    sock.once("drain", onDrain);
    sock.once("close", onDrain);
  });
}

/** The process's soft limit of open files (from /proc/self/limits), or Infinity. */
export function openFilesLimit(): number {
  try {
    const m = /^Max open files\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    return m && m[1] !== "unlimited" ? Number(m[1]) : Infinity;
  } catch {
    return Infinity;
  }
}
