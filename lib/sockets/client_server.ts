// SPDX-License-Identifier: MIT
/**
 * CLIENT and SERVER (RFC 41, draft): single-frame request/reply without envelopes. CLIENT
 * sends round-robin and receives fair-queued; SERVER gives each connection a 32-bit routing
 * id, hands it out with every message received, and sends to the connection a message names.
 */
import { ZmqError } from "../errors.ts";
import type { Message, Pipe } from "../pipe.ts";
import { FairQueue } from "../routing/fair_queue.ts";
import { LoadBalancer } from "../routing/load_balancer.ts";
import { DuplexSocket } from "./capabilities.ts";
import { assertSingle, routingIdFrame, routingIdOf, RoutingIds, singleFrame } from "./draft.ts";
import type { MessageLike } from "./message.ts";
import { optionNamesFor, type SocketOptions } from "./options.ts";
import { Socket, socketCore } from "./socket.ts";
import { SocketCore } from "./socket_core.ts";

/** Where a SERVER or PEER message comes from or goes to (zeromq.js's routing options). */
export interface RoutingOptions {
  /** The connection's 32-bit routing id, as received with its messages. */
  routingId: number;
}

/** Fair-queued single-frame messages: multipart ones from a peer are dropped whole (libzmq). */
export function receiveSingle(fq: FairQueue, counter: { dropped: number }): Message | undefined {
  for (;;) {
    const m = fq.recv();
    if (m === undefined || m.length === 1) return m;
    counter.dropped++;
  }
}

/** The engine of a CLIENT socket: its routing, behind Client. */
export class ClientCore extends SocketCore {
  #lb = new LoadBalancer();
  #fq = new FairQueue();
  /** Multipart messages from peers, dropped. */
  dropped = 0;

  constructor(options?: SocketOptions) {
    super("CLIENT", options, optionNamesFor("CLIENT"));
  }

  protected xattach(pipe: Pipe): void {
    this.#lb.attach(pipe);
    this.#fq.attach(pipe);
  }

  protected override xdetach(pipe: Pipe): void {
    this.#lb.detach(pipe);
    this.#fq.detach(pipe);
  }

  protected override xsend(msg: Message): boolean {
    assertSingle(this.type, msg);
    return this.#lb.send(msg);
  }

  protected override xrecv(): Message | undefined {
    return receiveSingle(this.#fq, this);
  }
}

/**
 * The routing of SERVER, and of PEER on top of it: a 32-bit id per connection; messages
 * internally as `[4-byte id, body]`.
 */
export class ServerCore extends SocketCore {
  #fq = new FairQueue();
  #byId = new Map<number, Pipe>();
  #ids = new RoutingIds();
  #inUse = (id: number): boolean => this.#byId.has(id);
  /** Multipart messages from peers, dropped. */
  dropped = 0;

  constructor(options?: SocketOptions, type: "SERVER" | "PEER" = "SERVER") {
    super(type, options, optionNamesFor(type));
  }

  protected xattach(pipe: Pipe): void {
    const id = this.#ids.next(this.#inUse);
    pipe.routingId = routingIdFrame(id);
    this.#byId.set(id, pipe);
    this.#fq.attach(pipe);
  }

  protected override xdetach(pipe: Pipe): void {
    if (pipe.routingId) this.#byId.delete(routingIdOf(pipe.routingId));
    this.#fq.detach(pipe);
  }

  protected override xsend(msg: Message): boolean {
    if (msg.length !== 2 || msg[0]!.length !== 4) {
      throw new ZmqError("EINVAL", `${this.type} messages are a routing id and one frame`);
    }
    const pipe = this.#byId.get(routingIdOf(msg[0]!));
    if (pipe === undefined) {
      throw new ZmqError("EHOSTUNREACH", `No peer with routing id ${routingIdOf(msg[0]!)}`);
    }
    if (!pipe.canWrite()) return false; // libzmq: EAGAIN, so the send waits (sendTimeout)
    pipe.write([msg[1]!]);
    return true;
  }

