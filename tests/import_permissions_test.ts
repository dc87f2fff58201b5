// SPDX-License-Identifier: MIT
/**
 * Importing mod.ts needs no permission on Deno (std's rule: no permission-gated reads at
 * import), and a tcp socket needs only --allow-net: run in a Deno child with exactly those.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const deno = resolve("node_modules/.bin/deno");
const mod = resolve("mod.ts");

/**
 * Runs `source` as a main module in a directory of its own inside the checkout: a Deno project
 * that uses zmqkit from source, whose package.json provides zmqkit's npm dependencies
 * (@noble/*, which CURVE needs). A main module outside any project would have no package.json
 * to resolve them from.
 */
function runDeno(flags: string[], source: string): { code: number | null; out: string } {
  const dir = mkdtempSync(join(resolve("."), ".zmqkit-perm-"));
  try {
    const file = join(dir, "main.ts");
    writeFileSync(file, source);
    // --no-prompt: a permission request fails instead of waiting for an answer
    const r = spawnSync(deno, ["run", "--no-check", "--no-prompt", ...flags, file], {
      encoding: "utf8",
      timeout: 30_000,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("permissions on Deno", () => {
  it("importing mod.ts needs none", () => {
    const r = runDeno(
      [],
      `import * as z from ${JSON.stringify(mod)};\nconsole.log(typeof z.Push);`,
    );
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /function/);
  });

  it("a tcp round trip needs only --allow-net", () => {
    const r = runDeno(
      ["--allow-net=127.0.0.1"],
      `import { Pull, Push } from ${JSON.stringify(mod)};
const pull = new Pull();
await pull.bind("tcp://127.0.0.1:*");
const push = new Push();
push.connect(pull.lastEndpoint!);
await push.send("hi");
console.log(new TextDecoder().decode((await pull.receive())[0]));
push.close();
pull.close();
`,
    );
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^hi$/m);
  });
});
