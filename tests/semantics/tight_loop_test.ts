// SPDX-License-Identifier: MIT
/**
 * A tight `for (;;) await socket.send(…)` or `await socket.receive()` loop must not starve the
 * runtime (issue 12, item 2): the Guide's weather server is exactly such a loop, and with
 * libzmq it works because the I/O runs on another thread. Here every send or receive that
 * completes at once would resolve as a microtask, so without lib/util/yield_budget.ts no
 * timer, accept or read would ever run until the loop ends. Each test records the loop index
 * at which something outside the loop happened and asserts it happened before the loop ended.
 * No timing assertions: only "before the end of the loop".
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Publisher, Pull, Push, Subscriber } from "../../mod.ts";
import { bindAddress, closeAll, STREAM_TRANSPORTS, until, withTimeout } from "./_util.ts";

/**
 * Messages queued for the receive loops: a receive loop yields every 50 ms
 * (RECEIVE_BUDGET_MS), and a runtime may take as little as 0.1 µs a receive.
 */
const QUEUED = 1_000_000;
/**
 * At most this many sends while a subscriber connects (a connection needs several rounds of
 * I/O, one per forced yield: lib/util/yield_budget.ts) or a timer waits. Each loop stops at
 * the first sign of the event loop, so a passing test is short.
 */
const SENDS = 10_000_000;

for (const t of STREAM_TRANSPORTS) {
  describe(`a tight PUB send loop over ${t}`, () => {
    it("lets a subscriber connect, subscribe and receive before the loop ends", async () => {
      const pub = new Publisher();
      const sub = new Subscriber();
      try {
        await pub.bind(bindAddress(t));
        let i = 0;
        let firstAt: number | undefined;
        sub.subscribe("");
        sub.connect(pub.lastEndpoint!);
        const first = sub.receive().then(() => {
          firstAt = i;
        }, () => {});
        const update = new Uint8Array(16);
        // stops once the subscriber has a message, so the test is short when it passes
        for (i = 0; i < SENDS && firstAt === undefined; i++) await pub.send(update);
        assert.notEqual(firstAt, undefined, `the subscriber received nothing in ${SENDS} sends`);
        assert.ok(firstAt! < SENDS);
        await withTimeout(first);
      } finally {
        closeAll(sub, pub);
      }
    });
  });
}

describe("timers during tight loops", () => {
  it("a setTimeout callback fires during a tight send loop", async () => {
    const pub = new Publisher();
    try {
      await pub.bind(bindAddress("inproc"));
      let i = 0;
      let firedAt: number | undefined;
      const timer = setTimeout(() => firedAt = i, 0);
      const update = new Uint8Array(16);
      // stops once the timer fired: a count fixed in advance may end before any budget is spent
      // (200,000 sends to no subscriber take 9 ms on Deno, under BUDGET_MS)
      for (i = 0; i < SENDS && firedAt === undefined; i++) await pub.send(update);
      clearTimeout(timer);
      assert.notEqual(firedAt, undefined, `the timer did not fire during ${SENDS} sends`);
      assert.ok(firedAt! < SENDS);
    } finally {
      closeAll(pub);
    }
  });

  /** A PULL with QUEUED small messages already queued (inproc delivers synchronously). */
  async function fullPull(): Promise<{ push: Push; pull: Pull }> {
    const pull = new Pull({ receiveHighWaterMark: 0 });
    const push = new Push({ sendHighWaterMark: 0 });
    await pull.bind(bindAddress("inproc"));
    push.connect(pull.lastEndpoint!);
    const body = new Uint8Array(8);
    for (let k = 0; k < QUEUED; k++) await push.send(body);
    await until(
      () => pull.gauges().queued + push.gauges().queued >= QUEUED,
      20_000,
      "queue filled",
    );
    return { push, pull };
  }

  it("a setTimeout callback fires during a tight receive loop over a full queue", async () => {
    const { push, pull } = await fullPull();
    try {
      let i = 0;
      let firedAt: number | undefined;
      const timer = setTimeout(() => firedAt = i, 0);
      for (i = 0; i < QUEUED && firedAt === undefined; i++) await pull.receive();
      clearTimeout(timer);
      assert.notEqual(firedAt, undefined, `the timer did not fire during ${QUEUED} receives`);
      assert.ok(firedAt! < QUEUED);
    } finally {
      closeAll(push, pull);
    }
  });

  it("a setTimeout callback fires during for-await over a full queue", async () => {
    const { push, pull } = await fullPull();
    try {
      let i = 0;
      let firedAt: number | undefined;
      const timer = setTimeout(() => firedAt = i, 0);
      for await (const _ of pull) {
        if (++i === QUEUED || firedAt !== undefined) break;
      }
      clearTimeout(timer);
      assert.notEqual(firedAt, undefined, `the timer did not fire during ${QUEUED} iterations`);
      assert.ok(firedAt! < QUEUED);
    } finally {
      closeAll(push, pull);
    }
  });
});
