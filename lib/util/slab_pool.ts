// SPDX-License-Identifier: MIT
/**
 * Receive memory an application can hand back. A connection whose adapter reads into caller
 * memory (Deno's) reads into large slabs taken from here, and the frames it decodes are views
 * of them. Each view handed to the application is counted; `release(view)` uncounts it, and a
 * slab the reader has moved past with no counted view left goes back to the pool, so the next
 * reads land in memory that is already mapped and warm instead of in fresh allocations the
 * garbage collector frees in bulk. A view never released keeps its slab out of the pool for
 * good (the collector reclaims it as any other memory), so forgetting to release is only a
 * missed saving; releasing a view that is still in use is the one misuse, and it is the
 * caller's.
 */

/** One slab: its bytes, views handed out and not yet released, and whether reading is past it. */
export interface Slab {
  readonly bytes: Uint8Array;
  refs: number;
  sealed: boolean;
}

export class SlabPool {
  readonly slabSize: number;
  readonly maxFree: number;
  #free: Uint8Array[] = [];
  /** Every counted view → its slab (weak: a view the application drops simply disappears). */
  #views = new WeakMap<Uint8Array, Slab>();
  /** Each live slab's ArrayBuffer → the slab, to find the slab of a view. */
  #slabs = new WeakMap<ArrayBufferLike, Slab>();
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
    const slab: Slab = { bytes: bytes ?? new Uint8Array(this.slabSize), refs: 0, sealed: false };
    this.#slabs.set(slab.bytes.buffer, slab);
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
    const slab = this.#views.get(view);
    if (slab === undefined) return false;
    this.#views.delete(view);
    slab.refs--;
    this.#recycle(slab);
    return true;
  }

  /** Free slabs held now. */
  get freeCount(): number {
    return this.#free.length;
  }

  #recycle(slab: Slab): void {
    if (!slab.sealed || slab.refs !== 0) return;
    this.#slabs.delete(slab.bytes.buffer);
    slab.refs = -1; // never again: a slab is recycled once, as a new Slab record
    if (this.#free.length < this.maxFree) this.#free.push(slab.bytes);
  }
}

/** The pool sockets' connections share. */
export const receiveSlabs = new SlabPool();
