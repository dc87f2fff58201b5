// SPDX-License-Identifier: MIT
/**
 * The CURVE server (RFC 25, RFC 26 CurveZMQ, as libzmq 4.3 speaks it; security.md §4.5):
 * opens the client's HELLO with its long-term secret key, answers WELCOME with a fresh
 * transient key and a cookie sealed under a per-connection cookie key, checks INITIATE
 * (cookie, box, vouch), asks ZAP about the client's long-term key when given a ZAP client,
 * and sends READY. Short nonces: READY 1, MESSAGEs from 2 on. Every byte received is checked
 * before use; nothing is allocated from a size the client claims.
 */
import { joinBytes } from "../util/bytes.ts";
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import { decodeCommand } from "../wire/command.ts";
import { decodeMetadata, encodeMetadata, type Metadata } from "../wire/metadata.ts";
import { type ZapAsk, zapVerdict } from "../zap/zap.ts";
import type { HandshakeStep, Mechanism } from "./mechanism.ts";
import { boxKey, curvePublicKey, KEY_SIZE, openBox, randomBytes, sealBox } from "./curve_box.ts";
import {
  checkKeySize,
  CommandName,
  type CurveMechanismOptions,
  drawRandom,
  HELLO_SIZE,
  nonceOf,
  NoncePrefix,
  shortNonce,
  wipe,
} from "./curve_commands.ts";
import { CurveCodec } from "./curve_codec.ts";
import { checkInitiate } from "./curve_initiate.ts";

/** The long-term keys of a CURVE server. */
export interface CurveServerKeys {
  /** s (curveSecretKey). */
  secretKey: Uint8Array;
  /**
   * S, the public key of `secretKey`, checked against the vouch of each client; derived from
   * `secretKey` when absent. Pass the derived key (computed once per socket), not a
   * user-given one that could differ.
   */
  publicKey?: Uint8Array;
}

export interface CurveServerOptions extends CurveMechanismOptions {
  /**
   * Asks the ZAP handler about the client's long-term public key after INITIATE. Absent:
   * every client with a valid handshake is accepted (libzmq without a ZAP handler).
   */
  zap?: ZapAsk;
}

const State = { HELLO: 0, INITIATE: 1, ZAP: 2, DONE: 3, FAILED: 4 } as const;
type State = typeof State[keyof typeof State];
/** What an unexpected command came instead of, by state. */
const EXPECTING = [
  "from the CURVE client (HELLO expected)",
  "from the CURVE client (INITIATE expected)",
  "while the ZAP handler decides on the CURVE client",
  "after the CURVE handshake",
  "after the CURVE handshake failed",
] as const;

/**
 * A CURVE server for one connection. `random` (tests) is asked, on HELLO, for s' (32 bytes),
 * the cookie nonce (16), the cookie key (32) and the WELCOME nonce (16), in that order.
 */
export class CurveServer implements Mechanism {
  readonly name = "CURVE";
  readonly asServer = true;
  readonly #own: Metadata;
  readonly #secret: Uint8Array;
  readonly #public: Uint8Array;
  readonly #zap: ZapAsk | undefined;
  readonly #random: (n: number) => Uint8Array;
  #state: State = State.HELLO;
  /** C', from HELLO. */
  #cPublic: Uint8Array | undefined;
  /** s', this connection's transient secret key, until INITIATE is checked. */
  #sSecret: Uint8Array | undefined;
  /** The cookie key, until INITIATE is checked. */
  #cookieKey: Uint8Array | undefined;
  /** k(s', C') once INITIATE opened, until handed to the codec. */
  #sessionKey: Uint8Array | undefined;
  /** The MESSAGE codec, set once ready (read-only for everyone else). */
  codec?: CurveCodec;

  /**
   * @param own This side's metadata, sent (boxed) in READY.
   * @param keys Long-term keys, 32 bytes each; never modified.
   * @param options `zap`, and `random` for tests.
   */
  constructor(own: Metadata, keys: CurveServerKeys, options: CurveServerOptions = {}) {
    checkKeySize(keys.secretKey, "secret key");
    if (keys.publicKey !== undefined) checkKeySize(keys.publicKey, "public key");
    this.#own = own;
    this.#secret = keys.secretKey;
    this.#public = keys.publicKey ?? curvePublicKey(keys.secretKey);
    this.#zap = options.zap;
    this.#random = options.random ?? randomBytes;
  }

  /** The client speaks first. */
  start(): HandshakeStep {
    return { send: [], ready: false };
  }

