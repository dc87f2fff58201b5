// SPDX-License-Identifier: MIT
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Flag } from "../../../lib/internal.ts";
import { FrameDecoder } from "../../../lib/internal.ts";
import { encodeFrame, encodeMessage, headerSize, writeHeader } from "../../../lib/internal.ts";
import { ascii, concat, hex } from "./_chunks.ts";

describe("frame encoder", () => {
  it("300-byte frame uses the long form: 02 00 00 00 00 00 00 01 2c (zmtp.md §4)", () => {
    const body = new Uint8Array(300).fill(1);
    const f = encodeFrame(0, body);
    assert.deepEqual(f.subarray(0, 9), hex("02 00 00 00 00 00 00 01 2c"));
    assert.deepEqual(f.subarray(9), body);
  });

  it("long form iff the body is longer than 255 bytes", () => {
    assert.equal(headerSize(0), 2);
    assert.equal(headerSize(255), 2);
    assert.equal(headerSize(256), 9);
    assert.deepEqual(encodeFrame(0, new Uint8Array(255)).subarray(0, 2), hex("00 ff"));
    assert.deepEqual(
      encodeFrame(Flag.MORE, new Uint8Array(256)).subarray(0, 9),
      hex("03 00 00 00 00 00 00 01 00"),
    );
    assert.deepEqual(
      encodeFrame(Flag.COMMAND, new Uint8Array(256)).subarray(0, 9),
      hex("06 00 00 00 00 00 00 01 00"),
    );
  });

  it("clears a LONG flag passed for a short body", () => {
    assert.deepEqual(encodeFrame(Flag.LONG | Flag.MORE, ascii("a")), hex("01 01 61"));
  });

  it("writes sizes of 2^32 and more in all 8 bytes", () => {
    const out = new Uint8Array(9);
    assert.equal(writeHeader(out, 0, 0, 2 ** 32 + 5), 9);
    assert.deepEqual(out, hex("02 00 00 00 01 00 00 00 05"));
    assert.equal(writeHeader(out, 0, Flag.MORE, 0xffff_ffff), 9);
    assert.deepEqual(out, hex("03 00 00 00 00 ff ff ff ff"));
  });

  it("writes at an offset and returns the offset after the header", () => {
    const out = new Uint8Array(12).fill(0xee);
    assert.equal(writeHeader(out, 3, Flag.COMMAND, 7), 5);
    assert.deepEqual(out.subarray(0, 6), hex("ee ee ee 04 07 ee"));
  });

  it("REQ 'hello' as a message: 01 00 00 05 68 65 6c 6c 6f (zmtp.md §6)", () => {
    assert.deepEqual(
      encodeMessage([new Uint8Array(0), ascii("hello")]),
      hex("01 00 00 05 68 65 6c 6c 6f"),
    );
  });

  it("a DEALER 'hello' and a multipart message with a long frame", () => {
    assert.deepEqual(encodeMessage([ascii("hello")]), hex("00 05 68 65 6c 6c 6f"));
    const big = new Uint8Array(300).fill(2);
    assert.deepEqual(
      encodeMessage([ascii("a"), big, ascii("b")]),
      concat(hex("01 01 61 03 00 00 00 00 00 00 01 2c"), big, hex("00 01 62")),
    );
  });

  it("round-trips through the decoder", () => {
    const frames = [
      new Uint8Array(0),
      ascii("x"),
      new Uint8Array(255).fill(3),
      new Uint8Array(70_000).fill(4),
    ];
    const got: Array<[number, Uint8Array]> = [];
    new FrameDecoder((f, b) => got.push([f, b.slice()])).push(encodeMessage(frames));
    assert.deepEqual(got.map(([, b]) => b), frames);
    assert.deepEqual(got.map(([f]) => f & Flag.MORE), [1, 1, 1, 0]);
  });
});
