// SPDX-License-Identifier: MIT
/**
 * The CURVE MESSAGE codec used once the handshake is done (RFC 26 §"MESSAGE", libzmq's
 * curve_encoding_t, security.md §4.2 and §4.4): every frame becomes `07 "MESSAGE"`, an 8-byte
 * short nonce and the box of [flags ‖ frame] under the precomputed k(C', S'). The short
 * nonces a side sends count up by one; a received one must be strictly greater than the last
 * (gaps allowed). 64-bit nonces are kept as two 32-bit halves: exact, and no BigInt per frame.
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import type { FrameCodec } from "./mechanism.ts";
import { PrefixBox, SEAL_SCRATCH } from "./curve_box.ts";
import { CommandName, MESSAGE_MIN, MessageFlag, NoncePrefix } from "./curve_commands.ts";

const NAME = CommandName.MESSAGE;
/** Name 8 + short nonce 8. */
const HEADER = 16;
const TWO_32 = 0x1_0000_0000;

export interface CurveCodecOptions {
  /** Which side this codec seals for: it picks the nonce prefixes of both directions. */
  sender: "client" | "server";
  /** The short nonce of the first MESSAGE sealed (client 3, server 2 in libzmq). */
  next: number;
  /** The 8-byte short nonce last received in the handshake (INITIATE's, or READY's). */
  lastReceived: Uint8Array;
}

const ascii = (s: string) => new Uint8Array(Array.from(s, (c) => c.charCodeAt(0)));

function u32(b: Uint8Array, o: number): number {
  return (b[o]! << 24 | b[o + 1]! << 16 | b[o + 2]! << 8 | b[o + 3]!) >>> 0;
}

/** Seals and opens the MESSAGE bodies of one CURVE connection. */
export class CurveCodec implements FrameCodec {
  /** Boxes under k(C', S') with this side's nonce prefix, and with the peer's. */
  readonly #sealer: PrefixBox;
  readonly #opener: PrefixBox;
  /** The short nonce of the MESSAGE being sealed (rewritten per frame). */
  readonly #sendNonce = new Uint8Array(8);
  #sendHi = 0;
  #sendLo: number;
  #lastHi: number;
  #lastLo: number;
  #destroyed = false;

  /**
   * @param key The precomputed box key k(C', S'); the codec keeps subkeys derived from it, so
   *   the caller may zero it once the codec exists.
   * @param options Direction and nonce state at the end of the handshake.
   */
  constructor(key: Uint8Array, options: CurveCodecOptions) {
    if (options.lastReceived.length !== 8) {
      throw new RangeError(`lastReceived must be 8 bytes, got ${options.lastReceived.length}`);
    }
    if (!Number.isSafeInteger(options.next) || options.next < 1 || options.next >= TWO_32) {
      throw new RangeError(`next must be a 32-bit counter value, got ${options.next}`);
    }
    const client = options.sender === "client";
    const fromClient = ascii(NoncePrefix.MESSAGE_FROM_CLIENT);
    const fromServer = ascii(NoncePrefix.MESSAGE_FROM_SERVER);
    this.#sealer = new PrefixBox(key, client ? fromClient : fromServer);
    this.#opener = new PrefixBox(key, client ? fromServer : fromClient);
    this.#sendLo = options.next;
    this.#lastHi = u32(options.lastReceived, 0);
    this.#lastLo = u32(options.lastReceived, 4);
  }

  /**
   * The MESSAGE body carrying one frame: one allocation of 33 + body.length bytes, sealed in
   * place.
   */
  seal(body: Uint8Array, more: boolean, command: boolean): Uint8Array {
    if (this.#destroyed) throw new Error("CurveCodec used after destroy()");
    const hi = this.#sendHi;
    const lo = this.#sendLo;
    if (hi >= TWO_32) throw new RangeError("CURVE short nonces exhausted (2^64 messages sent)");
    const n = this.#sendNonce;
    n[0] = hi >>> 24;
    n[1] = hi >>> 16 & 0xff;
    n[2] = hi >>> 8 & 0xff;
    n[3] = hi & 0xff;
    n[4] = lo >>> 24;
    n[5] = lo >>> 16 & 0xff;
    n[6] = lo >>> 8 & 0xff;
    n[7] = lo & 0xff;
    if (lo === TWO_32 - 1) {
      this.#sendLo = 0;
      this.#sendHi = hi + 1;
    } else {
      this.#sendLo = lo + 1;
    }
    const out = new Uint8Array(SEAL_SCRATCH + 1 + body.length);
    out[SEAL_SCRATCH] = (more ? MessageFlag.MORE : 0) | (command ? MessageFlag.COMMAND : 0);
    out.set(body, SEAL_SCRATCH + 1);
    this.#sealer.sealInPlace(n, out); // box now at out[16..], out[0..16] zero
    out.set(NAME, 0);
    out.set(n, 8);
    return out;
  }

  /**
   * The frame inside a MESSAGE body, in the order libzmq checks: the name
   * (UNEXPECTED_COMMAND), the size (MALFORMED_COMMAND_MESSAGE), the nonce (INVALID_SEQUENCE),
   * the box (CRYPTOGRAPHIC). Flag bits other than MORE and COMMAND are ignored, as libzmq does.
   */
  open(message: Uint8Array): { body: Uint8Array; more: boolean; command: boolean } {
    if (this.#destroyed) throw new Error("CurveCodec used after destroy()");
    for (let i = 0; i < NAME.length; i++) {
      if (message[i] !== NAME[i]) {
        throw new ProtocolError(
          ProtocolErrorCode.UNEXPECTED_COMMAND,
          'CURVE frame does not start with 07 "MESSAGE"',
        );
      }
    }
    if (message.length < MESSAGE_MIN) {
      throw new ProtocolError(
        ProtocolErrorCode.MALFORMED_COMMAND_MESSAGE,
        `CURVE MESSAGE of ${message.length} bytes, at least ${MESSAGE_MIN} expected`,
      );
    }
    const hi = u32(message, 8);
    const lo = u32(message, 12);
    if (hi < this.#lastHi || (hi === this.#lastHi && lo <= this.#lastLo)) {
      throw new ProtocolError(
        ProtocolErrorCode.INVALID_SEQUENCE,
        `CURVE MESSAGE nonce ${nonceText(hi, lo)} is not above the last one, ` +
          `${nonceText(this.#lastHi, this.#lastLo)} (replayed or reordered)`,
      );
    }
    const plain = this.#opener.open(message.subarray(8, HEADER), message.subarray(HEADER));
    if (plain === null) {
      throw new ProtocolError(
        ProtocolErrorCode.CRYPTOGRAPHIC,
        `CURVE MESSAGE ${nonceText(hi, lo)} does not open: altered in transit, or not sealed ` +
          "with this connection's keys",
      );
    }
    this.#lastHi = hi;
    this.#lastLo = lo;
    const flags = plain[0]!;
    return {
      body: plain.subarray(1),
      more: (flags & MessageFlag.MORE) !== 0,
      command: (flags & MessageFlag.COMMAND) !== 0,
    };
  }

  /** Zeroes the keys (when the connection ends); seal and open fail afterwards. */
  destroy(): void {
    this.#destroyed = true;
    this.#sealer.destroy();
    this.#opener.destroy();
  }
}

function nonceText(hi: number, lo: number): string {
  return hi === 0 ? String(lo) : String(BigInt(hi) * BigInt(TWO_32) + BigInt(lo));
}
