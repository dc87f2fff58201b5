// SPDX-License-Identifier: MIT
// Frame body decoders for `zmqkit dump --decode`: spec parsing (a layout's commas included),
// auto detection, each decoder, MessagePack made JSON-safe and bounded, truncation, rendering.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pack } from "msgpackr";
import {
  DECODE_HELP,
  decodeBody,
  type DecodePlan,
  DecodeSpecError,
  type FrameBody,
  parseDecodeSpec,
  renderBody,
} from "../../../lib/internal.ts";

const enc = new TextEncoder();
const b = (s: string) => enc.encode(s);
const plan = (spec: string) => parseDecodeSpec(spec);
const dec = (spec: string, body: Uint8Array, maxBytes = 0, index = 0): FrameBody =>
  decodeBody(plan(spec), index, body, maxBytes);

function specError(spec: string): string {
  try {
    parseDecodeSpec(spec);
  } catch (e) {
    assert.ok(e instanceof DecodeSpecError, `not a DecodeSpecError: ${e}`);
    assert.ok(!e.message.includes("\n"), "one line");
    return e.message;
  }
  return assert.fail(`"${spec}" parsed`);
}

describe("parseDecodeSpec", () => {
  it("takes one decoder for every frame", () => {
    for (const kind of ["auto", "text", "hex", "json", "msgpack"]) {
      const p = plan(` ${kind} `);
      assert.equal(p.rest.kind, kind);
      assert.equal(p.frames.size, 0);
    }
    assert.equal(plan("layout:u8,u16le[*]").rest.kind, "layout");
  });
  it("takes decoders per frame index, with * for the others (auto without it)", () => {
    const p = plan("0=text, 1=msgpack,2=hex");
    assert.deepEqual([...p.frames].map(([i, d]) => [i, d.kind]), [[0, "text"], [1, "msgpack"], [
      2,
      "hex",
    ]]);
    assert.equal(p.rest.kind, "auto");
    assert.equal(plan("*=hex,3=json").rest.kind, "hex");
  });
  it("splits only at a comma followed by N= or *=, so a layout keeps its commas", () => {
    const p = plan("0=text,1=layout:a: u8, b: u16le[a], c: {x: u8, y: u8}[*],*=hex");
    assert.equal(p.frames.get(0)!.kind, "text");
    const l = p.frames.get(1)!;
    assert.ok(l.kind === "layout");
    assert.deepEqual(l.layout.fields.map((f) => f.key), ["a", "b", "c"]);
    assert.equal(p.rest.kind, "hex");
    const body = Uint8Array.of(2, 1, 0, 2, 0, 7, 8);
    assert.deepEqual(decodeBody(p, 1, body, 0), {
      as: "layout",
      body: { a: 2, b: [1, 2], c: [{ x: 7, y: 8 }] },
    });
  });
  it("rejects bad specs with one line naming the bad part", () => {
    assert.equal(specError(""), "--decode: the spec is empty");
    assert.equal(
      specError("utf8"),
      '--decode: unknown decoder "utf8" (expected auto, text, hex, json, msgpack or layout:<spec>)',
    );
    assert.match(specError("0=text,1=bogus"), /^--decode: in "1=bogus": unknown decoder "bogus"/);
    assert.equal(
      specError("text,1=hex"),
      '--decode: "text" needs a frame index (N=decoder or *=decoder)',
    );
    assert.equal(specError("1=text,1=hex"), "--decode: frame 1 appears twice");
    assert.equal(specError("*=text,*=hex"), "--decode: *= appears twice");
    assert.equal(specError("99999999=hex"), "--decode: frame index 99999999 is over 65535");
    assert.match(specError("0=hex,".repeat(20000)), /^--decode: the spec is longer than 65536/);
    assert.equal(
      specError("0=hex,2=layout:u8,u24"),
      '--decode: in "2=layout:u8,u24": layout: at column 4: unknown type "u24"',
    );
    assert.equal(
      specError("layout:"),
      '--decode: in "layout:": layout: at column 1: layout is empty',
    );
  });
  it("has help text covering the decoders and the layout language", () => {
    for (const w of ["auto", "msgpack", "layout:", "*=", "--max-bytes", "u16le"]) {
      assert.ok(DECODE_HELP.includes(w), w);
    }
  });
});

