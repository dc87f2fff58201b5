// SPDX-License-Identifier: MIT
/**
 * The Node build (`npm run build`): mod.ts and lib/ to ESM JavaScript plus `.d.ts` in build/,
 * with TypeScript's own compiler (tsconfig.build.json; relative `.ts` imports are rewritten to
 * `.js` by `rewriteRelativeImportExtensions`). Deno and Bun run the sources and need no build.
 *
 *   node scripts/build.mjs           the library, into build/
 *   node scripts/build.mjs --tests   also the Node test suites, into build/.test/ (a hidden
 *                                    directory, so that `bun test tests/` never picks them up)
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

function compile(project) {
  const r = spawnSync(process.execPath, [tsc, "-p", join(root, project)], {
    cwd: root,
    stdio: "inherit",
  });
  if (r.status !== 0) {
    console.error(`build: tsc -p ${project} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

/** Builds the library into build/ (and, with `tests`, the Node suites into build/.test/). */
export function build({ tests = false } = {}) {
  rmSync(join(root, "build"), { recursive: true, force: true });
  compile("tsconfig.build.json");
  if (!tests) return;
  compile("tsconfig.test.json");
  // the zeromq.js peers the interop tests spawn under node are plain .mjs files
  const helpers = join(root, "tests", "_helpers");
  const out = join(root, "build", ".test", "tests", "_helpers");
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(helpers)) {
    if (f.endsWith(".mjs")) copyFileSync(join(helpers, f), join(out, f));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  build({ tests: process.argv.includes("--tests") });
}
