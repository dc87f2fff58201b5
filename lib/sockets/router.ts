// SPDX-License-Identifier: MIT
/**
 * ROUTER (RFC 28): every message received is prefixed with the routing id of its peer; a
 * message sent goes to the peer its first frame names. Unknown ids and full peers drop the
 * message, or fail with EHOSTUNREACH / wait (EAGAIN) when `mandatory` is set.
 */
import { ZmqError } from "../errors.ts";
import type { Message, Pipe, PipePeer } from "../pipe.ts";
import { FairQueue } from "../routing/fair_queue.ts";
import { bytesKey } from "../util/bytes.ts";
import { DuplexSocket } from "./capabilities.ts";
import { SocketCore } from "./socket_core.ts";
import { socketCore } from "./socket.ts";
import {
  optionNamesFor,
  type RouterOptions,
  specificOptionNames,
  type TypeOptionProperties,
  validateOption,
} from "./options.ts";
import { defineOptionProperties } from "./socket_options.ts";

/** The options a ROUTER has beyond the common ones, as typed properties (table: options.ts). */
export interface Router extends TypeOptionProperties<"ROUTER"> {}

/** The engine of a ROUTER socket: its routing, behind Router. */
export class RouterCore extends SocketCore {
  #fq = new FairQueue();
  #byId = new Map<string, Pipe>();
  #nextId = (Math.random() * 0x1_0000_0000) >>> 0;
  #connectId: Uint8Array | undefined;
  #preset = new WeakMap<Pipe, Uint8Array>();
  /** Messages dropped for an unknown routing id or a full peer. */
  dropped = 0;

  constructor(options?: RouterOptions & { connectRoutingId?: string | Uint8Array }) {
    const { connectRoutingId, ...rest } = options ?? {};
    super("ROUTER", rest, optionNamesFor("ROUTER"));
    if (connectRoutingId !== undefined) this.connectRoutingId = connectRoutingId;
  }

  /** ZMQ_CONNECT_ROUTING_ID: the routing id to give the peer of the next connect(). */
  set connectRoutingId(id: string | Uint8Array | undefined) {
    this.#connectId = validateOption("routingId", id) as Uint8Array | undefined;
  }

  override connect(endpoint: string): void {
    super.connect(endpoint);
    this.#connectId = undefined;
  }

  protected xattach(pipe: Pipe): void {
    if (this.#connectId) this.#preset.set(pipe, this.#connectId);
    this.#fq.attach(pipe);
  }

  protected override xrefuse(peer: PipePeer, existing: Pipe | undefined): string | undefined {
    if (this.opts.handover || peer.identity.length === 0) return undefined;
    const other = this.#byId.get(bytesKey(peer.identity));
    if (other !== undefined && other !== existing) return "duplicate routing id";
    return undefined;
  }

  protected override xready(pipe: Pipe): void {
    const id = this.#preset.get(pipe) ??
      (pipe.peer!.identity.length > 0 ? pipe.peer!.identity : this.#generateId());
    const key = bytesKey(id);
    const old = this.#byId.get(key);
    if (old !== undefined && old !== pipe) {
      // handover: the newcomer takes the id, the old connection goes
      this.#byId.delete(key);
      old.routingId = undefined;
      old.engine?.close();
    }
    pipe.routingId = id;
    this.#byId.set(key, pipe);
    this.#fq.attach(pipe);
    if (this.opts.probeRouter) pipe.write([new Uint8Array(0)]);
  }

  #generateId(): Uint8Array {
    for (;;) {
      this.#nextId = (this.#nextId + 1) >>> 0;
      const id = new Uint8Array(5);
      new DataView(id.buffer).setUint32(1, this.#nextId);
      if (!this.#byId.has(bytesKey(id))) return id;
    }
  }

  /** The id is free again; the pipe keeps it so what the peer sent is still delivered with it. */
  protected override xpeerGone(pipe: Pipe): void {
    if (pipe.routingId && this.#byId.get(bytesKey(pipe.routingId)) === pipe) {
      this.#byId.delete(bytesKey(pipe.routingId));
    }
  }

  protected override xdetach(pipe: Pipe): void {
    this.xpeerGone(pipe);
    this.#fq.detach(pipe);
  }

  protected override xrecv(): Message | undefined {
    for (;;) {
      const m = this.#fq.recv();
      if (m === undefined) return undefined;
      const id = this.#fq.last?.routingId;
      if (id === undefined) continue; // from a connection that lost its id: dropped
      return [id, ...m];
    }
  }

  protected override xsend(msg: Message): boolean {
    if (msg.length < 2) {
      this.dropped++; // a lone routing id frame has nothing to carry
      return true;
    }
    const pipe = this.#byId.get(bytesKey(msg[0]!));
    if (pipe === undefined) {
      if (this.opts.mandatory) {
        throw new ZmqError("EHOSTUNREACH", "No peer with that routing id");
      }
      this.dropped++;
      return true;
    }
    if (!pipe.canWrite()) {
      if (this.opts.mandatory) return false;
      this.dropped++;
      return true;
    }
    pipe.write(msg.slice(1));
    return true;
  }
}

/**
 * ROUTER (RFC 28): every message received starts with the routing id of the peer it came
 * from; a message sent goes to the peer its first frame names. An unknown id or a full peer
 * drops the message (counted in `dropped`), or with `mandatory` fails with EHOSTUNREACH or
 * waits.
 *
 * @example Reply to whoever asked
 * ```ts
 * import { Request, Router } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using router = new Router();
 * await router.bind("inproc://router-doc");
 * await using req = new Request({ routingId: "client-1" });
 * req.connect("inproc://router-doc");
 * await req.send("hi");
 * const [id, empty, body] = await router.receive();
 * assert.equal(new TextDecoder().decode(id), "client-1");
 * await router.send([id!, empty!, "hello, " + new TextDecoder().decode(body)]);
 * assert.equal(new TextDecoder().decode((await req.receive())[0]), "hello, hi");
 * ```
 */
export class Router extends DuplexSocket {
  /** A new ROUTER socket; `options` as the properties of the same names. */
  constructor(options?: RouterOptions & { connectRoutingId?: string | Uint8Array }) {
    super(new RouterCore(options));
  }

  /** Messages dropped for an unknown routing id or a full peer. */
  get dropped(): number {
    return socketCore<RouterCore>(this).dropped;
  }

  /** ZMQ_CONNECT_ROUTING_ID: the routing id to give the peer of the next connect(). */
  set connectRoutingId(id: string | Uint8Array | undefined) {
    socketCore<RouterCore>(this).connectRoutingId = id;
  }
}

defineOptionProperties(Router, specificOptionNames("ROUTER"));
