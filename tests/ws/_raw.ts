// SPDX-License-Identifier: MIT
/**
 * Raw WebSocket bytes for the ws:// tests: frames built by hand (any opcode, mask, FIN,
 * reserved bits, claimed length), an upgrade request, and a tcp client that writes them and
 * collects what comes back.
 */
import * as net from "node:net";
import { Buffer } from "node:buffer";

export interface FrameShape {
  opcode?: number;
  fin?: boolean;
  rsv?: number;
  /** A masking key (client frames); none for an unmasked frame. */
  mask?: Uint8Array | undefined;
  /** A length to claim in place of the payload's. */
  claim?: bigint;
}

export const KEY = new Uint8Array([0x12, 0x34, 0x56, 0x78]);

/** One WebSocket frame (binary, final, masked with KEY unless said otherwise). */
export function wsFrame(payload: Uint8Array, shape: FrameShape = {}): Uint8Array {
  const mask = "mask" in shape ? shape.mask : KEY;
  const len = shape.claim ?? BigInt(payload.length);
  const head: number[] = [
    ((shape.fin ?? true) ? 0x80 : 0) | ((shape.rsv ?? 0) << 4) | (shape.opcode ?? 2),
  ];
  const m = mask ? 0x80 : 0;
  if (len < 126n) head.push(m | Number(len));
  else if (len < 65536n) head.push(m | 126, Number(len >> 8n), Number(len & 255n));
  else {
    head.push(m | 127);
    for (let s = 56n; s >= 0n; s -= 8n) head.push(Number((len >> s) & 255n));
  }
  if (mask) head.push(...mask);
  const body = payload.slice();
  if (mask) { for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ mask[i & 3]!; }
  return new Uint8Array([...head, ...body]);
}

/** A ZWS message: flags byte + body, as one frame. */
export function zws(flags: number, body: Uint8Array | string, shape?: FrameShape): Uint8Array {
  const b = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return wsFrame(new Uint8Array([flags, ...b]), shape);
}

/** READY with Socket-Type `type`, as a ZWS command message. */
export function ready(type: string, shape?: FrameShape): Uint8Array {
  const t = new TextEncoder().encode(type);
  const name = new TextEncoder().encode("Socket-Type");
  const body = [
    5,
    ..."READY".split("").map((c) => c.charCodeAt(0)),
    name.length,
    ...name,
    0,
    0,
    0,
    t.length,
    ...t,
  ];
  return zws(2, new Uint8Array(body), shape);
}

export function upgradeRequest(
  opts: { path?: string; protocol?: string | undefined; extra?: string } = {},
): string {
  const proto = "protocol" in opts ? opts.protocol : "ZWS2.0/NULL,ZWS2.0";
  return `GET ${opts.path ?? "/"} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
    (proto === undefined ? "" : `Sec-WebSocket-Protocol: ${proto}\r\n`) +
    `Sec-WebSocket-Version: 13\r\n${opts.extra ?? ""}\r\n`;
}

/** A raw tcp client: `received` collects what the server sends; `closed` settles at close. */
export class RawClient {
  readonly sock: net.Socket;
  received = Buffer.alloc(0);
  readonly closed: Promise<void>;
  constructor(port: number) {
    this.sock = net.connect({ host: "127.0.0.1", port });
    this.sock.on("data", (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
    });
    this.sock.on("error", () => {});
    this.closed = new Promise((resolve) => this.sock.once("close", () => resolve()));
  }
  write(data: Uint8Array | string): void {
    this.sock.write(data);
  }
  text(): string {
    return this.received.toString("latin1");
  }
  destroy(): void {
    this.sock.destroy();
  }
}