describe("decodeBody: auto", () => {
  it("shows an empty body as empty", () => {
    assert.deepEqual(dec("auto", new Uint8Array(0)), { as: "empty", body: "" });
    assert.deepEqual(dec("json", new Uint8Array(0)), { as: "empty", body: "" });
  });
  it("shows UTF-8 text without control characters as text", () => {
    assert.deepEqual(dec("auto", b("héllo\tworld\r\n")), { as: "text", body: "héllo\tworld\r\n" });
    assert.deepEqual(dec("auto", b('"just a string"')), { as: "text", body: '"just a string"' });
    assert.deepEqual(dec("auto", b("{not json")), { as: "text", body: "{not json" });
  });
  it("shows text that is a JSON object or array as json", () => {
    assert.deepEqual(dec("auto", b(' {"a": [1, true, null]}')), {
      as: "json",
      body: { a: [1, true, null] },
    });
    assert.deepEqual(dec("auto", b("[1e999]")), { as: "json", body: ["Infinity"] });
  });
  it("shows a whole MessagePack map or array as msgpack", () => {
    assert.deepEqual(dec("auto", pack({ a: 1, b: "x" })), {
      as: "msgpack",
      body: { a: 1, b: "x" },
    });
    assert.deepEqual(dec("auto", pack([1, [2]])), { as: "msgpack", body: [1, [2]] });
  });
  it("falls back to hex", () => {
    assert.deepEqual(dec("auto", Uint8Array.of(0, 1, 2, 0xff)), { as: "hex", body: "000102ff" });
    // a MessagePack scalar, text with an escape character, C1 controls, a map with bytes left
    assert.equal(dec("auto", pack(1.5)).as, "hex");
    assert.equal(dec("auto", b("a\x1b[31mred")).as, "hex");
    assert.equal(dec("auto", b("a\u009bb")).as, "hex");
    assert.equal(dec("auto", Uint8Array.of(0x81, 0xa1, 0x61, 1, 9)).as, "hex");
  });
  it("shows a body over maxBytes as truncated text or hex, cut at a whole character", () => {
    assert.deepEqual(dec("auto", b("héllo"), 2), { as: "text", body: "h", truncated: true });
    assert.deepEqual(dec("auto", b("héllo"), 3), { as: "text", body: "hé", truncated: true });
    assert.deepEqual(dec("auto", b('{"a":1}'), 3), { as: "text", body: '{"a', truncated: true });
    const map = Uint8Array.of(0x81, 0xa1, 0x61, 1);
    assert.deepEqual(dec("auto", map, 2), { as: "hex", body: "81a1", truncated: true });
    assert.deepEqual(dec("auto", b("hello"), 5), { as: "text", body: "hello" });
  });
});

describe("decodeBody: text, hex, json", () => {
  it("text keeps control characters and falls back to hex on invalid UTF-8", () => {
    assert.deepEqual(dec("text", b("a\0b")), { as: "text", body: "a\0b" });
    assert.deepEqual(dec("text", Uint8Array.of(0x61, 0xc3, 0x28)), {
      as: "hex",
      body: "61c328",
      error: "text: not valid UTF-8 at byte 1",
    });
    for (const bad of [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
      assert.equal(dec("text", Uint8Array.from(bad)).as, "hex", bad.join(","));
    }
    assert.deepEqual(dec("text", b("\ufeffbom")), { as: "text", body: "\ufeffbom" });
  });
  it("text and hex show at most maxBytes", () => {
    assert.deepEqual(dec("text", b("abcdef"), 4), { as: "text", body: "abcd", truncated: true });
    assert.deepEqual(dec("text", b("a€"), 3), { as: "text", body: "a", truncated: true });
    assert.deepEqual(dec("hex", Uint8Array.of(1, 2, 3), 2), {
      as: "hex",
      body: "0102",
      truncated: true,
    });
    assert.deepEqual(dec("hex", Uint8Array.of(0xab, 0xcd)), { as: "hex", body: "abcd" });
  });
  it("json parses any JSON value and falls back to hex with a reason", () => {
    assert.deepEqual(dec("json", b('"json: hi"')), { as: "json", body: "json: hi" });
    assert.deepEqual(dec("json", b("\ufeff[1]")), { as: "json", body: [1] });
    assert.deepEqual(dec("json", b("{x}")), {
      as: "hex",
      body: "7b787d",
      error: "json: not valid JSON",
    });
    const proto = dec("json", b('{"__proto__": {"x": 1}}')).body as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(proto), Object.prototype);
    assert.deepEqual(Object.keys(proto), ["__proto__"]);
  });
  it("json limits nesting", () => {
    const deep = "[".repeat(65) + "]".repeat(65);
    assert.equal(dec("json", b(deep)).error, "json: nested deeper than 64 levels");
    assert.equal(dec("json", b("[".repeat(64) + "]".repeat(64))).as, "json");
    const huge = dec("json", b("[".repeat(200000) + "]".repeat(200000)));
    assert.equal(huge.as, "hex");
    assert.match(huge.error!, /^json: nested/);
  });
  it("json, msgpack and layout show a body over maxBytes as truncated hex", () => {
    for (const spec of ["json", "msgpack", "layout:u8[*]"]) {
      const fb = dec(spec, b("[1,2,3]"), 4);
      assert.equal(fb.as, "hex");
      assert.equal(fb.body, "5b312c32");
      assert.equal(fb.truncated, true);
      assert.match(fb.error!, /not decoded: the body is 7 bytes, over the 4-byte limit$/);
    }
  });
});

