// SPDX-License-Identifier: MIT
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError, ProtocolErrorCode } from "../../../lib/internal.ts";
import { Flag } from "../../../lib/internal.ts";
import { FrameDecoder } from "../../../lib/internal.ts";
import { ascii, chunkings, concat, hex } from "./_chunks.ts";

type Frame = [flags: number, body: Uint8Array];

/** Decodes chunks with a fresh decoder: the frames (bodies copied) and any error. */
function decode(
  chunks: Uint8Array[],
  maxSize = -1,
): { frames: Frame[]; error?: unknown; idle: boolean } {
  const frames: Frame[] = [];
  const d = new FrameDecoder((f, b) => frames.push([f, b.slice()]), maxSize);
  try {
    for (const c of chunks) d.push(c);
  } catch (error) {
    return { frames, error, idle: d.idle };
  }
  return { frames, idle: d.idle };
}

/** Feeds `bytes` whole, byte by byte and split at every index; all must give `expected`. */
function assertDecodes(bytes: Uint8Array, expected: Frame[], maxSize = -1) {
  for (const [how, chunks] of chunkings(bytes)) {
    const out = decode(chunks, maxSize);
    assert.equal(out.error, undefined, `${how}: ${out.error}`);
    assert.deepEqual(out.frames, expected, how);
    assert.ok(out.idle, `${how}: decoder left mid-frame`);
  }
}

/** Every chunking must fail with ProtocolError `code`, after exactly the frames `before`. */
function assertRefused(bytes: Uint8Array, code: string, maxSize = -1, before: Frame[] = []) {
  for (const [how, chunks] of chunkings(bytes)) {
    const out = decode(chunks, maxSize);
    assert.ok(
      out.error instanceof ProtocolError,
      `${how}: expected ProtocolError, got ${out.error}`,
    );
    assert.equal((out.error as ProtocolError).code, code, how);
    assert.deepEqual(out.frames, before, how);
  }
}

const readyBody = (type: string, identity: boolean) =>
  concat(
    hex("05"),
    ascii("READY"),
    hex("0b"),
    ascii("Socket-Type"),
    hex(`00 00 00 0${type.length}`),
    ascii(type),
    identity ? concat(hex("08"), ascii("Identity"), hex("00 00 00 00")) : new Uint8Array(0),
  );

// zmtp.md vectors: [name, wire bytes, frames]
const VECTORS: Array<[string, Uint8Array, Frame[]]> = [
  ["empty frame", hex("00 00"), [[0, new Uint8Array(0)]]],
  ["short 'hello'", hex("00 05 68 65 6c 6c 6f"), [[0, ascii("hello")]]],
  ["REQ 'hello' (§6)", hex("01 00 00 05 68 65 6c 6c 6f"), [[Flag.MORE, new Uint8Array(0)], [
    0,
    ascii("hello"),
  ]]],
  [
    "300-byte long frame (§4)",
    concat(hex("02 00 00 00 00 00 00 01 2c"), new Uint8Array(300).fill(7)),
    [[
      Flag.LONG,
      new Uint8Array(300).fill(7),
    ]],
  ],
  [
    "READY DEALER (§6)",
    hex(`04 29 05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d
    54 79 70 65 00 00 00 06 44 45 41 4c 45 52 08 49 64 65 6e 74 69 74 79 00 00 00 00`),
    [[
      Flag.COMMAND,
      readyBody("DEALER", true),
    ]],
  ],
  ["READY ROUTER (§6)", concat(hex("04 29"), readyBody("ROUTER", true)), [[
    Flag.COMMAND,
    readyBody("ROUTER", true),
  ]]],
  [
    "READY SUB (§6)",
    hex(`04 19 05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d 54 79 70 65 00 00 00 03 53 55 42`),
    [[
      Flag.COMMAND,
      readyBody("SUB", false),
    ]],
  ],
  ["SUBSCRIBE topic (§5.4)", hex("04 0f 09 53 55 42 53 43 52 49 42 45 74 6f 70 69 63"), [[
    Flag.COMMAND,
    concat(hex("09"), ascii("SUBSCRIBE"), ascii("topic")),
  ]]],
  ["CANCEL topic (§5.4)", hex("04 0c 06 43 41 4e 43 45 4c 74 6f 70 69 63"), [[
    Flag.COMMAND,
    concat(hex("06"), ascii("CANCEL"), ascii("topic")),
  ]]],
  ["3.0 subscribe (§5.4)", hex("00 06 01 74 6f 70 69 63"), [[
    0,
    concat(hex("01"), ascii("topic")),
  ]]],
  ["3.0 cancel (§5.4)", hex("00 06 00 74 6f 70 69 63"), [[0, concat(hex("00"), ascii("topic"))]]],
  ["PING ttl 20 (§8)", hex("04 07 04 50 49 4e 47 00 14"), [[
    Flag.COMMAND,
    hex("04 50 49 4e 47 00 14"),
  ]]],
  ["PONG 'CTX' (§8)", hex("04 08 04 50 4f 4e 47 43 54 58"), [[
    Flag.COMMAND,
    hex("04 50 4f 4e 47 43 54 58"),
  ]]],
];

