// House rule (design.md): only lib/transports/runtime/ may touch Deno.*, Bun.* or node:* APIs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** The source without its comment lines (doc examples may import node:assert). */
function code(text: string): string {
  return text.split("\n").filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line)).join("\n");
}

describe("layering", () => {
  it("keeps runtime APIs inside lib/transports/runtime/", () => {
    const offenders = tsFiles("lib")
      .filter((f) => !f.startsWith(join("lib", "transports", "runtime")))
      .filter((f) =>
        /\bDeno\.|\bBun\.|from "node:|require\("node:/.test(code(readFileSync(f, "utf8")))
      );
    assert.deepEqual(offenders, []);
  });

  it("loads node: modules on first use, not when lib/ is imported", () => {
    // On Deno each node: module starts part of Node's compatibility layer (megabytes of heap
    // that a socket on Deno's own API never uses): builtin.ts loads them when called.
    // buffers.ts is imported only by the zeromq.js compatibility entries, which need Buffer.
    const runtime = join("lib", "transports", "runtime");
    const offenders = tsFiles("lib")
      .filter((f) => f !== join(runtime, "buffers.ts"))
      .filter((f) => /^import (?!type )[^;]*from "node:/m.test(code(readFileSync(f, "utf8"))));
    assert.deepEqual(offenders, []);
  });
});
