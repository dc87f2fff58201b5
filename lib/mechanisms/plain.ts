// SPDX-License-Identifier: MIT
/**
 * The PLAIN mechanism (RFC 24): a username and a password in clear, checked by the server's
 * ZAP handler. C: HELLO → S: WELCOME | ERROR → C: INITIATE → S: READY | ERROR.
 * libzmq 4.3's PLAIN server writes its ERROR with a broken first byte (`5e "RROR"`, see
 * security.md §3.3); the client accepts both that and the RFC's form, and sends the RFC's.
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import {
  decodeCommand,
  decodeError,
  decodeReady,
  encodeCommand,
  encodeReady,
} from "../wire/command.ts";
import { encodeMetadata, type Metadata } from "../wire/metadata.ts";
import { latin1 } from "../util/bytes.ts";
import { type ZapAsk, zapVerdict } from "../zap/zap.ts";
import {
  AuthError,
  type AuthStatus,
  HandshakeRefused,
  type HandshakeStep,
  type Mechanism,
} from "./mechanism.ts";

const enc = new TextEncoder();

/** HELLO's data: username and password, each with a length byte. */
export function encodePlainHello(username: Uint8Array, password: Uint8Array): Uint8Array {
  if (username.length > 255 || password.length > 255) {
    throw new RangeError("PLAIN username and password are at most 255 bytes each");
  }
  const data = new Uint8Array(2 + username.length + password.length);
  data[0] = username.length;
  data.set(username, 1);
  data[1 + username.length] = password.length;
  data.set(password, 2 + username.length);
  return encodeCommand("HELLO", data);
}

/** Username and password of HELLO's data, exactly: nothing may follow the password. */
export function decodePlainHello(data: Uint8Array): { username: Uint8Array; password: Uint8Array } {
  const u = data[0];
  const p = u === undefined ? undefined : data[1 + u];
  if (u === undefined || p === undefined || data.length !== 2 + u + p) {
    throw new ProtocolError(
      ProtocolErrorCode.MALFORMED_COMMAND_HELLO,
      `malformed PLAIN HELLO (${data.length} bytes of credentials)`,
    );
  }
  return { username: data.subarray(1, 1 + u), password: data.subarray(2 + u, 2 + u + p) };
}

/** `5e "RROR"`: the ERROR command as libzmq 4.3's PLAIN server writes it. */
const LIBZMQ_ERROR = [0x5e, 0x52, 0x52, 0x4f, 0x52];

function isLibzmqError(body: Uint8Array): boolean {
  return body.length >= 6 && LIBZMQ_ERROR.every((b, i) => body[i] === b);
}

/** What a client makes of an ERROR reason: a ZAP status is an AuthError. */
export function serverError(reason: string, mechanism: string): Error {
  if (reason === "300" || reason === "400" || reason === "500") {
    const who = mechanism === "NULL"
      ? "the peer refused this connection"
      : `the ${mechanism} server refused this client`;
    return new AuthError(Number(reason) as AuthStatus, `${who} (ZAP ${reason})`);
  }
  return new ProtocolError(ProtocolErrorCode.PEER_ERROR, `peer sent ERROR: ${reason}`);
}

function unexpected(name: string, role: string): ProtocolError {
  return new ProtocolError(
    ProtocolErrorCode.UNEXPECTED_COMMAND,
    `unexpected ${JSON.stringify(name)} command during the PLAIN handshake (we are the ${role})`,
  );
}

const S_HELLO = 0, S_WELCOME = 1, S_READY = 2, S_DONE = 3;

/** The client side: sends the credentials, then its metadata. */
export class PlainClient implements Mechanism {
  readonly name = "PLAIN";
  readonly asServer = false;
  #own: Metadata;
  #hello: Uint8Array;
  #state = S_HELLO;

