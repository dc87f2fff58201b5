// SPDX-License-Identifier: MIT
/**
 * The Node suites (`npm run test:node`): builds the library and the tests with tsc (see
 * build.mjs), then runs tests/semantics, tests/interop, tests/ws and tests/zeromqjs_readme, compiled,
 * under `node --test`. Node 20 takes no globs, so the files are listed here, from the .ts
 * sources (a stale .js left in build/ is never run).
 *
 *   node scripts/test_node.mjs                                  all four suites
 *   node scripts/test_node.mjs tests/semantics/pair_test.ts     some files (or folders)
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "./build.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SUITES = ["tests/semantics", "tests/interop", "tests/ws", "tests/zeromqjs_readme"];

function testFiles(path) {
  const abs = join(root, path);
  if (!statSync(abs).isDirectory()) return [path];
  return readdirSync(abs, { recursive: true })
    .filter((f) => f.endsWith("_test.ts"))
    .sort()
    .map((f) => join(path, f));
}

const started = Date.now();
build({ tests: true });
const args = process.argv.slice(2);
const sources = (args.length > 0 ? args : SUITES).map((a) => relative(root, join(root, a)))
  .flatMap(testFiles);
const compiled = sources.map((f) => join("build", ".test", f.replace(/\.ts$/, ".js")));
const r = spawnSync(
  process.execPath,
  ["--test", "--test-reporter=spec", "--test-timeout=60000", ...compiled],
  { cwd: root, stdio: "inherit" },
);
const secs = ((Date.now() - started) / 1000).toFixed(1);
console.log(`node ${process.version}: ${compiled.length} test files, build and run ${secs} s`);
process.exit(r.status ?? 1);
