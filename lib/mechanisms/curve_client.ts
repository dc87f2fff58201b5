// SPDX-License-Identifier: MIT
/**
 * The CURVE client (RFC 25, RFC 26 CurveZMQ, as libzmq 4.3 speaks it; security.md §4): sends
 * HELLO at once, answers the server's WELCOME with INITIATE (its long-term key, vouched for,
 * and its metadata), and is ready with the server's READY. Short nonces: HELLO 1, INITIATE 2,
 * MESSAGEs from 3 on. Every byte received is checked before use.
 */
import { joinBytes } from "../util/bytes.ts";
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import { decodeCommand, decodeError } from "../wire/command.ts";
import { decodeMetadata, encodeMetadata, type Metadata } from "../wire/metadata.ts";
import { AuthError, type HandshakeStep, type Mechanism } from "./mechanism.ts";
import { boxKey, curvePublicKey, KEY_SIZE, openBox, randomBytes, sealBox } from "./curve_box.ts";
import {
  checkKeySize,
  CommandName,
  type CurveMechanismOptions,
  drawRandom,
  nonceOf,
  NoncePrefix,
  READY_MIN,
  shortNonce,
  WELCOME_SIZE,
  wipe,
} from "./curve_commands.ts";
import { CurveCodec } from "./curve_codec.ts";

/** The keys of a CURVE client: its long-term pair and the server's long-term public key. */
export interface CurveClientKeys {
  /** C: sent (boxed) in INITIATE; the server's ZAP handler sees it. */
  publicKey: Uint8Array;
  /** c: signs the vouch. */
  secretKey: Uint8Array;
  /** S: the server's long-term public key (curveServerKey). */
  serverKey: Uint8Array;
}

const State = { START: 0, WELCOME: 1, READY: 2, DONE: 3, FAILED: 4 } as const;
type State = typeof State[keyof typeof State];
/** What an unexpected command came instead of, by state. */
const EXPECTING = [
  "before HELLO was sent",
  "from the CURVE server (WELCOME or ERROR expected)",
  "from the CURVE server (READY or ERROR expected)",
  "after the CURVE handshake",
  "after the CURVE handshake failed",
] as const;

/** CurveZMQ 1.0. */
const VERSION = new Uint8Array([1, 0]);
/** The ERROR reasons that are ZAP statuses (libzmq: exactly "300", "400" or "500"). */
const ZAP_STATUS: ReadonlyMap<string, 300 | 400 | 500> = new Map([
  ["300", 300],
  ["400", 400],
  ["500", 500],
]);

/**
 * A CURVE client for one connection. `random` (tests) is asked for c' (32 bytes) in start(),
 * then for the vouch nonce (16) on WELCOME.
 */
export class CurveClient implements Mechanism {
  readonly name = "CURVE";
  readonly asServer = false;
  readonly #own: Metadata;
  readonly #keys: CurveClientKeys;
  readonly #random: (n: number) => Uint8Array;
  #state: State = State.START;
  /** c' and C', the transient pair of this connection. */
  #cSecret: Uint8Array | undefined;
  #cPublic: Uint8Array | undefined;
  /** k(c', S): seals HELLO, opens WELCOME. */
  #helloKey: Uint8Array | undefined;
  /** k(c', S'): INITIATE, READY, then every MESSAGE (handed to the codec). */
  #sessionKey: Uint8Array | undefined;
  /** The MESSAGE codec, set once ready (read-only for everyone else). */
  codec?: CurveCodec;

  /**
   * @param own This side's metadata, sent (boxed) in INITIATE.
   * @param keys Long-term keys, 32 bytes each; never modified.
   * @param options `random`, for tests.
   */
  constructor(own: Metadata, keys: CurveClientKeys, options: CurveMechanismOptions = {}) {
    checkKeySize(keys.publicKey, "public key");
    checkKeySize(keys.secretKey, "secret key");
    checkKeySize(keys.serverKey, "server key");
    this.#own = own;
    this.#keys = keys;
    this.#random = options.random ?? randomBytes;
  }

