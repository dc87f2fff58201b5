// SPDX-License-Identifier: MIT
/**
 * The byte-stream adapter of this runtime: Deno's own sockets on Deno (see deno.ts), Bun's own
 * on Bun (see bun.ts), `node:net` elsewhere. ZMQKIT_SOCKETS=node forces `node:net` (to
 * compare).
 */
import process from "node:process";
import * as bun from "./bun.ts";
import * as deno from "./deno.ts";
import * as node from "./node.ts";

const forceNode = process.env.ZMQKIT_SOCKETS === "node";
const impl = forceNode ? node : deno.available ? deno : bun.available ? bun : node;

/** Which adapter is in use. */
export const socketApi: "deno" | "bun" | "node" = impl === deno
  ? "deno"
  : impl === bun
  ? "bun"
  : "node";
export const listenTcp = impl.listenTcp;
export const listenIpc = impl.listenIpc;
export const dialTcp = impl.dialTcp;
export const dialIpc = impl.dialIpc;