describe("decodeBody: msgpack", () => {
  it("decodes maps, arrays, bin, strings, floats and 64-bit integers", () => {
    const v = {
      s: "hé",
      n: [0, -1, 127, -32, 255, 65535, -2147483648, 1.5],
      bin: Uint8Array.of(0, 1, 0xfe),
      big: [2n ** 64n - 1n, -(2n ** 63n), 2n ** 53n - 1n],
      t: true,
      nil: null,
      nested: { a: { b: [[]] } },
    };
    assert.deepEqual(dec("msgpack", pack(v)), {
      as: "msgpack",
      body: {
        s: "hé",
        n: [0, -1, 127, -32, 255, 65535, -2147483648, 1.5],
        bin: { $hex: "0001fe" },
        big: ["18446744073709551615", "-9223372036854775808", 9007199254740991],
        t: true,
        nil: null,
        nested: { a: { b: [[]] } },
      },
    });
  });
  it("makes msgpackr's extras JSON-safe: Date, undefined, NaN, Infinity", () => {
    const body = pack([new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)), undefined, NaN, -Infinity]);
    assert.deepEqual(dec("msgpack", body).body, [
      "2024-01-02T03:04:05.678Z",
      null,
      "NaN",
      "-Infinity",
    ]);
    // timestamp 96: 1 ns past the epoch, and one too far for a Date (kept as a raw extension)
    const ts96 = Uint8Array.of(0xc7, 12, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0);
    assert.deepEqual(dec("msgpack", ts96).body, "1970-01-01T00:00:00.000Z");
    const far = Uint8Array.of(
      0xc7,
      12,
      0xff,
      0,
      0,
      0,
      0,
      0x7f,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
    );
    assert.deepEqual(dec("msgpack", far).body, { $ext: -1, $hex: "000000007fffffffffffffff" });
  });
  it("shows other extensions as {$ext, $hex}, msgpackr's own types included", () => {
    assert.deepEqual(dec("msgpack", Uint8Array.of(0x92, 0xd5, 5, 0xab, 0xcd, 0xc7, 0, 0x80)).body, [
      { $ext: 5, $hex: "abcd" },
      { $ext: -128, $hex: "" },
    ]);
    // 0x72 would define a msgpackr record, 0x70 dereference a shared value, 0x65 build an Error
    assert.deepEqual(
      dec("msgpack", Uint8Array.of(0x93, 0xd4, 0x72, 0x40, 0xd6, 0x70, 0, 0, 0, 1, 0xd4, 0x65, 0))
        .body,
      [
        { $ext: 0x72, $hex: "40" },
        { $ext: 0x70, $hex: "00000001" },
        { $ext: 0x65, $hex: "00" },
      ],
    );
    const long = new Uint8Array(300).fill(7);
    const ext32 = Uint8Array.of(0xc9, 0, 0, 1, 44, 9, ...long);
    assert.deepEqual(dec("msgpack", ext32).body, { $ext: 9, $hex: "07".repeat(300) });
  });
  it("shows maps with non-string keys as {$map: [[key, value], ...]}", () => {
    const m = new Map<unknown, unknown>([[1, "a"], [Uint8Array.of(2), [3]], ["s", null]]);
    assert.deepEqual(dec("msgpack", pack(m)).body, {
      $map: [[1, "a"], [{ $hex: "02" }, [3]], ["s", null]],
    });
    const proto = dec("msgpack", Uint8Array.of(0x81, 0xa9, ...b("__proto__"), 1)).body;
    assert.deepEqual(Object.keys(proto as object), ["__proto__"]);
    assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  });
  it("shows several concatenated values as {$values: [...]} (auto wants one map or array)", () => {
    const two = Uint8Array.of(...pack([1]), ...pack("x"));
    assert.deepEqual(dec("msgpack", two).body, { $values: [[1], "x"] });
    assert.equal(dec("auto", two).as, "hex");
    assert.deepEqual(dec("msgpack", pack(7)).body, 7);
  });
  it("refuses huge declared sizes at once, deep nesting and 0xc1", () => {
    for (const huge of [[0xdd, 0xff, 0xff, 0xff, 0xff], [0xdf, 0xff, 0xff, 0xff, 0xff]]) {
      assert.deepEqual(dec("msgpack", Uint8Array.from(huge)), {
        as: "hex",
        body: huge.map((x) => x.toString(16).padStart(2, "0")).join(""),
        error: `msgpack: at byte 0: declares ${
          huge[0] === 0xdd ? 4294967295 : 8589934590
        } items, only 0 bytes follow`,
      });
    }
    for (
      const huge of [[0xc6, 0xff, 0xff, 0xff, 0xff], [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61], [
        0xc9,
        0xff,
        0xff,
        0xff,
        0xff,
        1,
      ]]
    ) {
      assert.equal(
        dec("msgpack", Uint8Array.from(huge)).error,
        "msgpack: ends inside a value at byte 0",
      );
    }
    const deep = new Uint8Array(100000).fill(0x91);
    deep[deep.length - 1] = 1;
    assert.equal(dec("msgpack", deep).error, "msgpack: at byte 64: nested deeper than 64 levels");
    const ok64 = new Uint8Array(65).fill(0x91);
    ok64[64] = 1;
    assert.equal(dec("msgpack", ok64).as, "msgpack");
    assert.equal(
      dec("msgpack", Uint8Array.of(0x92, 1, 0xc1)).error,
      "msgpack: byte 0xc1 (never used) at byte 2",
    );
    assert.equal(
      dec("msgpack", Uint8Array.of(0x92, 1)).error,
      "msgpack: at byte 0: declares 2 items, only 1 byte follows",
    );
    assert.equal(
      dec("msgpack", Uint8Array.of(0x92, 0xcd, 1)).error,
      "msgpack: ends inside a value at byte 1",
    );
  });
  it("leaves the caller's bytes alone", () => {
    const body = pack({ a: Uint8Array.of(1) });
    const before = Uint8Array.from(body);
    dec("msgpack", body);
    assert.deepEqual(Object.keys(body), Object.keys(before));
    assert.deepEqual([...body], [...before]);
  });
});

