// SPDX-License-Identifier: MIT
/** Typed errors with libzmq's names, so users can match on `err.code`. */

/**
 * The libzmq error names (errno symbols) a {@linkcode ZmqError} carries as `code`, e.g.
 * `EAGAIN` for a timed-out receive, `ETERM` for an operation on a closed socket.
 */
export const ErrorCode = {
  EAGAIN: "EAGAIN",
  EFSM: "EFSM",
  EHOSTUNREACH: "EHOSTUNREACH",
  EINVAL: "EINVAL",
  EADDRINUSE: "EADDRINUSE",
  EADDRNOTAVAIL: "EADDRNOTAVAIL",
  ENOENT: "ENOENT",
  ETERM: "ETERM",
  ENOTSUP: "ENOTSUP",
  EPROTO: "EPROTO",
  EPROTONOSUPPORT: "EPROTONOSUPPORT",
  ETIMEDOUT: "ETIMEDOUT",
  EMSGSIZE: "EMSGSIZE",
  ECONNREFUSED: "ECONNREFUSED",
  ECONNRESET: "ECONNRESET",
  ENETUNREACH: "ENETUNREACH",
  EACCES: "EACCES",
} as const;
/** One of the libzmq error names in {@linkcode ErrorCode}, e.g. `"ETERM"`. */
export type ErrorCode = typeof ErrorCode[keyof typeof ErrorCode];

/**
 * An operational error, with a libzmq error name as `code` (ProtocolError, a subclass, has a
 * ZMTP protocol error name instead). Match on `code`, not on the message.
 *
 * @typeParam C The type of `code`: {@linkcode ErrorCode} unless a subclass narrows it.
 *
 * @example A send on a closed socket rejects with ETERM
 * ```ts
 * import { Push, ZmqError } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const push = new Push();
 * push.close();
 * await assert.rejects(push.send("too late"), (e) => e instanceof ZmqError && e.code === "ETERM");
 * ```
 */
