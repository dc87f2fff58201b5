// SPDX-License-Identifier: MIT
/**
 * The byte-stream adapter of this runtime: Deno's own sockets on Deno (see deno.ts), Bun's own
 * on Bun (see bun.ts), `node:net` elsewhere. ZMQKIT_SOCKETS=node forces `node:net` (to
 * compare).
 */
import * as bun from "./bun.ts";
import * as deno from "./deno.ts";
import * as node from "./node.ts";
import { nodeProcess } from "./builtin.ts";
import type { Connection, TcpAddress } from "../connection.ts";

const forceNode = envForcesNode();
const impl = forceNode ? node : deno.available ? deno : bun.available ? bun : node;

/**
 * ZMQKIT_SOCKETS=node, read only where that needs no permission: importing zmqkit on Deno
 * without --allow-env must neither fail nor prompt.
 */
function envForcesNode(): boolean {
  const D = (globalThis as {
    Deno?: {
      permissions?: { querySync?(d: { name: "env"; variable: string }): { state: string } };
      env?: { get(name: string): string | undefined };
    };
  }).Deno;
  try {
    if (D !== undefined) {
      const state = D.permissions?.querySync?.({ name: "env", variable: "ZMQKIT_SOCKETS" }).state;
      // Deno's own env: reading `process` would load Node's compatibility layer (builtin.ts)
      return state === "granted" && D.env?.get("ZMQKIT_SOCKETS") === "node";
    }
    return nodeProcess().env.ZMQKIT_SOCKETS === "node";
  } catch {
    return false;
  }
}

/** Which adapter is in use. */
export const socketApi: "deno" | "bun" | "node" = impl === deno
  ? "deno"
  : impl === bun
  ? "bun"
  : "node";
export const listenTcp = impl.listenTcp;
export const listenIpc = impl.listenIpc;
/**
 * With a `signal` (a dial that may be abandoned: connectTimeout), Bun dials through `node:net`:
 * Bun.connect cannot be cancelled, and each abandoned attempt would hold a socket until the
 * kernel gives up on its SYNs (about two minutes).
 */
export const dialTcp = impl === bun
  ? (addr: TcpAddress, signal?: AbortSignal): Promise<Connection> =>
    signal ? node.dialTcp(addr, signal) : bun.dialTcp(addr)
  : impl.dialTcp;
export const dialIpc = impl.dialIpc;