  constructor(own: Metadata, username: string | Uint8Array, password: string | Uint8Array) {
    this.#own = own;
    const bytes = (v: string | Uint8Array) => typeof v === "string" ? enc.encode(v) : v;
    this.#hello = encodePlainHello(bytes(username), bytes(password));
  }

  start(): HandshakeStep {
    this.#state = S_WELCOME;
    return { send: [this.#hello], ready: false };
  }

  receive(command: Uint8Array): HandshakeStep {
    if (isLibzmqError(command)) {
      const n = command[5]!;
      if (6 + n > command.length) {
        throw new ProtocolError(ProtocolErrorCode.MALFORMED_COMMAND_ERROR, "malformed ERROR");
      }
      throw serverError(latin1(command.subarray(6, 6 + n)), "PLAIN");
    }
    const { name, data } = decodeCommand(command);
    if (name === "ERROR") throw serverError(decodeError(data), "PLAIN");
    if (name === "WELCOME" && this.#state === S_WELCOME) {
      if (data.length !== 0) {
        throw new ProtocolError(
          ProtocolErrorCode.MALFORMED_COMMAND_WELCOME,
          `PLAIN WELCOME with ${data.length} bytes of data (none expected)`,
        );
      }
      this.#state = S_READY;
      return { send: [encodeCommand("INITIATE", encodeMetadata(this.#own))], ready: false };
    }
    if (name === "READY" && this.#state === S_READY) {
      this.#state = S_DONE;
      return { send: [], ready: true, peer: decodeReady(data) };
    }
    throw unexpected(name, "client");
  }

  closedEarly(): string | undefined {
    if (this.#state === S_WELCOME) {
      return "the PLAIN server closed the connection after HELLO: it refused the credentials " +
        "without an ERROR (ZAP 300), or it has no ZAP handler (a libzmq PLAIN server then " +
        "refuses every client)";
    }
    if (this.#state === S_READY) {
      return "the PLAIN server closed the connection after INITIATE (our metadata or socket " +
        "type was refused)";
    }
    return undefined;
  }
}

/** The server side: asks ZAP about the credentials; without a ZAP handler, refuses everyone. */
export class PlainServer implements Mechanism {
  readonly name = "PLAIN";
  readonly asServer = true;
  #own: Metadata;
  #zap: ZapAsk | undefined;
  #state = S_HELLO;
  #auth: { userId: string; metadata: Metadata } | undefined;

  /** `zap` undefined: no handler, every client is refused (as libzmq does). */
  constructor(own: Metadata, zap: ZapAsk | undefined) {
    this.#own = own;
    this.#zap = zap;
  }

  start(): HandshakeStep {
    return { send: [], ready: false };
  }

  receive(command: Uint8Array): HandshakeStep | Promise<HandshakeStep> {
    const { name, data } = decodeCommand(command);
    if (name === "HELLO" && this.#state === S_HELLO) {
      const { username, password } = decodePlainHello(data);
      this.#state = S_WELCOME;
      if (this.#zap === undefined) {
        throw new HandshakeRefused(
          new AuthError(
            500,
            "this PLAIN server has no ZAP handler, so it refuses every client (give it a " +
              "zapHandler, or bind one at inproc://zeromq.zap.01)",
          ),
          [],
        );
      }
      return this.#zap("PLAIN", [username.slice(), password.slice()]).then((reply) => {
        this.#auth = zapVerdict(reply); // throws HandshakeRefused unless 200
        this.#state = S_READY;
        return { send: [encodeCommand("WELCOME")], ready: false };
      });
    }
    if (name === "INITIATE" && this.#state === S_READY) {
      const peer = decodeReady(data);
      this.#state = S_DONE;
      const step: HandshakeStep = { send: [encodeReady(this.#own)], ready: true, peer };
      if (this.#auth !== undefined) step.auth = this.#auth;
      return step;
    }
    if (name === "ERROR") throw serverError(decodeError(data), "PLAIN");
    throw unexpected(name, "server");
  }
}
