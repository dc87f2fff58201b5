// SPDX-License-Identifier: MIT
/** Byte helpers for the CLI's readers and writers. */

export type Frames = Uint8Array[];

export const EMPTY: Uint8Array = new Uint8Array(0);

/** Concatenates byte arrays into one (or returns the only one). */
export { concatBytes as concat } from "../../lib/internal.ts";

/** The index of `needle` in `hay` from `from`, or -1. */
export function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  if (needle.length === 1) return hay.indexOf(needle[0]!, from);
  const first = needle[0]!;
  const last = hay.length - needle.length;
  for (let i = hay.indexOf(first, from); i >= 0 && i <= last; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** Splits `bytes` at every occurrence of `sep` (views, no copies). Never returns zero parts. */
export function split(bytes: Uint8Array, sep: Uint8Array): Frames {
  const out: Frames = [];
  let start = 0;
  for (let i = indexOf(bytes, sep); i >= 0; i = indexOf(bytes, sep, start)) {
    out.push(bytes.subarray(start, i));
    start = i + sep.length;
  }
  out.push(bytes.subarray(start));
  return out;
}

/** Joins frames with `sep` between them into one new array. */
export function join(frames: readonly Uint8Array[], sep: Uint8Array): Uint8Array {
  if (frames.length === 1) return frames[0]!;
  let n = sep.length * (frames.length - 1);
  for (const f of frames) n += f.length;
  const out = new Uint8Array(n);
  let o = 0;
  frames.forEach((f, i) => {
    if (i > 0) {
      out.set(sep, o);
      o += sep.length;
    }
    out.set(f, o);
    o += f.length;
  });
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The frame as text when it is valid UTF-8, else undefined. */
export function asUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The index of the first byte that does not belong to well-formed UTF-8 (an overlong form,
 * a surrogate, a code point above U+10FFFF, a stray or missing continuation byte), or -1.
 */
export function invalidUtf8At(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf
      ? 1
      : c >= 0xe0 && c <= 0xef
      ? 2
      : c >= 0xf0 && c <= 0xf4
      ? 3
      : 0;
    if (n === 0) return i;
    // the second byte's range excludes overlong forms, surrogates and > U+10FFFF
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    const c1 = b[i + 1];
    if (c1 === undefined || c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Reads backslash escapes in a delimiter given on the command line: `\t`, `\n`, `\r`, `\0`,
 * `\\` and `\xHH`, so `-d '\t'` works without `$'\t'`.
 */
export function unescape(text: string): Uint8Array {
  const s = text.replace(/\\(x[0-9a-fA-F]{2}|[tnr0\\])/g, (_m, e: string) => {
    switch (e) {
      case "t":
        return "\t";
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "0":
        return "\0";
      case "\\":
        return "\\";
      default:
        return String.fromCharCode(parseInt(e.slice(1), 16));
    }
  });
  return new TextEncoder().encode(s);
}
