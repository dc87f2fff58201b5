// SPDX-License-Identifier: MIT
/**
 * The 64-byte ZMTP 3.x greeting. RFC 23 §"The greeting", RFC 37.
 * Pure: bytes in, values out.
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import {
  AS_SERVER_OFFSET,
  GREETING_SIZE,
  MECHANISM_OFFSET,
  MECHANISM_SIZE,
  ZMTP_MAJOR,
  ZMTP_MINOR,
} from "./constants.ts";
import { latin1 } from "../util/bytes.ts";

export interface Greeting {
  major: number;
  minor: number;
  mechanism: string;
  asServer: boolean;
}

/**
 * Our greeting, byte for byte as libzmq writes it: padding = routing-id length + 1,
 * as-server written as libzmq does (0) unless `asServer` is asked for.
 */
export function encodeGreeting(
  mechanism: string,
  options: { asServer?: boolean; routingIdLength?: number } = {},
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(GREETING_SIZE);
  out[0] = 0xff;
  const pad = (options.routingIdLength ?? 0) + 1;
  new DataView(out.buffer).setBigUint64(1, BigInt(pad));
  out[9] = 0x7f;
  out[10] = ZMTP_MAJOR;
  out[11] = ZMTP_MINOR;
  if (!/^[A-Z0-9_-]{1,20}$/.test(mechanism)) {
    throw new RangeError(`Invalid mechanism name "${mechanism}"`);
  }
  for (let i = 0; i < mechanism.length; i++) out[MECHANISM_OFFSET + i] = mechanism.charCodeAt(i);
  out[AS_SERVER_OFFSET] = options.asServer ? 1 : 0;
  return out;
}

/**
 * Reads a peer's greeting as bytes arrive. Fails as early as the bytes allow: a first byte
 * other than 0xFF or a clear bit 0 in byte 9 (ZMTP 1.0), or a major version below 3
 * (ZMTP 1.0 with revision, 2.0), so an old peer is refused without waiting for bytes it will
 * never send.
 */
export class GreetingReader {
  #buf = new Uint8Array(GREETING_SIZE);
  #have = 0;

  /** Bytes still needed. */
  get needed(): number {
    return GREETING_SIZE - this.#have;
  }

  /**
   * Consumes up to `needed` bytes of `chunk`. Returns how many bytes were used; once the
   * greeting is complete, `result()` gives it. Throws ProtocolError for a non-3.x peer.
   */
  push(chunk: Uint8Array): number {
    const n = Math.min(chunk.length, GREETING_SIZE - this.#have);
    const start = this.#have;
    this.#buf.set(chunk.subarray(0, n), start);
    this.#have += n;
    const b = this.#buf;
    if (start === 0 && n > 0 && b[0] !== 0xff) {
      throw new ProtocolError(
        ProtocolErrorCode.BAD_SIGNATURE,
        `not a ZMTP 3.x peer: greeting starts with 0x${hex2(b[0]!)} (ZMTP 1.0 or not ZeroMQ)`,
      );
    }
    if (start <= 9 && this.#have > 9 && (b[9]! & 1) === 0) {
      throw new ProtocolError(
        ProtocolErrorCode.BAD_SIGNATURE,
        `not a ZMTP 3.x peer: signature byte 9 is 0x${hex2(b[9]!)} (ZMTP 1.0 or not ZeroMQ)`,
      );
    }
    if (start <= 10 && this.#have > 10 && b[10]! < ZMTP_MAJOR) {
      throw new ProtocolError(
        ProtocolErrorCode.UNSUPPORTED_VERSION,
        `peer speaks ZMTP ${b[10] === 0 ? "1.0" : `${b[10]! + 1}.0`}, zmqkit needs 3.0 or later`,
      );
    }
    return n;
  }

  get complete(): boolean {
    return this.#have === GREETING_SIZE;
  }

  result(): Greeting {
    if (!this.complete) throw new Error("greeting incomplete");
    return decodeGreeting(this.#buf);
  }
}

/** Decodes a complete 64-byte greeting (validated as GreetingReader does). */
export function decodeGreeting(b: Uint8Array): Greeting {
  if (b.length < GREETING_SIZE) {
    throw new ProtocolError(ProtocolErrorCode.BAD_SIGNATURE, "greeting shorter than 64 bytes");
  }
  if (b[0] !== 0xff || (b[9]! & 1) === 0) {
    throw new ProtocolError(ProtocolErrorCode.BAD_SIGNATURE, "bad ZMTP signature");
  }
  const major = b[10]!;
  if (major < ZMTP_MAJOR) {
    throw new ProtocolError(
      ProtocolErrorCode.UNSUPPORTED_VERSION,
      `unsupported ZMTP major ${major}`,
    );
  }
  // All 20 bytes count (libzmq compares them all): trailing NULs are padding, anything else
  // stays in the name and so fails the comparison with ours.
  let end = MECHANISM_OFFSET + MECHANISM_SIZE;
  while (end > MECHANISM_OFFSET && b[end - 1] === 0) end--;
  const mechanism = latin1(b, MECHANISM_OFFSET, end);
  return { major, minor: b[11]!, mechanism, asServer: b[AS_SERVER_OFFSET] === 1 };
}

/** True when the peer follows ZMTP 3.1 rules (libzmq: 3.0 only for major 3 minor 0). */
export function speaks31(g: Greeting): boolean {
  return !(g.major === 3 && g.minor === 0);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}
