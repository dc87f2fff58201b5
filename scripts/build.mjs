// SPDX-License-Identifier: MIT
/**
 * The Node build (`npm run build`): mod.ts and lib/ to ESM JavaScript plus `.d.ts` in build/,
 * with TypeScript's own compiler (tsconfig.build.json; relative `.ts` imports are rewritten to
 * `.js` by `rewriteRelativeImportExtensions`), and the command line as one file,
 * build/cli/zmqkit.js (the package's `bin`), bundled by `bun build --target=node` with its
 * dependencies: Node then starts it in about half the time it takes to load ~180 modules one
 * by one. Deno and Bun run the sources and need no build.
 *
 *   node scripts/build.mjs           the library, into build/
 *   node scripts/build.mjs --tests   also the Node test suites, into build/.test/ (a hidden
 *                                    directory, so that `bun test tests/` never picks them up)
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const bun = join(root, "node_modules", ".bin", "bun");

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

/** The command line for Node: cli/bin.ts and everything it imports, in one ES module. */
function bundleCli() {
  const out = join("build", "cli", "zmqkit.js");
  const r = spawnSync(bun, [
    "build",
    "--target=node",
    // msgpackr loads this optional native helper when it is installed: left to be found at run
    // time beside the package, not bundled with the path it has on the building machine
    "--external=msgpackr-extract",
    "cli/bin.ts",
    "--outfile",
    out,
  ], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (r.status !== 0) {
    console.error(`build: bun build cli/bin.ts failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  chmodSync(join(root, out), 0o755);
}

/**
 * Builds the library and the command line into build/ (and, with `tests`, the Node suites
 * into build/.test/).
 */
export function build({ tests = false } = {}) {
  rmSync(join(root, "build"), { recursive: true, force: true });
  compile("tsconfig.build.json");
  bundleCli();
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
