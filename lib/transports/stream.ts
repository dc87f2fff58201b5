// SPDX-License-Identifier: MIT
/** Byte-stream transports (tcp, ipc): dial and listen by parsed endpoint. */
import { ZmqError } from "../errors.ts";
import type { Connection, ConnectionHandler, Listener } from "./connection.ts";
import type { Endpoint } from "./endpoint.ts";
import { dialIpc, dialTcp, listenIpc, listenTcp } from "./runtime/sockets.ts";

export function listenEndpoint(
  ep: Endpoint,
  text: string,
  onConn: ConnectionHandler,
): Promise<Listener> {
  const p = ep.transport === "tcp"
    ? listenTcp({ host: ep.host, port: ep.port }, onConn)
    : ep.transport === "ipc"
    ? listenIpc(ep.path, onConn)
    : Promise.reject(new Error("not a stream transport"));
  return p.catch((e: unknown) => {
    throw toZmqError(e, text);
  });
}

/**
 * Dials the endpoint. An aborted `signal` cancels a TCP dial in progress (on Bun, a dial with
 * a signal goes through node:net, since Bun's connect cannot be cancelled).
 */
export function dialEndpoint(ep: Endpoint, signal?: AbortSignal): Promise<Connection> {
  if (ep.transport === "tcp") return dialTcp({ host: ep.host, port: ep.port }, signal);
  if (ep.transport === "ipc") return dialIpc(ep.path);
  return Promise.reject(new Error("not a stream transport"));
}

/** Runtime socket errors → libzmq error names. */
export function toZmqError(e: unknown, address: string): ZmqError {
  const code = (e as { code?: string })?.code;
  const msg = (e as Error)?.message ?? String(e);
  switch (code) {
    case "EADDRINUSE":
      return new ZmqError("EADDRINUSE", `Address already in use: "${address}"`, {
        address,
        cause: e,
      });
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_NONAME":
      return new ZmqError("EADDRNOTAVAIL", `Address not available: "${address}"`, {
        address,
        cause: e,
      });
    case "ECONNREFUSED":
      return new ZmqError("ECONNREFUSED", `Connection refused: "${address}"`, {
        address,
        cause: e,
      });
    case "ENOENT":
      return new ZmqError("ENOENT", `No such socket file: "${address}"`, { address, cause: e });
    case "EACCES":
    case "EPERM":
      return new ZmqError("EINVAL", `Permission denied for "${address}": ${msg}`, {
        address,
        cause: e,
      });
    default:
      return new ZmqError("EINVAL", `Cannot use "${address}": ${msg}`, { address, cause: e });
  }
}
