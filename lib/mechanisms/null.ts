// SPDX-License-Identifier: MIT
/**
 * The NULL mechanism: RFC 23 §"The NULL Security Mechanism". Each side sends READY with its
 * metadata at once (as libzmq does) and is ready when it has the peer's READY. A socket with
 * a ZAP domain and a ZAP handler asks the handler first (libzmq's behaviour): 200 sends READY,
 * 400 and 500 an ERROR, 300 closes.
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import { decodeCommand, decodeError, decodeReady, encodeReady } from "../wire/command.ts";
import type { Metadata } from "../wire/metadata.ts";
import type { HandshakeStep, Mechanism } from "./mechanism.ts";
import { serverError } from "./plain.ts";
import { type ZapAsk, zapVerdict } from "../zap/zap.ts";

export class NullMechanism implements Mechanism {
  readonly name = "NULL";
  readonly asServer = false;
  #own: Metadata;
  #zap: ZapAsk | undefined;
  #auth: { userId: string; metadata: Metadata } | undefined;
  #done = false;

  /** `zap`: ask the ZAP handler before sending READY (a socket with a ZAP domain). */
  constructor(ownMetadata: Metadata, zap?: ZapAsk) {
    this.#own = ownMetadata;
    this.#zap = zap;
  }

  start(): HandshakeStep | Promise<HandshakeStep> {
    if (this.#zap === undefined) return { send: [encodeReady(this.#own)], ready: false };
    return this.#zap("NULL", []).then((reply) => {
      this.#auth = zapVerdict(reply); // throws HandshakeRefused unless 200
      return { send: [encodeReady(this.#own)], ready: false };
    });
  }

  receive(command: Uint8Array): HandshakeStep {
    const { name, data } = decodeCommand(command);
    if (name === "READY" && !this.#done) {
      this.#done = true;
      const step: HandshakeStep = { send: [], ready: true, peer: decodeReady(data) };
      if (this.#auth !== undefined) step.auth = this.#auth;
      return step;
    }
    if (name === "ERROR") throw serverError(decodeError(data), "NULL");
    throw new ProtocolError(
      ProtocolErrorCode.UNEXPECTED_COMMAND,
      `unexpected ${JSON.stringify(name)} command during the NULL handshake`,
    );
  }
}

export function nullMechanism(own: Metadata): Mechanism {
  return new NullMechanism(own);
}
