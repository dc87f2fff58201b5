// SPDX-License-Identifier: MIT
/**
 * The NULL mechanism: RFC 23 §"The NULL Security Mechanism". Each side sends READY with its
 * metadata at once (as libzmq does) and is ready when it has the peer's READY.
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import { decodeCommand, decodeError, decodeReady, encodeReady } from "../wire/command.ts";
import type { Metadata } from "../wire/metadata.ts";
import type { HandshakeStep, Mechanism } from "./mechanism.ts";

export class NullMechanism implements Mechanism {
  readonly name = "NULL";
  readonly asServer = false;
  #own: Metadata;
  #done = false;

  constructor(ownMetadata: Metadata) {
    this.#own = ownMetadata;
  }

  start(): HandshakeStep {
    return { send: [encodeReady(this.#own)], ready: false };
  }

  receive(command: Uint8Array): HandshakeStep {
    const { name, data } = decodeCommand(command);
    if (name === "READY" && !this.#done) {
      this.#done = true;
      return { send: [], ready: true, peer: decodeReady(data) };
    }
    if (name === "ERROR") {
      throw new ProtocolError(
        ProtocolErrorCode.PEER_ERROR,
        `peer sent ERROR: ${decodeError(data)}`,
      );
    }
    throw new ProtocolError(
      ProtocolErrorCode.UNEXPECTED_COMMAND,
      `unexpected ${JSON.stringify(name)} command during the NULL handshake`,
    );
  }
}

export function nullMechanism(own: Metadata): Mechanism {
  return new NullMechanism(own);
}
