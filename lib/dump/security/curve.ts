// SPDX-License-Identifier: MIT
/**
 * CURVE (RFC 25/26) handshake and MESSAGE boxes of one connection, as dump fields, opening
 * every box a passive observer can open with the secret keys the user supplied.
 *
 * What an observer can open. Keys: client long-term C/c, server long-term S/s, client
 * transient C'/c', server transient S'/s'. Box keys are symmetric: k(x, Y) = k(y, X).
 * - HELLO box, k(C', S): C' travels in clear in HELLO, so **s** opens it (signature check).
 * - WELCOME box, k(S, C'): the same key, so **s** opens it too, revealing S' and the cookie.
 * - Cookie: sealed with the server's per-connection random cookie key, which never leaves
 *   the server: nobody else opens it (it holds C' and s').
 * - INITIATE box, k(C', S'); READY and every MESSAGE: k(C', S') too. This needs **c'** (plus
 *   S', known once s opened WELCOME) or **s'** (plus C', in clear). Neither transient secret
 *   ever crosses the wire in the clear, so s and c together open nothing here: forward
 *   secrecy. A transient secret can be supplied anyway (a test harness that logs it): any
 *   given key whose public key is C' or S', or that opens the INITIATE box against C', is
 *   used as one.
 * - Vouch box (inside INITIATE), k(C, S'): needs the INITIATE box opened first, then **c**
 *   (with S') or s' (with C from the INITIATE box).
 * - **c** alone opens nothing: its only box is the vouch, sealed inside INITIATE.
 * So: s opens HELLO and WELCOME; c opens nothing; s' opens INITIATE (vouch included),
 * READY and MESSAGE; s with c' opens all of those but the vouch, which then also needs c.
 *
 * Sides are the transport's ("client" opened the TCP connection); the CURVE client is the
 * side that sent HELLO. Crypto work is bounded: only the first HELLO, WELCOME and INITIATE
 * of a connection are tried (against each given key), each MESSAGE once. Never
 * throws on wire input; only the constructor throws, for bad keys.
 */
import type { JsonValue, Side } from "../events.ts";
import { z85Encode } from "../../mechanisms/z85.ts";
import {
  BOX_OVERHEAD,
  boxKey,
  curveNonce,
  curvePublicKey,
  openBox,
  sameBytes,
} from "../../mechanisms/curve_box.ts";
import { describeMetadata, uint64Value } from "./render.ts";
import { toHex } from "../text.ts";
import { describePlain } from "./plain.ts";
import {
  bigNonce,
  COOKIE_SIZE,
  type CurveMessageResult,
  type CurvePlaintext,
  describeInitiatePlaintext,
  HELLO_SIZE,
  INITIATE_MIN,
  isCurveMessage,
  type KeyPair,
  MESSAGE_PREFIX,
  sealedNote,
  shortNonceBytes,
  WELCOME_SIZE,
} from "./curve_layout.ts";

export { type CurveMessageResult, type CurvePlaintext, isCurveMessage };

/** Most secret keys one decoder accepts (each costs X25519 work per connection). */
export const MAX_SECRET_KEYS = 64;

export class CurveDecoder {
  readonly #keys: KeyPair[];
  /** Transport side that sent HELLO, i.e. the CURVE client. */
  #curveClient: Side | null = null;
  #helloSeen = false;
  #welcomeSeen = false;
  #initiateSeen = false;
  /** C', from HELLO. */
  #clientTransient: Uint8Array | null = null;
  /** k(x, C') for each given key x, in key order (computed once, at HELLO). */
  #keysWithC: Array<Uint8Array | null> = [];
  /** The key pair that opened HELLO (the server's long-term one) and its box key. */
  #server: KeyPair | null = null;
  #helloKey: Uint8Array | null = null;
  /** S' and the cookie, from an opened WELCOME. */
  #serverTransient: Uint8Array | null = null;
  #cookie: Uint8Array | null = null;
  /** k(C', S') once a transient secret is known, and which one it was. */
  #sessionKey: Uint8Array | null = null;
  #sessionVia = "";
  /** Last short nonce seen from each transport side. */
  #lastNonce: Record<Side, bigint | null> = { client: null, server: null };
  #sealedNoted = false;

