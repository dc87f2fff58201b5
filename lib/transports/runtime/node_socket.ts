// SPDX-License-Identifier: MIT
/**
 * A `node:net` socket (or a `node:tls` one, its subclass) as a Connection, and a server
 * started as a Listener: what the node:net adapter (node.ts) and the TLS one (tls.ts) share.
 */
import type * as net from "node:net";
import { type Connection, fmtHost, type Listener } from "../connection.ts";
import { EarlyData } from "../early_data.ts";

class NodeConnection extends EarlyData implements Connection {
  readonly remoteAddress: string;
  onClose: (error?: Error) => void = () => {};
  onDrain: () => void = () => {};
  #sock: net.Socket;
  #closed = false;
  #endTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(sock: net.Socket, remote: string) {
    super();
    this.#sock = sock;
    this.remoteAddress = remote;
    let failure: Error | undefined;
    sock.on("data", (b: Uint8Array) => {
      this.onData(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    });
    sock.on("drain", () => this.onDrain());
    sock.on("error", (e: Error) => {
      failure = e;
    });
    sock.on("end", () => {
      // the peer is done (as libzmq, a read of 0 bytes ends the connection; there is no
      // half-close in ZMTP, and nobody will read what we might still write)
      sock.destroy();
    });
    sock.on("close", () => {
      if (this.#endTimer !== undefined) clearTimeout(this.#endTimer);
      if (this.#closed) return;
      this.#closed = true;
      this.onClose(failure);
    });
  }

  write(chunks: readonly Uint8Array[]): boolean {
    if (this.#closed || this.#sock.destroyed) return true;
    if (chunks.length === 1) return this.#sock.write(chunks[0]!);
    this.#sock.cork();
    let ok = true;
    for (const c of chunks) ok = this.#sock.write(c);
    this.#sock.uncork();
    return ok;
  }

  pause(): void {
    this.#sock.pause();
  }

  resume(): void {
    this.#sock.resume();
  }

  end(): void {
    this.#sock.end();
    // do not wait forever for a peer that never closes its side
    this.#endTimer ??= setTimeout(() => this.#sock.destroy(), 2000);
    this.#endTimer.unref();
  }

  destroy(): void {
    this.#sock.destroy();
  }

  unref(): void {
    this.#sock.unref();
  }
}

/** A `node:net` (or `node:tls`) socket as a Connection. */
export function wrap(sock: net.Socket, remote?: string): Connection {
  sock.setNoDelay?.(true);
  const addr = remote ??
    (sock.remoteAddress ? `${fmtHost(sock.remoteAddress)}:${sock.remotePort}` : "unknown");
  return new NodeConnection(sock, addr);
}

/** Starts `server` listening; resolves with the Listener once it does. */
export function listen(
  server: net.Server,
  args: net.ListenOptions,
  describe: () => string,
  cleanup?: () => void,
): Promise<Listener> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(args, () => {
      server.off("error", reject);
      server.on("error", () => {});
      const address = describe();
      resolve({
        address,
        unref: () => void server.unref(),
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
            cleanup?.();
          }),
      });
    });
  });
}

/**
 * Resolves with `sock` as a Connection once it emits `ready` ("connect", or "secureConnect"
 * for TLS); rejects with its error, or when `signal` aborts (the socket destroyed either way).
 */
export function whenConnected(
  sock: net.Socket,
  ready: "connect" | "secureConnect",
  remote: string | undefined,
  signal?: AbortSignal,
): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const abort = () => fail(Object.assign(new Error("Connect aborted"), { name: "AbortError" }));
    const fail = (e: Error) => {
      signal?.removeEventListener("abort", abort);
      sock.destroy();
      reject(e);
    };
    sock.once("error", fail);
    signal?.addEventListener("abort", abort, { once: true });
    sock.once(ready, () => {
      sock.off("error", fail);
      signal?.removeEventListener("abort", abort);
      resolve(wrap(sock, remote));
    });
  });
}
