// SPDX-License-Identifier: MIT
/** FrameDecoder limits: the whole message counts, frames are counted, commands apart. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError, ProtocolErrorCode } from "../../../lib/internal.ts";
import { FrameDecoder, type FrameLimits } from "../../../lib/internal.ts";
import { chunkings, concat, hex } from "./_chunks.ts";

const MORE = 1, CMD = 4;

function frame(flags: number, size: number): Uint8Array {
  return concat(Uint8Array.of(flags, size), new Uint8Array(size).fill(0x61));
}

/** Feeds `wire` every way: the frame sizes seen, and the error message if refused. */
function run(wire: Uint8Array, limits: FrameLimits): Array<{ sizes: number[]; error?: string }> {
  return chunkings(wire).map(([, chunks]) => {
    const sizes: number[] = [];
    const d = new FrameDecoder((_, b) => sizes.push(b.length));
    d.setLimits(limits);
    try {
      for (const c of chunks) d.push(c);
    } catch (e) {
      assert.ok(e instanceof ProtocolError);
      assert.equal(e.code, ProtocolErrorCode.MESSAGE_TOO_LARGE);
      return { sizes, error: e.message };
    }
    return { sizes };
  });
}

describe("FrameDecoder limits", () => {
  it("counts every frame of a message against maxMessageSize, from each header", () => {
    const wire = concat(frame(MORE, 40), frame(MORE, 40), frame(0, 40));
    for (const r of run(wire, { message: 100, frames: -1, command: -1 })) {
      assert.deepEqual(r.sizes, [40, 40]);
      assert.equal(r.error, "message of 3 frames and 120 bytes exceeds maxMessageSize 100");
    }
  });

  it("starts counting again with each message", () => {
    const wire = concat(frame(MORE, 60), frame(0, 40), frame(MORE, 50), frame(0, 50));
    for (const r of run(wire, { message: 100, frames: -1, command: -1 })) {
      assert.equal(r.error, undefined);
      assert.deepEqual(r.sizes, [60, 40, 50, 50]);
    }
  });

  it("refuses the frame after maxMessageFrames, empty frames included", () => {
    const ok = concat(frame(MORE, 0), frame(MORE, 0), frame(MORE, 0), frame(0, 0));
    for (const r of run(ok, { message: -1, frames: 4, command: -1 })) {
      assert.equal(r.error, undefined);
      assert.equal(r.sizes.length, 4);
    }
    const over = concat(ok.subarray(0, 6), frame(MORE, 0), frame(0, 0));
    for (const r of run(over, { message: -1, frames: 4, command: -1 })) {
      assert.equal(r.sizes.length, 4);
      assert.equal(r.error, "message of more than 4 frames exceeds maxMessageFrames 4");
    }
  });

  it("keeps commands apart: their own limit and name, not counted in a message", () => {
    const wire = concat(frame(MORE, 60), frame(CMD, 90), frame(0, 40));
    for (const r of run(wire, { message: 100, frames: 2, command: 90 })) {
      assert.equal(r.error, undefined);
      assert.deepEqual(r.sizes, [60, 90, 40]);
    }
    const big = frame(CMD, 91);
    const limits = { message: 100, frames: 2, command: 90, commandName: "maxHandshakeSize" };
    for (const r of run(big, limits)) {
      assert.equal(r.error, "command of 91 bytes exceeds maxHandshakeSize 90");
    }
  });

  it("names a long-form size of 2^62 without allocating it", () => {
    for (
      const r of run(hex("02 40 00 00 00 00 00 00 00"), { message: -1, frames: -1, command: -1 })
    ) {
      assert.equal(r.error, "frame of 2^53 or more bytes exceeds maxMessageSize 4294967295");
    }
  });
});
