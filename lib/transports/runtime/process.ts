// SPDX-License-Identifier: MIT
/**
 * The process around the command line, on `node:process` and `node:child_process` (which
 * Deno, Bun and Node implement): arguments, environment, exit, signals, and running a shell
 * command per request (`zmqkit cat rep --exec`).
 */
import { builtin, nodeProcess } from "./builtin.ts";

/** The command line, `[runtime, script, ...arguments]` as Node gives it. */
export function argv(): string[] {
  return [...nodeProcess().argv];
}

/** One environment variable, or undefined. */
export function env(name: string): string | undefined {
  return nodeProcess().env[name];
}

/** Ends the process now with `code`. */
export function exit(code: number): never {
  return nodeProcess().exit(code);
}

/** The exit code used when the process ends by itself. */
export function setExitCode(code: number): void {
  nodeProcess().exitCode = code;
}

/**
 * Ends the process with `code` after `ms`, unless it has ended by itself before: a timer
 * that does not keep the process alive (a guard against a handle nobody closed).
 */
export function exitLater(ms: number, code: number): void {
  const t = builtin("node:timers").setTimeout(() => nodeProcess().exit(code), ms) as unknown as {
    unref?: () => void;
  };
  t.unref?.();
}

export type SignalName = "SIGINT" | "SIGTERM";

/** Calls `handler` on SIGINT and SIGTERM; returns a function that removes it. */
export function onSignals(handler: (signal: SignalName) => void): () => void {
  const onInt = () => handler("SIGINT");
  const onTerm = () => handler("SIGTERM");
  nodeProcess().on("SIGINT", onInt);
  nodeProcess().on("SIGTERM", onTerm);
  return () => {
    nodeProcess().off("SIGINT", onInt);
    nodeProcess().off("SIGTERM", onTerm);
  };
}

export interface CommandResult {
  /** Exit status, or null when a signal ended the command. */
  status: number | null;
  signal: string | null;
  /** Everything the command wrote to its standard output. */
  stdout: Uint8Array;
}

/**
 * Runs `command` with `sh -c`, writes `input` to its standard input, and collects its
 * standard output. Its standard error goes to ours. `env` is added to our environment.
 * The shell runs in a process group of its own, so that `signal` (aborted) ends the whole
 * command with SIGTERM: the shell and whatever it started (a pipeline, a background job),
 * not only the shell. Rejects when the shell cannot be started.
 */
export function runCommand(
  command: string,
  options: { input: Uint8Array; env: Record<string, string>; signal?: AbortSignal },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new Error("aborted before it started"));
    const child = builtin("node:child_process").spawn("sh", ["-c", command], {
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...nodeProcess().env, ...options.env },
      detached: true, // its own process group (and session): killed as one below
    });
    let ended = false;
    const kill = () => {
      if (ended || child.pid === undefined) return;
      try {
        nodeProcess().kill(-child.pid, "SIGTERM"); // the group: sh and everything it started
      } catch {
        try {
          child.kill("SIGTERM"); // no group (it has already gone, or was never made)
        } catch { /* gone */ }
      }
    };
    options.signal?.addEventListener("abort", kill, { once: true });
    const chunks: Uint8Array[] = [];
    let size = 0;
    child.stdout!.on("data", (b: Uint8Array) => {
      chunks.push(b);
      size += b.length;
    });
    // a command that does not read its input must not fail us with EPIPE
    child.stdin!.on("error", () => {});
    child.stdin!.end(options.input);
    child.once("error", (e: Error) => {
      ended = true;
      options.signal?.removeEventListener("abort", kill);
      reject(e);
    });
    child.once("close", (status: number | null, signal: string | null) => {
      ended = true;
      options.signal?.removeEventListener("abort", kill);
      const stdout = new Uint8Array(size);
      let o = 0;
      for (const c of chunks) {
        stdout.set(c, o);
        o += c.length;
      }
      resolve({ status, signal, stdout });
    });
  });
}
