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
/**
 * A body larger than this gets its buffer at once only when the peer has already sent at least
 * as many bytes: a header alone never makes us hold more than twice what the peer sent.
 */
const PREALLOCATE_FREE = 16 * 1024;

/** What one connection's decoder accepts, with the option names its errors cite. */
export interface FrameLimits {
  /** Bytes of one whole data message, all its frames (-1 = no limit). */
  message: number;
  /** Frames of one data message (-1 = no limit). */
  frames: number;
  /** Bytes of one command frame (-1 = no limit). */
  command: number;
  messageName?: string;
  framesName?: string;
  commandName?: string;
}

const S_FLAGS = 0, S_SHORT_SIZE = 1, S_LONG_SIZE = 2, S_BODY = 3;

export type FrameHandler = (flags: number, body: Uint8Array) => void;

export class FrameDecoder {
  #onFrame: FrameHandler;
  #maxMessage = MAX_FRAME_SIZE;
  #maxFrames = Number.MAX_SAFE_INTEGER;
  #maxCommand = MAX_FRAME_SIZE;
  #names = { message: "maxMessageSize", frames: "maxMessageFrames", command: "maxMessageSize" };
  /** Bytes and frames of the data message being received, before the current frame. */
  #msgBytes = 0;
  #msgFrames = 0;
  /** Bytes decoded so far (for the preallocation bound). */
  #received = 0;
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

  /**
   * @param maxSize largest accepted message, all its frames together, and largest command
   * (ZMQ_MAXMSGSIZE), or -1 for no limit.
   */
  constructor(onFrame: FrameHandler, maxSize = -1) {
    this.#onFrame = onFrame;
    this.setLimits({ message: maxSize, frames: -1, command: maxSize });
  }

  /** Sets what is accepted from the next frame header on. */
  setLimits(limits: FrameLimits): void {
    const cap = (n: number, max: number) => n < 0 ? max : Math.min(n, max);
    this.#maxMessage = cap(limits.message, MAX_FRAME_SIZE);
    this.#maxFrames = cap(limits.frames, Number.MAX_SAFE_INTEGER);
    this.#maxCommand = cap(limits.command, MAX_FRAME_SIZE);
    this.#names = {
      message: limits.messageName ?? "maxMessageSize",
      frames: limits.framesName ?? "maxMessageFrames",
      command: limits.commandName ?? "maxMessageSize",
    };
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
    this.#received += len;
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
    this.#received += n;
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
    const flags = this.#flags;
    if (flags & Flag.COMMAND) {
      if (hi !== 0 || lo > this.#maxCommand) {
        this.#refuse(`command of ${sizeText(hi, lo)} bytes`, this.#names.command, this.#maxCommand);
      }
    } else {
      // the whole message counts, every frame of it, as its frames arrive
      if (this.#msgFrames >= this.#maxFrames) {
        this.#refuse(
          `message of more than ${this.#maxFrames} frames`,
          this.#names.frames,
          this.#maxFrames,
        );
      }
      if (hi !== 0 || lo > this.#maxMessage - this.#msgBytes) {
        const what = this.#msgFrames === 0
          ? `frame of ${sizeText(hi, lo)} bytes`
          : `message of ${this.#msgFrames + 1} frames and ${
            hi !== 0 ? "2^32 or more" : this.#msgBytes + lo
          } bytes`;
        this.#refuse(what, this.#names.message, this.#maxMessage);
      }
      if (flags & Flag.MORE) {
        this.#msgBytes += lo;
        this.#msgFrames++;
      } else {
        this.#msgBytes = 0;
        this.#msgFrames = 0;
      }
    }
    const size = lo;
    if (chunk.length - i >= size) {
      this.#state = S_FLAGS;
      // a view made by the constructor: subarray() looks up the species constructor each time
      this.#onFrame(flags, new Uint8Array(chunk.buffer, chunk.byteOffset + i, size));
      return i + size;
    }
    this.#size = size;
    this.#have = 0;
    this.#state = S_BODY;
    if (size <= PREALLOCATE_LIMIT && (size <= PREALLOCATE_FREE || size <= this.#received)) {
      this.#body = this.allocBody?.(size) ?? new Uint8Array(size);
    } else this.#parts = [];
    return i;
  }

  #refuse(what: string, name: string, limit: number): never {
    this.stop();
    throw new ProtocolError(
      ProtocolErrorCode.MESSAGE_TOO_LARGE,
      `${what} exceeds ${name} ${limit}`,
    );
  }
}

function sizeText(hi: number, lo: number): string {
  return hi >= 0x20_0000 ? "2^53 or more" : String(hi * 0x1_0000_0000 + lo);
}
