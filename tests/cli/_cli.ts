// SPDX-License-Identifier: MIT
/**
 * Runs the built `dist/zmqkit` binary as a subprocess, or the command ZMQKIT_TEST_BIN names
 * (e.g. the `zmqkit` an `npm install -g` put on PATH, to run these tests on the Node build).
 * `ensureBinary()` builds dist/zmqkit with `bun build --compile` when it is missing or older
 * than any source file (CI builds it first anyway). `zmqkit(args, opts)` runs to completion; `startZmqkit(args)` keeps it running, for
 * the side that binds, and can wait for lines on its standard error.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Buffer } from "node:buffer";
import { freePort } from "../_helpers/ports.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The zmqkit under test: ZMQKIT_TEST_BIN when set, else dist/zmqkit. */
export const BIN = process.env.ZMQKIT_TEST_BIN || join(ROOT, "dist", "zmqkit");

/** Bound on any single wait in these tests, ms. */
export const WAIT = 10_000;

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (name.endsWith(".ts")) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

/** Builds dist/zmqkit when it is missing or older than cli/, lib/ or mod.ts. */
export function ensureBinary(): void {
  if (process.env.ZMQKIT_TEST_BIN) return; // someone else's build: test it as it is
  const sources = Math.max(
    newestSource(join(ROOT, "cli")),
    newestSource(join(ROOT, "lib")),
    statSync(join(ROOT, "mod.ts")).mtimeMs,
  );
  if (existsSync(BIN) && statSync(BIN).mtimeMs >= sources) return;
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  const tmp = `${BIN}.${process.pid}.tmp`;
  const bun = join(ROOT, "node_modules", ".bin", "bun");
  execFileSync(bun, ["build", "--compile", "cli/main.ts", "--outfile", tmp], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    timeout: 120_000,
  });
  renameSync(tmp, BIN); // atomic: a parallel run never sees half a binary
}

export interface Result {
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  /** Standard input; omitted: an empty stdin (closed at once). */
  input?: string | Uint8Array;
  /** Kill the process after this long (the test then fails on its code), ms. */
  timeout?: number;
  env?: Record<string, string>;
  /** The command to run instead of BIN (e.g. a `zmqkit` installed by npm). */
  bin?: string;
}

const running = new Set<ChildProcess>();

/** Kills every zmqkit still running (an `after` hook: a failed test must not leave orphans). */
export function killAll(): void {
  for (const c of running) c.kill("SIGKILL");
  running.clear();
}

/** A running `zmqkit` process. */
export class ZmqkitProcess {
  readonly child: ChildProcess;
  readonly done: Promise<Result>;
  #out: Buffer[] = [];
  #err = "";
  #watchers: Array<() => void> = [];

