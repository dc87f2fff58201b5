// SPDX-License-Identifier: MIT
/** PULL (RFC 30): fair-queues from PUSH peers. */
import type { Message, Pipe } from "../pipe.ts";
import { FairQueue } from "../routing/fair_queue.ts";
import { ReadableSocket } from "./capabilities.ts";
import { commonOptionNames, type SocketOptions } from "./options.ts";

export class Pull extends ReadableSocket {
  #fq = new FairQueue();

  constructor(options?: SocketOptions) {
    super("PULL", options, commonOptionNames);
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