describe("FrameDecoder: zmtp.md vectors, whole / byte by byte / split at every index", () => {
  for (const [name, bytes, frames] of VECTORS) {
    it(name, () => assertDecodes(bytes, frames));
  }

  it("all vectors back to back in one stream", () => {
    assertDecodes(concat(...VECTORS.map((v) => v[1])), VECTORS.flatMap((v) => v[2]));
  });
});

describe("FrameDecoder: tolerance (as libzmq)", () => {
  it("reserved flag bits are passed through and do not change the frame's meaning", () => {
    const out = decode([hex("f8 02 68 69 f9 01 61 f8 00")]);
    assert.equal(out.error, undefined);
    assert.deepEqual(out.frames.map(([f, b]) => [f & (Flag.MORE | Flag.COMMAND), b]), [
      [0, ascii("hi")],
      [Flag.MORE, ascii("a")],
      [0, new Uint8Array(0)],
    ]);
    assertDecodes(hex("f8 02 68 69"), [[0xf8, ascii("hi")]]);
  });

  it("accepts a long size for a small body", () => {
    assertDecodes(hex("02 00 00 00 00 00 00 00 05 68 65 6c 6c 6f"), [[Flag.LONG, ascii("hello")]]);
    assertDecodes(hex("06 00 00 00 00 00 00 00 00"), [[
      Flag.LONG | Flag.COMMAND,
      new Uint8Array(0),
    ]]);
  });

  it("tolerates MORE on a command frame", () => {
    assertDecodes(hex("05 07 04 50 49 4e 47 00 14"), [[
      Flag.COMMAND | Flag.MORE,
      hex("04 50 49 4e 47 00 14"),
    ]]);
  });

  it("decodes a frame larger than the preallocation limit fed in small chunks", () => {
    const size = 9 * 1024 * 1024;
    const header = hex("02 00 00 00 00 00 90 00 00");
    const d = new FrameDecoder((f, b) => frames.push([f, b.length, b[0]!, b[size - 1]!]));
    const frames: Array<[number, number, number, number]> = [];
    d.push(header);
    const chunk = new Uint8Array(64 * 1024).fill(9);
    for (let o = 0; o < size; o += chunk.length) d.push(chunk);
    assert.deepEqual(frames, [[Flag.LONG, size, 9, 9]]);
    assert.ok(d.idle);
  });

  it("is idle only between frames", () => {
    const d = new FrameDecoder(() => {});
    assert.ok(d.idle);
    d.push(hex("00"));
    assert.equal(d.idle, false);
    d.push(hex("02 68"));
    assert.equal(d.idle, false);
    d.push(hex("69"));
    assert.ok(d.idle);
  });
});

describe("FrameDecoder: refusals, from the header alone (before any allocation)", () => {
  const tooLarge = ProtocolErrorCode.MESSAGE_TOO_LARGE;

  it("refuses sizes of 2^63 and more", () => {
    assertRefused(hex("02 80 00 00 00 00 00 00 00"), tooLarge);
    assertRefused(hex("02 ff ff ff ff ff ff ff ff"), tooLarge);
    assertRefused(hex("06 80 00 00 00 00 00 00 01"), tooLarge);
  });

  it("refuses sizes that do not fit the runtime (2^32 and more)", () => {
    assertRefused(hex("02 00 00 00 01 00 00 00 00"), tooLarge);
    assertRefused(hex("02 00 1f ff ff ff ff ff ff"), tooLarge);
  });

  it("refuses a frame above maxSize, short or long form, data or command", () => {
    assertRefused(hex("00 0b"), tooLarge, 10);
    assertRefused(hex("04 0b"), tooLarge, 10);
    assertRefused(hex("02 00 00 00 00 00 00 00 0b"), tooLarge, 10);
    assertRefused(hex("02 00 00 00 00 7f ff ff ff"), tooLarge, 1000);
    assertRefused(hex("00 01"), tooLarge, 0);
  });

  it("accepts a frame of exactly maxSize", () => {
    assertDecodes(concat(hex("00 0a"), new Uint8Array(10)), [[0, new Uint8Array(10)]], 10);
    assertDecodes(hex("00 00"), [[0, new Uint8Array(0)]], 0);
  });

  it("delivers the frames before the bad one, then stops for good", () => {
    const stream = concat(
      hex("01 01 61 00 01 62"),
      hex("00 0b"),
      new Uint8Array(11),
      hex("00 01 63"),
    );
    assertRefused(stream, tooLarge, 10, [[Flag.MORE, ascii("a")], [0, ascii("b")]]);
    const frames: Frame[] = [];
    const d = new FrameDecoder((f, b) => frames.push([f, b.slice()]), 10);
    assert.throws(() => d.push(hex("00 0b")), ProtocolError);
    d.push(hex("00 01 63"));
    assert.deepEqual(frames, []);
  });

  it("stop() ignores the rest of the chunk and later chunks", () => {
    const frames: Frame[] = [];
    const d = new FrameDecoder((f, b) => {
      frames.push([f, b.slice()]);
      d.stop();
    });
    d.push(hex("00 01 61 00 01 62"));
    d.push(hex("00 01 63"));
    assert.deepEqual(frames, [[0, ascii("a")]]);
  });
});
