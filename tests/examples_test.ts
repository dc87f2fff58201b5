// Every example runs to completion on the runtime running the tests, and prints what it says.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

function run(file: string): string {
  const args = isDeno ? ["run", "-A", file] : [file];
  return execFileSync(process.execPath, args, { encoding: "utf8", timeout: 30_000 });
}

describe("examples", () => {
  it("push_pull.ts (the README example) delivers a two-frame message", () => {
    assert.match(run("examples/push_pull.ts"), /^topic Uint8Array\(3\) \[ 1, 2, 3 \]/);
  });
  it("req_rep.ts answers each request in order", () => {
    assert.equal(run("examples/req_rep.ts"), "echo one\necho two\necho three\n");
  });
  it("pub_sub.ts filters by prefix", () => {
    assert.equal(run("examples/pub_sub.ts"), "weather.paris sunny\n");
  });
});
