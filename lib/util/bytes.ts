// SPDX-License-Identifier: MIT
/** Small byte helpers. */

/**
 * Bytes as Latin-1 text, each byte one UTF-16 code unit, from `start` to `end` (the whole
 * array by default): ZMTP's ASCII names (mechanism, command, property, socket type), and a Map
 * key for bytes. Loops rather than spreading into fromCharCode: no argument-count limit.
 */
export function latin1(b: Uint8Array, start = 0, end = b.length): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** A Map key for bytes: each byte as one UTF-16 code unit. */
export const bytesKey: (b: Uint8Array) => string = latin1;

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Joins byte arrays into one (the only one itself when there is just one). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : joinBytes(...parts);
}

/** `parts` joined into one fresh buffer (a copy even of a single part). */
export function joinBytes(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** 16 random bytes as a version 4 UUID (RFC 4122 variant). */
export function randomUuid(): Uint8Array {
  const out = globalThis.crypto.getRandomValues(new Uint8Array(16));
  out[6] = (out[6]! & 0x0f) | 0x40; // version 4
  out[8] = (out[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return out;
}
