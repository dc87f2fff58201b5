// SPDX-License-Identifier: MIT
/**
 * Which JavaScript runtime runs this code, and its version, e.g. for `zmqkit --version`. This
 * names the runtime itself: the socket adapter in use (`socketApi`, sockets.ts) may differ, as
 * ZMQKIT_SOCKETS=node makes Deno and Bun use `node:net`.
 */
// The ambient globals, typed just enough for what this file reads.
const g = globalThis as unknown as {
  Deno?: { version?: { deno?: string } };
  Bun?: { version?: string };
  process?: { version?: string };
};

/** The runtime: "deno", "bun" (also inside a `bun build --compile` binary) or "node". */
export function runtimeName(): "deno" | "bun" | "node" {
  return g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";
}

/** The runtime's version as the runtime prints it: "2.9.6" (Deno), "1.4.5" (Bun), "v20.20.2" (Node). */
export function runtimeVersion(): string {
  switch (runtimeName()) {
    case "deno":
      return g.Deno?.version?.deno ?? "unknown";
    case "bun":
      return g.Bun?.version ?? "unknown";
    default:
      return g.process?.version ?? "unknown";
  }
}
