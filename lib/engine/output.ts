// SPDX-License-Identifier: MIT
/**
 * Coalesces outgoing frames into few large chunks: small frames are copied into a shared
 * buffer, large bodies go out as their own chunk (no copy). The written part of the buffer is
 * never touched again, so a runtime may keep a reference to it until the bytes are sent.
 */
import { Flag } from "../wire/constants.ts";
import { headerSize, writeHeader } from "../wire/frame_encoder.ts";

const BLOCK = 64 * 1024;
/**
 * The first block is small and each new one four times larger, up to BLOCK: a connection that
 * only says hello (or thousands of idle ones) does not hold 64 KiB each.
 */
const FIRST_BLOCK = 1024;
/** Bodies at least this large are not copied. */
const ZERO_COPY = 16 * 1024;

export class OutputBatch {
  #buf = new Uint8Array(0);
  #block = FIRST_BLOCK;
  #start = 0;
  #pos = 0;
  #chunks: Uint8Array[] = [];
  /** Bytes waiting to be flushed. */
  pending = 0;
  /**
   * Set by an encrypting mechanism (CURVE) once in traffic: every frame, data or command,
   * leaves as the MESSAGE this returns, in a data frame of its own (libzmq's layout).
   */
  seal: ((body: Uint8Array, more: boolean, command: boolean) => Uint8Array) | undefined;

  #room(n: number): void {
    if (this.#buf.length - this.#pos >= n) return;
    this.#cut();
    this.#newBlock(n);
  }

  #newBlock(n: number): void {
    this.#buf = new Uint8Array(Math.max(this.#block, n));
    if (this.#block < BLOCK) this.#block *= 4;
    this.#start = this.#pos = 0;
  }

  #cut(): void {
    if (this.#pos > this.#start) {
      this.#chunks.push(this.#buf.subarray(this.#start, this.#pos));
      this.#start = this.#pos;
    }
  }

  frame(flags: number, body: Uint8Array): void {
    if (this.seal !== undefined) {
      body = this.seal(body, (flags & Flag.MORE) !== 0, (flags & Flag.COMMAND) !== 0);
      flags = 0;
    }
    const size = body.length;
    if (size >= ZERO_COPY) {
      this.#room(9);
      this.#pos = writeHeader(this.#buf, this.#pos, flags, size);
      this.#cut();
      this.#chunks.push(body);
    } else {
      this.#room(headerSize(size) + size);
      this.#pos = writeHeader(this.#buf, this.#pos, flags, size);
      this.#buf.set(body, this.#pos);
      this.#pos += size;
    }
    this.pending += headerSize(size) + size;
  }

  message(frames: readonly Uint8Array[]): void {
    const last = frames.length - 1;
    for (let i = 0; i < last; i++) this.frame(Flag.MORE, frames[i]!);
    this.frame(0, frames[last]!);
  }

  command(body: Uint8Array): void {
    this.frame(Flag.COMMAND, body);
  }

  /** Raw bytes (the greeting). */
  raw(bytes: Uint8Array): void {
    this.#room(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
    this.pending += bytes.length;
  }

  /** Takes everything batched so far. */
  take(): Uint8Array[] {
    this.#cut();
    const out = this.#chunks;
    this.#chunks = [];
    this.pending = 0;
    if (this.#buf.length - this.#pos < 512 && this.#block === BLOCK) this.#newBlock(0);
    return out;
  }
}
