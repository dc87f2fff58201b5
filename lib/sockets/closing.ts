// SPDX-License-Identifier: MIT
/**
 * When a closed socket is closed for good (`socket.closed`): close() was called, linger has
 * passed (the socket shut down), its listeners are closed and every connection it had is
 * gone — the last one only once the runtime reports it closed, after its final bytes.
 */
import type { Connection } from "../transports/connection.ts";

export class Closing {
  #live = 0;
  #shutDown = false;
  #listeners: Promise<void> | undefined;
  #promise: Promise<void> | undefined;
  #resolve: (() => void) | undefined;

  /** Settles once closed for good; never rejects. */
  get promise(): Promise<void> {
    return this.#promise ??= new Promise((resolve) => {
      this.#resolve = resolve;
      this.#check();
    });
  }

  /** A connection the socket must outlive: counted until the runtime reports it closed. */
  track(conn: Connection): void {
    this.#live++;
    const engineOnClose = conn.onClose;
    conn.onClose = (error) => {
      engineOnClose(error);
      this.#live--;
      this.#check();
    };
  }

  /** The listeners are closing; `closing` settles when they are closed. */
  listenersClosing(closing: Promise<void>): void {
    this.#listeners = closing;
  }

  /** Linger has passed: every connection has been told to end. */
  shutDown(): void {
    this.#shutDown = true;
    this.#check();
  }

  #check(): void {
    if (!this.#shutDown || this.#live > 0 || this.#resolve === undefined) return;
    const resolve = this.#resolve;
    this.#resolve = undefined;
    void (this.#listeners ?? Promise.resolve()).then(resolve, resolve);
  }
}
