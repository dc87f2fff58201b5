// SPDX-License-Identifier: MIT
/**
 * Shell completion, driven in each shell (issue 13, item 5): for every command of the tree
 * (subcommands of `bench` too), `zmqkit <command> <TAB>` offers its subcommands and positional
 * values (socket types, proxy and broker kinds, shells), `zmqkit <command> --<TAB>` every one of
 * its flags, and after an option with a list of values, those values. What is expected comes
 * from the commander tree itself, so a flag added anywhere is checked with no change here.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildProgram } from "../../cli/main.ts";
import { completionScript, describeTree } from "../../cli/commands/completions.ts";

const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

const program = buildProgram();
const tree = describeTree(program);

/** What to type (words after `zmqkit`, the last one being completed) → what must be offered. */
interface Query {
  line: string[];
  expect: readonly string[];
}

function queries(): Query[] {
  const out: Query[] = [];
  for (const c of tree) {
    const words = c.path === "" ? [] : c.path.split(" ");
    const here = [...c.subcommands, ...c.positionals];
    if (here.length > 0) out.push({ line: [...words, ""], expect: here });
    out.push({ line: [...words, "--"], expect: c.flags.map((f) => f.long) });
    for (const f of c.flags) {
      if (f.values) out.push({ line: [...words, f.long, ""], expect: f.values });
    }
  }
  return out;
}

/** Runs every query in one shell process; returns the offered words per query. */
function drive(shell: "bash" | "zsh" | "fish", qs: Query[]): string[][] {
  const dir = mkdtempSync(join(tmpdir(), "zmqkit-completions-"));
  try {
    const scriptFile = join(dir, `zmqkit.${shell}`);
    writeFileSync(scriptFile, completionScript(program, shell));
    const sq = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
    let body: string;
    if (shell === "bash") {
      body = `source ${sq(scriptFile)}\n` +
        qs.map((q) =>
          `COMP_WORDS=(zmqkit ${q.line.map(sq).join(" ")}); COMP_CWORD=${q.line.length}; ` +
          `COMPREPLY=(); _zmqkit; echo "@@ \${COMPREPLY[*]}"`
        ).join("\n");
    } else if (shell === "zsh") {
      body = `compdef() { : }\n` +
        `compadd() { while [[ $# -gt 0 && $1 != -- ]]; do shift; done; shift; ` +
        `REPLY_WORDS+=("$@"); }\n_files() { REPLY_WORDS+=(FILES); }\n` +
        `source ${sq(scriptFile)}\n` + qs.map((q) =>
          `REPLY_WORDS=(); words=(zmqkit ${q.line.map(sq).join(" ")}); ` +
          `CURRENT=${q.line.length + 1}; _zmqkit; print -r -- "@@ \${REPLY_WORDS[*]}"`
        ).join("\n");
    } else {
      body = `source ${sq(scriptFile)}\n` +
        qs.map((q) =>
          `set -l r (complete -C ${sq(["zmqkit", ...q.line].join(" "))} | string split -f1 \\t); ` +
          `echo "@@ $r"`
        ).join("\n");
    }
    const file = join(dir, `drive.${shell}`);
    writeFileSync(file, body + "\n");
    const args = shell === "zsh" ? ["-f", file] : shell === "fish" ? ["--no-config", file] : [file];
    const r = spawnSync(shell, args, { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, `${shell}: ${r.stderr}`);
    const lines = r.stdout.split("\n").filter((l) => l.startsWith("@@"));
    assert.equal(lines.length, qs.length, `${shell} answered ${lines.length} of ${qs.length}`);
    return lines.map((l) => l.slice(2).trim().split(/\s+/).filter(Boolean));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("shell completion, driven in each shell", () => {
  it("the tree has every command, bench's halves and help included", () => {
    const paths = tree.map((c) => c.path);
    for (
      const p of ["", "cat", "proxy", "broker", "bench", "bench thr", "bench lat", "bench run"]
    ) {
      assert.ok(paths.includes(p), `no "${p}" in ${paths.join(", ")}`);
    }
    assert.deepEqual(tree.find((c) => c.path === "broker")!.positionals, ["lb", "mdp"]);
    assert.ok(tree.find((c) => c.path === "bench")!.subcommands.includes("run"));
  });

  for (const shell of ["bash", "zsh", "fish"] as const) {
    it(`${shell}: every subcommand, positional value, flag and option value`, (t) => {
      if (!has(shell)) return t.skip(`${shell} is not installed here`);
      const qs = queries();
      const got = drive(shell, qs);
      const missing: string[] = [];
      qs.forEach((q, i) => {
        for (const w of q.expect) {
          if (!got[i]!.includes(w)) missing.push(`zmqkit ${q.line.join(" ")}<TAB>: no ${w}`);
        }
      });
      assert.deepEqual(missing, []);
    });
  }

  it("bash: a prefix narrows the choice, and a flag's value is not taken for a subcommand", (t) => {
    if (!has("bash")) return t.skip("bash is not installed here");
    const [kinds, proxyFlag, halves, transport] = drive("bash", [
      { line: ["broker", "m"], expect: [] },
      { line: ["proxy", "--fr"], expect: [] },
      { line: ["bench", "-q", "r"], expect: [] },
      { line: ["bench", "run", "--transport", "i"], expect: [] },
    ]);
    assert.deepEqual(kinds, ["mdp"]);
    assert.deepEqual(proxyFlag, ["--frontend"]);
    assert.deepEqual(halves, ["run"]);
    assert.deepEqual(transport, ["ipc", "inproc"]);
  });
});
