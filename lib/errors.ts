// SPDX-License-Identifier: MIT
/** Typed errors with libzmq's names, so users can match on `err.code`. */

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
} as const;
export type ErrorCode = typeof ErrorCode[keyof typeof ErrorCode];

/** An operational error, with a libzmq error name as `code`. */
export class ZmqError extends Error {
  readonly code: ErrorCode;
  readonly address: string | undefined;
  constructor(code: ErrorCode, message: string, options?: { address?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ZmqError";
    this.code = code;
    this.address = options?.address;
  }
}

/** zeromq.js names for protocol failures (ERR_ZMTP_*). */
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
  // zmqkit additions, for conditions libzmq reports without a detail code
  BAD_SIGNATURE: "ERR_ZMTP_BAD_SIGNATURE",
  UNSUPPORTED_VERSION: "ERR_ZMTP_UNSUPPORTED_VERSION",
  INCOMPATIBLE_SOCKET_TYPE: "ERR_ZMTP_INCOMPATIBLE_SOCKET_TYPE",
  MESSAGE_TOO_LARGE: "ERR_ZMTP_MESSAGE_TOO_LARGE",
  MALFORMED_FRAME: "ERR_ZMTP_MALFORMED_FRAME",
  PEER_ERROR: "ERR_ZMTP_PEER_ERROR",
} as const;
export type ProtocolErrorCode = typeof ProtocolErrorCode[keyof typeof ProtocolErrorCode];

/**
 * A peer broke the protocol. Thrown inside the pure codecs and caught at the session
 * boundary, where it closes that one connection and becomes an event; never reaches user code.
 */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
  }
}
