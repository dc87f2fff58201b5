// SPDX-License-Identifier: MIT
/**
 * Hand-built ZWS 2.0 byte vectors for the dump's tests (RFC 45 over RFC 6455): upgrade request
 * and response heads, WebSocket frames (masked or not, any header bits), ZMTP command bodies,
 * and a driver that feeds steps to a ConnectionDecoder whole, byte by byte or split at a point.
 */
import { ConnectionDecoder } from "../../lib/internal.ts";
import type { DecoderOptions, DumpEvent, Side } from "../../lib/internal.ts";

const te = new TextEncoder();
export const MASK = Uint8Array.of(0x12, 0x34, 0x56, 0x78);

/** libzmq's client request, byte for byte, offering `protocols`. */
export function request(protocols: string): Uint8Array {
  return te.encode(
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
      `Sec-WebSocket-Protocol: ${protocols}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
}

/** libzmq's server response, choosing `protocol`. */
export function response(protocol: string, status = "101 Switching Protocols"): Uint8Array {
  return te.encode(
    `HTTP/1.1 ${status}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
      `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
}

export interface FrameOptions {
  /** Masking key (client frames); none for server frames. */
  mask?: Uint8Array;
  /** First byte's FIN and RSV bits (default 0x80: FIN only). */
  bits?: number;
  /** Forces the length field (e.g. a 64-bit length with no payload behind it). */
  length?: bigint;
}

/** One RFC 6455 frame: header, extended length, masking key, (masked) payload. */
export function wsFrame(opcode: number, payload: Uint8Array, o: FrameOptions = {}): Uint8Array {
  const out: number[] = [(o.bits ?? 0x80) | opcode];
  const maskBit = o.mask ? 0x80 : 0;
  const n = o.length ?? BigInt(payload.length);
  if (n < 126n) out.push(maskBit | Number(n));
  else if (n < 0x10000n) out.push(maskBit | 126, Number(n >> 8n), Number(n & 0xffn));
  else {
    out.push(maskBit | 127);
    for (let k = 7; k >= 0; k--) out.push(Number((n >> BigInt(8 * k)) & 0xffn));
  }
  if (o.mask) out.push(...o.mask);
  for (let i = 0; i < payload.length; i++) {
    out.push(o.mask ? payload[i]! ^ o.mask[i & 3]! : payload[i]!);
  }
  return Uint8Array.from(out);
}

/** A ZWS binary message: flags byte (0x01 MORE, 0x02 COMMAND) then the body. */
export function zws(flags: number, body: Uint8Array, mask?: Uint8Array): Uint8Array {
  return wsFrame(0x2, Uint8Array.of(flags, ...body), mask ? { mask } : {});
}

/** A ZMTP command body: name length, name, data. */
export function command(name: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  return Uint8Array.of(name.length, ...te.encode(name), ...data);
}

/** READY with one Socket-Type property, written out by hand. */
export function ready(socketType: string): Uint8Array {
  const name = te.encode("Socket-Type");
  const value = te.encode(socketType);
  return command("READY", Uint8Array.of(name.length, ...name, 0, 0, 0, value.length, ...value));
}

export type Step = [Side, Uint8Array];

/** How steps are fed: each whole, each byte by byte, or each split in two at `at`. */
export type Feed = "whole" | "bytes" | number;

/** Runs the steps through a ConnectionDecoder (conn 1, time 0); returns its events. */
export function run(steps: Step[], feed: Feed = "whole", options?: DecoderOptions): DumpEvent[] {
  const events: DumpEvent[] = [];
  const d = new ConnectionDecoder(1, (e) => events.push(e), options);
  d.open("c", "s", 0);
  for (const [from, bytes] of steps) {
    if (feed === "whole") d.data(from, bytes, 0);
    else if (feed === "bytes") { for (const b of bytes) d.data(from, Uint8Array.of(b), 0); }
    else {
      const at = Math.min(feed, bytes.length);
      d.data(from, bytes.subarray(0, at), 0);
      d.data(from, bytes.subarray(at), 0);
    }
  }
  d.close(0);
  return events;
}

/** Every way of feeding `steps`: whole, byte by byte, and split at each index up to `max`. */
export function feeds(steps: Step[]): Feed[] {
  const max = Math.max(...steps.map(([, b]) => b.length));
  const out: Feed[] = ["whole", "bytes"];
  for (let at = 1; at < max; at++) out.push(at);
  return out;
}

export function of<T extends DumpEvent["type"]>(
  events: DumpEvent[],
  type: T,
): Extract<DumpEvent, { type: T }>[] {
  return events.filter((e) => e.type === type) as Extract<DumpEvent, { type: T }>[];
}