describe("decodeBody: layout and per-frame plans", () => {
  it("decodes with a layout, and keeps the partial value on failure", () => {
    assert.deepEqual(dec("layout:a: u8, b: u16be", Uint8Array.of(1, 0, 2)), {
      as: "layout",
      body: { a: 1, b: 2 },
    });
    assert.deepEqual(dec("layout:a: u8, b: u16be", Uint8Array.of(1, 0)), {
      as: "layout",
      body: { a: 1 },
      error: 'layout: at byte 1 (field "b"): needs 2 bytes, 1 left',
    });
    assert.deepEqual(dec("layout:u8[*]", new Uint8Array(0)), { as: "layout", body: [] });
  });
  it("picks the decoder by frame index", () => {
    const p: DecodePlan = plan("0=text,1=hex,*=json");
    assert.equal(decodeBody(p, 0, b("[1]"), 0).as, "text");
    assert.equal(decodeBody(p, 1, b("[1]"), 0).as, "hex");
    assert.equal(decodeBody(p, 7, b("[1]"), 0).as, "json");
    assert.equal(decodeBody(plan("1=hex"), 0, b("[1]"), 0).as, "json");
  });
});

describe("renderBody", () => {
  it("quotes text with JSON escapes, terminal controls included", () => {
    assert.equal(renderBody({ as: "text", body: 'a"b\n\x1b[1m' }), '"a\\"b\\n\\u001b[1m"');
    assert.equal(
      renderBody({ as: "text", body: "x\u009b\u2028\u202ey" }),
      '"x\\u009b\\u2028\\u202ey"',
    );
    assert.equal(renderBody({ as: "text", body: "abc", truncated: true }), '"abc"…');
  });
  it("shows hex as 0x…, structures as compact JSON, empty as (empty)", () => {
    assert.equal(renderBody({ as: "hex", body: "00ff" }), "0x00ff");
    assert.equal(renderBody({ as: "hex", body: "00", truncated: true }), "0x00…");
    assert.equal(renderBody({ as: "json", body: { a: [1, "x\ny"] } }), '{"a":[1,"x\\ny"]}');
    assert.equal(renderBody({ as: "layout", body: [1, 2], error: "e" }), "[1,2]");
    assert.equal(renderBody({ as: "empty", body: "" }), "(empty)");
  });
});
