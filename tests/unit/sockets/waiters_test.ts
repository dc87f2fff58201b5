// SPDX-License-Identifier: MIT
/** Waiters: served once each, in order, even when serving one calls drain() again. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { NOT_YET, Waiters } from "../../../lib/internal.ts";

describe("Waiters", () => {
  it("a drain() from inside an attempt serves nobody twice and keeps the order", async () => {
    const w = new Waiters<number, number>();
    const served: number[] = [];
    const done = [1, 2, 3].map((n) => w.wait(n, 0, () => new Error("timeout")));
    let room = 3;
    const attempt = (n: number): number | typeof NOT_YET => {
      if (room === 0) return NOT_YET;
      // making room can call back into drain (a full pipe handed to its connection at once)
      w.drain(attempt);
      room--;
      served.push(n);
      return n;
    };
    w.drain(attempt);
    assert.deepEqual(served, [1, 2, 3]);
    assert.deepEqual(await Promise.all(done), [1, 2, 3]);
    assert.equal(w.length, 0);
  });
});
