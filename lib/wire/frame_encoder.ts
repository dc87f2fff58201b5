// SPDX-License-Identifier: MIT
/**
 * ZMTP 3.x frame encoding. RFC 23 §"Framing". Long form iff the body exceeds 255 bytes,
 * as libzmq does, so our bytes equal libzmq's.
 */
import { Flag } from "./constants.ts";

/** Header length for a body of `size` bytes: 2 (short) or 9 (long). */
export function headerSize(size: number): number {
  return size > 255 ? 9 : 2;
}

/** Writes the flags and size of one frame at `out[off]`; returns the offset after it. */
export function writeHeader(out: Uint8Array, off: number, flags: number, size: number): number {
  if (size > 255) {
    out[off] = flags | Flag.LONG;
    const hi = Math.floor(size / 0x1_0000_0000);
    out[off + 1] = 0;
    out[off + 2] = 0;
    out[off + 3] = 0;
    out[off + 4] = hi & 0xff;
    out[off + 5] = size >>> 24 & 0xff;
    out[off + 6] = size >>> 16 & 0xff;
    out[off + 7] = size >>> 8 & 0xff;
    out[off + 8] = size & 0xff;
    return off + 9;
  }
  out[off] = flags & ~Flag.LONG;
  out[off + 1] = size;
  return off + 2;
}

/** One whole frame as a fresh buffer (handshake and tests; traffic goes through the batch). */
export function encodeFrame(flags: number, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(headerSize(body.length) + body.length);
  const off = writeHeader(out, 0, flags, body.length);
  out.set(body, off);
  return out;
}

/** A whole message as frames with MORE on all but the last. */
export function encodeMessage(frames: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let total = 0;
  for (const f of frames) total += headerSize(f.length) + f.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    off = writeHeader(out, off, i < frames.length - 1 ? Flag.MORE : 0, f.length);
    out.set(f, off);
    off += f.length;
  }
  return out;
}
