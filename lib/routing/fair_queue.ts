// SPDX-License-Identifier: MIT
/** Fair-queueing: one whole message per pipe per turn (PULL, DEALER, ROUTER, REP, SUB…). */
import type { Message, Pipe } from "../pipe.ts";

export class FairQueue {
  #pipes: Pipe[] = [];
  #next = 0;
  /** The pipe the last message came from. */
  last: Pipe | undefined;

  attach(pipe: Pipe): void {
    if (!this.#pipes.includes(pipe)) this.#pipes.push(pipe);
  }

  detach(pipe: Pipe): void {
    const i = this.#pipes.indexOf(pipe);
    if (i < 0) return;
    this.#pipes.splice(i, 1);
    if (this.#next > i) this.#next--;
    if (this.#next >= this.#pipes.length) this.#next = 0;
    if (this.last === pipe) this.last = undefined;
  }

  recv(): Message | undefined {
    const pipes = this.#pipes;
    const n = pipes.length;
    for (let k = 0; k < n; k++) {
      const i = (this.#next + k) % n;
      const p = pipes[i]!;
      const m = p.read();
      if (m !== undefined) {
        this.#next = (i + 1) % n;
        this.last = p;
        return m;
      }
    }
    return undefined;
  }
}
