// SPDX-License-Identifier: MIT
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ByteQueue } from "../../../lib/internal.ts";

describe("ByteQueue", () => {
  it("gives entries back in order, as copies, through growth and compaction", () => {
    const q = new ByteQueue();
    const model: Uint8Array[] = [];
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    for (let round = 0; round < 20_000; round++) {
      if (rand(3) !== 0) {
        const body = new Uint8Array(rand(40) === 0 ? rand(5000) : rand(20)).map(() => rand(256));
        const lead = rand(2);
        q.push(lead, body);
        model.push(Uint8Array.of(lead, ...body));
        body.fill(0); // the queue keeps its own copy
      } else {
        assert.deepEqual(q.shift(), model.shift());
      }
      assert.equal(q.length, model.length);
    }
    while (model.length > 0) assert.deepEqual(q.shift(), model.shift());
    assert.equal(q.shift(), undefined);
    assert.equal(q.length, 0);
  });

  it("clear() empties it", () => {
    const q = new ByteQueue();
    for (let i = 0; i < 1000; i++) q.push(1, Uint8Array.of(i & 0xff));
    q.clear();
    assert.equal(q.length, 0);
    assert.equal(q.shift(), undefined);
    q.push(0, Uint8Array.of(9));
    assert.deepEqual(q.shift(), Uint8Array.of(0, 9));
  });
});
