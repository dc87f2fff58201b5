// SPDX-License-Identifier: MIT
/**
 * STREAM: raw TCP (and ipc) peers, no ZMTP. Received: `[routing id, bytes]`; connections and
 * disconnections arrive as `[routing id, empty]`. Send `[routing id, bytes]`; an empty body
 * closes that connection.
 */
import type { ConnectionEngine, SessionHost, SessionOptions } from "../engine/session_types.ts";
import { RawSession } from "../engine/raw_session.ts";
import { ZmqError } from "../errors.ts";
import type { Message, Pipe } from "../pipe.ts";
import { FairQueue } from "../routing/fair_queue.ts";
import type { Connection } from "../transports/connection.ts";
import { bytesKey, concatBytes } from "../util/bytes.ts";
import { Queue } from "../util/queue.ts";
import { DuplexSocket } from "./capabilities.ts";
import { SocketCore } from "./socket_core.ts";
import { optionNamesFor, type SocketOptions } from "./options.ts";

const EMPTY = new Uint8Array(0);

/** The engine of a STREAM socket: its routing, behind Stream. */
export class StreamCore extends SocketCore {
  #fq = new FairQueue();
  #byId = new Map<string, Pipe>();
  #nextId = (Math.random() * 0x1_0000_0000) >>> 0;
  #left = new Queue<Message>();

  constructor(options?: SocketOptions) {
    super("STREAM", options, optionNamesFor("STREAM"));
  }

  protected override createEngine(
    conn: Connection,
    host: SessionHost,
    _o: SessionOptions,
  ): ConnectionEngine {
    return new RawSession(conn, host);
  }

  protected xattach(pipe: Pipe): void {
    this.#fq.attach(pipe);
  }

  protected override xready(pipe: Pipe): void {
    this.#nextId = (this.#nextId + 1) >>> 0;
    const id = new Uint8Array(5);
    new DataView(id.buffer).setUint32(1, this.#nextId);
    pipe.routingId = id;
    this.#byId.set(bytesKey(id), pipe);
    pipe.deliver([]); // the connect notification, in order with the data that follows
  }

  protected override xdetach(pipe: Pipe): void {
    const id = pipe.routingId;
    this.#fq.detach(pipe);
    if (id === undefined) return;
    this.#byId.delete(bytesKey(id));
    // what the peer sent before it left is still delivered, then the disconnect notification
    for (let m = pipe.read(); m !== undefined; m = pipe.read()) this.#left.push([id, ...m]);
    this.#left.push([id, EMPTY]);
    this.kick();
  }

  protected override xrecv(): Message | undefined {
    const m = this.#fq.recv();
    if (m !== undefined) {
      return [this.#fq.last!.routingId!, m.length === 0 ? EMPTY : concatBytes(m)];
    }
    return this.#left.shift();
  }

  protected override xsend(msg: Message): boolean {
    if (msg.length < 2) throw new ZmqError("EINVAL", "STREAM messages are [routing id, data]");
    const pipe = this.#byId.get(bytesKey(msg[0]!));
    if (pipe === undefined) {
      throw new ZmqError("EHOSTUNREACH", "No STREAM peer with that routing id");
    }
    if (!pipe.canWrite()) return false;
    pipe.write(msg.slice(1));
    return true;
  }
}

/**
 * STREAM: plain TCP peers, no ZMTP. Each message received is `[routing id, bytes]` (an empty
 * body when a peer connects or leaves); a message sent is `[routing id, bytes]`, and an empty
 * body closes that connection.
 *
 * @example Talk to a raw TCP client
 * ```ts
 * import { Stream } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using stream = new Stream();
 * await stream.bind("tcp://127.0.0.1:*");
 * assert.match(stream.lastEndpoint!, /^tcp:\/\/127\.0\.0\.1:\d+$/);
 * ```
 */
export class Stream extends DuplexSocket {
  /** A new STREAM socket; `options` as the properties of the same names. */
  constructor(options?: SocketOptions) {
    super(new StreamCore(options));
  }
}
