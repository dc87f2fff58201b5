// SPDX-License-Identifier: MIT
/**
 * Callers waiting on a socket (blocked sends, pending receives), served in order, each with
 * an optional timeout. Used only off the fast path: a send or receive that can complete at
 * once never gets here.
 *
 * Each waiter keeps the process alive until it is served, times out or is rejected (the
 * sockets themselves are unref'd: keep_alive.ts), released where it settles rather than by a
 * reaction on its promise, which would cost a promise and a microtask per waiting operation.
 */
import { holdProcess, releaseProcess } from "../transports/runtime/keep_alive.ts";

/** Returned by an attempt that cannot complete yet. */
export const NOT_YET: unique symbol = Symbol("not yet");

interface Waiter<In, Out> {
  input: In;
  resolve: (v: Out) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class Waiters<In, Out> {
  #q: Waiter<In, Out>[] = [];

  get length(): number {
    return this.#q.length;
  }

  /** Waits for `drain` to serve `input`; after `timeout` ms (if > 0) rejects with `onTimeout()`. */
  wait(
    input: In,
    timeout: number,
    onTimeout: () => Error,
    afterTimeout?: () => void,
  ): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      const w: Waiter<In, Out> = { input, resolve, reject, timer: undefined };
      if (timeout > 0) {
        w.timer = setTimeout(() => {
          const i = this.#q.indexOf(w);
          if (i >= 0) this.#q.splice(i, 1);
          releaseProcess();
          reject(onTimeout());
          if (i === 0) afterTimeout?.();
        }, timeout);
      }
      this.#q.push(w);
      holdProcess();
    });
  }

  /** Serves waiters in order while `attempt` completes; an error thrown rejects that waiter. */
  drain(attempt: (input: In) => Out | typeof NOT_YET): void {
    // an attempt can make room that calls back in here (a full pipe drained into its
    // connection at once): the loop running already serves the rest, in order
    if (this.#draining) return;
    this.#draining = true;
    try {
      this.#drain(attempt);
    } finally {
      this.#draining = false;
    }
  }

  #draining = false;
  #drain(attempt: (input: In) => Out | typeof NOT_YET): void {
    const q = this.#q;
    while (q.length > 0) {
      const w = q[0]!;
      let out: Out | typeof NOT_YET;
      try {
        out = attempt(w.input);
      } catch (e) {
        q.shift();
        if (w.timer !== undefined) clearTimeout(w.timer);
        releaseProcess();
        w.reject(e as Error);
        continue;
      }
      if (out === NOT_YET) return;
      q.shift();
      if (w.timer !== undefined) clearTimeout(w.timer);
      releaseProcess();
      w.resolve(out);
    }
  }

  rejectAll(error: () => Error): void {
    for (const w of this.#q.splice(0)) {
      if (w.timer !== undefined) clearTimeout(w.timer);
      releaseProcess();
      w.reject(error());
    }
  }
}
