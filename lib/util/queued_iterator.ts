// SPDX-License-Identifier: MIT
/** A push-fed async iterator with one consumer; bounded (oldest items dropped past `max`). */
import { Queue } from "./queue.ts";

export class QueuedIterator<T> implements AsyncIterableIterator<T> {
  #items = new Queue<T>();
  #waiters: Array<(r: IteratorResult<T>) => void> = [];
  #done = false;
  #max: number;
  /** Items dropped because nobody read them in time. */
  dropped = 0;

  constructor(max = 10_000) {
    this.#max = max;
  }

  push(item: T): void {
    if (this.#done) return;
    const w = this.#waiters.shift();
    if (w) return w({ value: item, done: false });
    if (this.#items.length >= this.#max) {
      this.#items.shift();
      this.dropped++;
    }
    this.#items.push(item);
  }

  /** Items queued and not read yet. */
  get queued(): number {
    return this.#items.length;
  }

  /** Ends the iteration once the queued items are read. */
  stop(): void {
    this.#done = true;
    if (this.#items.length === 0) {
      for (const w of this.#waiters.splice(0)) w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#items.length > 0) {
      return Promise.resolve({ value: this.#items.shift()!, done: false });
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((r) => this.#waiters.push(r));
  }

  return(): Promise<IteratorResult<T>> {
    this.stop();
    this.#items.clear();
    for (const w of this.#waiters.splice(0)) w({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
