// SPDX-License-Identifier: MIT
/** The receive slab pool: counting, sealing, recycling, and misuse it refuses. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SlabPool } from "../../../lib/util/slab_pool.ts";

describe("SlabPool", () => {
  it("recycles a slab once it is sealed and every counted view is released", () => {
    const pool = new SlabPool(1024, 4);
    const slab = pool.take();
    const a = slab.bytes.subarray(0, 100), b = slab.bytes.subarray(100, 300);
    pool.keep(a);
    pool.keep(b);
    assert.ok(pool.owns(a));
    assert.ok(pool.release(a));
    pool.seal(slab);
    assert.equal(pool.freeCount, 0, "b is still out");
    assert.ok(pool.release(b));
    assert.equal(pool.freeCount, 1);
    assert.equal(pool.owns(b), false, "a recycled slab no longer vouches for old views");
    const again = pool.take();
    assert.equal(again.bytes, slab.bytes, "the same memory comes back");
    assert.deepEqual([pool.created, pool.reused], [1, 1]);
  });

  it("does not recycle a slab still being read into, even with no views out", () => {
    const pool = new SlabPool(1024, 4);
    const slab = pool.take();
    const v = slab.bytes.subarray(0, 10);
    pool.keep(v);
    pool.release(v);
    assert.equal(pool.freeCount, 0);
    pool.seal(slab);
    assert.equal(pool.freeCount, 1);
  });

  it("refuses a second release, views it never counted, and memory that is not its own", () => {
    const pool = new SlabPool(1024, 4);
    const slab = pool.take();
    const v = slab.bytes.subarray(0, 10), w = slab.bytes.subarray(10, 20);
    pool.keep(v);
    pool.keep(w);
    pool.keep(v); // counted once however often it is kept
    pool.seal(slab);
    assert.ok(pool.release(v));
    assert.equal(pool.release(v), false);
    assert.equal(pool.release(slab.bytes.subarray(0, 10)), false, "an equal but new view");
    assert.equal(pool.release(new Uint8Array(10)), false);
    pool.keep(new Uint8Array(10)); // not a slab: ignored
    assert.equal(pool.freeCount, 0, "w is still out");
    assert.ok(pool.release(w));
    assert.equal(pool.freeCount, 1);
  });

  it("holds at most maxFree slabs", () => {
    const pool = new SlabPool(64, 2);
    const slabs = [pool.take(), pool.take(), pool.take()];
    for (const s of slabs) pool.seal(s);
    assert.equal(pool.freeCount, 2);
  });
});
