// SPDX-License-Identifier: MIT
/** Test helpers: byte literals and the three ways every decoder vector is fed. */

/** Bytes from a hex string with optional spaces: `hex("ff 00 7f")`. */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  if (clean.length % 2 !== 0) throw new Error(`odd hex string: ${s}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
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

/**
 * Every chunking a vector is fed with: whole, byte by byte, and split in two at every
 * index 1..n-1. Each entry is a label and the list of chunks (fresh copies).
 */
export function chunkings(bytes: Uint8Array): Array<[string, Uint8Array[]]> {
  const out: Array<[string, Uint8Array[]]> = [["whole", [bytes.slice()]]];
  const single: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) single.push(bytes.slice(i, i + 1));
  out.push(["byte by byte", single]);
  for (let i = 1; i < bytes.length; i++) {
    out.push([`split at ${i}`, [bytes.slice(0, i), bytes.slice(i)]]);
  }
  return out;
}
