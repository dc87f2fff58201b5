// SPDX-License-Identifier: MIT
/**
 * `json`: a message is one line holding a JSON array of frames. A frame that is valid UTF-8
 * is a string; any other is `{"base64": "…"}`. Input also takes `{"hex": "…"}` frames and a
 * bare string as a one-frame message. Lossless.
 */
import { asUtf8, type Frames } from "../bytes.ts";
import { fromBase64, toBase64 } from "./base64.ts";
import { fromHex } from "./hex.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

type JsonFrame = string | { base64: string };

/** One JSON line (without its terminator). */
export function encodeJson(frames: Frames): Uint8Array {
  const out: JsonFrame[] = frames.map((f) => asUtf8(f) ?? { base64: toBase64(f) });
  return enc.encode(JSON.stringify(out));
}

function frameOf(v: unknown, i: number): Uint8Array {
  if (typeof v === "string") return enc.encode(v);
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o.base64 === "string") return fromBase64(o.base64);
    if (keys.length === 1 && typeof o.hex === "string") return fromHex(o.hex);
  }
  throw new SyntaxError(
    `frame ${i + 1} must be a string, {"base64": "…"} or {"hex": "…"}, got ${JSON.stringify(v)}`,
  );
}

/** Frames of one JSON line. Throws SyntaxError naming the problem. */
export function decodeJson(line: Uint8Array | string): Frames {
  const text = typeof line === "string" ? line : dec.decode(line);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`invalid JSON: ${(e as Error).message}`);
  }
  if (typeof value === "string") return [enc.encode(value)];
  if (!Array.isArray(value)) {
    throw new SyntaxError(`expected a JSON array of frames, got ${typeof value}`);
  }
  if (value.length === 0) throw new SyntaxError("a message needs at least one frame");
  return value.map((v, i) => {
    try {
      return frameOf(v, i);
    } catch (e) {
      throw new SyntaxError(
        (e as Error).message.startsWith("frame")
          ? (e as Error).message
          : `frame ${i + 1}: ${(e as Error).message}`,
      );
    }
  });
}
