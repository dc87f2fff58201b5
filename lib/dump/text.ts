// SPDX-License-Identifier: MIT
/** Small byte-to-text helpers shared by the dump's decoders. Pure. */

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, "0"));

/** Lowercase hex of at most `max` bytes (all when max ≤ 0). */
export function toHex(b: Uint8Array, max = 0): string {
  const n = max > 0 ? Math.min(max, b.length) : b.length;
  let s = "";
  for (let i = 0; i < n; i++) s += HEX[b[i]!];
  return s;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The bytes as text when they are valid UTF-8 without control characters (tab, CR, LF allowed). */
export function printable(b: Uint8Array): string | undefined {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d || c === 0x7f) return undefined;
  }
  try {
    return utf8.decode(b);
  } catch {
    return undefined;
  }
}

/** A topic or id as one field: `{ topic: "text" }` when printable, else `{ topicHex: "…" }`. */
export function textOrHex(name: string, b: Uint8Array): Record<string, string> {
  const t = printable(b);
  return t !== undefined ? { [name]: t } : { [`${name}Hex`]: toHex(b) };
}
