// SPDX-License-Identifier: MIT
/**
 * zmqkit as a drop-in for zeromq.js v6's draft entry: `import { Server } from
 * "zmqkit/zeromq/draft"` in place of `"zeromq/draft"`. The same classes as mod.ts's draft
 * sockets, but what they receive is a Node `Buffer` over the received memory (no copy), as
 * zeromq.js gives it. zeromq.js's `Datagram` (raw UDP) is not here; PEER and CHANNEL, which
 * zeromq.js lacks, are in mod.ts.
 *
 * @example CLIENT and SERVER as zeromq.js's README of draft sockets uses them
 * ```ts
 * import { Client, Server } from "zmqkit/zeromq/draft";
 * import assert from "node:assert/strict";
 *
 * const server = new Server();
 * await server.bind("tcp://127.0.0.1:*");
 * const client = new Client();
 * client.connect(server.lastEndpoint!);
 * await client.send("ping");
 * const [request, { routingId }] = await server.receive();
 * assert.equal(request.toString(), "ping");
 * await server.send(`pong to ${request}`, { routingId });
 * const [reply] = await client.receive();
 * assert.equal(reply!.toString(), "pong to ping");
 * client.close();
 * server.close();
 * ```
 * @module
 */
import type { Buffer } from "node:buffer";
import * as base from "./mod.ts";
import { asBuffers } from "./lib/transports/runtime/buffers.ts";

export { Radio, Scatter } from "./mod.ts";

/** A received `[body, options]` with the body as a Buffer. */
function bufferBody<O>([body, options]: [Uint8Array, O]): [Buffer, O] {
  return [asBuffers([body])[0]!, options];
}

/** CLIENT (RFC 41), whose receive() and iteration give Buffer frames. */
export class Client extends base.Client {
  /** The next message, its frame a Buffer. */
  override async receive(): Promise<Buffer[]> {
    return asBuffers(await super.receive());
  }

  /** A message if one is queued now, else undefined; never waits. */
  override tryReceive(): Buffer[] | undefined {
    const m = super.tryReceive();
    return m === undefined ? undefined : asBuffers(m);
  }

  /** Every message, its frame a Buffer, until the socket is closed. */
  override async *[Symbol.asyncIterator](): AsyncGenerator<Buffer[], void, undefined> {
    for await (const m of super[Symbol.asyncIterator]()) yield asBuffers(m);
  }
}

/** GATHER (RFC 49), whose receive() and iteration give Buffer frames. */
export class Gather extends base.Gather {
  /** The next message, its frame a Buffer. */
  override async receive(): Promise<Buffer[]> {
    return asBuffers(await super.receive());
  }

  /** A message if one is queued now, else undefined; never waits. */
  override tryReceive(): Buffer[] | undefined {
    const m = super.tryReceive();
    return m === undefined ? undefined : asBuffers(m);
  }

  /** Every message, its frame a Buffer, until the socket is closed. */
  override async *[Symbol.asyncIterator](): AsyncGenerator<Buffer[], void, undefined> {
    for await (const m of super[Symbol.asyncIterator]()) yield asBuffers(m);
  }
}

/** SERVER (RFC 41): receives `[body, { routingId }]`, the body a Buffer. */
export class Server extends base.Server {
  /** The next message, with the routing id of the connection it came on. */
  override async receive(): Promise<[Buffer, base.RoutingOptions]> {
    return bufferBody(await super.receive());
  }

  /** A message if one is queued now, else undefined; never waits. */
  override tryReceive(): [Buffer, base.RoutingOptions] | undefined {
    const m = super.tryReceive();
    return m === undefined ? undefined : bufferBody(m);
  }

  /** Every message with its routing id, until the socket is closed. */
  override async *[Symbol.asyncIterator](): AsyncGenerator<
    [Buffer, base.RoutingOptions],
    void,
    undefined
  > {
    for await (const m of super[Symbol.asyncIterator]()) yield bufferBody(m);
  }
}

/** DISH (RFC 48): receives `[body, { group }]` for the groups it joined, the body a Buffer. */
export class Dish extends base.Dish {
  /** The next message of a joined group, with its group. */
  override async receive(): Promise<[Buffer, base.ReceivedGroup]> {
    return bufferBody(await super.receive());
  }

  /** A message if one is queued now, else undefined; never waits. */
  override tryReceive(): [Buffer, base.ReceivedGroup] | undefined {
    const m = super.tryReceive();
    return m === undefined ? undefined : bufferBody(m);
  }

  /** Every message with its group, until the socket is closed. */
  override async *[Symbol.asyncIterator](): AsyncGenerator<
    [Buffer, base.ReceivedGroup],
    void,
    undefined
  > {
    for await (const m of super[Symbol.asyncIterator]()) yield bufferBody(m);
  }
}
