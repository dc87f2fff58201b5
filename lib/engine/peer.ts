// SPDX-License-Identifier: MIT
/**
 * What a peer's READY (or the last command of its security handshake) says of it, checked: the
 * Socket-Type must be a name and the Identity a routing id libzmq would accept (≤ 255 bytes).
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import type { PipePeer } from "../pipe.ts";
import { getProperty, type Metadata } from "../wire/metadata.ts";
import { latin1 } from "../util/bytes.ts";

/** libzmq's limit for routing ids (ZMQ_ROUTING_ID, and the Identity a peer announces). */
export const MAX_IDENTITY = 255;
/** Longer than any socket type name. */
const MAX_SOCKET_TYPE = 32;
const EMPTY = new Uint8Array(0);

/** The peer described by `metadata`; throws ProtocolError for what no real peer sends. */
export function peerOf(metadata: Metadata, zmtp31: boolean): PipePeer {
  const type = getProperty(metadata, "Socket-Type") ?? EMPTY;
  if (type.length > MAX_SOCKET_TYPE) {
    throw new ProtocolError(
      ProtocolErrorCode.INVALID_METADATA,
      `Socket-Type of ${type.length} bytes is no socket type`,
    );
  }
  const identity = getProperty(metadata, "Identity") ?? EMPTY;
  if (identity.length > MAX_IDENTITY) {
    throw new ProtocolError(
      ProtocolErrorCode.INVALID_METADATA,
      `Identity of ${identity.length} bytes exceeds ${MAX_IDENTITY}, libzmq's limit for routing ids`,
    );
  }
  return {
    socketType: latin1(type),
    // a copy: a view would keep the whole chunk it came in alive as long as the connection
    identity: identity.length === 0 ? EMPTY : identity.slice(),
    metadata,
    zmtp31,
  };
}
