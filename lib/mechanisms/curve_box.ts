// SPDX-License-Identifier: MIT
/**
 * The CurveZMQ cryptography (RFC 26) on @noble/curves and @noble/ciphers, shared by the CURVE
 * mechanism and the dump's passive CURVE decoder: X25519 public keys, NaCl crypto_box keys
 * (HSalsa20 of the X25519 shared point) and XSalsa20-Poly1305 boxes in the wire layout
 * CurveZMQ uses (16-byte tag, then the ciphertext, like libsodium's "easy" functions;
 * @noble's xsalsa20poly1305 happens to use the same layout). A box key serves crypto_box
 * (precomputed, "afternm") and crypto_secretbox alike. Opening never throws: a box that does
 * not authenticate is `null`. {@linkcode PrefixBox} serves the per-frame MESSAGE boxes.
 */
import { x25519 } from "@noble/curves/ed25519.js";
import { hsalsa, salsa20, xsalsa20poly1305 } from "@noble/ciphers/salsa.js";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { equalBytes } from "@noble/ciphers/utils.js";

export const KEY_SIZE = 32;
export const NONCE_SIZE = 24;
/** Poly1305 tag at the front of every box. */
export const BOX_OVERHEAD = 16;
/** Scratch bytes in front of the plaintext for PrefixBox.sealInPlace (@noble's layout). */
export const SEAL_SCRATCH = 32;

/** "expand 32-byte k" as the four native-order words hsalsa reads. */
const SIGMA: Uint32Array = new Uint32Array(
  new Uint8Array([..."expand 32-byte k"].map((c) => c.charCodeAt(0))).buffer,
);

function checkKey(key: Uint8Array, what: string): void {
  if (key.length !== KEY_SIZE) {
    throw new RangeError(`${what} must be ${KEY_SIZE} bytes, got ${key.length}`);
  }
}

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== NONCE_SIZE) {
    throw new RangeError(`nonce must be ${NONCE_SIZE} bytes, got ${nonce.length}`);
  }
}

/** X25519 public key of a 32-byte secret key (RangeError for another length). */
export function curvePublicKey(secret: Uint8Array): Uint8Array {
  checkKey(secret, "CURVE secret key");
  return x25519.getPublicKey(secret);
}

/**
 * crypto_box_beforenm(peerPublic, secret): HSalsa20(X25519(secret, peerPublic), zero nonce).
 * `null` when the peer key is not a usable point (all-zero shared secret: a low-order point,
 * which libsodium refuses as well) or a key has the wrong length.
 */
export function boxKey(secret: Uint8Array, peerPublic: Uint8Array): Uint8Array | null {
  if (secret.length !== KEY_SIZE || peerPublic.length !== KEY_SIZE) return null;
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secret, peerPublic);
  } catch {
    return null;
  }
  const copy = new Uint8Array(shared); // aligned, for the Uint32Array view
  shared.fill(0);
  const k = new Uint32Array(copy.buffer);
  const out = new Uint32Array(8);
  hsalsa(SIGMA, k, new Uint32Array(4), out);
  copy.fill(0);
  return new Uint8Array(out.buffer);
}

/** A 24-byte nonce: the ASCII `prefix` followed by `tail` (together exactly 24 bytes). */
export function curveNonce(prefix: string, tail: Uint8Array): Uint8Array<ArrayBuffer> {
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
  checkNonce(nonce);
  return xsalsa20poly1305(key, nonce).encrypt(plaintext);
}

/**
 * XSalsa20-Poly1305 under one key for nonces that share a 16-byte prefix, as every CurveZMQ
 * MESSAGE nonce of one direction does ("CurveZMQMESSAGEC"/"…S" ‖ 8-byte counter). Since
 * XSalsa20(k, p ‖ n) = Salsa20(HSalsa20(k, p), n), the HSalsa20 subkey is derived once here
 * and each box runs @noble's Salsa20 and Poly1305 the way @noble's xsalsa20poly1305 does
 * (keystream block 0: Poly1305 key, then the ciphertext). The boxes are byte-identical to
 * sealBox/openBox with the full 24-byte nonce; this only skips per-call work.
 */
