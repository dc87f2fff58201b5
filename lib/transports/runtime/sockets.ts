// SPDX-License-Identifier: MIT
/**
 * The byte-stream adapter of this runtime: Deno's own sockets on Deno (faster there, see
 * deno.ts), `node:net` elsewhere. ZMQKIT_SOCKETS=node forces `node:net` (to compare).
 */
import process from "node:process";
import * as deno from "./deno.ts";
import * as node from "./node.ts";

const impl = deno.available && process.env.ZMQKIT_SOCKETS !== "node" ? deno : node;

/** Which adapter is in use: "deno" or "node". */
export const socketApi: "deno" | "node" = impl === deno ? "deno" : "node";
export const listenTcp = impl.listenTcp;
export const listenIpc = impl.listenIpc;
export const dialTcp = impl.dialTcp;
export const dialIpc = impl.dialIpc;
