// SPDX-License-Identifier: MIT
/**
 * Turning untrusted handshake bytes into JSON fields for the dump: text-or-hex values,
 * lenient metadata (property lists) with offsets in the error message, 64-bit nonces, and
 * prototype-safe objects (a metadata name may well be "__proto__"). Nothing here throws
 * on any input, and every rendered value is bounded.
 */
import { toHex } from "../text.ts";
import type { JsonValue } from "../events.ts";

/** Longest value rendered in full; longer ones are cut and carry "$size". */
export const MAX_VALUE_BYTES = 1024;
/** Most metadata properties listed; the rest are counted in "$more". */
export const MAX_PROPERTIES = 256;

/** Sets `obj[key] = value` as an own data property, even for "__proto__". */
export function setField(obj: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The UTF-8 text of `bytes` when it is valid and has no control characters, else null. */
export function printableText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return null;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) return null;
  }
  return text;
}

/**
 * A value as a string when printable, else `{ "$hex": … }`. Values over MAX_VALUE_BYTES are
 * cut (text may lose a split character's bytes to hex) and get `"$size"` = the full length.
 */
export function renderValue(bytes: Uint8Array): JsonValue {
  const cut = bytes.length > MAX_VALUE_BYTES;
  const shown = cut ? bytes.subarray(0, MAX_VALUE_BYTES) : bytes;
  const text = printableText(shown);
  if (!cut && text !== null) return text;
  const out: Record<string, JsonValue> = {};
  if (text !== null) out.$text = text;
  else out.$hex = toHex(shown);
  if (cut) out.$size = bytes.length;
  return out;
}

/** A big-endian 64-bit counter as a number, or as a decimal string past 2^53 − 1. */
export function uint64Value(b: Uint8Array, offset: number): number | string {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(b[offset + i] ?? 0);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

export interface MetadataView {
  /** Property name → rendered value; a repeated name gets " (2)", " (3)"… */
  metadata: Record<string, JsonValue>;
  /** One line, "… at data offset N", when the list is malformed; properties before it stay. */
  error?: string;
}

function validName(b: Uint8Array, start: number, len: number): string | null {
  let name = "";
  for (let i = start; i < start + len; i++) {
    const c = b[i]!;
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
      c === 0x2e || c === 0x2b || c === 0x5f || c === 0x2d;
    if (!ok) return null;
    name += String.fromCharCode(c);
  }
  return name;
}

/**
 * Decodes a ZMTP property list (`name-len name value-len(4, BE) value`…) found at
 * `base` in the command's data, so offsets in `error` count from the data's start
 * (`where` names what the offsets count in: "data offset", or "plaintext offset" for a box).
 */
export function describeMetadata(b: Uint8Array, base: number, where = "data offset"): MetadataView {
  const metadata: Record<string, JsonValue> = {};
  const seen = new Map<string, number>();
  let count = 0;
  let o = 0;
  while (o < b.length) {
    const at = base + o;
    const nameLen = b[o]!;
    if (nameLen === 0) return { metadata, error: `empty property name at ${where} ${at}` };
    if (o + 1 + nameLen > b.length) {
      return {
        metadata,
        error: `property name of ${nameLen} bytes overruns the body at ${where} ${at}`,
      };
    }
    const name = validName(b, o + 1, nameLen);
    if (name === null) return { metadata, error: `invalid property name at ${where} ${at}` };
    o += 1 + nameLen;
    if (o + 4 > b.length) {
      return { metadata, error: `truncated value length at ${where} ${base + o}` };
    }
    const valueLen = (b[o]! << 24 | b[o + 1]! << 16 | b[o + 2]! << 8 | b[o + 3]!) >>> 0;
    if (valueLen > b.length - o - 4) {
      return {
        metadata,
        error: `value of ${valueLen} bytes overruns the body at ${where} ${base + o}`,
      };
    }
    o += 4;
    count++;
    if (count <= MAX_PROPERTIES) {
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      setField(
        metadata,
        n === 1 ? name : `${name} (${n})`,
        renderValue(b.subarray(o, o + valueLen)),
      );
    }
    o += valueLen;
  }
  if (count > MAX_PROPERTIES) setField(metadata, "$more", count - MAX_PROPERTIES);
  return { metadata };
}