  constructor(args: string[], options: RunOptions & { keepStdin?: boolean } = {}) {
    this.child = spawn(options.bin ?? BIN, args, {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...options.env },
    });
    running.add(this.child);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), options.timeout ?? 30_000);
    this.child.stdout!.on("data", (b: Buffer) => {
      this.#out.push(b);
      for (const w of this.#watchers) w();
    });
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (s: string) => {
      this.#err += s;
      for (const w of this.#watchers) w();
    });
    this.child.stdin!.on("error", () => {}); // it may exit before reading everything
    this.done = new Promise((resolve) => {
      this.child.once("close", (code, signal) => {
        clearTimeout(timer);
        running.delete(this.child);
        for (const w of this.#watchers) w();
        resolve({ code, signal, stdout: Buffer.concat(this.#out), stderr: this.#err });
      });
    });
    if (options.input !== undefined) this.child.stdin!.end(options.input);
    else if (!options.keepStdin) this.child.stdin!.end();
  }

  get stdout(): Buffer {
    return Buffer.concat(this.#out);
  }

  get stderr(): string {
    return this.#err;
  }

  write(data: string | Uint8Array): void {
    this.child.stdin!.write(data);
  }

  endInput(): void {
    this.child.stdin!.end();
  }

  /** Waits until `check()` returns a value (re-checked on every output), or fails after `ms`. */
  #until<T>(check: () => T | undefined, what: string, ms = WAIT): Promise<T> {
    return new Promise((resolve, reject) => {
      let finished = false;
      const watcher = () => {
        if (finished) return;
        const v = check();
        if (v !== undefined) {
          finished = true;
          cleanup();
          resolve(v);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          finished = true;
          cleanup();
          reject(new Error(`zmqkit exited before ${what}; stderr: ${this.#err}`));
        }
      };
      const timer = setTimeout(() => {
        finished = true;
        cleanup();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; stderr: ${this.#err}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        this.#watchers.splice(this.#watchers.indexOf(watcher), 1);
      };
      this.#watchers.push(watcher);
      watcher();
    });
  }

  /** Waits until `check()` is true (re-checked on every output), or fails after `ms`. */
  waitFor(check: () => boolean, what: string, ms = WAIT): Promise<true> {
    return this.#until(() => check() ? true : undefined, what, ms);
  }

  /** The first match of `re` on standard error, once it appears. */
  waitStderr(re: RegExp, ms = WAIT): Promise<RegExpMatchArray> {
    return this.#until(() => this.#err.match(re) ?? undefined, `stderr ${re}`, ms);
  }

  /** Resolves once standard output holds `n` newline-terminated lines. */
  waitLines(n: number, ms = WAIT): Promise<string[]> {
    return this.#until(
      () => {
        const lines = this.stdout.toString("utf8").split("\n");
        return lines.length > n ? lines.slice(0, n) : undefined;
      },
      `${n} lines on stdout`,
      ms,
    );
  }

  /** The resolved endpoint of a bind with a wildcard port (printed as `zmqkit: bind EP`). */
  async boundEndpoint(): Promise<string> {
    return (await this.waitStderr(/bind ((?:tcp|ipc):\/\/\S+)/))[1]!;
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    this.child.kill(signal);
  }
}

/** Starts `zmqkit args`; stdin stays open unless `input` is given. */
export function startZmqkit(args: string[], options: RunOptions = {}): ZmqkitProcess {
  return new ZmqkitProcess(args, { keepStdin: options.input === undefined, ...options });
}

/** Runs `zmqkit args` to completion. */
export function zmqkit(args: string[], options: RunOptions = {}): Promise<Result> {
  return new ZmqkitProcess(args, options).done;
}

/**
 * Samples a running process's resident memory (VmRSS and its high-water mark VmHWM, from
 * /proc/PID/status) every `ms` until `stop()`, which returns the largest seen, in bytes.
 * Undefined where there is no /proc (the caller then skips its memory check).
 */
export function watchMemory(pid: number, ms = 20): { stop(): number | undefined } | undefined {
  if (!existsSync(`/proc/${pid}/status`)) return undefined;
  let peak = 0;
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      for (const m of status.matchAll(/^Vm(?:RSS|HWM):\s+(\d+) kB$/gm)) {
        peak = Math.max(peak, Number(m[1]) * 1024);
      }
    } catch { /* it has exited */ }
  };
  sample();
  const timer = setInterval(sample, ms);
  return {
    stop() {
      clearInterval(timer);
      return peak > 0 ? peak : undefined;
    },
  };
}

/**
 * Writes `total` bytes from `chunk` repeated to the process's standard input as fast as it
 * reads them, then ends it. Stops early (returning what was written) when the process exits.
 */
export async function feed(z: ZmqkitProcess, chunk: Uint8Array, total: number): Promise<number> {
  const stdin = z.child.stdin!;
  let exited = false;
  void z.done.then(() => exited = true);
  let sent = 0;
  while (sent < total && !exited && stdin.writable) {
    const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
    sent += part.length;
    if (!stdin.write(part)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          stdin.off("drain", done);
          stdin.off("close", done);
          resolve();
        };
        stdin.once("drain", done);
        stdin.once("close", done);
        void z.done.then(done);
      });
    }
  }
  if (!exited) stdin.end();
  return sent;
}

let counter = 0;
/** A fresh ipc endpoint under /tmp. */
export function ipcEndpoint(): string {
  return `ipc:///tmp/zmqkit-cli-${process.pid}-${Date.now() % 100000}-${counter++}.ipc`;
}

/** Lines of a buffer (the last, empty piece after the final newline dropped). */
export function lines(b: Buffer): string[] {
  const s = b.toString("utf8");
  const parts = s.split("\n");
  if (parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/**
 * Runs `zmqkit ARGS` in the background of `sh`, sends it SIG`signal` as soon as the ipc
 * socket file `path` exists (a busy loop, to be early; the test's bound ends it), and
 * resolves with the exit
 * status the shell saw, e.g. "status=130". A shell reports it because Deno's child_process
 * gives only the signal of a child that a signal ended. Background jobs of a
 * non-interactive shell start with SIGINT ignored, so a command that installs its handler
 * only after binding loses a signal sent this early: the race this catches.
 */
export async function statusAfterSignal(
  args: string[],
  path: string,
  signal: "INT" | "TERM",
): Promise<string> {
  const script = `"$0" "$@" & p=$!; echo "pid=$p"
    while [ ! -S "${path}" ] && kill -0 $p 2>/dev/null; do :; done
    kill -${signal} $p; wait $p; echo "status=$?"`;
  const sh = spawn("sh", ["-c", script, BIN, ...args], { stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  sh.stdout!.on("data", (d) => out += d);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      new Promise((r) => sh.once("close", r)),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          const pid = /pid=(\d+)/.exec(out)?.[1];
          if (pid) process.kill(Number(pid), "SIGKILL");
          sh.kill("SIGKILL");
          reject(new Error(`zmqkit ${args.join(" ")}: no exit ${2 * WAIT} ms after SIG${signal}`));
        }, 2 * WAIT);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return out.replace(/^pid=\d+\n/, "").trim();
}

/** A TCP port nobody listens on now (tests/_helpers/ports.ts: outside the ephemeral range). */
export function closedPort(): Promise<number> {
  return freePort();
}
