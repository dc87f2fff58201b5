// SPDX-License-Identifier: MIT
/**
 * The CurveZMQ cryptography the dump needs, on @noble/curves and @noble/ciphers: X25519
 * public keys, NaCl crypto_box keys (HSalsa20 of the X25519 shared point) and
 * XSalsa20-Poly1305 boxes in the wire layout CurveZMQ uses (16-byte tag, then the
 * ciphertext, like libsodium's "easy" functions; @noble's xsalsa20poly1305 happens to use
 * the same layout). Opening never throws: a box that does not authenticate is `null`.
 * (These helpers move to lib/mechanisms/ when the CURVE mechanism lands.)
 */
import { x25519 } from "@noble/curves/ed25519.js";
import { hsalsa, xsalsa20poly1305 } from "@noble/ciphers/salsa.js";

export const KEY_SIZE = 32;
export const NONCE_SIZE = 24;
/** Poly1305 tag at the front of every box. */
export const BOX_OVERHEAD = 16;

/** "expand 32-byte k" as the four native-order words hsalsa reads. */
const SIGMA: Uint32Array = new Uint32Array(
  new Uint8Array([..."expand 32-byte k"].map((c) => c.charCodeAt(0))).buffer,
);

function checkKey(key: Uint8Array, what: string): void {
  if (key.length !== KEY_SIZE) {
    throw new RangeError(`${what} must be ${KEY_SIZE} bytes, got ${key.length}`);
  }
}

/** X25519 public key of a 32-byte secret key (RangeError for another length). */
export function curvePublicKey(secret: Uint8Array): Uint8Array {
  checkKey(secret, "CURVE secret key");
  return x25519.getPublicKey(secret);
}

/**
 * crypto_box_beforenm(peerPublic, secret): HSalsa20(X25519(secret, peerPublic), zero nonce).
 * `null` when the peer key is not a usable point (all-zero shared secret, which libsodium
 * refuses as well) or a key has the wrong length.
 */
export function boxKey(secret: Uint8Array, peerPublic: Uint8Array): Uint8Array | null {
  if (secret.length !== KEY_SIZE || peerPublic.length !== KEY_SIZE) return null;
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secret, peerPublic);
  } catch {
    return null;
  }
  const k = new Uint32Array(new Uint8Array(shared).buffer);
  const out = new Uint32Array(8);
  hsalsa(SIGMA, k, new Uint32Array(4), out);
  k.fill(0);
  return new Uint8Array(out.buffer);
}

/** A 24-byte nonce: the ASCII `prefix` followed by `tail` (together exactly 24 bytes). */
export function curveNonce(prefix: string, tail: Uint8Array): Uint8Array {
  if (prefix.length + tail.length !== NONCE_SIZE) {
    throw new RangeError(`nonce parts are ${prefix.length}+${tail.length} bytes, need 24`);
  }
  const nonce = new Uint8Array(NONCE_SIZE);
  for (let i = 0; i < prefix.length; i++) nonce[i] = prefix.charCodeAt(i) & 0xff;
  nonce.set(tail, prefix.length);
  return nonce;
}

/** The plaintext of `box` (tag ‖ ciphertext) under `key` and `nonce`, or null. */
export function openBox(key: Uint8Array, nonce: Uint8Array, box: Uint8Array): Uint8Array | null {
  if (key.length !== KEY_SIZE || nonce.length !== NONCE_SIZE || box.length < BOX_OVERHEAD) {
    return null;
  }
  try {
    return xsalsa20poly1305(key, nonce).decrypt(box);
  } catch {
    return null;
  }
}

/** `plaintext` sealed under `key` and `nonce`, as tag ‖ ciphertext. */
export function sealBox(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array {
  checkKey(key, "box key");
  if (nonce.length !== NONCE_SIZE) {
    throw new RangeError(`nonce must be ${NONCE_SIZE} bytes, got ${nonce.length}`);
  }
  return xsalsa20poly1305(key, nonce).encrypt(plaintext);
}

/** Byte-wise equality (the values compared here are all public). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
