// SPDX-License-Identifier: MIT
/**
 * PEER (RFC 51, draft): SERVER's routing on both ends, with `connectPeer()` giving the
 * routing id of the connection it makes at once. CHANNEL (RFC 52, draft): the single-frame
 * PAIR.
 */
import { ZmqError } from "../errors.ts";
import type { Message, Pipe, PipePeer } from "../pipe.ts";
import { DuplexSocket } from "./capabilities.ts";
import { RoutedSocket, ServerCore } from "./client_server.ts";
import { assertSingle, routingIdOf } from "./draft.ts";
import { optionNamesFor, type SocketOptions } from "./options.ts";
import { socketCore } from "./socket.ts";
import { SocketCore } from "./socket_core.ts";

/** The engine of a PEER socket: SERVER's routing, and connectPeer. */
export class PeerCore extends ServerCore {
  #attached: Pipe | undefined;

  constructor(options?: SocketOptions) {
    super(options, "PEER");
  }

  protected override xattach(pipe: Pipe): void {
    super.xattach(pipe);
    this.#attached = pipe;
  }

  connectPeer(endpoint: string): number {
    if (this.opts.immediate) {
      throw new ZmqError("ENOTSUP", "connectPeer cannot work with immediate set (as libzmq)");
    }
    this.#attached = undefined;
    this.connect(endpoint);
    const pipe = this.#attached as Pipe | undefined;
    this.#attached = undefined;
    if (pipe?.routingId === undefined) {
      throw new ZmqError("EINVAL", `Already connected to "${endpoint}"`, { address: endpoint });
    }
    return routingIdOf(pipe.routingId);
  }
}

/** The engine of a CHANNEL socket: PAIR's routing, one frame a message. */
export class ChannelCore extends SocketCore {
  #pipe: Pipe | undefined;
  #leaving: Pipe | undefined;
  /** Multipart messages from the peer, dropped. */
  dropped = 0;

  constructor(options?: SocketOptions) {
    super("CHANNEL", options, optionNamesFor("CHANNEL"));
  }

  protected xattach(pipe: Pipe): void {
    this.#pipe ??= pipe;
  }

  protected override xrefuse(_peer: PipePeer, existing: Pipe | undefined): string | undefined {
    const p = this.#pipe;
    if (p !== undefined && p !== existing && (p.engine !== undefined || existing !== undefined)) {
      return "CHANNEL socket already has a peer";
    }
    return undefined;
  }

  protected override xready(pipe: Pipe): void {
    this.#pipe = pipe;
  }

  protected override xdetach(pipe: Pipe): void {
    if (this.#pipe !== pipe) return;
    this.#pipe = undefined;
    if (pipe.hasIn()) this.#leaving = pipe;
  }

  protected override xsend(msg: Message): boolean {
    assertSingle(this.type, msg);
    const p = this.#pipe;
    if (p === undefined || !p.canWrite()) return false;
    p.write(msg);
    return true;
  }

  protected override xrecv(): Message | undefined {
    for (;;) {
      let m: Message | undefined;
      if (this.#leaving) {
        m = this.#leaving.read();
        if (m === undefined) this.#leaving = undefined;
      }
      m ??= this.#pipe?.read();
      if (m === undefined || m.length === 1) return m;
      this.dropped++;
    }
  }
}

/**
 * PEER (RFC 51, draft): every connection has a 32-bit routing id, both ways: `receive()`
 * gives `[body, { routingId }]`, `send(body, { routingId })` sends to that connection, and
 * `connectPeer(endpoint)` connects and returns the id of the new connection at once, so a
 * PEER can speak first. Unknown ids reject with EHOSTUNREACH; messages are one frame.
 * (zeromq.js has no Peer class; libzmq's ZMQ_PEER is this.)
 *
 * @example Speak first
 * ```ts
 * import { Peer } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using a = new Peer();
 * await a.bind("inproc://peer-doc");
 * await using b = new Peer();
 * const toA = b.connectPeer("inproc://peer-doc");
 * await b.send("hello", { routingId: toA });
 * const [body, { routingId: toB }] = await a.receive();
 * await a.send(body, { routingId: toB });
 * const [echo, { routingId }] = await b.receive();
 * assert.equal(new TextDecoder().decode(echo), "hello");
 * assert.equal(routingId, toA);
 * ```
 */
export class Peer extends RoutedSocket {
  /** A new PEER socket; `options` as the properties of the same names. */
  constructor(options?: SocketOptions) {
    super(new PeerCore(options));
  }

  /**
   * Connects (as connect()) and returns the routing id of that connection, usable at once;
   * messages wait for the peer as with any connect. Throws ENOTSUP with `immediate` set and
   * EINVAL for an endpoint already connected.
   */
  connectPeer(endpoint: string): number {
    return socketCore<PeerCore>(this).connectPeer(endpoint);
  }
}

/**
 * CHANNEL (RFC 52, draft): the single-frame PAIR: one peer only, both ways; `send()` waits
 * while the peer is full. Sending more than one frame rejects with EINVAL; multipart messages
 * from the peer are dropped whole (counted in `dropped`).
 *
 * @example Two stages
 * ```ts
 * import { Channel } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using a = new Channel();
 * await a.bind("inproc://channel-doc");
 * await using b = new Channel();
 * b.connect("inproc://channel-doc");
 * await b.send("READY");
 * assert.equal(new TextDecoder().decode((await a.receive())[0]), "READY");
 * ```
 */
export class Channel extends DuplexSocket {
  /** A new CHANNEL socket; `options` as the properties of the same names. */
  constructor(options?: SocketOptions) {
    super(new ChannelCore(options));
  }

  /** Multipart messages from the peer, dropped (draft types have single-frame messages). */
  get dropped(): number {
    return socketCore<ChannelCore>(this).dropped;
  }
}
