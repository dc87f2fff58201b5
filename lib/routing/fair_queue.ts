// SPDX-License-Identifier: MIT
/**
 * Fair-queueing: one whole message per pipe per turn (PULL, DEALER, ROUTER, REP, SUB…).
 * A pipe whose peer has gone stays until what that peer delivered has been read.
 */
import type { Message, Pipe } from "../pipe.ts";

export class FairQueue {
  #pipes: Pipe[] = [];
  #next = 0;
  /** The pipe the last message came from. */
  last: Pipe | undefined;

  attach(pipe: Pipe): void {
    if (!this.#pipes.includes(pipe)) this.#pipes.push(pipe);
  }

  /** Removes the pipe now, or once its inbound queue is drained if messages remain. */
  detach(pipe: Pipe): void {
    if (pipe.hasIn()) return; // recv() removes it when it runs dry (the pipe is terminated)
    const i = this.#pipes.indexOf(pipe);
    if (i >= 0) this.#remove(i);
  }

  #remove(i: number): void {
    this.#pipes.splice(i, 1);
    if (this.#next > i) this.#next--;
    if (this.#next >= this.#pipes.length) this.#next = 0;
  }

  recv(): Message | undefined {
    const pipes = this.#pipes;
    for (let k = 0; k < pipes.length; k++) {
      const i = (this.#next + k) % pipes.length;
      const p = pipes[i]!;
      const m = p.read();
      if (m !== undefined) {
        this.#next = (i + 1) % pipes.length;
        this.last = p;
        if (p.terminated && !p.hasIn()) this.#remove(i);
        return m;
      }
      if (p.terminated) {
        this.#remove(i);
        k--;
      }
    }
    return undefined;
  }
}