  protected override xrecv(): Message | undefined {
    for (;;) {
      const m = receiveSingle(this.#fq, this);
      if (m === undefined) return undefined;
      const id = this.#fq.last?.routingId;
      if (id !== undefined) return [id, m[0]!];
    }
  }
}

/** `[4-byte id, body]` as zeromq.js gives it: `[body, { routingId }]`. */
function withRoutingId(m: Message): [Uint8Array, RoutingOptions] {
  return [m[1]!, { routingId: routingIdOf(m[0]!) }];
}

/**
 * A socket whose messages carry a 32-bit routing id (SERVER, PEER): received as
 * `[body, { routingId }]`, sent with `send(body, { routingId })`.
 */
export abstract class RoutedSocket extends Socket {
  /**
   * Queues a one-frame message for the connection `routingId` names. Rejects with EINVAL for
   * more than one frame, EHOSTUNREACH for an id with no connection; waits while that peer is
   * full (sendTimeout → EAGAIN).
   */
  send(msg: MessageLike, options: RoutingOptions): Promise<void> {
    let frames: Message;
    try {
      frames = [routingIdFrame(options?.routingId), singleFrame(this.type, msg)];
    } catch (e) {
      return Promise.reject(e);
    }
    return socketCore(this)._send(frames);
  }

  /** Queues the message if that can be done right now; false when it would have to wait. */
  trySend(msg: MessageLike, options: RoutingOptions): boolean {
    const frames = [routingIdFrame(options?.routingId), singleFrame(this.type, msg)];
    return socketCore(this).trySend(frames);
  }

  /** The next message and the routing id of the connection it came from. */
  async receive(): Promise<[Uint8Array, RoutingOptions]> {
    return withRoutingId(await socketCore(this)._receive());
  }

  /** A message if one is queued now, else undefined; never waits. */
  tryReceive(): [Uint8Array, RoutingOptions] | undefined {
    const m = socketCore(this).tryReceive();
    return m === undefined ? undefined : withRoutingId(m);
  }

  /** Every message with its routing id, until the socket is closed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<[Uint8Array, RoutingOptions], void, undefined> {
    for await (const m of socketCore(this)._iterate()) yield withRoutingId(m);
  }

  /** Multipart messages from peers, dropped (draft types have single-frame messages). */
  get dropped(): number {
    return socketCore<ServerCore>(this).dropped;
  }
}

/**
 * CLIENT (RFC 41, draft): sends one-frame messages round-robin to its SERVER peers and
 * receives fair-queued from them; `send()` waits while no peer can take a message. Sending
 * more than one frame rejects with EINVAL.
 *
 * @example Ask a SERVER
 * ```ts
 * import { Client, Server } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using server = new Server();
 * await server.bind("inproc://client-doc");
 * await using client = new Client();
 * client.connect("inproc://client-doc");
 * await client.send("ping");
 * const [body, { routingId }] = await server.receive();
 * await server.send("pong to " + new TextDecoder().decode(body), { routingId });
 * assert.equal(new TextDecoder().decode((await client.receive())[0]), "pong to ping");
 * ```
 */
export class Client extends DuplexSocket {
  /** A new CLIENT socket; `options` as the properties of the same names. */
  constructor(options?: SocketOptions) {
    super(new ClientCore(options));
  }

  /** Multipart messages from peers, dropped (draft types have single-frame messages). */
  get dropped(): number {
    return socketCore<ClientCore>(this).dropped;
  }
}

/**
 * SERVER (RFC 41, draft): each CLIENT connection gets a 32-bit routing id; `receive()` gives
 * `[body, { routingId }]` and `send(body, { routingId })` answers that connection. An id with
 * no connection rejects with EHOSTUNREACH; a full peer makes `send()` wait (as libzmq's
 * EAGAIN). Messages are one frame.
 *
 * @example Echo with the routing id
 * ```ts
 * import { Client, Server } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using server = new Server();
 * await server.bind("tcp://127.0.0.1:*");
 * await using client = new Client();
 * client.connect(server.lastEndpoint!);
 * await client.send("hello");
 * const [body, { routingId }] = await server.receive();
 * assert.ok(routingId > 0);
 * await server.send(body, { routingId });
 * assert.equal(new TextDecoder().decode((await client.receive())[0]), "hello");
 * ```
 */
export class Server extends RoutedSocket {
  /** A new SERVER socket; `options` as the properties of the same names. */
  constructor(options?: SocketOptions) {
    super(new ServerCore(options));
  }
}
