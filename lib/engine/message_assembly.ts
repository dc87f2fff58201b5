// SPDX-License-Identifier: MIT
/**
 * The frames of a message still being received, held compactly. A peer decides how many frames
 * a message has and how small they are: an object per frame would cost ~50 times the two wire
 * bytes of an empty frame. So the first few frames are kept as they come (views, the common
 * case), and from then on small bodies are copied into one growing arena and their sizes into
 * a byte each, while large ones stay views (their view costs less than their bytes): at most
 * about twice the wire bytes, whatever the frames. The message gets one object per frame only
 * when it is whole (and maxMessageFrames bounds how many that is).
 */

/** Frames kept as plain views before the compact form starts. */
const PLAIN_FRAMES = 16;
/** Bodies at least this large stay views; smaller ones are copied into the arena. */
const VIEW_MIN = 128;
/** The size byte of a frame held as a view. */
const AS_VIEW = 255;
const EMPTY = new Uint8Array(0);

export class MessageAssembly {
  #plain: Uint8Array[] = [];
  // compact part: a size byte per frame after the plain ones (AS_VIEW for large bodies), small
  // bodies in `#arena`, large ones in `#views`, both in order
  #sizes: Uint8Array | undefined;
  #count = 0;
  #arena: Uint8Array | undefined;
  #arenaUsed = 0;
  #views: Uint8Array[] = [];

  /** Frames held. */
  get length(): number {
    return this.#plain.length + this.#count;
  }

  /** Adds a frame that has MORE set. */
  push(body: Uint8Array): void {
    if (this.#plain.length < PLAIN_FRAMES) this.#plain.push(body);
    else this.#pushCompact(body);
  }

  /** Adds the last frame and returns the whole message; the assembly is empty again. */
  finish(last: Uint8Array): Uint8Array[] {
    // a message of one frame (the usual case): an array of exactly one, and #plain stays as
    // it is (pushing onto an empty array would allocate room for 17)
    if (this.#plain.length === 0 && this.#count === 0) return [last];
    const out = this.#plain;
    this.#plain = [];
    if (this.#count > 0) this.#unpack(out);
    out.push(last);
    return out;
  }

  /** Drops what is held. */
  clear(): void {
    this.#plain = [];
    this.#reset();
  }

  #pushCompact(body: Uint8Array): void {
    const n = body.length;
    let sizes = this.#sizes ??= new Uint8Array(64);
    if (this.#count === sizes.length) {
      const grown = new Uint8Array(sizes.length * 2);
      grown.set(sizes);
      sizes = this.#sizes = grown;
    }
    sizes[this.#count++] = n >= VIEW_MIN ? AS_VIEW : n;
    if (n >= VIEW_MIN) {
      this.#views.push(body);
      return;
    }
    if (n === 0) return;
    let arena = this.#arena ??= new Uint8Array(1024);
    if (this.#arenaUsed + n > arena.length) {
      const grown = new Uint8Array(Math.max(arena.length * 2, this.#arenaUsed + n));
      grown.set(arena.subarray(0, this.#arenaUsed));
      arena = this.#arena = grown;
    }
    arena.set(body, this.#arenaUsed);
    this.#arenaUsed += n;
  }

  #unpack(out: Uint8Array[]): void {
    const sizes = this.#sizes!, views = this.#views;
    // the frames become views of one exact copy of the arena
    const arena = this.#arena === undefined ? EMPTY : this.#arena.slice(0, this.#arenaUsed);
    let a = 0, v = 0;
    for (let i = 0; i < this.#count; i++) {
      const n = sizes[i]!;
      if (n === AS_VIEW) out.push(views[v++]!);
      else if (n === 0) out.push(EMPTY);
      else out.push(arena.subarray(a, a += n));
    }
    this.#reset();
  }

  #reset(): void {
    this.#sizes = undefined;
    this.#count = 0;
    this.#arena = undefined;
    this.#arenaUsed = 0;
    this.#views = [];
  }
}
