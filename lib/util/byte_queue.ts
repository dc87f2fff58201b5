// SPDX-License-Identifier: MIT
/**
 * A FIFO of short byte strings held in one buffer, with their lengths in a Uint32Array: about
 * the bytes themselves plus 4 per entry, where a queue of Uint8Arrays costs ~100 bytes more per
 * entry. For what a peer can make pile up one small item at a time (XPUB's subscription events).
 */
export class ByteQueue {
  #data = new Uint8Array(0);
  #start = 0;
  #end = 0;
  #lens = new Uint32Array(0);
  #first = 0;
  #count = 0;

  get length(): number {
    return this.#count;
  }

  /** Queues one byte `lead` followed by `body` as one entry. */
  push(lead: number, body: Uint8Array): void {
    const n = 1 + body.length;
    this.#roomFor(n);
    this.#data[this.#end] = lead;
    this.#data.set(body, this.#end + 1);
    this.#end += n;
    if (this.#first + this.#count === this.#lens.length) this.#growLens();
    this.#lens[this.#first + this.#count++] = n;
  }

  /** The oldest entry, as a copy of its own; undefined when empty. */
  shift(): Uint8Array | undefined {
    if (this.#count === 0) return undefined;
    const n = this.#lens[this.#first++]!;
    this.#count--;
    const out = this.#data.slice(this.#start, this.#start + n);
    this.#start += n;
    if (this.#count === 0) {
      // empty again: start over at the front, and give back a buffer a burst made large
      if (this.#data.length > 65536) this.clear();
      else this.#start = this.#end = this.#first = 0;
    }
    return out;
  }

  clear(): void {
    this.#data = new Uint8Array(0);
    this.#lens = new Uint32Array(0);
    this.#start = this.#end = 0;
    this.#first = this.#count = 0;
  }

  /** Room for `n` more bytes: the live bytes move to the front, or to a buffer twice as big. */
  #roomFor(n: number): void {
    if (this.#end + n <= this.#data.length) return;
    const live = this.#end - this.#start;
    if (live + n <= this.#data.length >> 1) {
      this.#data.copyWithin(0, this.#start, this.#end);
    } else {
      const data = new Uint8Array(Math.max(2 * (live + n), 256));
      data.set(this.#data.subarray(this.#start, this.#end));
      this.#data = data;
    }
    this.#start = 0;
    this.#end = live;
  }

  #growLens(): void {
    const from = this.#first, to = this.#first + this.#count;
    if (this.#count > 0 && this.#count <= this.#lens.length >> 1) {
      this.#lens.copyWithin(0, from, to);
    } else {
      const lens = new Uint32Array(Math.max(2 * this.#count, 64));
      lens.set(this.#lens.subarray(from, to));
      this.#lens = lens;
    }
    this.#first = 0;
  }
}
