// SPDX-License-Identifier: MIT
/**
 * Warnings the library gives about how it is used, the runtime's way: `process.emitWarning`
 * (Node, Bun and Deno print it on stderr, and `process.on("warning")` sees it), or
 * `console.warn` where there is no `process`. Each code is said once per process.
 */
const P = (globalThis as {
  process?: { emitWarning?(message: string, options: { code: string }): void };
}).process;

const said = new Set<string>();

/** Warns once per process for `code`; later calls with the same code say nothing. */
export function warnOnce(code: string, message: string): void {
  if (said.has(code)) return;
  said.add(code);
  if (typeof P?.emitWarning === "function") P.emitWarning(message, { code });
  else console.warn(`${code}: ${message}`);
}
