// SPDX-License-Identifier: MIT
/**
 * REP (RFC 28): fair-queues requests in lock-step; keeps each request's envelope (all frames up
 * to the empty delimiter) and sends the reply back behind it to the peer it came from.
 */
import { ZmqError } from "../errors.ts";
import type { Message, Pipe } from "../pipe.ts";
import { FairQueue } from "../routing/fair_queue.ts";
import { DuplexSocket } from "./capabilities.ts";
import { SocketCore } from "./socket_core.ts";
import { optionNamesFor, type SocketOptions } from "./options.ts";

/** The engine of a REP socket: its routing, behind Reply. */
export class ReplyCore extends SocketCore {
  #fq = new FairQueue();
  #pending: { pipe: Pipe; envelope: Message } | undefined;

  constructor(options?: SocketOptions) {
    super("REP", options, optionNamesFor("REP"));
  }

  protected xattach(pipe: Pipe): void {
    this.#fq.attach(pipe);
  }

  protected override xdetach(pipe: Pipe): void {
    this.#fq.detach(pipe);
  }

  protected override xrecv(): Message | undefined {
    if (this.#pending) throw new ZmqError("EFSM", "REP must send the reply before receiving again");
    for (;;) {
      const m = this.#fq.recv();
      if (m === undefined) return undefined;
      const delim = m.findIndex((f) => f.length === 0);
      if (delim < 0 || delim === m.length - 1) continue; // no envelope or no body: dropped
      this.#pending = { pipe: this.#fq.last!, envelope: m.slice(0, delim + 1) };
      return m.slice(delim + 1);
    }
  }

  /**
   * Leaves the pending request unanswered, so the next receive may go ahead (internal: for
   * `zmqkit cat rep --exec` when the command fails). To the requester this looks like a reply
   * lost on the way: a REQ waits until its own timeout. False when no request was pending.
   */
  forgetRequest(): boolean {
    const had = this.#pending !== undefined;
    this.#pending = undefined;
    this.kick();
    return had;
  }

  protected override xsend(msg: Message): boolean {
    const pending = this.#pending;
    if (!pending) throw new ZmqError("EFSM", "REP must receive a request before replying");
    this.#pending = undefined;
    // the requester may be gone or full: the reply is dropped, REP never blocks
    if (!pending.pipe.terminated && pending.pipe.canWrite()) {
      pending.pipe.write([...pending.envelope, ...msg]);
    }
    this.kick();
    return true;
  }
}

/**
 * REP (RFC 28): receives a request, then sends its reply, in lock-step; the reply goes back
 * to the peer the request came from, behind the request's envelope.
 *
 * @example Serve requests
 * ```ts
 * import { Reply, Request } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using rep = new Reply();
 * await rep.bind("inproc://rep-doc");
 * await using req = new Request();
 * req.connect("inproc://rep-doc");
 * await req.send("hello");
 * const [request] = await rep.receive();
 * await rep.send(["world", request!]);
 * assert.equal((await req.receive()).length, 2);
 * ```
 */
export class Reply extends DuplexSocket {
  /** A new REP socket; `options` as the properties of the same names. */
  constructor(options?: SocketOptions) {
    super(new ReplyCore(options));
  }
}
