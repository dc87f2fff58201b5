// SPDX-License-Identifier: MIT
/**
 * The security mechanism interface (RFC 23 §"Authentication and confidentiality"): NULL,
 * PLAIN and CURVE plug into it. Pure: command bodies in, command bodies out, no timers and no
 * I/O. The one outside call a mechanism makes is the ZAP request of a server (RFC 27), which
 * is why `receive` may answer with a promise.
 */
import type { ZmqError } from "../errors.ts";

export { AuthError, type AuthStatus } from "../errors.ts";
import type { Metadata } from "../wire/metadata.ts";

export interface HandshakeStep {
  /** Command bodies to send now, in order. */
  send: Uint8Array[];
  /** The handshake is complete once this is true. */
  ready: boolean;
  /** The peer's metadata, once known. */
  peer?: Metadata;
  /**
   * What authentication established about the peer, once ready (a server that asked ZAP): the
   * ZAP reply's user id and metadata, readable on the messages the peer sends.
   */
  auth?: { userId: string; metadata: Metadata };
}

/**
 * Seals and opens the frames of an encrypting mechanism (CURVE) once the handshake is done.
 * Every frame, data or command, travels as one MESSAGE command body inside a ZMTP data frame
 * with flags 0 (libzmq's layout, security.md §4.4).
 */
export interface FrameCodec {
  /** The MESSAGE body carrying one frame; `more` and `command` are the inner flags. */
  seal(body: Uint8Array, more: boolean, command: boolean): Uint8Array;
  /**
   * The frame inside a MESSAGE body. Throws ProtocolError for anything that does not open,
   * a nonce that does not increase, or a malformed body.
   */
  open(message: Uint8Array): { body: Uint8Array; more: boolean; command: boolean };
  /** The connection is gone: forget the keys (zeroed). */
  destroy?(): void;
}

export interface Mechanism {
  /** Name as written in the greeting (`NULL`, `PLAIN`, `CURVE`). */
  readonly name: string;
  /** Our as-server flag for the greeting. */
  readonly asServer: boolean;
  /**
   * Commands to send as soon as the greeting is done; a promise for NULL with a ZAP domain,
   * which asks the ZAP handler before it sends READY. Throws ProtocolError when it cannot
   * start (a CURVE server key that is no usable point).
   */
  start(): HandshakeStep | Promise<HandshakeStep>;
  /**
   * One handshake command from the peer. Throws ProtocolError on anything unexpected,
   * AuthError when the peer refused us (an ERROR with a ZAP status), or
   * {@linkcode HandshakeRefused} to answer with an ERROR before closing. A server waiting for
   * its ZAP handler answers with a promise; no other command arrives meanwhile (the session
   * fails a peer that sends one).
   */
  receive(command: Uint8Array): HandshakeStep | Promise<HandshakeStep>;
  /** Once ready: the codec of every frame, for a mechanism that encrypts (CURVE). */
  readonly codec?: FrameCodec | undefined;
  /**
   * The peer closed the connection before the handshake completed: the likely cause, as far
   * as the commands exchanged so far tell (e.g. a CURVE server that closes right after HELLO
   * could not open it: the client has the wrong server key), or undefined.
   */
  closedEarly?(): string | undefined;
}

/** Builds a mechanism for one connection, given our own metadata. */
export type MechanismFactory = (ownMetadata: Metadata) => Mechanism;

/**
 * Thrown by a mechanism to end the handshake after sending `send` (an ERROR command, or
 * nothing for ZAP's 300): the session writes those commands, then closes, and reports `error`.
 */
export class HandshakeRefused extends Error {
  readonly send: Uint8Array[];
  readonly error: ZmqError<string>;
  constructor(error: ZmqError<string>, send: Uint8Array[]) {
    super(error.message);
    this.name = "HandshakeRefused";
    this.error = error;
    this.send = send;
  }
}
