// SPDX-License-Identifier: MIT
/**
 * A hand-driven ZMTP 3.1 peer on node:net for the semantics tests: writes the greeting and
 * a NULL READY by hand, then reads and writes frames one by one, so a test can make the
 * peer go silent, answer PINGs, or die in the middle of a multipart message.
 */
import * as net from "node:net";
import { withTimeout } from "./_util.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Our 64-byte greeting: signature, version 3.1, mechanism NULL, as-server 0. */
export function greeting(): Uint8Array {
  const g = new Uint8Array(64);
  g[0] = 0xff;
  g[8] = 0x01; // padding: 1 byte
  g[9] = 0x7f;
  g[10] = 3;
  g[11] = 1;
  g.set(enc.encode("NULL"), 12);
  return g;
}

/** One frame: flags byte, 1- or 8-byte size, body. */
export function frame(body: Uint8Array, flags = 0): Uint8Array {
  const long = body.length > 255;
  const head = long ? 9 : 2;
  const out = new Uint8Array(head + body.length);
  out[0] = flags | (long ? 0x02 : 0);
  if (long) new DataView(out.buffer).setBigUint64(1, BigInt(body.length));
  else out[1] = body.length;
  out.set(body, head);
  return out;
}

/** A command body: name length, name, data. */
export function command(name: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(1 + name.length + data.length);
  out[0] = name.length;
  out.set(enc.encode(name), 1);
  out.set(data, 1 + name.length);
  return out;
}

/** READY with Socket-Type (and Identity when given). */
export function ready(socketType: string, identity = ""): Uint8Array {
  const props: Array<[string, Uint8Array]> = [["Socket-Type", enc.encode(socketType)]];
  if (identity) props.push(["Identity", enc.encode(identity)]);
  const parts: number[] = [];
  for (const [name, value] of props) {
    parts.push(name.length, ...enc.encode(name));
    parts.push(
      value.length >>> 24 & 0xff,
      value.length >>> 16 & 0xff,
      value.length >>> 8 & 0xff,
      value.length & 0xff,
    );
    parts.push(...value);
  }
  return command("READY", Uint8Array.from(parts));
}

export interface RawFrame {
  flags: number;
  body: Uint8Array;
  /** Command name, for command frames. */
  name?: string;
  /** Command data, for command frames. */
  data?: Uint8Array;
}

/** A raw connection with an accumulating reader. */
export class RawPeer {
  readonly sock: net.Socket;
  #buf = new Uint8Array(0);
  #wake: (() => void) | undefined;
  closed = false;

  constructor(sock: net.Socket) {
    this.sock = sock;
    sock.on("data", (b: Uint8Array) => {
      const next = new Uint8Array(this.#buf.length + b.length);
      next.set(this.#buf);
      next.set(b, this.#buf.length);
      this.#buf = next;
      this.#wake?.();
    });
    sock.on("error", () => {});
    sock.on("close", () => {
      this.closed = true;
      this.#wake?.();
    });
  }

  /** Connects to a tcp:// or ipc:// endpoint. */
  static connect(endpoint: string): Promise<RawPeer> {
    const opts = endpoint.startsWith("ipc://")
      ? { path: endpoint.slice("ipc://".length) }
      : (() => {
        const hp = endpoint.slice("tcp://".length);
        const i = hp.lastIndexOf(":");
        return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
      })();
    return new Promise((resolve, reject) => {
      const s = net.connect(opts);
      s.once("error", reject);
      s.once("connect", () => {
        s.off("error", reject);
        resolve(new RawPeer(s));
      });
    });
  }

  write(...chunks: Uint8Array[]): void {
    for (const c of chunks) this.sock.write(c);
  }

  async read(n: number, ms = 5000): Promise<Uint8Array> {
    const end = Date.now() + ms;
    while (this.#buf.length < n) {
      if (this.closed) throw new Error(`connection closed while waiting for ${n} bytes`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`${n} bytes not received within ${ms} ms`);
      await withTimeout(new Promise<void>((r) => (this.#wake = r)), left, "raw read").catch(
        () => {},
      );
    }
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }

  async readFrame(ms = 5000): Promise<RawFrame> {
    const [flags] = await this.read(1, ms);
    let size: number;
    if (flags! & 0x02) size = Number(new DataView((await this.read(8, ms)).buffer).getBigUint64(0));
    else size = (await this.read(1, ms))[0]!;
    const body = await this.read(size, ms);
    if (!(flags! & 0x04)) return { flags: flags!, body };
    const n = body[0]!;
    return {
      flags: flags!,
      body,
      name: dec.decode(body.subarray(1, 1 + n)),
      data: body.subarray(1 + n),
    };
  }

  /** Greeting and NULL READY both ways; returns the peer's READY frame. */
  async handshake(socketType: string, identity = ""): Promise<RawFrame> {
    this.write(greeting(), frame(ready(socketType, identity), 0x04));
    await this.read(64);
    const f = await this.readFrame();
    if (f.name !== "READY") throw new Error(`expected READY, got ${f.name}`);
    return f;
  }

  /** Sends one message (frames with MORE on all but the last). */
  send(frames: Uint8Array[]): void {
    frames.forEach((f, i) => this.write(frame(f, i < frames.length - 1 ? 0x01 : 0)));
  }

  /** Waits for the other side to close the connection. */
  async waitClosed(ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!this.closed) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`connection not closed within ${ms} ms`);
      await withTimeout(new Promise<void>((r) => (this.#wake = r)), left, "raw close").catch(
        () => {},
      );
    }
  }

  destroy(): void {
    this.sock.destroy();
  }
}

/** A raw listening server; each connection is handed over as a RawPeer. */
export async function rawServer(
  onPeer: (p: RawPeer) => void,
): Promise<{ endpoint: string; close(): void }> {
  const peers: RawPeer[] = [];
  const srv = net.createServer((s) => {
    const p = new RawPeer(s);
    peers.push(p);
    onPeer(p);
  });
  await new Promise<void>((r) => srv.listen({ host: "127.0.0.1", port: 0 }, () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    endpoint: `tcp://127.0.0.1:${port}`,
    close() {
      for (const p of peers) p.destroy();
      srv.close();
    },
  };
}
