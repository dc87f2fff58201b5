// SPDX-License-Identifier: MIT
/**
 * zmqkit's version, e.g. `"0.1.0"` (kept equal to deno.json and package.json; a test checks).
 * zeromq.js's `version` is libzmq's; zmqkit has no libzmq inside, so this is its own.
 */
export const VERSION = "0.1.0";
