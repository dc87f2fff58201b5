// SPDX-License-Identifier: MIT
/** Every socket type's class, by its wire name: the one table the CLI and tests look types up in. */
import { Client, Server } from "./client_server.ts";
import { Dealer } from "./dealer.ts";
import { Dish, Radio } from "./radio_dish.ts";
import { Channel, Peer } from "./peer_channel.ts";
import { Gather, Scatter } from "./scatter_gather.ts";
import { Pair } from "./pair.ts";
import { Publisher } from "./pub.ts";
import { Pull } from "./pull.ts";
import { Push } from "./push.ts";
import { Reply } from "./rep.ts";
import { Request } from "./req.ts";
import { Router } from "./router.ts";
import type { Socket } from "./socket.ts";
import { Stream } from "./stream.ts";
import { Subscriber } from "./sub.ts";
import { XPublisher } from "./xpub.ts";
import { XSubscriber } from "./xsub.ts";

/** Socket classes by wire name (`"PUB"` → Publisher), as READY metadata and `--type` name them. */
export const socketClasses = {
  PAIR: Pair,
  PUB: Publisher,
  SUB: Subscriber,
  XPUB: XPublisher,
  XSUB: XSubscriber,
  REQ: Request,
  REP: Reply,
  DEALER: Dealer,
  ROUTER: Router,
  PUSH: Push,
  PULL: Pull,
  STREAM: Stream,
} as const;

/**
 * The draft types (RFC 41, 48, 49, 51) by wire name, apart from socketClasses: `zmqkit cat`
 * offers them with its own handling of routing ids and groups (cli/cat/types.ts); the proxies
 * and brokers do not.
 */
export const draftSocketClasses = {
  SERVER: Server,
  CLIENT: Client,
  RADIO: Radio,
  DISH: Dish,
  GATHER: Gather,
  SCATTER: Scatter,
  PEER: Peer,
  CHANNEL: Channel,
} as const;

/** A wire name of a socket type zmqkit implements. */
export type SocketTypeName = keyof typeof socketClasses;

/** The wire names, in the RFCs' order. */
export const socketTypeNames: readonly SocketTypeName[] = Object.keys(
  socketClasses,
) as SocketTypeName[];

/**
 * The wire name for `name` in any case (`"pub"` → `"PUB"`), or undefined if there is none.
 *
 * @example Checking a type given on a command line
 * ```ts
 * import { socketTypeOf } from "zmqkit";
 * import assert from "node:assert/strict";
 * assert.equal(socketTypeOf("dealer"), "DEALER");
 * assert.equal(socketTypeOf("radio"), undefined);
 * ```
 */
export function socketTypeOf(name: string): SocketTypeName | undefined {
  const upper = name.toUpperCase();
  return Object.hasOwn(socketClasses, upper) ? upper as SocketTypeName : undefined;
}

/**
 * A new socket of the type named (any case), for scripts that choose the type at run time.
 * Throws a TypeError naming the known types for a name that is none of them, and as the
 * constructor does for options the type does not accept.
 *
 * @example Choosing the type at run time
 * ```ts
 * import { createSocket } from "zmqkit";
 * import assert from "node:assert/strict";
 * const socket = createSocket("pull", { receiveHighWaterMark: 10 });
 * assert.equal(socket.type, "PULL");
 * socket.close();
 * ```
 */
export function createSocket(name: string, options?: Record<string, unknown>): Socket {
  const type = socketTypeOf(name);
  if (type === undefined) {
    throw new TypeError(
      `Unknown socket type "${name}": use one of ${socketTypeNames.join(", ")}`,
    );
  }
  const cls = socketClasses[type] as new (o?: Record<string, unknown>) => Socket;
  return new cls(options);
}
