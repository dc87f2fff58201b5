// SPDX-License-Identifier: MIT
/**
 * The security mechanism interface (RFC 23 §"Authentication and confidentiality").
 * NULL lives here now; PLAIN and CURVE plug into the same shape. Pure: command bodies in,
 * command bodies out, no timers and no I/O.
 */
import type { Metadata } from "../wire/metadata.ts";

export interface HandshakeStep {
  /** Command bodies to send now, in order. */
  send: Uint8Array[];
  /** The handshake is complete once this is true. */
  ready: boolean;
  /** The peer's metadata, once known. */
  peer?: Metadata;
}

export interface Mechanism {
  /** Name as written in the greeting (`NULL`, `PLAIN`, `CURVE`). */
  readonly name: string;
  /** Our as-server flag for the greeting. */
  readonly asServer: boolean;
  /** Commands to send as soon as the greeting is done. */
  start(): HandshakeStep;
  /** One handshake command from the peer. Throws ProtocolError on anything unexpected. */
  receive(command: Uint8Array): HandshakeStep;
}

/** Builds a mechanism for one connection, given our own metadata. */
export type MechanismFactory = (ownMetadata: Metadata) => Mechanism;
