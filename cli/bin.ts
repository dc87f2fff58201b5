#!/usr/bin/env node
// SPDX-License-Identifier: MIT
/**
 * The `zmqkit` command of the npm package: `npm run build` bundles this file into
 * build/cli/zmqkit.js, the package's `bin`. It runs cli/main.ts's main() unconditionally:
 * main.ts runs itself only as the main module (`import.meta.main`), which Node before 24.2
 * does not tell.
 */
import { main } from "./main.ts";

await main();
