// SPDX-License-Identifier: MIT
/**
 * The CURVE server's check of INITIATE (RFC 26 §"INITIATE", libzmq's
 * curve_server_t::process_initiate, security.md §4.5 step 3), in libzmq's order and with its
 * error codes: the size, the cookie (opens with this connection's cookie key and holds exactly
 * its C' and s'), the box (opens with C' and s'), the vouch (opens with the client's long-term
 * key C and s', and names C' and this server's S). Comparisons of secrets and of probed values
 * run in constant time. Pure.
 */
import { joinBytes } from "../util/bytes.ts";
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import { boxKey, openBox, sameBytesCT } from "./curve_box.ts";
import { INITIATE_MIN, nonceOf, NoncePrefix, wipe } from "./curve_commands.ts";

/** What the server holds of this connection when INITIATE arrives. */
export interface InitiateKeys {
  cookieKey: Uint8Array;
  /** C', from HELLO. */
  clientTransient: Uint8Array;
  /** s', sent to the client inside the cookie. */
  serverTransientSecret: Uint8Array;
  /** S, which the vouch must name. */
  serverPublic: Uint8Array;
}

/** What a valid INITIATE establishes. */
export interface CheckedInitiate {
  /** k(C', S'), fresh: the caller wipes it. */
  sessionKey: Uint8Array;
  /** C, the client's long-term public key (for ZAP). */
  clientKey: Uint8Array;
  /** INITIATE's short nonce: MESSAGEs from the client must exceed it. */
  nonce: Uint8Array;
  /** The client's metadata, still encoded. */
  metadata: Uint8Array;
}

function cryptoError(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.CRYPTOGRAPHIC, message);
}

function lowOrder(what: string): ProtocolError {
  return cryptoError(`the client's ${what} is a low-order point (no shared secret)`);
}

/** Checks INITIATE `body` (the whole command body); throws ProtocolError at the first fault. */
export function checkInitiate(body: Uint8Array, keys: InitiateKeys): CheckedInitiate {
  if (body.length < INITIATE_MIN) {
    throw new ProtocolError(
      ProtocolErrorCode.MALFORMED_COMMAND_INITIATE,
      `CURVE INITIATE of ${body.length} bytes, at least ${INITIATE_MIN} expected`,
    );
  }
  const cPublic = keys.clientTransient;
  const sSecret = keys.serverTransientSecret;
  // cookie = K (16) ‖ secretbox[C' ‖ s'] (80)
  const cookie = openBox(
    keys.cookieKey,
    nonceOf(NoncePrefix.COOKIE, body.subarray(9, 25)),
    body.subarray(25, 105),
  );
  if (cookie === null) {
    throw cryptoError(
      "the INITIATE cookie does not open with this connection's cookie key: it was altered, " +
        "or comes from another connection",
    );
  }
  const expected = joinBytes(cPublic, sSecret);
  const same = sameBytesCT(cookie, expected);
  wipe(cookie, expected);
  if (!same) {
    throw cryptoError("the INITIATE cookie does not hold this connection's transient keys");
  }

  const sessionKey = boxKey(sSecret, cPublic);
  if (sessionKey === null) throw lowOrder("transient key in HELLO");
  const nonce = body.slice(105, 113);
  const plain = openBox(sessionKey, nonceOf(NoncePrefix.INITIATE, nonce), body.subarray(113));
  if (plain === null) {
    sessionKey.fill(0);
    throw cryptoError(
      "INITIATE does not open with this connection's transient keys: altered in transit",
    );
  }
  // plain = C (32) ‖ V (16) ‖ vouch box (80) ‖ metadata
  const clientKey = plain.slice(0, 32);
  const vouchKey = boxKey(sSecret, clientKey);
  const vouch = vouchKey === null ? null : openBox(
    vouchKey,
    nonceOf(NoncePrefix.VOUCH, plain.subarray(32, 48)),
    plain.subarray(48, 128),
  );
  wipe(vouchKey ?? undefined);
  if (vouch === null) {
    sessionKey.fill(0);
    if (vouchKey === null) throw lowOrder("long-term key in INITIATE");
    throw cryptoError(
      "the INITIATE vouch does not open with the client's long-term key: the client does not " +
        "hold the secret key of the public key it sent (curveSecretKey/curvePublicKey mismatch)",
    );
  }
  const vouchedTransient = sameBytesCT(vouch.subarray(0, 32), cPublic);
  const vouchedServer = sameBytesCT(vouch.subarray(32, 64), keys.serverPublic);
  if (!vouchedTransient || !vouchedServer) {
    sessionKey.fill(0);
    throw new ProtocolError(
      ProtocolErrorCode.KEY_EXCHANGE,
      vouchedTransient
        ? "the INITIATE vouch names another server key than this server's"
        : "the INITIATE vouch names another transient key than HELLO's",
    );
  }
  return { sessionKey, clientKey, nonce, metadata: plain.subarray(128) };
}
