// SPDX-License-Identifier: MIT
/** Round-robin over pipes that can take a message (REQ, DEALER, PUSH). libzmq's lb. */
import type { Message, Pipe } from "../pipe.ts";

export class LoadBalancer {
  #pipes: Pipe[] = [];
  #next = 0;

  attach(pipe: Pipe): void {
    this.#pipes.push(pipe);
  }

  detach(pipe: Pipe): void {
    const i = this.#pipes.indexOf(pipe);
    if (i < 0) return;
    this.#pipes.splice(i, 1);
    if (this.#next > i) this.#next--;
    if (this.#next >= this.#pipes.length) this.#next = 0;
  }

  /** The next pipe able to take a whole message, or undefined when all are full. */
  pick(): Pipe | undefined {
    const pipes = this.#pipes;
    const n = pipes.length;
    for (let k = 0; k < n; k++) {
      const i = (this.#next + k) % n;
      const p = pipes[i]!;
      if (p.canWrite()) {
        this.#next = (i + 1) % n;
        return p;
      }
    }
    return undefined;
  }

  send(msg: Message): boolean {
    const p = this.pick();
    if (p === undefined) return false;
    p.write(msg);
    return true;
  }
}
