// SPDX-License-Identifier: MIT
/**
 * When a session encodes and writes what its socket queued: as late as it can without waiting
 * for a reason, so that one write carries many messages.
 *
 * A message queued alone (a request, a reply) is written after one microtask hop: the hop lets
 * a sender that is still queueing in the same turn add its next message first, and a hop that
 * adds nothing ends the wait. An `await send()` loop adds one message per hop, so the hops go
 * on, up to {@linkcode MAX_SETTLE_HOPS}: a microtask of ours for every message it sends.
 *
 * A sender that kept adding for all those hops is streaming. From then on it pays nothing per
 * message: every {@linkcode STREAM_BATCH} messages queued are written at once, in the send()
 * that queued the last of them, and what is left when the sender stops is written in the next
 * macrotask, which runs as soon as its loop yields to the event loop (it waits on something,
 * ends, or the yield budget of lib/util/yield_budget.ts gives the runtime its turn). A tail
 * shorter than a batch ends streaming: the next message waits for hops again.
 */

import { macrotask } from "../util/macrotask.ts";

/** Microtask hops a write may wait for a sender that is still queueing in this turn. */
export const MAX_SETTLE_HOPS = 64;
/** Messages a streaming sender queues between two writes. */
export const STREAM_BATCH = 64;

export class SendBatching {
  /** Messages queued and not yet taken by `pump`. */
  readonly #queued: () => number;
  /** Encodes and writes what is queued. */
  readonly #pump: () => void;
  #scheduled = false;
  #streaming = false;
  #tailScheduled = false;
  #seen = -1;
  #hops = 0;

  constructor(queued: () => number, pump: () => void) {
    this.#queued = queued;
    this.#pump = pump;
  }

  /** Something was queued (or may be written again): write it, now or soon. */
  ready(): void {
    if (this.#streaming) {
      if (this.#queued() >= STREAM_BATCH) this.#pump();
      else if (!this.#tailScheduled) {
        this.#tailScheduled = true;
        macrotask(this.#tail);
      }
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#seen = -1;
    this.#hops = 0;
    queueMicrotask(this.#settle);
  }

  /** A pump ran (scheduled or not): a scheduled one is no longer needed. */
  pumped(): void {
    this.#scheduled = false;
  }

  #settle = (): void => {
    const n = this.#queued();
    if (n !== this.#seen && this.#hops < MAX_SETTLE_HOPS) {
      this.#seen = n;
      this.#hops++;
      queueMicrotask(this.#settle);
      return;
    }
    if (this.#hops === MAX_SETTLE_HOPS) this.#streaming = true;
    this.#pump();
  };

  #tail = (): void => {
    this.#tailScheduled = false;
    if (this.#queued() < STREAM_BATCH) this.#streaming = false;
    this.#pump();
  };
}
