// SPDX-License-Identifier: MIT
/**
 * TLS byte streams for wss://, on `node:tls` (which Deno, Bun and Node all implement): a
 * listener with a certificate and key, a dial that checks the server's certificate against
 * the given trust anchors (or the system's) and host name.
 */
import { builtin } from "./builtin.ts";
import {
  type Connection,
  type ConnectionHandler,
  fmtHost,
  type Listener,
  type TcpAddress,
} from "../connection.ts";
import { listen, whenConnected, wrap } from "./node_socket.ts";

export interface TlsServerOptions {
  /** PEM certificate (chain) and private key. */
  cert: string;
  key: string;
}

export interface TlsClientOptions {
  /** PEM certificates to trust, in place of the system's (unless `trustSystem`). */
  trust?: string | undefined;
  /** Trust the system's certificate authorities too (the default when `trust` is unset). */
  trustSystem: boolean;
  /** The name the server's certificate must carry (default: the endpoint's host). */
  hostname?: string | undefined;
}

export function listenTls(
  addr: TcpAddress,
  options: TlsServerOptions,
  onConn: ConnectionHandler,
): Promise<Listener> {
  const server = builtin("node:tls").createServer(
    { cert: options.cert, key: options.key },
    (sock) => {
      onConn(wrap(sock));
    },
  );
  // a client that fails its TLS handshake is dropped by node:tls; nothing reaches zmqkit
  server.on("tlsClientError", () => {});
  return listen(server, { host: addr.host, port: addr.port, backlog: 100 }, () => {
    const a = server.address() as { address: string; port: number };
    return `${fmtHost(a.address)}:${a.port}`;
  });
}

export function dialTls(
  addr: TcpAddress,
  options: TlsClientOptions,
  signal?: AbortSignal,
): Promise<Connection> {
  const tls = builtin("node:tls");
  const ca = options.trust === undefined
    ? undefined
    : options.trustSystem
    ? [...tls.rootCertificates, options.trust]
    : [options.trust];
  const servername = options.hostname ?? addr.host;
  const sock = tls.connect({
    host: addr.host,
    port: addr.port,
    ca,
    // SNI takes names only, never IP addresses
    servername: /^[\d.]+$|:/.test(servername) ? undefined : servername,
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(servername, cert),
  });
  return whenConnected(sock, "secureConnect", undefined, signal);
}
