// SPDX-License-Identifier: MIT
/**
 * RFC 6455 frame headers as ZWS 2.0 (RFC 45) uses them: one ZeroMQ frame per binary message,
 * whose payload is a flags byte (ZWS_MORE, ZWS_COMMAND) and the frame's body; control frames
 * (close, ping, pong) between them. Pure: header bytes in, a header out, and the reverse.
 * What ZWS does not allow is refused here: text and continuation frames (so fragmented
 * messages), reserved bits, control frames over 125 bytes or not final, a mask bit wrong for
 * the direction, a length over 2^32 (no ZeroMQ frame is longer).
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";

export const WsOp = { BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 } as const;
/** ZWS flags byte: more frames follow / this is a command. */
export const ZWS_MORE = 0x01;
export const ZWS_COMMAND = 0x02;
/** Longest header: 2 bytes, 8 of length, 4 of mask. */
export const MAX_WS_HEADER = 14;
/** Longest payload accepted: a flags byte and the longest ZMTP frame body. */
const MAX_PAYLOAD = 0x1_0000_0000;

export interface WsHeader {
  opcode: number;
  /** Payload bytes that follow the header. */
  length: number;
  /** The masking key, or undefined for an unmasked frame. */
  mask: Uint8Array | undefined;
  /** Bytes of header. */
  size: number;
}

function violation(what: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.WS_FRAME, what);
}

/**
 * Reads a frame header from `buf[0..n)`; undefined if more bytes are needed. `masked` says
 * whether frames from this peer must be masked (a server reads masked client frames).
 * Throws ProtocolError for a header ZWS does not allow.
 */
export function readWsHeader(buf: Uint8Array, n: number, masked: boolean): WsHeader | undefined {
  if (n < 2) return undefined;
  const b0 = buf[0]!, b1 = buf[1]!;
  const opcode = b0 & 0x0f;
  if (b0 & 0x70) throw violation("WebSocket frame with reserved bits set (no extension agreed)");
  if (opcode === 0) throw violation("fragmented WebSocket message: ZWS sends each frame whole");
  if (opcode === 1) throw violation("text WebSocket frame: ZWS frames are binary");
  if (
    opcode !== WsOp.BINARY && opcode !== WsOp.CLOSE && opcode !== WsOp.PING && opcode !== WsOp.PONG
  ) {
    throw violation(`WebSocket frame with unknown opcode ${opcode}`);
  }
  if (!(b0 & 0x80)) {
    throw violation("fragmented WebSocket message: ZWS sends each frame whole");
  }
  if (Boolean(b1 & 0x80) !== masked) {
    throw violation(
      masked ? "unmasked WebSocket frame from a client" : "masked WebSocket frame from a server",
    );
  }
  let length = b1 & 0x7f;
  let size = 2;
  if (length === 126) {
    if (n < 4) return undefined;
    length = (buf[2]! << 8) | buf[3]!;
    size = 4;
  } else if (length === 127) {
    if (n < 10) return undefined;
    const hi = ((buf[2]! << 24) | (buf[3]! << 16) | (buf[4]! << 8) | buf[5]!) >>> 0;
    const lo = ((buf[6]! << 24) | (buf[7]! << 16) | (buf[8]! << 8) | buf[9]!) >>> 0;
    length = hi * 0x1_0000_0000 + lo;
    size = 10;
    if (length > MAX_PAYLOAD) {
      throw new ProtocolError(
        ProtocolErrorCode.MESSAGE_TOO_LARGE,
        `WebSocket frame of ${
          hi >= 0x20_0000 ? "2^53 or more" : length
        } bytes: no ZeroMQ frame is that long`,
      );
    }
  }
  if (opcode !== WsOp.BINARY && length > 125) {
    throw violation(`WebSocket control frame of ${length} bytes (at most 125)`);
  }
  let mask: Uint8Array | undefined;
  if (masked) {
    if (n < size + 4) return undefined;
    mask = buf.slice(size, size + 4);
    size += 4;
  }
  return { opcode, length, mask, size };
}

/** Header size for a payload of `length` bytes. */
export function wsHeaderSize(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 0x1_0000 ? 4 : 10) + (masked ? 4 : 0);
}

/**
 * Writes a final frame's header at `out[pos]`, with `mask` (4 bytes) if given; returns the
 * position after it.
 */
export function writeWsHeader(
  out: Uint8Array,
  pos: number,
  opcode: number,
  length: number,
  mask?: Uint8Array,
): number {
  out[pos++] = 0x80 | opcode;
  const m = mask ? 0x80 : 0;
  if (length < 126) out[pos++] = m | length;
  else if (length < 0x1_0000) {
    out[pos++] = m | 126;
    out[pos++] = length >>> 8;
    out[pos++] = length & 0xff;
  } else {
    out[pos++] = m | 127;
    const hi = Math.floor(length / 0x1_0000_0000);
    for (let s = 24; s >= 0; s -= 8) out[pos++] = (hi >>> s) & 0xff;
    for (let s = 24; s >= 0; s -= 8) out[pos++] = (length >>> s) & 0xff;
  }
  if (mask) {
    out.set(mask, pos);
    pos += 4;
  }
  return pos;
}

/**
 * XORs `data` in place with `mask`, as if `data` began `offset` bytes into the payload
 * (masking and unmasking are the same operation).
 */
export function applyMask(data: Uint8Array, mask: Uint8Array, offset: number): void {
  const m0 = mask[offset & 3]!, m1 = mask[(offset + 1) & 3]!;
  const m2 = mask[(offset + 2) & 3]!, m3 = mask[(offset + 3) & 3]!;
  const n = data.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    data[i] = data[i]! ^ m0;
    data[i + 1] = data[i + 1]! ^ m1;
    data[i + 2] = data[i + 2]! ^ m2;
    data[i + 3] = data[i + 3]! ^ m3;
  }
  const rest = [m0, m1, m2];
  for (let j = 0; i < n; i++, j++) data[i] = data[i]! ^ rest[j]!;
}
