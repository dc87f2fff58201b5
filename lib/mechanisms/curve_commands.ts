// SPDX-License-Identifier: MIT
/**
 * CurveZMQ command layouts (RFC 25 §"The CURVE Security Mechanism", RFC 26 §"Command
 * Encoding", security.md §4.2–4.3): sizes, names, nonce prefixes, and the small byte helpers
 * the client, the server and the MESSAGE codec share. Pure.
 */
import { curveNonce, KEY_SIZE } from "./curve_box.ts";

/** HELLO: name 6, version 2, padding 72, C' 32, short nonce 8, box 80. */
export const HELLO_SIZE = 200;
/** WELCOME: name 8, long nonce 16, box 144 (S' 32 + cookie 96 + tag 16). */
export const WELCOME_SIZE = 168;
/** INITIATE: name 9, cookie 96, short nonce 8, box ≥ 144 (C 32, V 16, vouch 80, metadata). */
export const INITIATE_MIN = 257;
/** READY: name 6, short nonce 8, box ≥ 16 (metadata). */
export const READY_MIN = 30;
/** MESSAGE: name 8, short nonce 8, box ≥ 17 (flags 1, frame). */
export const MESSAGE_MIN = 33;
/** Cookie: long nonce 16, secretbox of C' ‖ s' (80). */
export const COOKIE_SIZE = 96;
/** Vouch box: C' ‖ S sealed (80). */
export const VOUCH_SIZE = 80;

/** The inner flags of a MESSAGE (libzmq's msg_t::more and msg_t::command). */
export const MessageFlag = { MORE: 1, COMMAND: 2 } as const;
export type MessageFlag = typeof MessageFlag[keyof typeof MessageFlag];

/** The 16-byte (short nonce) and 8-byte (long nonce) prefixes of each box's nonce. */
export const NoncePrefix = {
  HELLO: "CurveZMQHELLO---",
  INITIATE: "CurveZMQINITIATE",
  READY: "CurveZMQREADY---",
  MESSAGE_FROM_CLIENT: "CurveZMQMESSAGEC",
  MESSAGE_FROM_SERVER: "CurveZMQMESSAGES",
  WELCOME: "WELCOME-",
  COOKIE: "COOKIE--",
  VOUCH: "VOUCH---",
} as const;
export type NoncePrefix = typeof NoncePrefix[keyof typeof NoncePrefix];

function nameBytes(name: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(1 + name.length);
  out[0] = name.length;
  for (let i = 0; i < name.length; i++) out[1 + i] = name.charCodeAt(i);
  return out;
}

/** Each command's name as it starts the body: length byte, then the name. */
export const CommandName = {
  HELLO: nameBytes("HELLO"),
  WELCOME: nameBytes("WELCOME"),
  INITIATE: nameBytes("INITIATE"),
  READY: nameBytes("READY"),
  MESSAGE: nameBytes("MESSAGE"),
} as const;

/** True when `body` starts with `prefix`. */
export function startsWith(body: Uint8Array, prefix: Uint8Array): boolean {
  if (body.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (body[i] !== prefix[i]) return false;
  return true;
}

/** An 8-byte big-endian short nonce of a small counter value (the handshake's 1 and 2). */
export function shortNonce(value: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setUint32(4, value);
  return out;
}

/** The 24-byte nonce `prefix ‖ tail`. */
export function nonceOf(prefix: NoncePrefix, tail: Uint8Array): Uint8Array<ArrayBuffer> {
  return curveNonce(prefix, tail);
}

/** Zeroes every given buffer that exists (secrets no longer needed). */
export function wipe(...buffers: Array<Uint8Array | undefined>): void {
  for (const b of buffers) b?.fill(0);
}

/** Checks that a key is 32 bytes (a programmer error otherwise). */
export function checkKeySize(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_SIZE) {
    throw new RangeError(`CURVE ${what} must be ${KEY_SIZE} bytes`);
  }
}

/** `random(n)` as a fresh buffer of exactly n bytes. */
export function drawRandom(
  random: (n: number) => Uint8Array,
  n: number,
): Uint8Array<ArrayBuffer> {
  const b = random(n);
  if (b.length !== n) throw new RangeError(`random(${n}) returned ${b.length} bytes`);
  return new Uint8Array(b);
}

export interface CurveMechanismOptions {
  /**
   * Random bytes (default: crypto.getRandomValues). Tests script it to reproduce a handshake.
   * The order of the calls is documented by each mechanism.
   */
  random?: (n: number) => Uint8Array;
}
