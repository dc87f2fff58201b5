// SPDX-License-Identifier: MIT
/**
 * Keeps tight `for (;;) await socket.send(…)` and `await socket.receive()` loops from starving
 * the runtime (issue 12, item 2).
 *
 * A send that can queue at once, or a receive that finds a message already queued, settles its
 * promise right away, and the caller's `await` then continues as a microtask. A loop of such
 * calls is one unbroken chain of microtasks: no timer, accept, read or write runs until the
 * loop stops, so a publisher in the Guide's weather-server loop never lets a subscriber
 * connect. (libzmq does its I/O on its own thread, so there the same loop just works.)
 *
 * So every operation that completes at once is counted here ({@linkcode spend}; on the hot
 * path only a countdown), and every {@linkcode CHECK_EVERY} of them the clock is read. Once the
 * runtime has had no turn of its own for {@linkcode BUDGET_MS}, the operations settle through
 * one turn of the event loop ({@linkcode later}) and the runtime's timers and I/O run before
 * the loop goes on. Whether the runtime had a turn of its own is learnt from a probe: a
 * macrotask scheduled, not awaited, when a window starts. A program that reaches the event loop
 * by itself (a request/reply round trip, a sender blocked at its HWM, a receiver that empties
 * its queue) runs the probe within the window and never pays for a forced yield.
 *
 * The probe is `setImmediate` (a global on Deno 2, Bun and Node: a few µs). The forced turn is
 * `ioTurn` (lib/transports/runtime/io_turn.ts): an immediate on Bun and Node, which poll their
 * sockets on every turn; on Deno, which does not, a doorbell on a loopback connection (~0.1 ms)
 * or, without the net permission, a timer (~2.2 ms). A digest awaited instead left a subscriber
 * 1.6–2.3 s to connect to a tight publisher; a MessageChannel post lets neither timers (Bun)
 * nor I/O (Deno) run.
 *
 * One budget serves the whole process, since starvation is a property of the whole chain (a
 * proxy loop alternates between sockets). Settlements that wait for a macrotask keep their
 * order among themselves; a settlement made while one is waiting waits too.
 */
import { ioTurn, prepareIoTurn } from "../transports/runtime/io_turn.ts";
import { macrotask } from "./macrotask.ts";

/** Completions between two reads of the clock. */
export const CHECK_EVERY = 64;
/**
 * Milliseconds of work without a turn of the runtime's own before one is forced, for a loop of
 * sends (a publisher: a subscriber's connect needs several I/O turns to complete, so they come
 * often) and for one of receives. A Deno receiver fed without pause is a receive loop of that
 * kind (Deno completes a read at once while data is there, so reading, decoding and receiving
 * run as one chain of microtasks). Forced turns there cost throughput beyond their own time
 * (with a 2.2 ms timer as the turn, Deno's 64 B PUSH→PULL rate lost 15% at 10 ms, 11% at 50 ms,
 * 9% at 100 ms), so receives get the longer budget. Timers behind such a receiver wait at most
 * about RECEIVE_BUDGET_MS.
 */
export const BUDGET_MS = 10;
/** As BUDGET_MS, for a check made by a receive. */
export const RECEIVE_BUDGET_MS = 50;

/** Completions left before the next check (0 while a forced yield waits: each one checks). */
let left = CHECK_EVERY;
let windowStart = 0;
/** The window's probe ran: the runtime had a turn of its own (true at first: start a window). */
let turned = true;
/** Tells the current window's probe from older ones. */
let epoch = 0;
/** Pending while a forced yield waits for its macrotask. */
let gate: Promise<void> | undefined;

/**
 * Counts one operation that completed at once. True when it must settle through
 * {@linkcode later} (or {@linkcode laterReject}) instead of at once.
 */
export function spend(receive = false): boolean {
  return --left > 0 ? false : check(receive);
}

/** The slow part of spend(), kept apart so that the part run on every operation stays small. */
function check(receive: boolean): boolean {
  if (gate !== undefined) return true;
  left = CHECK_EVERY;
  const now = performance.now();
  // one probe per window, not per check: a program that reaches the event loop by itself
  // (a receiver that empties its queue) would otherwise pay a macrotask every check
  if (now - windowStart < (receive ? RECEIVE_BUDGET_MS : BUDGET_MS)) return false;
  if (turned) {
    startWindow(now);
    return false;
  }
  forceYield();
  return true;
}

function startWindow(now: number): void {
  // a window may end in a forced turn: have the cheap one ready by then
  prepareIoTurn();
  turned = false;
  windowStart = now;
  const e = ++epoch;
  macrotask(() => {
    if (e === epoch) turned = true;
  });
}

function forceYield(): void {
  left = 0;
  epoch++; // the window's probe runs during this yield: it says nothing of the program
  gate = new Promise<void>((resolve) =>
    ioTurn(() => {
      gate = undefined;
      startWindow(performance.now());
      resolve();
    })
  );
}

/** Resolves with `value` once the pending yield's macrotask ran (after a `true` from spend()). */
export function later<T>(value: T): Promise<T> {
  return gate === undefined ? Promise.resolve(value) : gate.then(() => value);
}

/** Rejects with `error` once the pending yield's macrotask ran (after a `true` from spend()). */
export function laterReject(error: unknown): Promise<never> {
  return gate === undefined ? Promise.reject(error) : gate.then(() => {
    throw error;
  });
}
