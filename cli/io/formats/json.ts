// SPDX-License-Identifier: MIT
/**
 * `json`: a message is one line holding a JSON array of frames. A frame that is valid UTF-8
 * is a string; any other is `{"base64": "…"}`. Input also takes `{"hex": "…"}` frames and a
 * bare string as a one-frame message. Lossless: input that is not valid UTF-8, or a string
 * with a lone surrogate escape (`"\ud800"`), is refused rather than sent with U+FFFD in it.
 */
import { asUtf8, type Frames, invalidUtf8At } from "../bytes.ts";
import { fromBase64, toBase64 } from "./base64.ts";
import { fromHex } from "./hex.ts";

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

type JsonFrame = string | { base64: string };

/** One JSON line (without its terminator). */
export function encodeJson(frames: Frames): Uint8Array {
  const out: JsonFrame[] = frames.map((f) => asUtf8(f) ?? { base64: toBase64(f) });
  return enc.encode(JSON.stringify(out));
}

/** UTF-8 of a decoded JSON string; refuses a lone surrogate, which UTF-8 cannot carry. */
function utf8Of(s: string): Uint8Array {
  if (s.isWellFormed()) return enc.encode(s);
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++; // a pair
    else break;
  }
  const unit = s.charCodeAt(i).toString(16);
  throw new SyntaxError(`lone surrogate \\u${unit} is not text (send bytes as {"base64": …})`);
}

function frameOf(v: unknown, i: number): Uint8Array {
  if (typeof v === "string") return utf8Of(v);
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

/** The text of a JSON line; throws SyntaxError at the first byte that is not UTF-8. */
function textOf(line: Uint8Array): string {
  try {
    return dec.decode(line);
  } catch {
    throw new SyntaxError(`invalid UTF-8 at byte ${invalidUtf8At(line) + 1}`);
  }
}

/** Frames of one JSON line. Throws SyntaxError naming the problem. */
export function decodeJson(line: Uint8Array | string): Frames {
  const text = typeof line === "string" ? line : textOf(line);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`invalid JSON: ${(e as Error).message}`);
  }
  if (typeof value === "string") return [utf8Of(value)];
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
