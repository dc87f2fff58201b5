// SPDX-License-Identifier: MIT
/**
 * A raw `node:net` client that writes hand-made ZMTP bytes, for hostile-peer tests. The byte
 * builders here are written out by hand from the RFCs (not with lib/'s encoders), so the
 * tests do not check zmqkit against itself.
 */
import * as net from "node:net";
import { withTimeout } from "./wait.ts";

const enc = new TextEncoder();

export function bytes(...parts: Array<Uint8Array | number[] | string>): Uint8Array {
  const arrays = parts.map((p) =>
    typeof p === "string" ? enc.encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)
  );
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** A 64-byte ZMTP 3.x greeting. */
export function greeting(mechanism = "NULL", major = 3, minor = 1): Uint8Array {
  const g = new Uint8Array(64);
  g[0] = 0xff;
  g[8] = 0x01;
  g[9] = 0x7f;
  g[10] = major;
  g[11] = minor;
  g.set(enc.encode(mechanism), 12);
  return g;
}

/** One frame, short form up to 255 bytes unless `long` is asked for. */
export function frame(flags: number, body: Uint8Array | string, long = false): Uint8Array {
  const b = typeof body === "string" ? enc.encode(body) : body;
  if (!long && b.length <= 255) return bytes([flags, b.length], b);
  const size = new Uint8Array(8);
  new DataView(size.buffer).setBigUint64(0, BigInt(b.length));
  return bytes([flags | 0x02], size, b);
}

/** A command frame: name-len, name, data. */
export function command(name: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  return frame(0x04, bytes([name.length], name, data));
}

/** A metadata property list from [name, value] pairs. */
export function properties(...props: Array<[string, string | Uint8Array]>): Uint8Array {
  return bytes(
    ...props.flatMap(([n, v]) => {
      const value = typeof v === "string" ? enc.encode(v) : v;
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, value.length);
      return [bytes([n.length], n), len, value];
    }),
  );
}

/** A NULL READY command with Socket-Type (and more properties). */
export function ready(
  socketType: string,
  ...more: Array<[string, string | Uint8Array]>
): Uint8Array {
  return command("READY", properties(["Socket-Type", socketType], ...more));
}

/** "host:port" of a tcp:// endpoint, IPv6 brackets removed. */
function tcpTarget(endpoint: string): { host: string; port: number } {
  const m = /^tcp:\/\/\[?([^\]]*)\]?:(\d+)$/.exec(endpoint);
  if (!m) throw new Error(`not a tcp endpoint with a port: ${endpoint}`);
  return { host: m[1]!, port: Number(m[2]) };
}

export class MockPeer {
  readonly socket: net.Socket;
  /** Resolves when the connection is fully closed (by either side). */
  readonly closed: Promise<void>;
  #chunks: Uint8Array[] = [];
  #isClosed = false;
  #wake: (() => void) | undefined;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (b: Uint8Array) => {
      this.#chunks.push(new Uint8Array(b));
      this.#wake?.();
    });
    socket.on("error", () => {}); // a reset from the zmqkit side is expected
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.#isClosed = true;
        this.#wake?.();
        resolve();
      })
    );
  }

  static connect(endpoint: string, ms = 5000): Promise<MockPeer> {
    const { host, port } = tcpTarget(endpoint);
    const sock = net.connect({ host, port });
    return withTimeout(
      new Promise<MockPeer>((resolve, reject) => {
        sock.once("error", reject);
        sock.once("connect", () => {
          sock.off("error", reject);
          resolve(new MockPeer(sock));
        });
      }),
      ms,
      `mock connect to ${endpoint}`,
    ).catch((e) => {
      sock.destroy();
      throw e;
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Everything received so far, as one buffer. */
  get received(): Uint8Array {
    return bytes(...this.#chunks);
  }

  write(...parts: Array<Uint8Array | number[] | string>): void {
    if (!this.socket.destroyed) this.socket.write(bytes(...parts));
  }

  /** Waits until `pred(received)` is true; rejects after `ms` or if closed before. */
  async waitFor(
    pred: (received: Uint8Array) => boolean,
    ms = 5000,
    what = "bytes",
  ): Promise<Uint8Array> {
    const loop = async () => {
      for (;;) {
        const r = this.received;
        if (pred(r)) return r;
        if (this.#isClosed) throw new Error(`connection closed while waiting for ${what}`);
        await new Promise<void>((res) => (this.#wake = res));
      }
    };
    return await withTimeout(loop(), ms, what).finally(() => (this.#wake = undefined));
  }

  /** Waits until the bytes `seq` appear in what was received. */
  waitForSequence(seq: Uint8Array, ms = 5000): Promise<Uint8Array> {
    return this.waitFor(
      (r) => indexOf(r, seq) >= 0,
      ms,
      `bytes ${Array.from(seq, hex2).join(" ")}`,
    );
  }

  /** Sends a NULL greeting and READY as `socketType` (the first steps of a good peer). */
  handshake(socketType: string): void {
    this.write(greeting("NULL"), ready(socketType));
  }

  /** Waits for the connection to be closed by the other side. */
  waitClosed(ms = 5000): Promise<void> {
    return withTimeout(this.closed, ms, "mock peer connection to be closed");
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}
