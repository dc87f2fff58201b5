// SPDX-License-Identifier: MIT
/**
 * Transport adapter on Bun's own socket API (`Bun.listen`, `Bun.connect`), used when the code
 * runs on Bun. Bun's `node:net` puts every chunk through a Node readable stream; profiled
 * under a queue proxy that machinery was a fifth of the process's time, and these sockets call
 * one shared handler per event instead.
 *
 * Bun's write() sends what the kernel takes at once and returns that count (0 when the socket
 * buffer is full); it keeps nothing itself. So what it did not take waits here, in order, and
 * goes out on the socket's drain event. Each chunk Bun hands to the data handler is a buffer
 * of its own (checked: never reused), so it goes up as it is.
 */
import { builtin } from "./builtin.ts";
import {
  type Connection,
  type ConnectionHandler,
  fmtHost,
  type Listener,
  type TcpAddress,
} from "../connection.ts";
import { EarlyData } from "../early_data.ts";
import { unrefTimer } from "./keep_alive.ts";

// Bun's socket API, typed just enough for what this file uses (the project is type-checked
// with Node's types, not Bun's).
interface BunSocket {
  data: BunConnection | undefined;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  write(data: Uint8Array): number;
  shutdown(): void;
  end(): void;
  pause(): void;
  resume(): void;
  setNoDelay?(on?: boolean): boolean;
  unref?(): void;
}
interface Handlers {
  open(s: BunSocket): void;
  data(s: BunSocket, chunk: Uint8Array): void;
  drain(s: BunSocket): void;
  end(s: BunSocket): void;
  error(s: BunSocket, e: Error): void;
  close(s: BunSocket, e?: Error): void;
}
interface BunListener {
  readonly port?: number;
  readonly hostname?: string;
  stop(closeActiveConnections?: boolean): void;
  unref?(): void;
}
interface BunNs {
  listen(
    o: { hostname: string; port: number; socket: Handlers } | { unix: string; socket: Handlers },
  ): BunListener;
  connect(
    o: { hostname: string; port: number; socket: Handlers } | { unix: string; socket: Handlers },
  ): Promise<BunSocket>;
}
const B = (globalThis as unknown as { Bun?: BunNs }).Bun;

/** True when this adapter can run (we are on Bun). */
export const available = B !== undefined;

/** write() returns false past this many bytes waiting here (then onDrain follows). */
const HIGH_WATER = 256 * 1024;
/** Several chunks are gathered into one buffer of up to this size, for one send. */
const GATHER = 256 * 1024;

