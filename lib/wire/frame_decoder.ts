// SPDX-License-Identifier: MIT
/**
 * Incremental ZMTP 3.x frame decoder. RFC 23 §"Framing".
 * Pure and single-typed (one hot path): chunks in, `(flags, body)` out. A body that lies whole
 * in one chunk is a view of it, not a copy. Sizes are checked before anything is allocated.
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import { concatBytes } from "../util/bytes.ts";
import { Flag } from "./constants.ts";

/** Largest frame a JS runtime can hold as one Uint8Array on every runtime we support. */
export const MAX_FRAME_SIZE = 0xffff_ffff;
/** Bodies up to this size get one buffer at once; larger ones grow with the data received. */
const PREALLOCATE_LIMIT = 8 * 1024 * 1024;

const S_FLAGS = 0, S_SHORT_SIZE = 1, S_LONG_SIZE = 2, S_BODY = 3;

export type FrameHandler = (flags: number, body: Uint8Array) => void;

export class FrameDecoder {
  #onFrame: FrameHandler;
  #maxSize: number;
  #state = S_FLAGS;
  #flags = 0;
  #size = 0;
  #sizeBytes = new Uint8Array(8);
  #sizeHave = 0;
  // body being assembled across chunks
  #body: Uint8Array | undefined;
  #parts: Uint8Array[] | undefined;
  #have = 0;
  #stopped = false;
  /**
   * Copy the pieces of a body too large to preallocate instead of keeping views of the chunks
   * until it is whole: for chunks whose memory may be reused once the frames seen in them are
   * released (util/slab_pool.ts).
   */
  copyParts = false;
  /** Where a body that spans chunks is assembled, when not in a new buffer of its own. */
  allocBody: ((size: number) => Uint8Array | undefined) | undefined;

  /** @param maxSize largest accepted frame body (ZMQ_MAXMSGSIZE), or -1 for no limit. */
  constructor(onFrame: FrameHandler, maxSize = -1) {
    this.#onFrame = onFrame;
    this.#maxSize = maxSize < 0 ? MAX_FRAME_SIZE : Math.min(maxSize, MAX_FRAME_SIZE);
  }

  /** Stops decoding: the rest of the current chunk and all later ones are ignored. */
  stop(): void {
    this.#stopped = true;
  }

  /** True between frames (no partial frame buffered). */
  get idle(): boolean {
    return this.#state === S_FLAGS;
  }

  /** Decodes `chunk`, calling the handler for every complete frame. Throws ProtocolError. */
  push(chunk: Uint8Array): void {
    const len = chunk.length;
    let i = 0;
    while (i < len && !this.#stopped) {
      switch (this.#state) {
        case S_FLAGS: {
          const flags = chunk[i++]!;
          this.#flags = flags;
          if (flags & Flag.LONG) {
            this.#state = S_LONG_SIZE;
            this.#sizeHave = 0;
            // fast path: whole 8-byte size in this chunk
            if (len - i >= 8) {
              const hi =
                (chunk[i]! << 24 | chunk[i + 1]! << 16 | chunk[i + 2]! << 8 | chunk[i + 3]!) >>> 0;
              const lo =
                (chunk[i + 4]! << 24 | chunk[i + 5]! << 16 | chunk[i + 6]! << 8 | chunk[i + 7]!) >>>
                0;
              i += 8;
              i = this.#sized(hi, lo, chunk, i);
            }
          } else if (i < len) {
            i = this.#sized(0, chunk[i++]!, chunk, i);
          } else {
            this.#state = S_SHORT_SIZE;
          }
          break;
        }
        case S_SHORT_SIZE:
          i = this.#sized(0, chunk[i++]!, chunk, i);
          break;
        case S_LONG_SIZE: {
          const n = Math.min(8 - this.#sizeHave, len - i);
          this.#sizeBytes.set(chunk.subarray(i, i + n), this.#sizeHave);
          this.#sizeHave += n;
          i += n;
          if (this.#sizeHave === 8) {
            const b = this.#sizeBytes;
            const hi = (b[0]! << 24 | b[1]! << 16 | b[2]! << 8 | b[3]!) >>> 0;
            const lo = (b[4]! << 24 | b[5]! << 16 | b[6]! << 8 | b[7]!) >>> 0;
            i = this.#sized(hi, lo, chunk, i);
          }
          break;
        }
        default: { // S_BODY
          const n = Math.min(this.#size - this.#have, len - i);
          const part = chunk.subarray(i, i + n);
          if (this.#body) this.#body.set(part, this.#have);
          else this.#parts!.push(this.copyParts ? part.slice() : part);
          this.#have += n;
          i += n;
          if (this.#have === this.#size) this.#complete();
        }
      }
    }
  }

  /**
   * The unfilled rest of a body being assembled, when at least `min` bytes of it remain: a
   * reader may read the stream's next bytes straight into it (no copy), then call filled().
   */
  bodyTarget(min: number): Uint8Array | undefined {
    if (this.#state !== S_BODY || this.#body === undefined || this.#stopped) return undefined;
    return this.#size - this.#have >= min ? this.#body.subarray(this.#have) : undefined;
  }

  /** `n` bytes of the stream were read into what bodyTarget() gave. */
  filled(n: number): void {
    if (this.#state !== S_BODY || this.#body === undefined || this.#stopped) return;
    this.#have += n;
    if (this.#have >= this.#size) this.#complete();
  }

  #complete(): void {
    const body = this.#body ?? concatBytes(this.#parts!);
    this.#body = undefined;
    this.#parts = undefined;
    this.#state = S_FLAGS;
    this.#onFrame(this.#flags, body);
  }

  /** The size is known: emit the frame at once if it lies in `chunk`, else start buffering. */
  #sized(hi: number, lo: number, chunk: Uint8Array, i: number): number {
    if (hi !== 0 || lo > this.#maxSize) {
      this.stop();
      const size = hi * 0x1_0000_0000 + lo;
      throw new ProtocolError(
        ProtocolErrorCode.MESSAGE_TOO_LARGE,
        `frame of ${
          hi >= 0x20_0000 ? "2^53 or more" : size
        } bytes exceeds the limit of ${this.#maxSize}`,
      );
    }
    const size = lo;
    if (chunk.length - i >= size) {
      this.#state = S_FLAGS;
      this.#onFrame(this.#flags, chunk.subarray(i, i + size));
      return i + size;
    }
    this.#size = size;
    this.#have = 0;
    this.#state = S_BODY;
    if (size <= PREALLOCATE_LIMIT) this.#body = this.allocBody?.(size) ?? new Uint8Array(size);
    else this.#parts = [];
    return i;
  }
}