  receive(command: Uint8Array): HandshakeStep | Promise<HandshakeStep> {
    try {
      const { name } = decodeCommand(command);
      if (name === "HELLO" && this.#state === State.HELLO) return this.#hello(command);
      if (name === "INITIATE" && this.#state === State.INITIATE) return this.#initiate(command);
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
    return undefined;
  }

  /** HELLO → WELCOME. */
  #hello(body: Uint8Array): HandshakeStep {
    if (body.length !== HELLO_SIZE) {
      throw new ProtocolError(
        ProtocolErrorCode.MALFORMED_COMMAND_HELLO,
        `CURVE HELLO of ${body.length} bytes, must be ${HELLO_SIZE}`,
      );
    }
    if (body[6] !== 1 || body[7] !== 0) {
      throw new ProtocolError(
        ProtocolErrorCode.MALFORMED_COMMAND_HELLO,
        `CURVE HELLO of version ${body[6]}.${body[7]}; this server speaks 1.0`,
      );
    }
    const cPublic = body.slice(80, 112);
    const helloKey = boxKey(this.#secret, cPublic);
    if (helloKey === null) {
      throw new ProtocolError(
        ProtocolErrorCode.CRYPTOGRAPHIC,
        "the client's transient key in HELLO is a low-order point (no shared secret)",
      );
    }
    if (
      openBox(helloKey, nonceOf(NoncePrefix.HELLO, body.subarray(112, 120)), body.subarray(120)) ===
        null
    ) {
      helloKey.fill(0);
      throw new ProtocolError(
        ProtocolErrorCode.CRYPTOGRAPHIC,
        "HELLO does not open with this server's secret key: the client has a different server " +
          "key (curveServerKey)",
      );
    }
    this.#cPublic = cPublic;
    const sSecret = drawRandom(this.#random, KEY_SIZE);
    this.#sSecret = sSecret;
    // cookie = K ‖ secretbox[C' ‖ s'](cookie key), nonce "COOKIE--" ‖ K
    const k = drawRandom(this.#random, 16);
    const cookieKey = drawRandom(this.#random, KEY_SIZE);
    this.#cookieKey = cookieKey;
    const cookiePlain = joinBytes(cPublic, sSecret);
    const cookieBox = sealBox(cookieKey, nonceOf(NoncePrefix.COOKIE, k), cookiePlain);
    cookiePlain.fill(0);
    // WELCOME = W ‖ Box[S' ‖ cookie](S → C'), nonce "WELCOME-" ‖ W
    const w = drawRandom(this.#random, 16);
    const box = sealBox(
      helloKey,
      nonceOf(NoncePrefix.WELCOME, w),
      joinBytes(curvePublicKey(sSecret), k, cookieBox),
    );
    helloKey.fill(0);
    this.#state = State.INITIATE;
    return { send: [joinBytes(CommandName.WELCOME, w, box)], ready: false };
  }

  /** INITIATE → READY, after ZAP when there is a ZAP client. */
  #initiate(body: Uint8Array): HandshakeStep | Promise<HandshakeStep> {
    const { sessionKey, clientKey, nonce, metadata } = checkInitiate(body, {
      cookieKey: this.#cookieKey!,
      clientTransient: this.#cPublic!,
      serverTransientSecret: this.#sSecret!,
      serverPublic: this.#public,
    });
    this.#sessionKey = sessionKey;
    const peer = decodeMetadata(metadata);
    wipe(this.#sSecret, this.#cookieKey);
    this.#sSecret = this.#cookieKey = undefined;
    if (this.#zap === undefined) return this.#ready(nonce, peer, undefined);
    this.#state = State.ZAP;
    return this.#askZap(this.#zap, clientKey, nonce, peer);
  }

  async #askZap(
    zap: ZapAsk,
    clientKey: Uint8Array,
    nonce: Uint8Array,
    peer: Metadata,
  ): Promise<HandshakeStep> {
    try {
      const reply = await zap("CURVE", [clientKey]);
      if (this.#state !== State.ZAP) {
        throw new ProtocolError(
          ProtocolErrorCode.UNSPECIFIED,
          "the CURVE handshake failed while the ZAP handler was deciding",
        );
      }
      return this.#ready(nonce, peer, zapVerdict(reply));
    } catch (e) {
      this.#fail();
      throw e;
    }
  }

  /** READY = short nonce 1 ‖ Box[metadata](S' → C'); the codec derives its keys. */
  #ready(
    lastReceived: Uint8Array,
    peer: Metadata,
    auth: { userId: string; metadata: Metadata } | undefined,
  ): HandshakeStep {
    const sessionKey = this.#sessionKey!;
    const nonce = shortNonce(1);
    const box = sealBox(
      sessionKey,
      nonceOf(NoncePrefix.READY, nonce),
      encodeMetadata(this.#own),
    );
    this.codec = new CurveCodec(sessionKey, { sender: "server", next: 2, lastReceived });
    sessionKey.fill(0);
    this.#sessionKey = undefined;
    this.#state = State.DONE;
    const step: HandshakeStep = {
      send: [joinBytes(CommandName.READY, nonce, box)],
      ready: true,
      peer,
    };
    if (auth !== undefined) step.auth = auth;
    return step;
  }

  /** Forgets the handshake's secrets; later commands are unexpected. */
  #fail(): void {
    wipe(this.#sSecret, this.#cookieKey, this.#sessionKey);
    this.#sSecret = this.#cookieKey = this.#sessionKey = undefined;
    this.#state = State.FAILED;
  }
}
