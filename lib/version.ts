// SPDX-License-Identifier: MIT
/** The zmqkit version (kept equal to deno.json and package.json). */
export const VERSION = "0.1.0";
