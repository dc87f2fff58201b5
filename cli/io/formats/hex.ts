// SPDX-License-Identifier: MIT
/** `hex`: each frame as hexadecimal digits, frames separated by the delimiter. Lossless. */
import { type Frames, join, split } from "../bytes.ts";

const DIGITS = "0123456789abcdef";
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Lower-case hex of the bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += DIGITS[b >> 4]! + DIGITS[b & 15]!;
  return s;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87; // a-f, A-F
  return -1;
}

/** Bytes of hex text (either case). Throws SyntaxError naming the problem. */
export function fromHex(text: string | Uint8Array): Uint8Array {
  const digits = typeof text === "string" ? enc.encode(text) : text;
  for (let i = 0; i < digits.length; i++) {
    if (nibble(digits[i]!) < 0) {
      const ch = dec.decode(digits.subarray(i, i + 4)).slice(0, 1);
      throw new SyntaxError(`invalid hex: "${ch}" at column ${i + 1}`);
    }
  }
  if (digits.length % 2 !== 0) {
    throw new SyntaxError(`invalid hex: odd number of digits (${digits.length})`);
  }
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = (nibble(digits[2 * i]!) << 4) | nibble(digits[2 * i + 1]!);
  }
  return out;
}

/** Frames of one hex line. */
export function decodeHex(line: Uint8Array, delimiter: Uint8Array): Frames {
  return split(line, delimiter).map((f, i) => {
    try {
      return fromHex(f);
    } catch (e) {
      throw new SyntaxError(`frame ${i + 1}: ${(e as Error).message}`);
    }
  });
}

/** One hex line (without its terminator). */
export function encodeHex(frames: Frames, delimiter: Uint8Array): Uint8Array {
  return join(frames.map((f) => enc.encode(toHex(f))), delimiter);
}
