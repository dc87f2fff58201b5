// SPDX-License-Identifier: MIT
/** DEALER (RFC 28): round-robin out, fair-queue in, no envelope handling. */
import type { Message, Pipe } from "../pipe.ts";
import { FairQueue } from "../routing/fair_queue.ts";
import { LoadBalancer } from "../routing/load_balancer.ts";
import { DuplexSocket } from "./capabilities.ts";
import { SocketCore } from "./socket_core.ts";
import {
  type DealerOptions,
  optionNamesFor,
  specificOptionNames,
  type TypeOptionProperties,
} from "./options.ts";
import { defineOptionProperties } from "./socket_options.ts";

/** The options a DEALER has beyond the common ones, as typed properties (table: options.ts). */
export interface Dealer extends TypeOptionProperties<"DEALER"> {}

/** The engine of a DEALER socket: its routing, behind Dealer. */
export class DealerCore extends SocketCore {
  #lb = new LoadBalancer();
  #fq = new FairQueue();

  constructor(options?: DealerOptions) {
    super("DEALER", options, optionNamesFor("DEALER"));
  }

  protected xattach(pipe: Pipe): void {
    this.#lb.attach(pipe);
    this.#fq.attach(pipe);
  }

  protected override xready(pipe: Pipe): void {
    if (this.opts.probeRouter) pipe.write([new Uint8Array(0)]);
  }

  protected override xdetach(pipe: Pipe): void {
    this.#lb.detach(pipe);
    this.#fq.detach(pipe);
  }

  protected override xsend(msg: Message): boolean {
    return this.#lb.send(msg);
  }

  protected override xrecv(): Message | undefined {
    return this.#fq.recv();
  }
}

/**
 * DEALER (RFC 28): sends round-robin to its peers and receives fair-queued from them, with no
 * envelope of its own: the asynchronous REQ.
 *
 * @example Several requests in flight
 * ```ts
 * import { Dealer, Router } from "zmqkit";
 * import assert from "node:assert/strict";
 * await using router = new Router();
 * await router.bind("inproc://dealer-doc");
 * await using dealer = new Dealer();
 * dealer.connect("inproc://dealer-doc");
 * await dealer.send("a");
 * await dealer.send("b");
 * for (let i = 0; i < 2; i++) {
 *   const [id, body] = await router.receive();
 *   await router.send([id!, body!]);
 * }
 * const got = [await dealer.receive(), await dealer.receive()];
 * assert.deepEqual(got.map(([f]) => new TextDecoder().decode(f)), ["a", "b"]);
 * ```
 */
export class Dealer extends DuplexSocket {
  /** A new DEALER socket; `options` as the properties of the same names. */
  constructor(options?: DealerOptions) {
    super(new DealerCore(options));
  }
}

defineOptionProperties(Dealer, specificOptionNames("DEALER"));
