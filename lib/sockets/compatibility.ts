// SPDX-License-Identifier: MIT
/** Which peer Socket-Types each type accepts (RFC 37 and libzmq's mechanism.cpp). One table. */
import type { SocketType } from "../wire/constants.ts";

export const compatiblePeers: Readonly<Record<SocketType, readonly string[]>> = {
  PAIR: ["PAIR"],
  PUB: ["SUB", "XSUB"],
  SUB: ["PUB", "XPUB"],
  XPUB: ["SUB", "XSUB"],
  XSUB: ["PUB", "XPUB"],
  REQ: ["REP", "ROUTER"],
  REP: ["REQ", "DEALER"],
  DEALER: ["REP", "DEALER", "ROUTER"],
  ROUTER: ["REQ", "DEALER", "ROUTER"],
  PUSH: ["PULL"],
  PULL: ["PUSH"],
  STREAM: [],
  // draft types (RFC 41, 48, 49, 51), as libzmq's mechanism.cpp pairs them
  SERVER: ["CLIENT"],
  CLIENT: ["SERVER"],
  RADIO: ["DISH"],
  DISH: ["RADIO"],
  GATHER: ["SCATTER"],
  SCATTER: ["GATHER"],
  PEER: ["PEER"],
  CHANNEL: ["CHANNEL"],
};

/** libzmq accepts a peer that sends no Socket-Type at all; so do we. */
export function isCompatible(ours: SocketType, peer: string): boolean {
  return peer === "" || compatiblePeers[ours].includes(peer);
}
