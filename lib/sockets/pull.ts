// SPDX-License-Identifier: MIT
/** PULL (RFC 30): fair-queues from PUSH peers. */
import type { Message, Pipe } from "../pipe.ts";
import { FairQueue } from "../routing/fair_queue.ts";
import { ReadableSocket } from "./capabilities.ts";
import { SocketCore } from "./socket_core.ts";
import { optionNamesFor, type SocketOptions } from "./options.ts";

/** The engine of a PULL socket: its routing, behind Pull. */
export class PullCore extends SocketCore {
  #fq = new FairQueue();

  constructor(options?: SocketOptions) {
    super("PULL", options, optionNamesFor("PULL"));
  }

  protected xattach(pipe: Pipe): void {
    this.#fq.attach(pipe);
  }

  protected override xdetach(pipe: Pipe): void {
    this.#fq.detach(pipe);
  }

  protected override xrecv(): Message | undefined {
    return this.#fq.recv();
  }
}

/**
 * PULL (RFC 30): receives fair-queued from its PUSH peers. The consumer end of a pipeline.
 *
 * @example Collect results
 * ```ts
 * import { Pull, Push } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using sink = new Pull();
 * await sink.bind("tcp://127.0.0.1:*");
 * await using worker = new Push();
 * worker.connect(sink.lastEndpoint!);
 * await worker.send("result");
 * assert.equal(new TextDecoder().decode((await sink.receive())[0]), "result");
 * ```
 */
export class Pull extends ReadableSocket {
  /** A new PULL socket; `options` as the properties of the same names. */
  constructor(options?: SocketOptions) {
    super(new PullCore(options));
  }
}
