// SPDX-License-Identifier: MIT
/**
 * Z85 (ZeroMQ RFC 32): the text form of CURVE keys. Every 4 bytes, read as a big-endian
 * uint32, become 5 characters of an 85-letter alphabet, most significant digit first.
 * No padding: the caller supplies lengths that are multiples of 4 (encode) or 5 (decode).
 * Decoding is as strict as libzmq: unknown characters and groups above 0xFFFFFFFF fail.
 */

const ALPHABET =
  "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/** Character code → digit value, or -1 for a character outside the alphabet. */
const DIGITS: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/** Z85 text of `bytes`; RangeError unless the length is a multiple of 4. */
export function z85Encode(bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) {
    throw new RangeError(`Z85 input length ${bytes.length} is not a multiple of 4`);
  }
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    let value = (bytes[i]! << 24 | bytes[i + 1]! << 16 | bytes[i + 2]! << 8 | bytes[i + 3]!) >>>
      0;
    const group = new Array<string>(5);
    for (let k = 4; k >= 0; k--) {
      group[k] = ALPHABET[value % 85]!;
      value = Math.floor(value / 85);
    }
    out.push(group.join(""));
  }
  return out.join("");
}

/**
 * Bytes of Z85 `text`; RangeError (naming the position) unless the length is a multiple of
 * 5, every character is in the alphabet, and every 5-character group fits in 32 bits.
 */
export function z85Decode(text: string): Uint8Array {
  if (text.length % 5 !== 0) {
    throw new RangeError(`Z85 text length ${text.length} is not a multiple of 5`);
  }
  const out = new Uint8Array(text.length / 5 * 4);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let value = 0;
    for (let k = 0; k < 5; k++) {
      const code = text.charCodeAt(i + k);
      const digit = code < 128 ? DIGITS[code]! : -1;
      if (digit < 0) {
        throw new RangeError(`Invalid Z85 character at position ${i + k}`);
      }
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) {
      throw new RangeError(`Z85 group at position ${i} exceeds 32 bits`);
    }
    out[o] = value >>> 24;
    out[o + 1] = (value >>> 16) & 0xff;
    out[o + 2] = (value >>> 8) & 0xff;
    out[o + 3] = value & 0xff;
  }
  return out;
}
