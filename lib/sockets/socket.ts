// SPDX-License-Identifier: MIT
/**
 * The public face of every socket: what an application calls, forwarded to the socket's
 * engine (socket_core.ts), which it never shows. Typed capabilities (capabilities.ts) add
 * send and receive; each type's class (push.ts, router.ts…) adds what is its own.
 */
import type { SocketEvents } from "../events.ts";
import type { SocketType } from "../wire/constants.ts";
import { commonOptionNames, type CommonOptionProperties, type OptionName } from "./options.ts";
import type { SocketCore } from "./socket_core.ts";
import { defineOptionProperties } from "./socket_options.ts";

let coreOf: (socket: Socket) => SocketCore;

/**
 * The engine behind a socket (internal: the type files, proxies and tests use it; it is not
 * exported from mod.ts).
 */
export function socketCore<C extends SocketCore = SocketCore>(socket: Socket): C {
  return coreOf(socket) as C;
}

/** The options every socket type has, as typed properties (see {@linkcode SocketOptions}). */
export interface Socket extends CommonOptionProperties {}

/**
 * What every socket has: endpoints, options, events and closing. A socket is made as one of
 * the concrete types (`new Push()`, `new Router()`…); sending and receiving come with its
 * capabilities ({@linkcode WritableSocket}, {@linkcode ReadableSocket}).
 *
 * Every option of the socket's type is a property (`socket.sendHighWaterMark = 5`), typed per
 * class and validated as in the constructor; options that cannot change once the socket is
 * bound or connected (`routingId`, `conflate`, `manual`) throw a TypeError when set later.
 *
 * @example Bind, connect, exchange, close
 * ```ts
 * import { Pull, Push } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using pull = new Pull();
 * await pull.bind("tcp://127.0.0.1:*");
 * await using push = new Push({ sendHighWaterMark: 100 });
 * push.connect(pull.lastEndpoint!);
 * await push.send(["hello", "world"]);
 * const [a, b] = await pull.receive();
 * assert.equal(new TextDecoder().decode(a), "hello");
 * assert.equal(b!.length, 5);
 * assert.equal(push.sendHighWaterMark, 100);
 * ```
 */
export abstract class Socket {
  #core: SocketCore;

  static {
    coreOf = (socket) => socket.#core;
  }

  /** Made by the concrete types with their engine; `core` is internal. */
  protected constructor(core: object) {
    this.#core = core as SocketCore;
  }

  /** The socket type's wire name (`"PUSH"`, `"ROUTER"`…). */
  get type(): SocketType {
    return this.#core.type;
  }

  /** The endpoint of the last bind, with wildcards resolved (ZMQ_LAST_ENDPOINT). */
  get lastEndpoint(): string | undefined {
    return this.#core.lastEndpoint;
  }

  /**
   * The socket's events (as zeromq.js's Observer): `on(type, listener)` / `off`, `receive()`,
   * and `for await`; recorded from the first access on. Error events carry a ZmqError with a
   * libzmq code (a ProtocolError for protocol failures).
   */
  get events(): SocketEvents {
    return this.#core.events;
  }

  /**
   * Settles once the socket is closed for good: close() was called, linger has passed, the
   * listeners are closed and every connection is gone. It never rejects. (In zeromq.js
   * `closed` is a boolean: here that is {@linkcode Socket.isClosed}.)
   */
  get closed(): Promise<void> {
    return this.#core.closed;
  }

  /** True once close() was called. */
  get isClosed(): boolean {
    return this.#core.isClosed;
  }

  /**
   * Binds to an endpoint (`tcp://host:port`, `tcp://*:*`, `ipc:///path`, `inproc://name`);
   * resolves once listening. Rejects with a ZmqError (EADDRINUSE, EINVAL…).
   */
  bind(endpoint: string): Promise<void> {
    return this.#core.bind(endpoint);
  }

  /** Stops listening on an endpoint given to bind() and drops its connections. */
  unbind(endpoint: string): Promise<void> {
    return this.#core.unbind(endpoint);
  }

  /**
   * Connects to an endpoint, in the background: messages queue until the peer is there, and
   * a lost connection is made again (reconnectInterval). Throws for a malformed endpoint.
   */
  connect(endpoint: string): void {
    this.#core.connect(endpoint);
  }

  /** Stops connecting to an endpoint given to connect(), dropping what is queued for it. */
  disconnect(endpoint: string): void {
    this.#core.disconnect(endpoint);
  }

  /**
   * Sets an option by name, validated as in the constructor (the properties do the same).
   * Throws a TypeError for a name this type does not accept, and for an option that cannot
   * change once bind()/connect() was called.
   */
  setOption(name: OptionName | (string & Record<never, never>), value: unknown): void {
    this.#core.setOption(name, value);
  }

  /** An option's value by name, in resolved form (routingId as bytes). */
  getOption(name: OptionName | (string & Record<never, never>)): unknown {
    return this.#core.getOption(name);
  }

  /** Messages queued both ways across all peers, and how many peers are connected now. */
  gauges(): { queued: number; peers: number } {
    return this.#core.gauges();
  }

  /**
   * Hands a received message's memory back: call it once you are done with the message, and
   * use none of its frames yourself afterwards. A busy receiver that releases what it has
   * handled reads into warm, reused memory instead of fresh allocations (on Deno; elsewhere
   * the runtime owns the receive memory and this does nothing). Forwarding first is safe: a
   * message queued by `send()` keeps its memory from reuse until it is written or dropped.
   * Releasing twice, or what was never received, does nothing.
   */
  release(message: readonly Uint8Array[]): void {
    this.#core.release(message);
  }

  /**
   * Closes the socket: pending sends and receives reject with ETERM; messages already queued
   * for connected peers are still delivered for up to `linger` ms (-1: until sent).
   * `await socket.closed` to know when that is over.
   */
  close(): void {
    this.#core.close();
  }

  /** `await using socket = new Push()`: closes the socket and waits for `closed`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.#core.close();
    return this.#core.closed;
  }
}

defineOptionProperties(Socket, commonOptionNames);