  /** HELLO: version 1.0, 72 bytes of padding, C', short nonce 1, Box[64 zeros](C' → S). */
  start(): HandshakeStep {
    if (this.#state !== State.START) throw new Error("CurveClient.start() called twice");
    this.#cSecret = drawRandom(this.#random, KEY_SIZE);
    this.#cPublic = curvePublicKey(this.#cSecret);
    this.#helloKey = boxKey(this.#cSecret, this.#keys.serverKey) ?? undefined;
    if (this.#helloKey === undefined) {
      this.#fail();
      throw new ProtocolError(
        ProtocolErrorCode.KEY_EXCHANGE,
        "the server key (curveServerKey) is not a usable Curve25519 public key " +
          "(a low-order point: no shared secret)",
      );
    }
    const nonce = shortNonce(1);
    const box = sealBox(this.#helloKey, nonceOf(NoncePrefix.HELLO, nonce), new Uint8Array(64));
    const hello = joinBytes(
      CommandName.HELLO,
      VERSION,
      new Uint8Array(72),
      this.#cPublic,
      nonce,
      box,
    );
    this.#state = State.WELCOME;
    return { send: [hello], ready: false };
  }

  receive(command: Uint8Array): HandshakeStep {
    try {
      const { name, data } = decodeCommand(command);
      if (name === "WELCOME" && this.#state === State.WELCOME) return this.#welcome(command);
      if (name === "READY" && this.#state === State.READY) return this.#ready(command);
      if (name === "ERROR" && (this.#state === State.WELCOME || this.#state === State.READY)) {
        return this.#error(data);
      }
      throw new ProtocolError(
        ProtocolErrorCode.UNEXPECTED_COMMAND,
        `unexpected ${JSON.stringify(name.slice(0, 32))} command ${EXPECTING[this.#state]}`,
      );
    } catch (e) {
      this.#fail();
      throw e;
    }
  }

  closedEarly(): string | undefined {
    if (this.#state === State.WELCOME) {
      return "the server closed the connection after HELLO: it could not open it — the server " +
        "key (curveServerKey) is probably wrong, or the server is not a CURVE server";
    }
    if (this.#state === State.READY) {
      return "the server closed the connection after INITIATE: this client's key was not " +
        "accepted (ZAP 300, or the server refused it)";
    }
    return undefined;
  }

  /** WELCOME → INITIATE. */
  #welcome(body: Uint8Array): HandshakeStep {
    if (body.length !== WELCOME_SIZE) {
      throw new ProtocolError(
        ProtocolErrorCode.MALFORMED_COMMAND_WELCOME,
        `WELCOME of ${body.length} bytes, must be ${WELCOME_SIZE}`,
      );
    }
    const plain = openBox(
      this.#helloKey!,
      nonceOf(NoncePrefix.WELCOME, body.subarray(8, 24)),
      body.subarray(24),
    );
    if (plain === null) {
      throw new ProtocolError(
        ProtocolErrorCode.CRYPTOGRAPHIC,
        "WELCOME does not open with the server key (curveServerKey) and this client's " +
          "transient key: it was altered in transit, or not made by the holder of the server's " +
          "secret key",
      );
    }
    const sPrime = plain.subarray(0, 32);
    const cookie = plain.subarray(32, 128);
    const sessionKey = boxKey(this.#cSecret!, sPrime);
    const vouchKey = boxKey(this.#keys.secretKey, sPrime);
    if (sessionKey === null || vouchKey === null) {
      wipe(sessionKey ?? undefined, vouchKey ?? undefined);
      throw new ProtocolError(
        ProtocolErrorCode.KEY_EXCHANGE,
        "the server's transient key in WELCOME is a low-order point (no shared secret)",
      );
    }
    this.#sessionKey = sessionKey;
    // vouch = Box[C' ‖ S](C → S'), nonce "VOUCH---" ‖ V
    const v = drawRandom(this.#random, 16);
    const vouch = sealBox(
      vouchKey,
      nonceOf(NoncePrefix.VOUCH, v),
      joinBytes(this.#cPublic!, this.#keys.serverKey),
    );
    vouchKey.fill(0);
    const nonce = shortNonce(2);
    const box = sealBox(
      sessionKey,
      nonceOf(NoncePrefix.INITIATE, nonce),
      joinBytes(this.#keys.publicKey, v, vouch, encodeMetadata(this.#own)),
    );
    const initiate = joinBytes(CommandName.INITIATE, cookie, nonce, box);
    wipe(this.#cSecret, this.#helloKey, plain);
    this.#cSecret = this.#helloKey = undefined;
    this.#state = State.READY;
    return { send: [initiate], ready: false };
  }

  /** READY: the server's metadata; the handshake is done. */
  #ready(body: Uint8Array): HandshakeStep {
    if (body.length < READY_MIN) {
      throw new ProtocolError(
        ProtocolErrorCode.MALFORMED_COMMAND_READY,
        `CURVE READY of ${body.length} bytes, at least ${READY_MIN} expected`,
      );
    }
    const nonce = body.subarray(6, 14);
    const plain = openBox(
      this.#sessionKey!,
      nonceOf(NoncePrefix.READY, nonce),
      body.subarray(14),
    );
    if (plain === null) {
      throw new ProtocolError(
        ProtocolErrorCode.CRYPTOGRAPHIC,
        "READY does not open with this connection's transient keys: altered in transit",
      );
    }
    const peer = decodeMetadata(plain);
    this.codec = new CurveCodec(this.#sessionKey!, {
      sender: "client",
      next: 3,
      lastReceived: nonce,
    });
    wipe(this.#sessionKey);
    this.#sessionKey = undefined;
    this.#state = State.DONE;
    return { send: [], ready: true, peer };
  }

  /** ERROR from the server: a ZAP refusal (300/400/500) or another reason. */
  #error(data: Uint8Array): never {
    const reason = decodeError(data);
    const status = ZAP_STATUS.get(reason);
    if (status !== undefined) {
      throw new AuthError(
        status,
        `the server refused this client (ZAP ${status}) ` +
          (this.#state === State.WELCOME
            ? "on HELLO"
            : "on INITIATE: its public key (curvePublicKey) was not accepted"),
      );
    }
    throw new ProtocolError(
      ProtocolErrorCode.PEER_ERROR,
      `the CURVE server sent ERROR ${JSON.stringify(reason)}`,
    );
  }

  /** Forgets the handshake's secrets; later commands are unexpected. */
  #fail(): void {
    wipe(this.#cSecret, this.#helloKey, this.#sessionKey);
    this.#cSecret = this.#helloKey = this.#sessionKey = undefined;
    this.#state = State.FAILED;
  }
}
