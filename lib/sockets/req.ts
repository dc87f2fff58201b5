// SPDX-License-Identifier: MIT
/**
 * REQ (RFC 28): round-robin requests in lock-step. Each request goes out behind an empty
 * delimiter (and a 4-byte request id with `correlate`); only a well-formed reply from the
 * peer the request went to is accepted, anything else is discarded.
 */
import { ZmqError } from "../errors.ts";
import type { Message, Pipe } from "../pipe.ts";
import { LoadBalancer } from "../routing/load_balancer.ts";
import { bytesEqual } from "../util/bytes.ts";
import { DuplexSocket } from "./capabilities.ts";
import { SocketCore } from "./socket_core.ts";
import {
  optionNamesFor,
  type RequestOptions,
  specificOptionNames,
  type TypeOptionProperties,
} from "./options.ts";
import { defineOptionProperties } from "./socket_options.ts";

const EMPTY = new Uint8Array(0);

/** The options a REQ has beyond the common ones, as typed properties (table: options.ts). */
export interface Request extends TypeOptionProperties<"REQ"> {}

/** The engine of a REQ socket: its routing, behind Request. */
export class RequestCore extends SocketCore {
  #lb = new LoadBalancer();
  #awaiting = false;
  #replyPipe: Pipe | undefined;
  #requestId = (Math.random() * 0x1_0000_0000) >>> 0;
  #idFrame = new Uint8Array(4);

  constructor(options?: RequestOptions) {
    super("REQ", options, optionNamesFor("REQ"));
  }

  protected xattach(pipe: Pipe): void {
    this.#lb.attach(pipe);
  }

  protected override xready(pipe: Pipe): void {
    if (this.opts.probeRouter) pipe.write([EMPTY]);
  }

  protected override xdetach(pipe: Pipe): void {
    this.#lb.detach(pipe);
    if (this.#replyPipe === pipe) this.#replyPipe = undefined;
  }

  protected override xsend(msg: Message): boolean {
    if (this.#awaiting && !this.opts.relaxed) {
      throw new ZmqError("EFSM", "REQ must receive the reply before sending another request");
    }
    const pipe = this.#lb.pick();
    if (pipe === undefined) return false;
    // replies to earlier requests still queued anywhere are stale now
    for (const p of this.pipes) while (p.read() !== undefined);
    let frames: Message;
    if (this.opts.correlate) {
      this.#requestId = (this.#requestId + 1) >>> 0;
      const id = new Uint8Array(4);
      new DataView(id.buffer).setUint32(0, this.#requestId, true); // native order, as libzmq
      this.#idFrame = id;
      frames = [id, EMPTY, ...msg];
    } else {
      frames = [EMPTY, ...msg];
    }
    pipe.write(frames);
    this.#replyPipe = pipe;
    this.#awaiting = true;
    return true;
  }

  protected override xrecv(): Message | undefined {
    if (!this.#awaiting) throw new ZmqError("EFSM", "REQ must send a request before receiving");
    const pipe = this.#replyPipe;
    if (pipe === undefined) return undefined;
    for (;;) {
      const m = pipe.read();
      if (m === undefined) return undefined;
      let body: Message | undefined;
      if (this.opts.correlate) {
        if (m.length >= 2 && bytesEqual(m[0]!, this.#idFrame) && m[1]!.length === 0) {
          body = m.slice(2);
        }
      } else if (m.length >= 1 && m[0]!.length === 0) {
        body = m.slice(1);
      }
      if (body === undefined || body.length === 0) continue; // malformed or stale: discard
      this.#awaiting = false;
      return body;
    }
  }

  override pipeReadable(pipe: Pipe): void {
    if (pipe === this.#replyPipe) super.pipeReadable(pipe);
  }
}

/**
 * REQ (RFC 28): sends a request, then receives its reply, in lock-step (EFSM otherwise, unless
 * `relaxed`); requests go round-robin to the peers.
 *
 * @example Ask and get an answer
 * ```ts
 * import { Reply, Request } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using rep = new Reply();
 * await rep.bind("inproc://req-doc");
 * await using req = new Request();
 * req.connect("inproc://req-doc");
 * await req.send("2 + 2");
 * await rep.receive();
 * await rep.send("4");
 * assert.equal(new TextDecoder().decode((await req.receive())[0]), "4");
 * ```
 */
export class Request extends DuplexSocket {
  /** A new REQ socket; `options` as the properties of the same names. */
  constructor(options?: RequestOptions) {
    super(new RequestCore(options));
  }
}

defineOptionProperties(Request, specificOptionNames("REQ"));
