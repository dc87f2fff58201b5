// SPDX-License-Identifier: MIT
/**
 * A session's part in Socket.release(): once the application hands messages back, the
 * connection's adapter reads into pool slabs (util/slab_pool.ts) and every frame decoded from
 * a slab is counted against it, so the slab can be read into again when all are released.
 * Bodies spanning reads are cut from a pool slab too. Small-frame traffic goes back to the
 * adapter's own buffer and per-chunk copies, which cost less than counting every frame.
 */
import type { Connection } from "../transports/connection.ts";
import type { Slab, SlabPool } from "../util/slab_pool.ts";
import type { FrameDecoder } from "../wire/frame_decoder.ts";

/**
 * Reads go into slabs while the frames average at least this size; smaller bodies are neither
 * carved nor counted unless their chunk lies in a slab.
 */
const FRAME_MIN = 512;

export class SlabCounting {
  #pool: SlabPool;
  #conn: Connection;
  #decoder: FrameDecoder;
  /** The chunk being decoded lies in a slab: each frame from it is counted. */
  #inSlab = false;
  #frames = 0;
  #bodySlab: Slab | undefined;
  #bodyUsed = 0;

  constructor(pool: SlabPool, conn: Connection, decoder: FrameDecoder) {
    this.#pool = pool;
    this.#conn = conn;
    this.#decoder = decoder;
    decoder.copyParts = true; // a slab may be reused before a body in pieces is whole
    decoder.allocBody = (size) => this.#carve(size);
    conn.slabs = pool;
  }

  /** Decodes `chunk`, then tells the adapter whether the next read goes into a slab. */
  push(chunk: Uint8Array): void {
    this.#inSlab = this.#pool.owns(chunk);
    const before = this.#frames;
    try {
      this.#decoder.push(chunk);
    } finally {
      this.#inSlab = false;
    }
    const n = this.#frames - before;
    this.#conn.slabs = n === 0 || chunk.length >= FRAME_MIN * n ? this.#pool : undefined;
  }

  /** A frame is handed on (commands too: one never released keeps its slab out of the pool). */
  frame(body: Uint8Array): void {
    this.#frames++;
    if (this.#inSlab || body.length >= FRAME_MIN) this.#pool.keep(body);
  }

  /**
   * The session is done. The body slab goes back only if no body is being assembled in it:
   * otherwise a read may still be writing there.
   */
  close(): void {
    if (this.#bodySlab !== undefined && this.#decoder.idle) this.#pool.seal(this.#bodySlab);
    this.#bodySlab = undefined;
  }

  /** Room for a body that spans reads: the adapter reads the rest of it straight in. */
  #carve(size: number): Uint8Array | undefined {
    const pool = this.#pool;
    if (size < FRAME_MIN || size > pool.slabSize >> 2) return undefined;
    let slab = this.#bodySlab;
    if (slab === undefined || slab.bytes.length - this.#bodyUsed < size) {
      if (slab !== undefined) pool.seal(slab);
      slab = this.#bodySlab = pool.take();
      this.#bodyUsed = 0;
    }
    const body = slab.bytes.subarray(this.#bodyUsed, this.#bodyUsed + size);
    this.#bodyUsed += size;
    return body;
  }
}