  /**
   * `secretKeys`: 32-byte secret keys to try (long-term, or transient if known); may be
   * empty. RangeError for a key of another length or more than MAX_SECRET_KEYS keys.
   */
  constructor(secretKeys: Uint8Array[]) {
    if (secretKeys.length > MAX_SECRET_KEYS) {
      throw new RangeError(
        `at most ${MAX_SECRET_KEYS} CURVE secret keys, got ${secretKeys.length}`,
      );
    }
    this.#keys = secretKeys.map((k, i) => {
      if (k.length !== 32) {
        throw new RangeError(`CURVE secret key ${i + 1} must be 32 bytes, got ${k.length}`);
      }
      const secret = new Uint8Array(k);
      return { secret, public: curvePublicKey(secret) };
    });
  }

  /** True once MESSAGE boxes (and READY) can be opened. */
  get canOpenMessages(): boolean {
    return this.#sessionKey !== null;
  }

  /**
   * Fields of handshake command `name` sent by `from`; `data` is the body after the name.
   * MESSAGE sent as a command frame is accepted too. Malformed bodies get a `malformed`
   * reason ("… at data offset N") next to whatever was decoded before the fault.
   */
  command(from: Side, name: string, data: Uint8Array): Record<string, JsonValue> {
    switch (name) {
      case "HELLO":
        return this.#hello(from, data);
      case "WELCOME":
        return this.#welcome(data);
      case "INITIATE":
        return this.#initiate(from, data);
      case "READY":
        return this.#ready(from, data);
      case "ERROR":
        return describePlain("ERROR", data, { showSecrets: false }); // same layout as PLAIN's
      case "MESSAGE":
        return this.#message(from, data, 0).fields;
      default:
        return { note: `${name.length > 64 ? "command" : name} is not a CURVE command` };
    }
  }

  /**
   * Fields of a MESSAGE carried in a data frame: `body` is the whole frame body, starting
   * `07 "MESSAGE"` (offsets in `malformed` count from its start).
   */
  message(from: Side, body: Uint8Array): Record<string, JsonValue> {
    return this.openMessage(from, body).fields;
  }

  /** As `message`, plus the decrypted flags and frame body when the box opens. */
  openMessage(from: Side, body: Uint8Array): CurveMessageResult {
    if (!isCurveMessage(body)) {
      return {
        fields: { malformed: 'body does not start with 07 "MESSAGE" at data offset 0' },
        plaintext: null,
      };
    }
    return this.#message(from, body.subarray(MESSAGE_PREFIX.length), MESSAGE_PREFIX.length);
  }

  #nonceField(from: Side, fields: Record<string, JsonValue>, data: Uint8Array, o: number): void {
    fields.shortNonce = uint64Value(data, o);
    this.#lastNonce[from] = bigNonce(data, o);
  }

  #hello(from: Side, data: Uint8Array): Record<string, JsonValue> {
    const fields: Record<string, JsonValue> = {};
    if (data.length < 2) return { malformed: `missing version at data offset ${data.length}` };
    fields.version = `${data[0]}.${data[1]}`;
    if (data.length < 106) {
      fields.malformed = `HELLO needs ${HELLO_SIZE} bytes after its name, got ${data.length}, ` +
        `at data offset ${data.length}`;
      return fields;
    }
    let padded = true;
    for (let i = 2; i < 74; i++) if (data[i] !== 0) padded = false;
    const cPrime = data.subarray(74, 106);
    fields.clientTransientKey = z85Encode(cPrime);
    if (data.length < 114) {
      fields.malformed = `missing short nonce at data offset ${106}`;
      return fields;
    }
    const repeated = this.#helloSeen;
    this.#helloSeen = true;
    if (this.#curveClient === null) this.#curveClient = from;
    this.#nonceField(from, fields, data, 106);
    const box = data.subarray(114);
    fields.boxSize = box.length;
    if (data.length !== HELLO_SIZE) {
      fields.malformed = `HELLO needs ${HELLO_SIZE} bytes after its name, got ${data.length}, ` +
        `at data offset ${Math.min(data.length, HELLO_SIZE)}`;
    }
    if (!padded) fields.note = "anti-amplification padding is not all zero";
    if (repeated) {
      fields.opened = false;
      fields.note = "repeated HELLO: only a connection's first is opened";
      return fields;
    }
    this.#clientTransient = new Uint8Array(cPrime);
    this.#keysWithC = this.#keys.map((k) => boxKey(k.secret, cPrime));
    const nonce = curveNonce("CurveZMQHELLO---", shortNonceBytes(data, 106));
    for (let i = 0; i < this.#keys.length; i++) {
      const key = this.#keysWithC[i] ?? null;
      const plain = key === null ? null : openBox(key, nonce, box);
      if (plain === null) continue;
      this.#server = this.#keys[i]!;
      this.#helloKey = key;
      fields.opened = true;
      fields.serverKey = z85Encode(this.#server.public);
      fields.signatureOk = plain.length === 64 && plain.every((b) => b === 0);
      this.#learnTransients();
      return fields;
    }
    fields.opened = false;
    fields.note = this.#keys.length === 0
      ? "no secret key given: the server's long-term secret key would open this box"
      : "no given secret key opens this box (it needs the server's long-term secret key)";
    return fields;
  }

  #welcome(data: Uint8Array): Record<string, JsonValue> {
    const fields: Record<string, JsonValue> = {};
    if (data.length < 16) {
      return { malformed: `missing long nonce at data offset ${data.length}` };
    }
    fields.longNonce = toHex(data.subarray(0, 16));
    const box = data.subarray(16);
    fields.boxSize = box.length;
    if (data.length !== WELCOME_SIZE) {
      fields.malformed = `WELCOME needs ${WELCOME_SIZE} bytes after its name, ` +
        `got ${data.length}, at data offset ${Math.min(data.length, WELCOME_SIZE)}`;
    }
    const repeated = this.#welcomeSeen;
    this.#welcomeSeen = true;
    if (repeated) {
      fields.opened = false;
      fields.note = "repeated WELCOME: only a connection's first is opened";
      return fields;
    }
    const plain = this.#helloKey === null
      ? null
      : openBox(this.#helloKey, curveNonce("WELCOME-", data.subarray(0, 16)), box);
    if (plain === null || plain.length < 32) {
      fields.opened = false;
      fields.note = this.#helloKey === null
        ? "opening needs the server's long-term secret key, and the HELLO it opened"
        : "the box does not open with the key that opened HELLO";
      return fields;
    }
    fields.opened = true;
    const sPrime = plain.slice(0, 32);
    this.#serverTransient = sPrime;
    this.#cookie = plain.slice(32);
    fields.serverTransientKey = z85Encode(sPrime);
    fields.cookieSize = plain.length - 32;
    this.#learnTransients();
    return fields;
  }

  /** Derives the session key k(C', S') from a given key matching C' or S', if any. */
  #learnTransients(): void {
    const cPrime = this.#clientTransient;
    const sPrime = this.#serverTransient;
    if (this.#sessionKey !== null || cPrime === null || sPrime === null) return;
    for (const k of this.#keys) {
      if (sameBytes(k.public, sPrime)) {
        this.#setSession(boxKey(k.secret, cPrime), "the server's transient secret key");
      } else if (sameBytes(k.public, cPrime)) {
        this.#setSession(boxKey(k.secret, sPrime), "the client's transient secret key");
      }
      if (this.#sessionKey !== null) return;
    }
  }

  #setSession(key: Uint8Array | null, via: string): void {
    if (key === null) return;
    this.#sessionKey = key;
    this.#sessionVia = via;
  }

  #initiate(from: Side, data: Uint8Array): Record<string, JsonValue> {
    const fields: Record<string, JsonValue> = {};
    if (data.length < COOKIE_SIZE + 8) {
      return {
        malformed: `INITIATE needs at least ${INITIATE_MIN} bytes after its name, ` +
          `got ${data.length}, at data offset ${data.length}`,
      };
    }
    const cookie = data.subarray(0, COOKIE_SIZE);
    fields.cookieSize = COOKIE_SIZE;
    if (this.#cookie !== null) fields.cookieMatches = sameBytes(cookie, this.#cookie);
    this.#nonceField(from, fields, data, COOKIE_SIZE);
    const box = data.subarray(COOKIE_SIZE + 8);
    fields.boxSize = box.length;
    if (data.length < INITIATE_MIN) {
      fields.malformed = `INITIATE needs at least ${INITIATE_MIN} bytes after its name, ` +
        `got ${data.length}, at data offset ${data.length}`;
      fields.opened = false;
      return fields;
    }
    const repeated = this.#initiateSeen;
    this.#initiateSeen = true;
    if (repeated) {
      fields.opened = false;
      fields.note = "repeated INITIATE: only a connection's first is opened";
      return fields;
    }
    const nonce = curveNonce("CurveZMQINITIATE", shortNonceBytes(data, COOKIE_SIZE));
    let plain = this.#sessionKey === null ? null : openBox(this.#sessionKey, nonce, box);
    if (plain === null && this.#sessionKey === null) {
      // Trial: a given key that is s' opens this box against C' (k(s', C') = k(c', S')).
      for (let i = 0; i < this.#keys.length && plain === null; i++) {
        const key = this.#keysWithC[i] ?? null;
        if (key === null || key === this.#helloKey) continue;
        plain = openBox(key, nonce, box);
        if (plain !== null) {
          this.#setSession(key, "the server's transient secret key");
          if (this.#serverTransient === null) {
            this.#serverTransient = this.#keys[i]!.public;
            fields.serverTransientKey = z85Encode(this.#serverTransient);
          }
        }
      }
    }
    if (plain === null) {
      fields.opened = false;
      fields.note = this.#sessionKey === null
        ? sealedNote("INITIATE")
        : "the box does not open with the session key";
      return fields;
    }
    fields.opened = true;
    fields.openedWith = this.#sessionVia;
    describeInitiatePlaintext(
      plain,
      this.#keys,
      this.#clientTransient,
      this.#serverTransient,
      fields,
    );
    return fields;
  }

  #ready(from: Side, data: Uint8Array): Record<string, JsonValue> {
    const fields: Record<string, JsonValue> = {};
    if (data.length < 8) return { malformed: `missing short nonce at data offset ${data.length}` };
    this.#nonceField(from, fields, data, 0);
    const box = data.subarray(8);
    fields.boxSize = box.length;
    if (box.length < BOX_OVERHEAD) {
      fields.malformed =
        `box of ${box.length} bytes is shorter than its ${BOX_OVERHEAD}-byte tag ` +
        `at data offset 8`;
      fields.opened = false;
      return fields;
    }
    const key = this.#sessionKey;
    const plain = key === null
      ? null
      : openBox(key, curveNonce("CurveZMQREADY---", shortNonceBytes(data, 0)), box);
    if (plain === null) {
      fields.opened = false;
      fields.note = key === null
        ? sealedNote("READY")
        : "the box does not open with the session key";
      return fields;
    }
    fields.opened = true;
    const view = describeMetadata(plain, 0, "plaintext offset");
    fields.metadata = view.metadata;
    if (view.error !== undefined) fields.malformed = view.error;
    return fields;
  }

  /** MESSAGE after its name: short nonce (8) ‖ box (tag 16 ‖ flags 1 ‖ payload). */
  #message(from: Side, data: Uint8Array, base: number): CurveMessageResult {
    const fields: Record<string, JsonValue> = {};
    if (data.length < 8) {
      fields.malformed = `missing short nonce at data offset ${base + data.length}`;
      return { fields, plaintext: null };
    }
    const previous = this.#lastNonce[from];
    const current = bigNonce(data, 0);
    this.#nonceField(from, fields, data, 0);
    if (previous !== null && current <= previous) {
      fields.nonceError = `short nonce ${current} is not greater than the previous ${previous}`;
    }
    const box = data.subarray(8);
    fields.boxSize = box.length;
    if (box.length < BOX_OVERHEAD + 1) {
      fields.malformed = `box of ${box.length} bytes is shorter than tag and flags (17) ` +
        `at data offset ${base + 8}`;
      return { fields, plaintext: null };
    }
    fields.payloadSize = box.length - BOX_OVERHEAD - 1;
    const key = this.#sessionKey;
    if (key === null) {
      if (!this.#sealedNoted) {
        this.#sealedNoted = true;
        fields.note = "MESSAGE boxes use the session's transient keys: without a transient " +
          "secret key only nonces and sizes can be shown (said once per connection)";
      }
      return { fields, plaintext: null };
    }
    // A session key implies HELLO was seen, so the CURVE client's side is known.
    const senderIsClient = this.#curveClient === from;
    const prefix = senderIsClient ? "CurveZMQMESSAGEC" : "CurveZMQMESSAGES";
    const plain = openBox(key, curveNonce(prefix, shortNonceBytes(data, 0)), box);
    if (plain === null || plain.length < 1) {
      fields.opened = false;
      fields.note = "the box does not open with the session key";
      return { fields, plaintext: null };
    }
    const flags = plain[0]!;
    const plaintext: CurvePlaintext = {
      more: (flags & 0x01) !== 0,
      command: (flags & 0x02) !== 0,
      body: plain.subarray(1),
    };
    fields.opened = true;
    fields.more = plaintext.more;
    fields.command = plaintext.command;
    if ((flags & 0xfc) !== 0) fields.note = `unknown flag bits 0x${(flags & 0xfc).toString(16)}`;
    return { fields, plaintext };
  }
}
