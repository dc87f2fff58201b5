// SPDX-License-Identifier: MIT
/** Socket events, with zeromq.js's names. */

export type SocketEventType =
  | "connect"
  | "connect:delay"
  | "connect:retry"
  | "bind"
  | "bind:error"
  | "accept"
  | "accept:error"
  | "close"
  | "close:error"
  | "disconnect"
  | "end"
  | "handshake"
  | "handshake:error:protocol"
  | "handshake:error:auth"
  | "handshake:error:other"
  | "unknown";

export interface SocketEvent {
  type: SocketEventType;
  /** The endpoint the event is about (bind or connect string). */
  address: string;
  /** The remote address of the connection, where there is one. */
  remote?: string;
  /** connect:retry: the interval chosen before the next attempt, ms. */
  interval?: number;
  /** Error events: what went wrong; `error.code` is a ZmqError or ProtocolError code. */
  error?: Error & { code?: string };
}
