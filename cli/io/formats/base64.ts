// SPDX-License-Identifier: MIT
/** `base64`: each frame in standard base64, frames separated by the delimiter. Lossless. */
import { type Frames, join, split } from "../bytes.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const SHAPE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard base64 (with padding) of the bytes. */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Bytes of base64 text (padding optional). Throws SyntaxError naming the problem. */
export function fromBase64(text: string): Uint8Array {
  if (!SHAPE.test(text)) {
    const bad = [...text].findIndex((c, i) =>
      !/[A-Za-z0-9+/=]/.test(c) || (c !== "=" && text.slice(0, i).includes("="))
    );
    throw new SyntaxError(
      `invalid base64: "${text[bad] ?? "="}" at column ${bad + 1}`,
    );
  }
  if (text.length % 4 === 1) {
    throw new SyntaxError(`invalid base64: length ${text.length} is not valid`);
  }
  const padded = text.length % 4 === 0 ? text : text + "=".repeat(4 - (text.length % 4));
  let bin: string;
  try {
    bin = atob(padded);
  } catch {
    throw new SyntaxError(`invalid base64: malformed padding`);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Frames of one base64 line. */
export function decodeBase64(line: Uint8Array, delimiter: Uint8Array): Frames {
  return split(line, delimiter).map((f, i) => {
    try {
      return fromBase64(dec.decode(f));
    } catch (e) {
      throw new SyntaxError(`frame ${i + 1}: ${(e as Error).message}`);
    }
  });
}

/** One base64 line (without its terminator). */
export function encodeBase64(frames: Frames, delimiter: Uint8Array): Uint8Array {
  return join(frames.map((f) => enc.encode(toBase64(f))), delimiter);
}
