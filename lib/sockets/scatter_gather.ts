// SPDX-License-Identifier: MIT
/**
 * SCATTER and GATHER (RFC 49, draft): the thread-safe PUSH and PULL. SCATTER sends one-frame
 * messages round-robin and waits while no GATHER can take one; GATHER fair-queues.
 */
import type { Message, Pipe } from "../pipe.ts";
import { FairQueue } from "../routing/fair_queue.ts";
import { LoadBalancer } from "../routing/load_balancer.ts";
import { ReadableSocket, WritableSocket } from "./capabilities.ts";
import { receiveSingle } from "./client_server.ts";
import { assertSingle } from "./draft.ts";
import { optionNamesFor, type SocketOptions } from "./options.ts";
import { socketCore } from "./socket.ts";
import { SocketCore } from "./socket_core.ts";

/** The engine of a SCATTER socket: its routing, behind Scatter. */
export class ScatterCore extends SocketCore {
  #lb = new LoadBalancer();

  constructor(options?: SocketOptions) {
    super("SCATTER", options, optionNamesFor("SCATTER"));
  }

  protected xattach(pipe: Pipe): void {
    this.#lb.attach(pipe);
  }

  protected override xdetach(pipe: Pipe): void {
    this.#lb.detach(pipe);
  }

  protected override xsend(msg: Message): boolean {
    assertSingle(this.type, msg);
    return this.#lb.send(msg);
  }
}

/** The engine of a GATHER socket: its routing, behind Gather. */
export class GatherCore extends SocketCore {
  #fq = new FairQueue();
  /** Multipart messages from peers, dropped. */
  dropped = 0;

  constructor(options?: SocketOptions) {
    super("GATHER", options, optionNamesFor("GATHER"));
  }

  protected xattach(pipe: Pipe): void {
    this.#fq.attach(pipe);
  }

  protected override xdetach(pipe: Pipe): void {
    this.#fq.detach(pipe);
  }

  protected override xrecv(): Message | undefined {
    return receiveSingle(this.#fq, this);
  }
}

/**
 * SCATTER (RFC 49, draft): sends one-frame messages round-robin to its GATHER peers;
 * `send()` waits while none can take the message. More than one frame rejects with EINVAL.
 *
 * @example Hand out work
 * ```ts
 * import { Gather, Scatter } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using gather = new Gather();
 * await gather.bind("inproc://scatter-doc");
 * await using scatter = new Scatter();
 * scatter.connect("inproc://scatter-doc");
 * await scatter.send("task");
 * assert.equal(new TextDecoder().decode((await gather.receive())[0]), "task");
 * ```
 */
export class Scatter extends WritableSocket {
  /** A new SCATTER socket; `options` as the properties of the same names. */
  constructor(options?: SocketOptions) {
    super(new ScatterCore(options));
  }
}

/**
 * GATHER (RFC 49, draft): receives one-frame messages fair-queued from its SCATTER peers;
 * multipart messages from a peer are dropped whole (counted in `dropped`), as libzmq does.
 *
 * @example Collect results
 * ```ts
 * import { Gather, Scatter } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using gather = new Gather();
 * await gather.bind("tcp://127.0.0.1:*");
 * await using scatter = new Scatter();
 * scatter.connect(gather.lastEndpoint!);
 * await scatter.send("result");
 * assert.equal(new TextDecoder().decode((await gather.receive())[0]), "result");
 * ```
 */
export class Gather extends ReadableSocket {
  /** A new GATHER socket; `options` as the properties of the same names. */
  constructor(options?: SocketOptions) {
    super(new GatherCore(options));
  }

  /** Multipart messages from peers, dropped (draft types have single-frame messages). */
  get dropped(): number {
    return socketCore<GatherCore>(this).dropped;
  }
}
