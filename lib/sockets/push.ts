// SPDX-License-Identifier: MIT
/** PUSH (RFC 30): round-robin to PULL peers; blocks when none can take a message. */
import type { Message, Pipe } from "../pipe.ts";
import { LoadBalancer } from "../routing/load_balancer.ts";
import { WritableSocket } from "./capabilities.ts";
import { SocketCore } from "./socket_core.ts";
import { optionNamesFor, type SocketOptions } from "./options.ts";

/** The engine of a PUSH socket: its routing, behind Push. */
export class PushCore extends SocketCore {
  #lb = new LoadBalancer();

  constructor(options?: SocketOptions) {
    super("PUSH", options, optionNamesFor("PUSH"));
  }

  protected xattach(pipe: Pipe): void {
    this.#lb.attach(pipe);
  }

  protected override xdetach(pipe: Pipe): void {
    this.#lb.detach(pipe);
  }

  protected override xsend(msg: Message): boolean {
    return this.#lb.send(msg);
  }
}

/**
 * PUSH (RFC 30): sends round-robin to its PULL peers; `send()` waits while none can take the
 * message. The producer end of a pipeline.
 *
 * @example Hand out work
 * ```ts
 * import { Pull, Push } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using worker = new Pull();
 * await worker.bind("inproc://push-doc");
 * await using push = new Push();
 * push.connect("inproc://push-doc");
 * await push.send("task 1");
 * assert.equal(new TextDecoder().decode((await worker.receive())[0]), "task 1");
 * ```
 */
export class Push extends WritableSocket {
  /** A new PUSH socket; `options` as the properties of the same names. */
  constructor(options?: SocketOptions) {
    super(new PushCore(options));
  }
}
