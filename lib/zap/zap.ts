// SPDX-License-Identifier: MIT
/**
 * ZAP (RFC 27) as a server mechanism sees it: one request per handshaking peer, one reply,
 * and what the reply means for the handshake. How the request reaches a handler (a callback,
 * or a socket bound at inproc://zeromq.zap.01) is the business of the ZAP client given to the
 * mechanism.
 */
import { encodeError } from "../wire/command.ts";
import type { Metadata } from "../wire/metadata.ts";
import { AuthError, type AuthStatus, HandshakeRefused } from "../mechanisms/mechanism.ts";
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";

/** What a ZAP handler is asked about one peer (RFC 27's request frames, as an object). */
export interface ZapRequest {
  /** The server socket's `zapDomain` (may be empty). */
  domain: string;
  /** The peer's address: an IP for tcp (no port), as libzmq sends it; empty when unknown. */
  address: string;
  /** The server socket's own routing id (what libzmq puts here). */
  identity: Uint8Array;
  /** The mechanism the peer speaks. */
  mechanism: "NULL" | "PLAIN" | "CURVE";
  /** PLAIN: username, password; CURVE: the client's 32-byte long-term public key; NULL: none. */
  credentials: Uint8Array[];
}

export interface ZapReply {
  /** 200 accepts; 300, 400, 500 refuse (RFC 27). */
  status: number;
  statusText: string;
  /** Becomes the User-Id property of the peer's messages. */
  userId: string;
  /** ZAP metadata, added to the properties of the peer's messages. */
  metadata: Metadata;
}

/** Asks the ZAP handler about one peer. Rejects (ProtocolError) when the handler misbehaves. */
export type ZapClient = (request: ZapRequest) => Promise<ZapReply>;

/**
 * What a server mechanism is given: asks the ZAP handler about the peer of its connection,
 * the socket having filled in the domain, address and identity. Rejects (ProtocolError) when
 * the handler misbehaves.
 */
export type ZapAsk = (
  mechanism: ZapRequest["mechanism"],
  credentials: Uint8Array[],
) => Promise<ZapReply>;

/**
 * The verdict of a ZAP reply for a handshake: the user id and metadata of an accepted peer,
 * or a HandshakeRefused to throw — an ERROR with the status for 400 and 500, nothing but a
 * close for 300 (libzmq's behaviour, security.md §5.4).
 */
export function zapVerdict(reply: ZapReply): { userId: string; metadata: Metadata } {
  const s = reply.status;
  if (s === 200) return { userId: reply.userId, metadata: reply.metadata };
  if (s !== 300 && s !== 400 && s !== 500) {
    throw new ProtocolError(
      ProtocolErrorCode.ZAP_INVALID_STATUS_CODE,
      `ZAP handler answered with status ${s} (200, 300, 400 or 500 expected)`,
    );
  }
  const status = s as AuthStatus;
  const error = new AuthError(status, reply.statusText || undefined);
  throw new HandshakeRefused(error, status === 300 ? [] : [encodeError(String(status))]);
}
