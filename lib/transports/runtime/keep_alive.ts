// SPDX-License-Identifier: MIT
/**
 * What keeps the process alive, as zeromq.js has it: an open socket alone does not (its
 * connections, listeners and timers are unref'd); a send or receive waiting does, an event
 * listener or a wait on `socket.events` does, and so does a closed socket still delivering
 * within its linger. `holdProcess` / `releaseProcess` count
 * those holds; while any is held, one interval keeps the event loop from ending.
 */
const D = (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno;

/** A timer that must not keep the process alive by itself (Deno: a number; else an object). */
export function unrefTimer(timer: unknown): void {
  if (typeof timer === "number") D?.unrefTimer?.(timer);
  else (timer as { unref?(): void } | undefined)?.unref?.();
}

let holds = 0;
let keeper: ReturnType<typeof setInterval> | undefined;
/**
 * How often an idle keeper checks whether it is still needed. Releasing is only a decrement
 * (a receive loop holds and releases once per message: no timer is made or cleared per
 * message); the process may end up to this long after the last hold is released.
 */
const IDLE_CHECK_MS = 50;

/** Keeps the process alive until a matching releaseProcess(). */
export function holdProcess(): void {
  holds++;
  keeper ??= setInterval(() => {
    if (holds > 0) return;
    clearInterval(keeper);
    keeper = undefined;
  }, IDLE_CHECK_MS);
}

/** Ends one holdProcess(); once none is left, the process may end (within IDLE_CHECK_MS). */
export function releaseProcess(): void {
  if (holds > 0) holds--;
}

/** Holds the process until `p` settles; returns `p`. */
export function holdUntil<T>(p: Promise<T>): Promise<T> {
  holdProcess();
  p.then(releaseProcess, releaseProcess);
  return p;
}