export class PrefixBox {
  readonly #subkey: Uint8Array<ArrayBuffer>;
  /** Poly1305 key scratch of open(). */
  readonly #authKey = new Uint8Array(32);

  /**
   * @param key The 32-byte box key (a copy of the derived subkey is kept, not the key).
   * @param prefix The 16 first bytes of every nonce.
   */
  constructor(key: Uint8Array, prefix: Uint8Array) {
    checkKey(key, "box key");
    if (prefix.length !== 16) throw new RangeError(`nonce prefix must be 16 bytes`);
    const k = new Uint32Array(8);
    new Uint8Array(k.buffer).set(key);
    const p = new Uint32Array(4);
    new Uint8Array(p.buffer).set(prefix);
    const out = new Uint32Array(8);
    hsalsa(SIGMA, k, p, out);
    k.fill(0);
    this.#subkey = new Uint8Array(out.buffer);
  }

  /**
   * Seals in place under the nonce `prefix ‖ tail` (tail: 8 bytes), without another buffer:
   * `buffer` holds SEAL_SCRATCH (32) bytes of scratch, then the plaintext. Returns
   * `buffer.subarray(16)`, the box (tag ‖ ciphertext); the first 16 bytes of `buffer` are
   * left zero, for the caller's header. Callers must never reuse a tail.
   */
  sealInPlace(tail: Uint8Array, buffer: Uint8Array): Uint8Array {
    if (tail.length !== 8) throw new RangeError("nonce tail must be 8 bytes");
    if (buffer.length < SEAL_SCRATCH) {
      throw new RangeError(`seal buffer must hold ${SEAL_SCRATCH} scratch bytes`);
    }
    buffer.fill(0, 0, SEAL_SCRATCH);
    salsa20(this.#subkey, tail, buffer, buffer); // [0..32]: Poly1305 key; [32..]: ciphertext
    const tag = poly1305(buffer.subarray(SEAL_SCRATCH), buffer.subarray(0, SEAL_SCRATCH));
    buffer.set(tag, 16);
    buffer.fill(0, 0, 16);
    return buffer.subarray(16);
  }

  /** The plaintext of `box` (tag ‖ ciphertext) under nonce `prefix ‖ tail`, or null. */
  open(tail: Uint8Array, box: Uint8Array): Uint8Array | null {
    if (tail.length !== 8 || box.length < BOX_OVERHEAD) return null;
    const authKey = this.#authKey;
    authKey.fill(0);
    salsa20(this.#subkey, tail, authKey, authKey);
    const ciphertext = box.subarray(BOX_OVERHEAD);
    const ok = equalBytes(poly1305(ciphertext, authKey), box.subarray(0, BOX_OVERHEAD));
    authKey.fill(0);
    if (!ok) return null;
    const out = new Uint8Array(SEAL_SCRATCH + ciphertext.length);
    out.set(ciphertext, SEAL_SCRATCH);
    salsa20(this.#subkey, tail, out, out);
    out.fill(0, 0, SEAL_SCRATCH); // keystream block 0 (the Poly1305 key)
    return out.subarray(SEAL_SCRATCH);
  }

  /** Zeroes the subkey. */
  destroy(): void {
    this.#subkey.fill(0);
  }
}

/** Byte-wise equality (for public values: it returns at the first difference). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Equality in time that depends only on the length, for secrets and for values an attacker
 * probes (cookie contents, vouch keys). Lengths are not secret.
 */
export function sameBytesCT(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** `n` bytes from the platform's CSPRNG (globalThis.crypto: Deno, Bun, Node ≥ 20). */
export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  globalThis.crypto.getRandomValues(out);
  return out;
}
