// SPDX-License-Identifier: MIT
/** Socket types `zmqkit cat` knows, the class behind each, and which way data flows. */
import { draftSocketClasses, socketClasses } from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { socketCore } from "../../lib/internal.ts";

/**
 * send: stdin → socket. receive: socket → stdout. request: each input message is sent and its
 * reply printed. reply: each request is printed and answered. duplex: both ways at once.
 */
export type Mode = "send" | "receive" | "request" | "reply" | "duplex";

export interface TypeSpec {
  create: () => Socket;
  mode: Mode;
  /** Messages carry a routing id first (ROUTER, STREAM). */
  routingIds: boolean;
  /** May run `--exec` per request. */
  exec: boolean;
  /**
   * A draft type (RFC 41, 48, 49, 51): one frame a message, after the routing id (SERVER,
   * PEER) or the group (RADIO, DISH) when it has one.
   */
  draft?: "single" | "routed" | "group";
}

/**
 * A draft socket as the CLI drives it: `send()` and `receive()` take and give the frames of
 * the socket's engine, `[4-byte routing id, body]` for SERVER and PEER, `[group, body]` for
 * RADIO and DISH, `[body]` for the others, as ROUTER's `[id, ...frames]`.
 */
function draft(socket: Socket): Socket {
  const core = socketCore(socket);
  Object.defineProperties(socket, {
    send: { value: (m: Uint8Array[]) => core._send(m) },
    receive: { value: () => core._receive() },
  });
  return socket;
}

const d = draftSocketClasses;

export const TYPES = {
  PAIR: { create: () => new socketClasses.PAIR(), mode: "duplex", routingIds: false, exec: false },
  PUB: { create: () => new socketClasses.PUB(), mode: "send", routingIds: false, exec: false },
  SUB: { create: () => new socketClasses.SUB(), mode: "receive", routingIds: false, exec: false },
  XPUB: { create: () => new socketClasses.XPUB(), mode: "duplex", routingIds: false, exec: false },
  XSUB: { create: () => new socketClasses.XSUB(), mode: "duplex", routingIds: false, exec: false },
  REQ: { create: () => new socketClasses.REQ(), mode: "request", routingIds: false, exec: false },
  REP: { create: () => new socketClasses.REP(), mode: "reply", routingIds: false, exec: true },
  DEALER: {
    create: () => new socketClasses.DEALER(),
    mode: "duplex",
    routingIds: false,
    exec: false,
  },
  ROUTER: {
    create: () => new socketClasses.ROUTER(),
    mode: "duplex",
    routingIds: true,
    exec: true,
  },
  PUSH: { create: () => new socketClasses.PUSH(), mode: "send", routingIds: false, exec: false },
  PULL: { create: () => new socketClasses.PULL(), mode: "receive", routingIds: false, exec: false },
  STREAM: {
    create: () => new socketClasses.STREAM(),
    mode: "duplex",
    routingIds: true,
    exec: false,
  },
  CLIENT: {
    create: () => draft(new d.CLIENT()),
    mode: "request",
    routingIds: false,
    exec: false,
    draft: "single",
  },
  SERVER: {
    create: () => draft(new d.SERVER()),
    mode: "duplex",
    routingIds: true,
    exec: true,
    draft: "routed",
  },
  RADIO: {
    create: () => draft(new d.RADIO()),
    mode: "send",
    routingIds: false,
    exec: false,
    draft: "group",
  },
  DISH: {
    create: () => draft(new d.DISH()),
    mode: "receive",
    routingIds: false,
    exec: false,
    draft: "group",
  },
  SCATTER: {
    create: () => draft(new d.SCATTER()),
    mode: "send",
    routingIds: false,
    exec: false,
    draft: "single",
  },
  GATHER: {
    create: () => draft(new d.GATHER()),
    mode: "receive",
    routingIds: false,
    exec: false,
    draft: "single",
  },
  PEER: {
    create: () => draft(new d.PEER()),
    mode: "duplex",
    routingIds: true,
    exec: true,
    draft: "routed",
  },
  CHANNEL: {
    create: () => draft(new d.CHANNEL()),
    mode: "duplex",
    routingIds: false,
    exec: false,
    draft: "single",
  },
} as const satisfies Record<string, TypeSpec>;

export type TypeName = keyof typeof TYPES;

export const TYPE_NAMES: readonly TypeName[] = Object.keys(TYPES) as TypeName[];

/** The type for a name in any case, or undefined. */
export function typeOf(name: string): TypeName | undefined {
  const upper = name.toUpperCase();
  return (TYPE_NAMES as readonly string[]).includes(upper) ? upper as TypeName : undefined;
}

/** What a socket of any type can do, as the CLI uses it. */
export interface AnySocket extends Socket {
  send(msg: Uint8Array[]): Promise<void>;
  receive(): Promise<Uint8Array[]>;
  subscribe(...topics: Uint8Array[]): void;
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array[]>;
}