export class ZmqError<C extends string = ErrorCode> extends Error {
  /** The libzmq error name, e.g. `"EAGAIN"`, `"ETERM"`, `"EADDRINUSE"`. */
  readonly code: C;
  /** The endpoint the error is about (as given to bind/connect), when there is one. */
  readonly address: string | undefined;
  /**
   * Makes an error; zmqkit creates these itself, user code rarely needs to.
   *
   * @param code The libzmq error name.
   * @param message A human-readable description.
   * @param options `address`: the endpoint concerned; `cause`: the underlying error.
   */
  constructor(code: C, message: string, options?: { address?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ZmqError";
    this.code = code;
    this.address = options?.address;
  }
}

/** zeromq.js names for protocol failures (ERR_ZMTP_*, and ERR_ZAP_* for a faulty ZAP handler). */
export const ProtocolErrorCode = {
  UNSPECIFIED: "ERR_ZMTP_UNSPECIFIED",
  UNEXPECTED_COMMAND: "ERR_ZMTP_UNEXPECTED_COMMAND",
  INVALID_SEQUENCE: "ERR_ZMTP_INVALID_SEQUENCE",
  KEY_EXCHANGE: "ERR_ZMTP_KEY_EXCHANGE",
  MALFORMED_COMMAND_UNSPECIFIED: "ERR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED",
  MALFORMED_COMMAND_MESSAGE: "ERR_ZMTP_MALFORMED_COMMAND_MESSAGE",
  MALFORMED_COMMAND_HELLO: "ERR_ZMTP_MALFORMED_COMMAND_HELLO",
  MALFORMED_COMMAND_INITIATE: "ERR_ZMTP_MALFORMED_COMMAND_INITIATE",
  MALFORMED_COMMAND_ERROR: "ERR_ZMTP_MALFORMED_COMMAND_ERROR",
  MALFORMED_COMMAND_READY: "ERR_ZMTP_MALFORMED_COMMAND_READY",
  MALFORMED_COMMAND_WELCOME: "ERR_ZMTP_MALFORMED_COMMAND_WELCOME",
  INVALID_METADATA: "ERR_ZMTP_INVALID_METADATA",
  CRYPTOGRAPHIC: "ERR_ZMTP_CRYPTOGRAPHIC",
  MECHANISM_MISMATCH: "ERR_ZMTP_MECHANISM_MISMATCH",
  ZAP_UNSPECIFIED: "ERR_ZAP_UNSPECIFIED",
  ZAP_MALFORMED_REPLY: "ERR_ZAP_MALFORMED_REPLY",
  ZAP_BAD_REQUEST_ID: "ERR_ZAP_BAD_REQUEST_ID",
  ZAP_BAD_VERSION: "ERR_ZAP_BAD_VERSION",
  ZAP_INVALID_STATUS_CODE: "ERR_ZAP_INVALID_STATUS_CODE",
  ZAP_INVALID_METADATA: "ERR_ZAP_INVALID_METADATA",
  // zmqkit additions, for conditions libzmq reports without a detail code
  BAD_SIGNATURE: "ERR_ZMTP_BAD_SIGNATURE",
  UNSUPPORTED_VERSION: "ERR_ZMTP_UNSUPPORTED_VERSION",
  INCOMPATIBLE_SOCKET_TYPE: "ERR_ZMTP_INCOMPATIBLE_SOCKET_TYPE",
  MESSAGE_TOO_LARGE: "ERR_ZMTP_MESSAGE_TOO_LARGE",
  MALFORMED_FRAME: "ERR_ZMTP_MALFORMED_FRAME",
  PEER_ERROR: "ERR_ZMTP_PEER_ERROR",
  /** A WebSocket (ws://) upgrade refused: not an upgrade, no ZWS subprotocol in common, … */
  WS_UPGRADE: "ERR_WS_UPGRADE",
  /** A WebSocket frame ZWS does not allow: text, fragmented, unmasked from a client, … */
  WS_FRAME: "ERR_WS_FRAME",
} as const;
/** One of the `ERR_ZMTP_*` names in {@linkcode ProtocolErrorCode}. */
export type ProtocolErrorCode = typeof ProtocolErrorCode[keyof typeof ProtocolErrorCode];

/**
 * A peer broke the protocol: a ZmqError whose `code` is one of libzmq's ZMTP protocol errors,
 * by zeromq.js's names ({@linkcode ProtocolErrorCode}). It is never thrown at user code: zmqkit
 * drops that one connection and reports the error in a `handshake:error:protocol` (or
 * `disconnect`) event on `socket.events`.
 *
 * @example A PUSH connecting to a PUSH fails the handshake
 * ```ts
 * import { ProtocolError, Push, ZmqError } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const server = new Push();
 * const failed = new Promise<unknown>((resolve) =>
 *   server.events.on("handshake:error:protocol", (event) => resolve(event.error))
 * );
 * await server.bind("tcp://127.0.0.1:*");
 * const client = new Push();
 * client.connect(server.lastEndpoint!);
 * const error = await failed;
 * assert.ok(error instanceof ProtocolError && error instanceof ZmqError);
 * assert.equal(error.code, "ERR_ZMTP_INCOMPATIBLE_SOCKET_TYPE");
 * client.close();
 * server.close();
 * ```
 */
export class ProtocolError extends ZmqError<ProtocolErrorCode> {
  /**
   * Makes a protocol error; zmqkit's codecs create these.
   *
   * @param code The `ERR_ZMTP_*` name.
   * @param message A human-readable description.
   * @param options `address`: the endpoint of the connection.
   */
  constructor(code: ProtocolErrorCode, message: string, options?: { address?: string }) {
    super(code, message, options);
    this.name = "ProtocolError";
  }
}

/** The ZAP status codes of RFC 27 that refuse a peer. */
export type AuthStatus = 300 | 400 | 500;

const STATUS_TEXT: Record<AuthStatus, string> = {
  300: "Temporary error",
  400: "Authentication failure",
  500: "Internal error",
};

/**
 * Authentication failed: the ZAP handler refused the peer (on the server), or the server sent
 * ERROR with a ZAP status (on the client). zeromq.js's `handshake:error:auth` error: `status`
 * is the ZAP code, the message zeromq.js's text for it followed by what zmqkit knows of why.
 */
export class AuthError extends ZmqError<"EACCES"> {
  /** The ZAP status: 300 temporary, 400 authentication failure, 500 internal error. */
  readonly status: AuthStatus;
  /**
   * Makes an authentication error; zmqkit creates these itself.
   *
   * @param status The ZAP status code.
   * @param detail Why, as far as this side knows (e.g. the ZAP handler's status text).
   */
  constructor(status: AuthStatus, detail?: string) {
    super("EACCES", detail ? `${STATUS_TEXT[status]}: ${detail}` : STATUS_TEXT[status]);
    this.name = "AuthError";
    this.status = status;
  }
}

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));
/** System error names a runtime reports, and the libzmq code each stands for. */
const ALIASES: Readonly<Record<string, ErrorCode>> = {
  ENOTFOUND: "EHOSTUNREACH", // name resolution failed
  EAI_AGAIN: "EHOSTUNREACH",
  EPIPE: "ECONNRESET",
  ECONNABORTED: "ECONNRESET",
  EHOSTDOWN: "EHOSTUNREACH",
};

/** True when `e` is a ZmqError with `code` (ETERM after close, EAGAIN after a timeout…). */
export function hasCode(e: unknown, code: string): boolean {
  return e instanceof ZmqError && e.code === code;
}

/**
 * `error` as a ZmqError: itself when it is one, else wrapped (as `cause`) with the libzmq code
 * its system error name stands for, or `fallback` when it has none.
 */
export function asZmqError(
  error: Error,
  fallback: ErrorCode,
  address?: string,
): ZmqError<string> {
  if (error instanceof ZmqError) return error as ZmqError<string>;
  const sys = (error as { code?: unknown }).code;
  const code = typeof sys === "string"
    ? (CODES.has(sys) ? sys as ErrorCode : ALIASES[sys] ?? fallback)
    : fallback;
  return new ZmqError(code, error.message, {
    cause: error,
    ...(address === undefined ? {} : { address }),
  });
}
