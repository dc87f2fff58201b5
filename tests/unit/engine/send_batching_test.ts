// SPDX-License-Identifier: MIT
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_SETTLE_HOPS, SendBatching, STREAM_BATCH } from "../../../lib/internal.ts";

/** A socket's queue as the batching sees it: messages are added, and a pump takes them all. */
function harness() {
  let queued = 0;
  const writes: number[] = [];
  const b = new SendBatching(() => queued, () => {
    b.pumped();
    if (queued > 0) writes.push(queued);
    queued = 0;
  });
  return {
    writes,
    /** One send() of an `await send()` loop: queue, tell the batching, resolve at once. */
    send(): Promise<void> {
      queued++;
      b.ready();
      return Promise.resolve();
    },
    get queued() {
      return queued;
    },
  };
}

const macrotask = () => new Promise<void>((r) => setTimeout(r, 0));

describe("SendBatching", () => {
  it("writes a lone message after a hop that adds nothing", async () => {
    const h = harness();
    await h.send();
    assert.deepEqual(h.writes, []); // not within the send
    await macrotask();
    assert.deepEqual(h.writes, [1]);
  });

  it("gathers what an await-send loop queues in one turn", async () => {
    const h = harness();
    for (let i = 0; i < 10; i++) await h.send();
    await macrotask();
    assert.deepEqual(h.writes, [10]);
  });

  it("streams a loop that outlasts the hops: a write per batch, in the send, no hop per message", async () => {
    const h = harness();
    const total = MAX_SETTLE_HOPS + 5 * STREAM_BATCH + 37;
    for (let i = 0; i < total; i++) await h.send();
    // the first write came when the hops ran out, then one per batch
    assert.ok(h.writes.length >= 1 + 5);
    for (const n of h.writes.slice(1)) assert.equal(n, STREAM_BATCH);
    // the tail shorter than a batch waits for the loop to yield, and is written then
    assert.ok(h.queued > 0 && h.queued < STREAM_BATCH);
    await macrotask();
    assert.equal(h.queued, 0);
    assert.equal(h.writes.reduce((a, n) => a + n, 0), total);
  });

  it("a short tail ends streaming: the next lone message is written after a hop again", async () => {
    const h = harness();
    for (let i = 0; i < MAX_SETTLE_HOPS + STREAM_BATCH + 3; i++) await h.send();
    await macrotask();
    const before = h.writes.length;
    await h.send();
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(h.writes.length, before + 1); // two hops, not a macrotask
    assert.equal(h.writes.at(-1), 1);
  });
});
