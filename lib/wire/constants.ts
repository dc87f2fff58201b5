// SPDX-License-Identifier: MIT
/** ZMTP 3.x constants. RFC 23 (ZMTP 3.0), RFC 37 (ZMTP 3.1). */

/** Frame flag bits. */
export const Flag = { MORE: 0x01, LONG: 0x02, COMMAND: 0x04 } as const;
export type Flag = typeof Flag[keyof typeof Flag];

export const GREETING_SIZE = 64;
/** Signature (10 bytes) + major version byte, the part a 3.x greeting always starts with. */
export const SIGNATURE_SIZE = 10;
export const MECHANISM_OFFSET = 12;
export const MECHANISM_SIZE = 20;
export const AS_SERVER_OFFSET = 32;

export const ZMTP_MAJOR = 3;
export const ZMTP_MINOR = 1;

/** Socket types by their wire name, as sent in the Socket-Type property. */
export const SocketType = {
  PAIR: "PAIR",
  PUB: "PUB",
  SUB: "SUB",
  REQ: "REQ",
  REP: "REP",
  DEALER: "DEALER",
  ROUTER: "ROUTER",
  PULL: "PULL",
  PUSH: "PUSH",
  XPUB: "XPUB",
  XSUB: "XSUB",
  STREAM: "STREAM",
  SERVER: "SERVER",
  CLIENT: "CLIENT",
  RADIO: "RADIO",
  DISH: "DISH",
  GATHER: "GATHER",
  SCATTER: "SCATTER",
  PEER: "PEER",
  CHANNEL: "CHANNEL",
} as const;
/** A socket type's wire name, e.g. `"DEALER"` (libzmq's ZMQ_DEALER). */
export type SocketType = typeof SocketType[keyof typeof SocketType];

/** ZMQ_GROUP_MAX_LENGTH: the longest RADIO/DISH group, in bytes (RFC 48). */
export const GROUP_MAX_LENGTH = 255;
