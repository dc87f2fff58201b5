// SPDX-License-Identifier: MIT
/** PUSH (RFC 30): round-robin to PULL peers; blocks when none can take a message. */
import type { Message, Pipe } from "../pipe.ts";
import { LoadBalancer } from "../routing/load_balancer.ts";
import { WritableSocket } from "./capabilities.ts";
import { commonOptionNames, type SocketOptions } from "./options.ts";

export class Push extends WritableSocket {
  #lb = new LoadBalancer();

  constructor(options?: SocketOptions) {
    super("PUSH", options, commonOptionNames);
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
