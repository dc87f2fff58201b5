// SPDX-License-Identifier: MIT
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError, ProtocolErrorCode } from "../../../lib/internal.ts";
import {
  decodeMetadata,
  encodeMetadata,
  getProperty,
  type Metadata,
} from "../../../lib/internal.ts";
import { ascii, concat, hex } from "./_chunks.ts";

const invalid = (e: unknown) =>
  e instanceof ProtocolError && e.code === ProtocolErrorCode.INVALID_METADATA;

const SAMPLE: Metadata = [
  ["Socket-Type", ascii("DEALER")],
  ["Identity", new Uint8Array(0)],
  ["X-Hello.World+1_a", new Uint8Array(300).fill(0xab)],
];

describe("metadata", () => {
  it("encodes the DEALER property list byte for byte (zmtp.md §6)", () => {
    assert.deepEqual(
      encodeMetadata([["Socket-Type", ascii("DEALER")], ["Identity", new Uint8Array(0)]]),
      hex(
        `0b 53 6f 63 6b 65 74 2d 54 79 70 65 00 00 00 06 44 45 41 4c 45 52 08 49 64 65 6e 74 69 74 79 00 00 00 00`,
      ),
    );
  });

  it("round-trips, keeping order and spelling; the empty list is zero bytes", () => {
    assert.deepEqual(decodeMetadata(encodeMetadata(SAMPLE)), SAMPLE);
    assert.equal(encodeMetadata([]).length, 0);
    assert.deepEqual(decodeMetadata(new Uint8Array(0)), []);
  });

  it("looks properties up case-insensitively", () => {
    const md = decodeMetadata(encodeMetadata([["socket-type", ascii("SUB")]]));
    assert.deepEqual(getProperty(md, "Socket-Type"), ascii("SUB"));
    assert.deepEqual(getProperty(md, "SOCKET-TYPE"), ascii("SUB"));
    assert.equal(getProperty(md, "Identity"), undefined);
  });

  it("refuses every truncation of a valid list", () => {
    const full = encodeMetadata(SAMPLE);
    // cut points that fall exactly between properties are valid shorter lists
    const boundaries = new Set<number>([0]);
    let o = 0;
    for (const [n, v] of SAMPLE) boundaries.add(o += 1 + n.length + 4 + v.length);
    for (let cut = 1; cut < full.length; cut++) {
      if (boundaries.has(cut)) continue;
      assert.throws(() => decodeMetadata(full.subarray(0, cut)), invalid, `cut at ${cut}`);
    }
  });

  it("refuses a stray trailing byte, whatever its value", () => {
    const full = encodeMetadata(SAMPLE);
    for (const b of [0x00, 0x01, 0x05, 0x41, 0xff]) {
      assert.throws(
        () => decodeMetadata(concat(full, new Uint8Array([b]))),
        invalid,
        `trailing 0x${b.toString(16)}`,
      );
    }
  });

  it("refuses a zero name length and invalid name characters", () => {
    assert.throws(() => decodeMetadata(hex("00 00 00 00 00")), invalid);
    assert.throws(
      () => decodeMetadata(concat(hex("03"), ascii("a b"), hex("00 00 00 00"))),
      invalid,
    );
    assert.throws(
      () => decodeMetadata(concat(hex("02"), hex("c3 a9"), hex("00 00 00 00"))),
      invalid,
    );
  });

  it("refuses a value length past the end, even one of 2^32 - 1", () => {
    assert.throws(
      () => decodeMetadata(concat(hex("01"), ascii("A"), hex("ff ff ff ff"), ascii("x"))),
      invalid,
    );
    assert.throws(
      () => decodeMetadata(concat(hex("01"), ascii("A"), hex("00 00 00 02"), ascii("x"))),
      invalid,
    );
  });

  it("encodeMetadata refuses invalid names", () => {
    assert.throws(() => encodeMetadata([["", new Uint8Array(0)]]), RangeError);
    assert.throws(() => encodeMetadata([["has space", new Uint8Array(0)]]), RangeError);
    assert.throws(() => encodeMetadata([["N".repeat(256), new Uint8Array(0)]]), RangeError);
  });
});
