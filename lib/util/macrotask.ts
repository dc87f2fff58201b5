// SPDX-License-Identifier: MIT
/** Scheduling a function for the event loop's next turn, on every runtime. */

const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;

/**
 * Runs `fn` in a macrotask, as soon as the runtime allows: `setImmediate` (Deno 2, Bun and Node
 * have it, a few µs), else a zero timer.
 */
export const macrotask: (fn: () => void) => void = typeof immediate === "function"
  ? (fn) => void immediate(fn)
  : (fn) => void setTimeout(fn, 0);
