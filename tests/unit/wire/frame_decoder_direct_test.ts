// SPDX-License-Identifier: MIT
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FrameDecoder } from "../../../lib/internal.ts";
import { encodeFrame } from "../../../lib/internal.ts";

describe("FrameDecoder reads in place", () => {
  it("lets a reader fill the rest of a large body directly, in several reads", () => {
    const body = new Uint8Array(100_000);
    for (let i = 0; i < body.length; i++) body[i] = i * 7 & 0xff;
    const wire = encodeFrame(1, body);
    const frames: [number, Uint8Array][] = [];
    const d = new FrameDecoder((f, b) => frames.push([f, b]));
    d.push(encodeFrame(0, new Uint8Array(100_000))); // the peer has sent as much before
    frames.length = 0;
    d.push(wire.subarray(0, 1000)); // header and the first bytes, the ordinary way
    assert.equal(d.bodyTarget(200_000), undefined, "less left than asked for");
    let at = 1000;
    for (const n of [30_000, 55_000]) {
      const t = d.bodyTarget(16 * 1024)!;
      assert.equal(t.length, wire.length - at);
      t.set(wire.subarray(at, at + n));
      d.filled(n);
      at += n;
    }
    assert.equal(frames.length, 0);
    assert.equal(d.bodyTarget(16 * 1024), undefined, "under 16 KiB left: the ordinary way");
    d.push(wire.subarray(at));
    assert.equal(frames.length, 1);
    assert.equal(frames[0]![0] & 1, 1, "MORE kept");
    assert.deepEqual(frames[0]![1], body);
    assert.ok(d.idle);
  });

  it("gives a body larger than 16 KiB a buffer only once the peer has sent as many bytes", () => {
    const frames: Uint8Array[] = [];
    const d = new FrameDecoder((_, b) => frames.push(b));
    const wire = encodeFrame(0, new Uint8Array(1_000_000).fill(7));
    d.push(wire.subarray(0, 20)); // a header claiming 1 MB: held are the bytes sent, no more
    assert.equal(d.bodyTarget(1), undefined);
    d.push(wire.subarray(20));
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.length, 1_000_000);
    assert.ok(frames[0]!.every((b) => b === 7));
    d.push(wire.subarray(0, 20)); // now the peer has sent more than the next body claims
    assert.ok(d.bodyTarget(1) !== undefined);
  });

  it("offers no target between frames, for a frame whole in its chunk, or once stopped", () => {
    const d = new FrameDecoder(() => {});
    assert.equal(d.bodyTarget(1), undefined);
    d.push(encodeFrame(0, new Uint8Array(50_000)));
    assert.equal(d.bodyTarget(1), undefined);
    d.push(encodeFrame(0, new Uint8Array(40_000)).subarray(0, 100));
    assert.ok(d.bodyTarget(1) !== undefined);
    d.stop();
    assert.equal(d.bodyTarget(1), undefined);
  });
});
