// SPDX-License-Identifier: MIT
/**
 * Getting the command, as a newcomer does it (issue 13, item 1): the README's run command prints
 * nothing but the program's output, and a compile that fails leaves the binary already built.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./_cli.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const tasks = (JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")) as {
  tasks: Record<string, string>;
}).tasks;

describe("setup", () => {
  it("the README's run command is `npm start -s`, which prints only the program's output", () => {
    const first = readme.slice(
      readme.indexOf("```sh"),
      readme.indexOf("```", readme.indexOf("```sh") + 5),
    );
    assert.match(first, /npm start -s -- --help/);
    const out = execFileSync("npm", ["start", "-s", "--", "--version"], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 60_000,
    });
    const lines = out.trim().split("\n");
    assert.equal(lines.length, 1, `more than the version on stdout: ${JSON.stringify(out)}`);
    assert.doesNotMatch(out, /^>/m, "npm's banner reached stdout");
  });

  it("the compile tasks build into a temporary file and replace dist/zmqkit only on success", () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    }).scripts;
    const builds = [
      ["deno task compile", tasks.compile],
      ["deno task compile:bun", tasks["compile:bun"]],
      ["npm run build:bin", scripts["build:bin"]],
    ] as const;
    for (const [name, task] of builds) {
      assert.ok(task !== undefined, `no ${name}`);
      const [build, move] = task.split(" && ");
      assert.ok(build !== undefined && move !== undefined, `${name}: ${task}`);
      assert.doesNotMatch(
        build,
        /(--output|--outfile) dist\/zmqkit(\s|$)/,
        `${name} writes dist/zmqkit`,
      );
      assert.match(move, /^mv dist\/\S+ dist\/zmqkit$/, `${name}: ${task}`);
    }
  });
});
