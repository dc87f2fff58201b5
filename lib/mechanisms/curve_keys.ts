// SPDX-License-Identifier: MIT
/**
 * CURVE keys as users give them: key pair generation (zmq_curve_keypair), the public key of
 * a secret key (zmq_curve_public), and the parsing of a key option, which libzmq accepts as
 * 40 Z85 characters (optionally NUL-terminated: 41) or 32 raw bytes (security.md §1, §6).
 */
import { z85Decode, z85Encode } from "./z85.ts";
import { curvePublicKey, KEY_SIZE, randomBytes } from "./curve_box.ts";

/** Length of a key in Z85 text. */
const Z85_SIZE = 40;

/**
 * A fresh CURVE key pair in Z85 text, like zeromq.js's `curveKeyPair()`.
 *
 * @returns `publicKey` and `secretKey`, 40 Z85 characters each.
 */
export function curveKeyPair(): { publicKey: string; secretKey: string } {
  const secret = randomBytes(KEY_SIZE);
  const pair = { publicKey: z85Encode(curvePublicKey(secret)), secretKey: z85Encode(secret) };
  secret.fill(0);
  return pair;
}

/**
 * The public key of a secret key, in Z85 text (zmq_curve_public).
 *
 * @param secretKey The secret key, in any form {@linkcode curveKey} accepts.
 * @returns 40 Z85 characters.
 */
export function curvePublic(secretKey: string | Uint8Array): string {
  const secret = curveKey(secretKey, "secretKey");
  const pub = z85Encode(curvePublicKey(secret));
  secret.fill(0);
  return pub;
}

function z85Key(text: string, what: string): Uint8Array<ArrayBuffer> {
  try {
    return z85Decode(text) as Uint8Array<ArrayBuffer>;
  } catch (e) {
    throw new RangeError(`${what} is not valid Z85: ${(e as Error).message}`);
  }
}

/**
 * A 32-byte CURVE key from an option value: 40 Z85 characters, 41 with a trailing NUL, or
 * 32 raw bytes (a Uint8Array of 40 or 41 bytes is read as Z85 text, as libzmq does). The
 * result is a fresh copy.
 *
 * @param value The key as given.
 * @param what The option's name, for the error message (e.g. `"curveServerKey"`).
 * @returns The 32 key bytes.
 * @throws {TypeError} when `value` is neither a string nor a Uint8Array.
 * @throws {RangeError} for another length or invalid Z85.
 */
export function curveKey(value: string | Uint8Array, what: string): Uint8Array<ArrayBuffer> {
  if (typeof value === "string") {
    let text = value;
    if (text.length === Z85_SIZE + 1 && text.endsWith("\0")) text = text.slice(0, Z85_SIZE);
    if (text.length !== Z85_SIZE) {
      throw new RangeError(
        `${what} must be ${Z85_SIZE} Z85 characters or ${KEY_SIZE} bytes, ` +
          `got ${value.length} characters`,
      );
    }
    return z85Key(text, what);
  }
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${what} must be a string or a Uint8Array, got ${typeof value}`);
  }
  if (value.length === KEY_SIZE) return new Uint8Array(value);
  const z85Length = value.length === Z85_SIZE + 1 && value[Z85_SIZE] === 0
    ? Z85_SIZE
    : value.length;
  if (z85Length !== Z85_SIZE) {
    throw new RangeError(
      `${what} must be ${KEY_SIZE} bytes or ${Z85_SIZE} Z85 characters, got ${value.length} bytes`,
    );
  }
  let text = "";
  for (let i = 0; i < Z85_SIZE; i++) text += String.fromCharCode(value[i]!);
  return z85Key(text, what);
}
