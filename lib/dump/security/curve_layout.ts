// SPDX-License-Identifier: MIT
/**
 * CurveZMQ command layouts for the dump's CURVE decoder (curve.ts): sizes of the fixed-size
 * commands (counted after the command name), the MESSAGE prefix, short-nonce helpers, and
 * the INITIATE box's plaintext (client key, vouch, metadata). Pure; never throws.
 */
import type { JsonValue } from "../events.ts";
import { z85Encode } from "../../mechanisms/z85.ts";
import { boxKey, curveNonce, openBox, sameBytes } from "../../mechanisms/curve_box.ts";
import { describeMetadata } from "./render.ts";
import { toHex } from "../text.ts";

/** A secret key the user gave, with its public key. */
export interface KeyPair {
  secret: Uint8Array;
  public: Uint8Array;
}

export const MESSAGE_PREFIX = [0x07, 0x4d, 0x45, 0x53, 0x53, 0x41, 0x47, 0x45]; // 07 "MESSAGE"
export const HELLO_SIZE = 194; // after the 6-byte name: version 2, padding 72, C' 32, nonce 8, box 80
export const WELCOME_SIZE = 160; // after the 8-byte name: long nonce 16, box 144
export const INITIATE_MIN = 248; // after the 9-byte name: cookie 96, nonce 8, box ≥ 144
export const COOKIE_SIZE = 96;

/** True when a data-frame body is a CURVE MESSAGE command: `07 "MESSAGE"`, nonce, box. */
export function isCurveMessage(body: Uint8Array): boolean {
  if (body.length < MESSAGE_PREFIX.length) return false;
  for (let i = 0; i < MESSAGE_PREFIX.length; i++) if (body[i] !== MESSAGE_PREFIX[i]) return false;
  return true;
}

/** A decrypted MESSAGE: its flags byte split out, and the frame body it carries. */
export interface CurvePlaintext {
  more: boolean;
  /** Flag 0x02: the body is a ZMTP command (PING, SUBSCRIBE…), not application data. */
  command: boolean;
  body: Uint8Array;
}

export interface CurveMessageResult {
  fields: Record<string, JsonValue>;
  /** Set when the box was opened. */
  plaintext: CurvePlaintext | null;
}

export function shortNonceBytes(data: Uint8Array, o: number): Uint8Array {
  return data.subarray(o, o + 8);
}

export function bigNonce(data: Uint8Array, o: number): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(data[o + i] ?? 0);
  return v;
}

/** Why a box sealed with the transient keys stayed closed. */
export function sealedNote(box: string): string {
  return `the ${box} box is sealed with the transient keys (C' to S'): opening it needs the ` +
    "client's transient secret key (with S' from a WELCOME opened by the server's " +
    "long-term secret) or the server's transient secret key; neither crosses the wire";
}

/**
 * Adds the fields of an opened INITIATE box to `fields`: C (32) ‖ vouch nonce (16) ‖
 * vouch box (80) ‖ metadata. The vouch is tried with every given key.
 */
export function describeInitiatePlaintext(
  plain: Uint8Array,
  keys: KeyPair[],
  cPrime: Uint8Array | null,
  sPrime: Uint8Array | null,
  fields: Record<string, JsonValue>,
): void {
  if (plain.length < 128) {
    fields.malformed = `INITIATE plaintext is ${plain.length} bytes, needs at least 128, ` +
      `at plaintext offset ${plain.length}`;
    return;
  }
  const clientKey = plain.subarray(0, 32);
  fields.clientKey = z85Encode(clientKey);
  fields.vouchNonce = toHex(plain.subarray(32, 48));
  const vouch = openVouch(keys, sPrime, clientKey, plain.subarray(32, 48), plain.subarray(48, 128));
  fields.vouchOpened = vouch !== null;
  if (vouch !== null && vouch.length === 64) {
    if (cPrime !== null) fields.vouchTransientOk = sameBytes(vouch.subarray(0, 32), cPrime);
    fields.vouchServerKey = z85Encode(vouch.subarray(32, 64));
  }
  const view = describeMetadata(plain.subarray(128), 128, "plaintext offset");
  fields.metadata = view.metadata;
  if (view.error !== undefined) fields.malformed = view.error;
}

/** The vouch box k(C, S'): opened by s' against C, or by c against S'. */
function openVouch(
  keys: KeyPair[],
  sPrime: Uint8Array | null,
  clientKey: Uint8Array,
  vNonce: Uint8Array,
  box: Uint8Array,
): Uint8Array | null {
  const nonce = curveNonce("VOUCH---", vNonce);
  for (const k of keys) {
    const candidates = [boxKey(k.secret, clientKey)];
    if (sPrime !== null) candidates.push(boxKey(k.secret, sPrime));
    for (const key of candidates) {
      const plain = key === null ? null : openBox(key, nonce, box);
      if (plain !== null) return plain;
    }
  }
  return null;
}
