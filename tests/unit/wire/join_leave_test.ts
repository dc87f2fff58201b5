// SPDX-License-Identifier: MIT
/** JOIN / LEAVE (RFC 48, zmtp.md §5.5): bytes, and names recognised without allocating. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { commandName, encodeJoin, encodeLeave } from "../../../lib/wire/command.ts";
import { encodeFrame } from "../../../lib/wire/frame_encoder.ts";
import { Flag, GROUP_MAX_LENGTH } from "../../../lib/wire/constants.ts";
import { ascii, hex } from "./_chunks.ts";

describe("commands: JOIN / LEAVE", () => {
  it("JOIN 'weather' is zmtp.md's byte vector", () => {
    assert.deepEqual(
      encodeFrame(Flag.COMMAND, encodeJoin(ascii("weather"))),
      hex("04 0c 04 4a 4f 49 4e 77 65 61 74 68 65 72"),
    );
  });

  it("LEAVE 'weather'", () => {
    assert.deepEqual(encodeLeave(ascii("weather")), hex("05 4c 45 41 56 45 77 65 61 74 68 65 72"));
  });

  it("an empty group is a bare name; the longest is 255 bytes", () => {
    assert.deepEqual(encodeJoin(new Uint8Array(0)), hex("04 4a 4f 49 4e"));
    const long = encodeJoin(new Uint8Array(GROUP_MAX_LENGTH).fill(0x61));
    assert.equal(long.length, 5 + 255);
    assert.equal(GROUP_MAX_LENGTH, 255);
  });

  it("commandName knows JOIN and LEAVE", () => {
    assert.equal(commandName(encodeJoin(ascii("g"))), "JOIN");
    assert.equal(commandName(encodeLeave(ascii("g"))), "LEAVE");
  });
});
