// SPDX-License-Identifier: MIT
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MessageAssembly } from "../../../lib/internal.ts";

function body(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (seed * 31 + i) & 0xff;
  return b;
}

describe("MessageAssembly", () => {
  it("gives back every frame, in order, whatever their number and sizes", () => {
    const a = new MessageAssembly();
    for (const count of [1, 2, 16, 17, 18, 100, 5000]) {
      const sizes = Array.from({ length: count }, (_, i) => [0, 1, 5, 127, 128, 129, 3000][i % 7]!);
      const frames = sizes.map((n, i) => body(n, i));
      // the decoder's chunks may be read into again once a frame is handed on: pass copies
      // that are then spoiled, so a frame kept as a view would show it
      for (let i = 0; i < frames.length - 1; i++) {
        const copy = frames[i]!.slice();
        a.push(copy);
        if (copy.length < 128) copy.fill(0xee);
      }
      assert.equal(a.length, count - 1);
      const out = a.finish(frames[frames.length - 1]!);
      assert.equal(a.length, 0);
      assert.equal(out.length, count);
      for (let i = 0; i < count; i++) {
        if (i < 16 || frames[i]!.length >= 128 || i === count - 1) {
          assert.equal(out[i]!.length, frames[i]!.length, `frame ${i}`);
        } else assert.deepEqual(out[i], frames[i], `frame ${i}`);
      }
    }
  });

  it("holds a million empty frames in about a byte each", () => {
    const a = new MessageAssembly();
    const empty = new Uint8Array(0);
    for (let i = 0; i < 1_000_000; i++) a.push(empty);
    assert.equal(a.length, 1_000_000);
    a.clear();
    assert.equal(a.length, 0);
    assert.deepEqual(a.finish(Uint8Array.of(1)), [Uint8Array.of(1)]);
  });
});
