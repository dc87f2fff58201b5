// SPDX-License-Identifier: MIT
/**
 * A connection's half of pinning (util/slab_pool.ts): a message taken from the pipe may have
 * frames in receive slabs, and once encoded, large bodies go to the adapter as they are (no
 * copy). Each pinned message is held here with the position of its last byte in the stream
 * handed to the adapter, and unpinned once the adapter reports that it no longer refers to the
 * bytes up to there (copied into its own buffer or written). With an adapter that reports
 * nothing, pinned messages are never unpinned: their slabs are collected, never reused.
 */
import type { Message } from "../pipe.ts";
import type { Connection } from "../transports/connection.ts";
import { Queue } from "../util/queue.ts";
import { receiveSlabs, type SlabPool } from "../util/slab_pool.ts";

export class WriteHolds {
  #conn: Connection;
  #pool: SlabPool;
  /** The adapter reports what it has consumed: without that, nothing is ever unpinned here. */
  #tracking: boolean;
  /** Bytes handed to the adapter's write() so far. */
  #handed = 0;
  #held = new Queue<Message>();
  #ends = new Queue<number>();

  constructor(conn: Connection, pool: SlabPool = receiveSlabs) {
    this.#conn = conn;
    this.#pool = pool;
    this.#tracking = conn.consumed !== undefined;
    if (this.#tracking) conn.onConsumed = () => this.#settle();
  }

  /**
   * `msg` was encoded; its last byte goes out `queued` bytes after what was handed so far.
   * Nothing for a message that is not pinned.
   */
  encoded(msg: Message, queued: number): void {
    if (!this.#tracking || !this.#pool.pinned(msg)) return;
    this.#held.push(msg);
    this.#ends.push(this.#handed + queued);
  }

  /** `msg` is about to go to the adapter's write() as its frames, back to back (STREAM). */
  writing(msg: Message): void {
    if (!this.#tracking) return;
    let bytes = 0;
    for (const f of msg) bytes += f.length;
    this.encoded(msg, bytes);
    this.handed(bytes);
  }

  /** `n` more bytes were handed to the adapter's write(). */
  handed(n: number): void {
    this.#handed += n;
  }

  /** Unpins what the adapter is past. */
  #settle(): void {
    const done = this.#conn.consumed!;
    for (let end = this.#ends.peek(); end !== undefined && end <= done; end = this.#ends.peek()) {
      this.#ends.shift();
      this.#pool.unpin(this.#held.shift()!);
    }
  }
}
