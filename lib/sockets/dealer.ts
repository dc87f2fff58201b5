// SPDX-License-Identifier: MIT
/** DEALER (RFC 28): round-robin out, fair-queue in, no envelope handling. */
import type { Message, Pipe } from "../pipe.ts";
import { FairQueue } from "../routing/fair_queue.ts";
import { LoadBalancer } from "../routing/load_balancer.ts";
import { DuplexSocket } from "./capabilities.ts";
import { commonOptionNames, type DealerOptions } from "./options.ts";

export class Dealer extends DuplexSocket {
  #lb = new LoadBalancer();
  #fq = new FairQueue();

  constructor(options?: DealerOptions) {
    super("DEALER", options, [...commonOptionNames, "probeRouter"]);
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
