// SPDX-License-Identifier: MIT
/**
 * Node's built-in modules, each loaded when first used rather than when zmqkit is imported.
 * On Deno every `node:` module brings up part of Node's compatibility layer: `node:process`
 * alone adds about 1.7 MB to the heap, `node:fs` about 2.5 MB. A program that only uses Deno's
 * own sockets never needs them, and a larger heap at start brings the first major GC sooner and
 * makes it longer (measured: 12% of PUSH→PULL 64 B throughput in a 0.3 s run). Deno, Bun and
 * Node (≥ 20.16) all have `process.getBuiltinModule`, which loads one synchronously.
 */
import type * as ChildProcess from "node:child_process";
import type * as Dgram from "node:dgram";
import type * as Fs from "node:fs";
import type * as Net from "node:net";
import type * as Os from "node:os";
import type Process from "node:process";
import type * as Timers from "node:timers";
import type * as Tls from "node:tls";

interface Builtins {
  "node:child_process": typeof ChildProcess;
  "node:dgram": typeof Dgram;
  "node:fs": typeof Fs;
  "node:net": typeof Net;
  "node:os": typeof Os;
  "node:timers": typeof Timers;
  "node:tls": typeof Tls;
}

type NodeProcess = typeof Process & {
  getBuiltinModule?(name: string): unknown;
};

/** The runtime's `process` (Node's; Deno and Bun have one too), touched only when called. */
export function nodeProcess(): NodeProcess {
  const p = (globalThis as { process?: NodeProcess }).process;
  if (p === undefined) throw new Error("this runtime has no process object");
  return p;
}

/** A Node built-in module, loaded at the first call (the runtime caches it). */
export function builtin<K extends keyof Builtins>(name: K): Builtins[K] {
  const m = nodeProcess().getBuiltinModule?.(name);
  if (m === undefined) throw new Error(`this runtime cannot load ${name}`);
  return m as Builtins[K];
}