class BunConnection extends EarlyData implements Connection {
  remoteAddress: string;
  onClose: (error?: Error) => void = () => {};
  onDrain: () => void = () => {};
  #sock: BunSocket;
  /** Bytes Bun did not take yet, in order; the first may be the rest of a partial send. */
  #queue: Uint8Array[] = [];
  #queued = 0;
  #gather: Uint8Array | undefined;
  #wantDrain = false;
  #ending = false;
  #closed = false;
  #failure: Error | undefined;
  #endTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(sock: BunSocket, remote: string) {
    super();
    this.#sock = sock;
    this.remoteAddress = remote;
  }

  write(chunks: readonly Uint8Array[]): boolean {
    if (this.#closed || this.#ending) return true;
    const q = this.#queue;
    for (const c of chunks) {
      if (c.length === 0) continue;
      q.push(c);
      this.#queued += c.length;
    }
    this.#flush();
    if (this.#queued >= HIGH_WATER) {
      this.#wantDrain = true;
      return false;
    }
    return true;
  }

  /** Sends what is queued until Bun takes less than it is given; the drain event resumes. */
  #flush(): void {
    const q = this.#queue;
    while (q.length > 0 && !this.#closed) {
      let out: Uint8Array;
      let taken = 1;
      if (q.length === 1 || q[0]!.length >= GATHER / 2) out = q[0]!;
      else {
        // small chunks go out together, copied into one reused buffer
        const g = this.#gather ??= new Uint8Array(GATHER);
        let n = 0;
        taken = 0;
        while (taken < q.length && n + q[taken]!.length <= GATHER) {
          g.set(q[taken]!, n);
          n += q[taken++]!.length;
        }
        if (taken <= 1) {
          out = q[0]!;
          taken = 1;
        } else out = g.subarray(0, n);
      }
      const sent = this.#sock.write(out);
      if (sent < 0) return; // closed: the close handler follows
      this.#queued -= sent;
      if (sent < out.length) {
        // the rest waits for the drain event; a gathered rest is copied out of the buffer
        const rest = out === q[0] ? out.subarray(sent) : out.slice(sent);
        q.splice(0, taken, rest);
        return;
      }
      q.splice(0, taken);
    }
    if (this.#wantDrain && this.#queued < HIGH_WATER) {
      this.#wantDrain = false;
      this.onDrain();
    }
    if (q.length === 0 && this.#ending && !this.#closed) this.#sock.shutdown();
  }

  drained(): void {
    this.#flush();
  }

  pause(): void {
    if (!this.#closed) this.#sock.pause();
  }

  resume(): void {
    if (!this.#closed) this.#sock.resume();
  }

  end(): void {
    if (this.#closed || this.#ending) return;
    this.#ending = true;
    // everything queued goes out first, then FIN; reading goes on until the peer closes
    if (this.#queue.length === 0) this.#sock.shutdown();
    // do not wait forever for a peer that never closes its side
    this.#endTimer ??= setTimeout(() => this.destroy(), 2000);
    unrefTimer(this.#endTimer);
  }

  unref(): void {
    this.#sock.unref?.();
  }

  destroy(): void {
    if (this.#closed) return;
    this.#queue = [];
    // a plain close: Bun's terminate() resets the connection, and a reset can make the peer
    // drop what it has received but not read yet (a last ERROR command, say)
    this.#sock.end();
    this.finish();
  }

  failed(e: Error): void {
    this.#failure ??= e;
  }

  finish(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#endTimer !== undefined) clearTimeout(this.#endTimer);
    this.#queue = [];
    this.#queued = 0;
    this.onClose(error ?? this.#failure);
  }
}

/** The handlers every socket shares; the connection rides on `socket.data`. */
function handlers(remote: (s: BunSocket) => string, onConn?: ConnectionHandler): Handlers {
  return {
    open(s) {
      s.setNoDelay?.(true);
      s.data = new BunConnection(s, remote(s));
      onConn?.(s.data);
    },
    data(s, chunk) {
      // a plain Uint8Array, not Bun's Buffer, keeps the decoder's views one type
      s.data?.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    },
    drain(s) {
      s.data?.drained();
    },
    end(s) {
      // the peer is done (as libzmq, a read of 0 bytes ends the connection; there is no
      // half-close in ZMTP, and nobody will read what we might still write)
      s.data?.destroy();
    },
    error(s, e) {
      s.data?.failed(e);
    },
    close(s, e) {
      s.data?.finish(e);
    },
  };
}

const tcpRemote = (s: BunSocket) =>
  s.remoteAddress ? `${fmtHost(s.remoteAddress)}:${s.remotePort}` : "unknown";

export function listenTcp(addr: TcpAddress, onConn: ConnectionHandler): Promise<Listener> {
  try {
    const l = B!.listen({
      hostname: addr.host,
      port: addr.port,
      socket: handlers(tcpRemote, onConn),
    });
    return Promise.resolve({
      address: `${fmtHost(l.hostname ?? addr.host)}:${l.port}`,
      unref: () => l.unref?.(),
      close: () => {
        l.stop(false); // accepted connections stay: their sockets close them
        return Promise.resolve();
      },
    });
  } catch (e) {
    return Promise.reject(e);
  }
}

export function listenIpc(path: string, onConn: ConnectionHandler): Promise<Listener> {
  // libzmq unlinks whatever is at the path before binding (stale socket files included)
  try {
    builtin("node:fs").unlinkSync(path);
  } catch { /* nothing there */ }
  try {
    const l = B!.listen({ unix: path, socket: handlers(() => path, onConn) });
    return Promise.resolve({
      address: path,
      unref: () => l.unref?.(),
      close: () => {
        l.stop(false); // removes the socket file too
        try {
          builtin("node:fs").unlinkSync(path);
        } catch { /* already gone */ }
        return Promise.resolve();
      },
    });
  } catch (e) {
    return Promise.reject(e);
  }
}

export async function dialTcp(addr: TcpAddress): Promise<Connection> {
  const s = await B!.connect({
    hostname: addr.host,
    port: addr.port,
    socket: handlers(tcpRemote),
  });
  return s.data!;
}

export async function dialIpc(path: string): Promise<Connection> {
  const s = await B!.connect({ unix: path, socket: handlers(() => path) });
  return s.data!;
}
