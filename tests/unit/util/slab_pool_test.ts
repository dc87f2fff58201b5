// SPDX-License-Identifier: MIT
/** The receive slab pool: counting, sealing, recycling, and misuse it refuses. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SlabPool } from "../../../lib/internal.ts";

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

  it("keeps a released slab out of the pool while a queued message pins it", () => {
    const pool = new SlabPool(1024, 4);
    const slab = pool.take();
    const v = slab.bytes.subarray(0, 100);
    pool.keep(v);
    pool.seal(slab);
    const msg = [v];
    pool.pin(msg); // queued to two peers (a fan-out pins once per queue)
    pool.pin(msg);
    assert.ok(pool.pinned(msg));
    assert.ok(pool.release(v), "the application is done with it");
    assert.equal(pool.freeCount, 0, "two queues still read it");
    pool.unpin(msg);
    assert.equal(pool.freeCount, 0, "one queue still reads it");
    pool.unpin(msg);
    assert.equal(pool.freeCount, 1, "written everywhere: back in the pool");
    pool.unpin(msg); // one unpin too many changes nothing
    assert.equal(pool.freeCount, 1);
  });

  it("pins each slab of a multipart message once, and ignores frames outside slabs", () => {
    const pool = new SlabPool(1024, 4);
    const s1 = pool.take(), s2 = pool.take();
    const a = s1.bytes.subarray(0, 10), b = s1.bytes.subarray(10, 20), c = s2.bytes.subarray(0, 5);
    const msg = [a, new Uint8Array(3), b, c];
    pool.pin(msg);
    pool.seal(s1);
    pool.seal(s2);
    assert.equal(pool.freeCount, 0, "both slabs pinned");
    pool.unpin(msg);
    assert.equal(pool.freeCount, 2, "both back after one unpin");
    const plain = [new Uint8Array(8)];
    pool.pin(plain);
    assert.equal(pool.pinned(plain), false, "nothing to pin outside slabs");
  });

  it("hands a pinned message over as new views the receiver releases", () => {
    const pool = new SlabPool(1024, 4);
    const slab = pool.take();
    const v = slab.bytes.subarray(0, 100);
    pool.keep(v);
    const msg = [v, new Uint8Array(2)];
    pool.pin(msg);
    const given = pool.handOver(msg)!;
    assert.notEqual(given[0], v, "a view of its own");
    assert.equal(given[0]!.buffer, v.buffer);
    assert.equal(given[1], msg[1], "frames outside slabs go as they are");
    assert.equal(pool.handOver([new Uint8Array(1)]), undefined, "nothing pinned: goes as it is");
    pool.seal(slab);
    assert.ok(pool.release(v), "the sender releases its own");
    assert.equal(pool.freeCount, 0, "the receiver still holds its view");
    assert.ok(pool.release(given[0]!));
    assert.equal(pool.freeCount, 1);
  });
});
