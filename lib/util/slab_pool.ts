// SPDX-License-Identifier: MIT
/**
 * Receive memory an application can hand back. A connection whose adapter reads into caller
 * memory (Deno's) reads into large slabs taken from here, and the frames it decodes are views
 * of them. Each view handed to the application is counted; `release(view)` uncounts it, and a
 * slab the reader has moved past with no counted view left goes back to the pool, so the next
 * reads land in memory that is already mapped and warm instead of in fresh allocations the
 * garbage collector frees in bulk.
 *
 * A released view may still be on its way out: `send()` resolves once a message is queued,
 * not once it is written, so "receive, forward, release" hands back memory a queue or a
 * connection still reads from. Every message queued for sending is therefore pinned
 * (`pin`): each slab one of its frames lies in stays out of the pool until whoever holds the
 * message says it is done with it (`unpin`: written, copied or dropped), or, if nobody ever
 * says so, for good. A view never released or a pin never undone only keeps its slab from
 * being reused (the collector reclaims it as any other memory): the pool can lose a saving,
 * never overwrite what anything still refers to through zmqkit.
 */
/**
 * One slab: its bytes, views handed out and not yet released, queued messages that refer to
 * it, and whether reading is past it.
 */
export interface Slab {
  readonly bytes: Uint8Array;
  refs: number;
  pins: number;
  sealed: boolean;
}

/** A pinned message's slabs: one (the usual case) or several, each listed once. */
type Pinned = Slab | Slab[];

export class SlabPool {
  readonly slabSize: number;
  readonly maxFree: number;
  #free: Uint8Array[] = [];
  /** Every counted view → its slab (weak: a view the application drops simply disappears). */
  #views = new WeakMap<Uint8Array, Slab>();
  /** Each live slab's ArrayBuffer → the slab, to find the slab of a view. */
  #slabs = new WeakMap<ArrayBufferLike, Slab>();
  /** Queued messages → the slabs they pinned (weak: a dropped message lets go of its entry). */
  #pinned = new WeakMap<readonly Uint8Array[], Pinned>();
  /** Slabs taken and not recycled: while 0, no frame can lie in a slab and pinning is free. */
  #live = 0;
  /** Slabs handed out fresh and from the pool, for tests and statistics. */
  created = 0;
  reused = 0;

  constructor(slabSize = 1024 * 1024, maxFree = 32) {
    this.slabSize = slabSize;
    this.maxFree = maxFree;
  }

  /** A slab for a reader to fill: a released one when there is one, else a new one. */
  take(): Slab {
    const bytes = this.#free.pop();
    if (bytes !== undefined) this.reused++;
    else this.created++;
    const slab: Slab = {
      bytes: bytes ?? new Uint8Array(this.slabSize),
      refs: 0,
      pins: 0,
      sealed: false,
    };
    this.#slabs.set(slab.bytes.buffer, slab);
    this.#live++;
    return slab;
  }

  /** The reader is done with the slab: it returns to the pool once no counted view is left. */
  seal(slab: Slab): void {
    slab.sealed = true;
    this.#recycle(slab);
  }

  /** True when `chunk` lies in a slab of this pool that is being read into or has views out. */
  owns(chunk: Uint8Array): boolean {
    return this.#slabs.has(chunk.buffer);
  }

  /** Counts `view` against its slab, if it is a view of one; other memory is left alone. */
  keep(view: Uint8Array): void {
    const slab = this.#slabs.get(view.buffer);
    if (slab === undefined || this.#views.has(view)) return;
    this.#views.set(view, slab);
    slab.refs++;
  }

  /** Uncounts a view kept earlier; false for anything else (released twice, or never kept). */
  release(view: Uint8Array): boolean {
    if (this.#live === 0) return false; // no slab out: no view to uncount (small-frame traffic)
    const slab = this.#views.get(view);
    if (slab === undefined) return false;
    this.#views.delete(view);
    slab.refs--;
    this.#recycle(slab);
    return true;
  }

  /**
   * A message is queued for sending: every slab one of its frames lies in stays out of the
   * pool until `unpin(message)`, once for each `pin(message)`. Call it once per queue the
   * message enters (a fan-out queues one message several times). Messages must not change
   * while queued (the engine's never do: `send()` copies the caller's array).
   */
  pin(message: readonly Uint8Array[]): void {
    if (this.#live === 0) return;
    let pinned = this.#pinned.get(message);
    if (pinned === undefined) {
      pinned = this.#slabsOf(message);
      if (pinned === undefined) return;
      this.#pinned.set(message, pinned);
    }
    if (Array.isArray(pinned)) { for (const slab of pinned) slab.pins++; }
    else pinned.pins++;
  }

  /**
   * True when `message` has been pinned: whoever takes it from a queue unpins it once done
   * reading its frames.
   */
  pinned(message: readonly Uint8Array[]): boolean {
    return this.#live !== 0 && this.#pinned.has(message);
  }

  /** Undoes one `pin(message)`; nothing for a message never pinned. */
  unpin(message: readonly Uint8Array[]): void {
    const pinned = this.#live === 0 ? undefined : this.#pinned.get(message);
    if (pinned === undefined) return;
    if (Array.isArray(pinned)) { for (const slab of pinned) this.#unpinSlab(slab); }
    else this.#unpinSlab(pinned);
  }

  /**
   * A pinned message handed to a receiver as it is (inproc): its frames in slabs become new
   * views, counted as received ones (the receiver's release() uncounts them), and the pin is
   * undone. Undefined when `message` was not pinned: it can go as it is.
   */
  handOver(message: readonly Uint8Array[]): Uint8Array[] | undefined {
    if (!this.pinned(message)) return undefined;
    const out = new Array<Uint8Array>(message.length);
    for (let i = 0; i < message.length; i++) {
      const frame = message[i]!;
      if (this.#slabs.has(frame.buffer)) {
        const view = frame.subarray(0);
        this.keep(view);
        out[i] = view;
      } else out[i] = frame;
    }
    this.unpin(message);
    return out;
  }

  /** Free slabs held now. */
  get freeCount(): number {
    return this.#free.length;
  }

  #slabsOf(message: readonly Uint8Array[]): Pinned | undefined {
    let one: Slab | undefined;
    let many: Slab[] | undefined;
    for (let i = 0; i < message.length; i++) {
      const slab = this.#slabs.get(message[i]!.buffer);
      if (slab === undefined || slab === one || many?.includes(slab)) continue;
      if (one === undefined) one = slab;
      else (many ??= [one]).push(slab);
    }
    return many ?? one;
  }

  #unpinSlab(slab: Slab): void {
    slab.pins--;
    this.#recycle(slab);
  }

  #recycle(slab: Slab): void {
    if (!slab.sealed || slab.refs !== 0 || slab.pins !== 0) return;
    this.#slabs.delete(slab.bytes.buffer);
    this.#live--;
    slab.refs = -1; // never again: a slab is recycled once, as a new Slab record
    if (this.#free.length < this.maxFree) this.#free.push(slab.bytes);
  }
}

/** The pool sockets' connections share. */
export const receiveSlabs = new SlabPool();
