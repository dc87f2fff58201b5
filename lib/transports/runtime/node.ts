// SPDX-License-Identifier: MIT
/**
 * Transport adapter on `node:net`, which Deno and Bun both implement. The only place (with
 * its sibling files) allowed to touch runtime APIs.
 */
import type * as net from "node:net";
import { builtin } from "./builtin.ts";
import {
  type Connection,
  type ConnectionHandler,
  fmtHost,
  type Listener,
  type TcpAddress,
} from "../connection.ts";
import { listen, whenConnected, wrap } from "./node_socket.ts";

export function listenTcp(addr: TcpAddress, onConn: ConnectionHandler): Promise<Listener> {
  const server = builtin("node:net").createServer({ noDelay: true }, (sock) => onConn(wrap(sock)));
  return listen(server, { host: addr.host, port: addr.port, backlog: 100 }, () => {
    const a = server.address() as net.AddressInfo;
    return `${fmtHost(a.address)}:${a.port}`;
  });
}

export function listenIpc(path: string, onConn: ConnectionHandler): Promise<Listener> {
  // libzmq unlinks whatever is at the path before binding (stale socket files included)
  try {
    builtin("node:fs").unlinkSync(path);
  } catch { /* nothing there */ }
  const server = builtin("node:net").createServer((sock) => onConn(wrap(sock, path)));
  return listen(server, { path }, () => path, () => {
    try {
      builtin("node:fs").unlinkSync(path);
    } catch { /* already gone */ }
  });
}

function dial(
  opts: net.NetConnectOpts,
  remote: string | undefined,
  signal?: AbortSignal,
): Promise<Connection> {
  return whenConnected(builtin("node:net").connect(opts), "connect", remote, signal);
}

export function dialTcp(addr: TcpAddress, signal?: AbortSignal): Promise<Connection> {
  return dial({ host: addr.host, port: addr.port, noDelay: true }, undefined, signal);
}

export function dialIpc(path: string): Promise<Connection> {
  return dial({ path }, path);
}
