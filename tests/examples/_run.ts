// SPDX-License-Identifier: MIT
/**
 * Runs an example as a subprocess of the runtime running the tests (Deno: `deno run -A`, Bun:
 * `bun`), from the repository root, and watches its standard output. Every wait is bounded;
 * `stopAll()` (an `after` hook) kills whatever a failed test left running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import process from "node:process";
import { after, before } from "node:test";
import { LibzmqPeer, type Side, type SideOptions } from "../_helpers/peers.ts";
import { freePort } from "../_helpers/ports.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Bound on any single wait, ms. */
export const WAIT = 15_000;

const isBun = "Bun" in globalThis;
const isDeno = "Deno" in globalThis;

function command(file: string, args: string[]): [string, string[]] {
  if (isBun) return [process.execPath, [file, ...args]];
  // under Node (which cannot run .ts files) the npm-installed Deno runs them
  const deno = isDeno ? process.execPath : join(ROOT, "node_modules", ".bin", "deno");
  return [deno, ["run", "-A", file, ...args]];
}

const running = new Set<Example>();

/** A running example. */
export class Example {
  readonly name: string;
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  /** Settles with the exit code (null if killed by a signal) when the process ends. */
  readonly exited: Promise<number | null>;
  done = false;
  #watchers = new Set<() => void>();

  constructor(file: string, args: string[], cwd = ROOT) {
    this.name = [file, ...args].join(" ");
    const [cmd, argv] = command(file, args);
    this.child = spawn(cmd, argv, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout!.setEncoding("utf8");
    this.child.stderr!.setEncoding("utf8");
    this.child.stdout!.on("data", (s: string) => {
      this.stdout += s;
      for (const w of this.#watchers) w();
    });
    this.child.stderr!.on("data", (s: string) => this.stderr += s);
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code) => {
        this.done = true;
        running.delete(this);
        for (const w of this.#watchers) w();
        resolve(code);
      });
    });
    running.add(this);
  }

  /** Resolves once `test(stdout)` holds; rejects if it has not after `ms`, or if the process ends first. */
  waitFor(test: RegExp | ((out: string) => boolean), ms = WAIT): Promise<string> {
    const ok = typeof test === "function" ? test : (s: string) => test.test(s);
    return new Promise((resolve, reject) => {
      const check = () => {
        if (ok(this.stdout)) finish(() => resolve(this.stdout));
        else if (this.done) finish(() => reject(this.#error(`ended before ${test}`)));
      };
      const timer = setTimeout(() => finish(() => reject(this.#error(`no ${test}`))), ms);
      const finish = (then: () => void) => {
        clearTimeout(timer);
        this.#watchers.delete(check);
        then();
      };
      this.#watchers.add(check);
      check();
    });
  }

  /** The exit code, once it exits by itself within `ms` (else it is killed and this rejects). */
  async exit(ms = WAIT): Promise<number | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#kill("SIGKILL");
        reject(this.#error(`did not exit within ${ms} ms`));
      }, ms);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes to its standard input. */
  write(text: string): void {
    this.child.stdin!.write(text);
  }

  /**
   * Sends it a signal, as Ctrl-C would. Not with `child.kill(signal)`: under Deno 2.9 a child
   * signalled that way is reported as ended by that signal (code null) even when it handled
   * the signal and exited 0; `process.kill(pid)` leaves the report to the real exit status.
   */
  signal(sig: "SIGINT" | "SIGTERM"): void {
    process.kill(this.child.pid!, sig);
  }

  /**
   * Under Deno 2.x a second `child.kill()` after a first one returns false and does nothing,
   * so the SIGKILL after a SIGTERM would never come: signal by pid instead.
   */
  #kill(sig: "SIGTERM" | "SIGKILL"): void {
    if (this.done) return;
    try {
      process.kill(this.child.pid!, sig);
    } catch { /* already gone */ }
  }

  /** Ends a long-running example (SIGTERM, then SIGKILL) and waits for it. */
  async stop(): Promise<void> {
    if (this.done) return;
    this.#kill("SIGTERM");
    const timer = setTimeout(() => this.#kill("SIGKILL"), 3000);
    await this.exited;
    clearTimeout(timer);
  }

  #error(what: string): Error {
    return new Error(
      `${this.name}: ${what}\n--- stdout:\n${this.stdout.slice(-2000)}\n--- stderr:\n${
        this.stderr.slice(-2000)
      }`,
    );
  }
}

/** Starts `examples/<path>` with `args`. */
export function example(path: string, ...args: string[]): Example {
  return new Example(`examples/${path}`, args);
}

/**
 * Starts `examples/<path>` with `args` in the working directory `cwd` (for the programs that,
 * as the Guide's, name their ipc endpoints relative to it).
 */
export function exampleIn(cwd: string, path: string, ...args: string[]): Example {
  return new Example(join(ROOT, "examples", path), args, cwd);
}

/** Kills every example still running (an `after` hook). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((e) => e.stop()));
}

/** A `tcp://127.0.0.1:<port>` endpoint nothing listens on now (see tests/_helpers/ports.ts). */
export async function freeEndpoint(): Promise<string> {
  return `tcp://127.0.0.1:${await freePort()}`;
}

/** The lines of `out` that match `re`. */
export const lines = (out: string, re: RegExp): string[] =>
  out.split("\n").filter((l) => re.test(l));
/** 1, 2, …, n. */
export const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
/** The numbers of a Lazy Pirate client's "I: server replied OK (n)" lines, in order. */
export const pirateReplies = (out: string): number[] =>
  [...out.matchAll(/^I: server replied OK \((\d+)\)$/gm)].map((m) => Number(m[1]));
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Inside a describe: one libzmq peer (zeromq.js under Node) for its tests. `libzmq(type, options)`
 * makes a socket there (options such as a routing id); `closeAll()` stops the examples and closes those sockets (call it at the end
 * of each test); the peer stops after the last test.
 */
export function libzmqScope(): {
  libzmq: (type: Parameters<LibzmqPeer["socket"]>[0], options?: SideOptions) => Promise<Side>;
  closeAll: () => Promise<void>;
} {
  let peer: LibzmqPeer;
  const sockets: Side[] = [];
  before(async () => {
    peer = await LibzmqPeer.start();
  });
  after(async () => {
    await stopAll();
    await peer?.stop();
  });
  return {
    libzmq: async (type, options) => {
      const s = await peer.socket(type, options);
      sockets.push(s);
      return s;
    },
    closeAll: async () => {
      await stopAll();
      await Promise.all(sockets.splice(0).map((s) => s.close().catch(() => {})));
    },
  };
}
