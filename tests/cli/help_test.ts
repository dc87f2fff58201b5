// SPDX-License-Identifier: MIT
// --version, --help with examples, shell completions, and the rule that cli/ reaches the
// runtime only through lib/transports/runtime/ (so it runs the same on Deno and Bun).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../../lib/internal.ts";
import { TYPE_NAMES } from "../../cli/cat/types.ts";
import { FORMATS } from "../../cli/io/options.ts";
import { ensureBinary, killAll, ROOT, zmqkit } from "./_cli.ts";

before(() => ensureBinary());
after(() => killAll());

function has(shell: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0;
}

describe("zmqkit --version and --help", () => {
  it("prints the version and the runtime", async () => {
    const r = await zmqkit(["--version"]);
    assert.equal(r.code, 0);
    const out = r.stdout.toString();
    assert.match(out, /^zmqkit (\S+) \((deno|bun|node) v?\d+\.\d+\.\d+\S*\)\n$/);
    assert.equal(out.split(" ")[1], VERSION);
  });

  it("help CMD SUBCMD shows the subcommand's help", async () => {
    const r = await zmqkit(["help", "bench", "thr"]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.toString();
    assert.match(out, /^Usage: zmqkit bench thr \[options\]/);
    assert.equal(out, (await zmqkit(["bench", "thr", "--help"])).stdout.toString());
    assert.match((await zmqkit(["help", "cat"])).stdout.toString(), /^Usage: zmqkit cat /);
    assert.match((await zmqkit(["help"])).stdout.toString(), /^Usage: zmqkit \[options\]/);
  });

  it("help with an unknown command is a usage error naming it", async () => {
    const r = await zmqkit(["help", "bench", "nope"]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "zmqkit: unknown command 'bench nope' (see --help)\n");
  });

  it("lists the commands with examples", async () => {
    const r = await zmqkit(["--help"]);
    assert.equal(r.code, 0);
    const out = r.stdout.toString();
    for (const word of ["cat", "completions", "Examples:"]) assert.ok(out.includes(word), word);
  });

  it("documents every type, format and exit code of cat, with examples", async () => {
    const r = await zmqkit(["cat", "--help"]);
    assert.equal(r.code, 0);
    const out = r.stdout.toString();
    for (const t of TYPE_NAMES) assert.ok(out.includes(t.toLowerCase()), t);
    for (const f of FORMATS) assert.match(out, new RegExp(`^  ${f} `, "m"));
    assert.match(out, /Exit codes: 0 ok, 1 runtime failure.*, 2 usage error/s);
    assert.match(out, /Examples:\n( {2}.*zmqkit cat .*\n){8,}/);
  });

  it("shows usage on stderr with exit 2 when no command is given", async () => {
    const r = await zmqkit([]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Usage: zmqkit/);
  });
});

describe("zmqkit completions", () => {
  for (const shell of ["bash", "zsh", "fish"]) {
    it(`prints a ${shell} script that its shell parses`, async (t) => {
      const r = await zmqkit(["completions", shell]);
      assert.equal(r.code, 0, r.stderr);
      const script = r.stdout.toString();
      for (const word of ["zmqkit", "connect", "format", "router", "msgpack"]) {
        assert.ok(script.includes(word), `${shell} script names ${word}`);
      }
      if (!has(shell)) return t.skip(`${shell} is not installed here`);
      const check = spawnSync(shell, ["-n"], { input: script });
      assert.equal(check.status, 0, String(check.stderr));
    });
  }
});

describe("bash completion", () => {
  it("completes types, flags and format names", async (t) => {
    if (!has("bash")) return t.skip("bash is not installed here");
    const script = (await zmqkit(["completions", "bash"])).stdout.toString();
    const complete = (words: string) =>
      spawnSync("bash", [
        "-c",
        `${script}\nCOMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _zmqkit; ` +
        `echo "\${COMPREPLY[*]}"`,
      ]).stdout.toString().trim();
    assert.equal(complete("zmqkit ca"), "cat");
    assert.equal(complete("zmqkit cat ro"), "router");
    assert.equal(complete("zmqkit cat push --con"), "--connect");
    assert.equal(complete("zmqkit cat pull -f ms"), "msgpack");
  });
});

describe("cli layering", () => {
  it("cli/ touches no runtime API directly (only through lib/transports/runtime/)", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".ts")) files.push(p);
      }
    };
    walk(join(ROOT, "cli"));
    const offenders = files.filter((f) =>
      /\bDeno\.|\bBun\.|from "node:|require\("node:|\bprocess\.(argv|env|exit|stdin|stdout|on)\b/
        .test(readFileSync(f, "utf8"))
    );
    assert.deepEqual(offenders, []);
  });
});
