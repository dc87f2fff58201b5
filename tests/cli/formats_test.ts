// SPDX-License-Identifier: MIT
// The CLI's framings as pure functions: each lossless format round-trips arbitrary binary
// messages (empty frames, every byte value, many frames); bad records fail with a reason.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeBase64, encodeBase64, fromBase64, toBase64 } from "../../cli/io/formats/base64.ts";
import { decodeHex, encodeHex, fromHex, toHex } from "../../cli/io/formats/hex.ts";
import { decodeJson, encodeJson } from "../../cli/io/formats/json.ts";
import { encodeMsgpack, MsgpackStreamDecoder } from "../../cli/io/formats/msgpack.ts";
import { decodeRaw, encodeRaw } from "../../cli/io/formats/raw.ts";
import { decodeText, encodeText } from "../../cli/io/formats/text.ts";
import { type InputItem, InputTooLong, readMessages } from "../../cli/io/readers.ts";
import { encodeMessage } from "../../cli/io/writers.ts";
import { invalidUtf8At, split, unescape } from "../../cli/io/bytes.ts";
import type { FramingOptions } from "../../cli/io/options.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string) => enc.encode(s);
const TAB = b("\t");
const frames = fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 6 });
const plain = (f: Uint8Array[]) => f.map((x) => [...x]);

async function* chunked(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size);
}

async function readAll(
  data: Uint8Array,
  o: FramingOptions,
  size = 7,
  max?: number,
): Promise<InputItem[]> {
  const out: InputItem[] = [];
  for await (const batch of readMessages(chunked(data, size), o, max)) out.push(...batch);
  return out;
}

const opts = (format: FramingOptions["format"], extra: Partial<FramingOptions> = {}) => ({
  format,
  delimiter: undefined,
  separator: 10,
  routingIds: false,
  ...extra,
});

describe("text format", () => {
  it("keeps a line as one frame without a delimiter", () => {
    assert.deepEqual(plain(decodeText(b("a,b\tc"), undefined)), [[...b("a,b\tc")]]);
  });
  it("splits at a multi-byte delimiter, keeping empty frames", () => {
    assert.deepEqual(decodeText(b("a::::b::"), b("::")).map((f) => dec.decode(f)), [
      "a",
      "",
      "b",
      "",
    ]);
  });
  it("joins frames with the delimiter on output", () => {
    assert.equal(dec.decode(encodeText([b("x"), b(""), b("y")], b(","))), "x,,y");
  });
  it("reads backslash escapes in delimiters", () => {
    assert.deepEqual([...unescape("\\t|\\0|\\x41|\\\\")], [9, 124, 0, 124, 0x41, 124, 92]);
  });
});

describe("hex format", () => {
  it("round-trips any message", () => {
    fc.assert(fc.property(frames, (f) => {
      assert.deepEqual(plain(decodeHex(encodeHex(f, TAB), TAB)), plain(f));
    }));
  });
  it("accepts upper case", () => {
    assert.deepEqual([...fromHex("00FFaB")], [0, 255, 0xab]);
  });
  it("names an odd digit count", () => {
    assert.throws(() => fromHex("abc"), /odd number of digits \(3\)/);
  });
  it("names the bad character and its frame", () => {
    assert.throws(() => decodeHex(b("00\t0g"), TAB), /frame 2: invalid hex: "g" at column 2/);
  });
  it("matches toHex", () => assert.equal(toHex(new Uint8Array([0, 16, 255])), "0010ff"));
});

describe("base64 format", () => {
  it("round-trips any message", () => {
    fc.assert(fc.property(frames, (f) => {
      assert.deepEqual(plain(decodeBase64(encodeBase64(f, TAB), TAB)), plain(f));
    }));
  });
  it("accepts missing padding", () => {
    assert.deepEqual([...fromBase64("AP8")], [0, 255]);
    assert.equal(toBase64(new Uint8Array([0, 255])), "AP8=");
  });
  it("rejects characters outside the alphabet", () => {
    assert.throws(() => fromBase64("AA!A"), /invalid base64: "!" at column 3/);
    assert.throws(() => fromBase64("A"), /length 1 is not valid/);
  });
});

describe("json format", () => {
  it("round-trips any message (bytes that are not UTF-8 as base64)", () => {
    fc.assert(fc.property(frames, (f) => {
      assert.deepEqual(plain(decodeJson(encodeJson(f))), plain(f));
    }));
  });
  it("prints text frames as strings and others as {base64}", () => {
    assert.equal(
      dec.decode(encodeJson([b("héllo"), new Uint8Array([0xff, 0])])),
      '["héllo",{"base64":"/wA="}]',
    );
  });
  it("takes {hex} frames and a bare string", () => {
    assert.deepEqual(plain(decodeJson('[{"hex":"0a0b"},"x"]')), [[10, 11], [120]]);
    assert.deepEqual(plain(decodeJson('"solo"')), [[...b("solo")]]);
  });
  it("explains what is wrong", () => {
    assert.throws(() => decodeJson("[1,"), /invalid JSON/);
    assert.throws(() => decodeJson("{}"), /expected a JSON array of frames, got object/);
    assert.throws(() => decodeJson("[]"), /at least one frame/);
    assert.throws(() => decodeJson('["a", 3]'), /frame 2 must be a string/);
    assert.throws(() => decodeJson('[{"base64":"%%"}]'), /frame 1: invalid base64/);
  });
  it("refuses bytes that are not UTF-8 and lone surrogates, rather than send U+FFFD", () => {
    const bad = Uint8Array.of(...b('["ok", "b'), 0xff, ...b('c"]'));
    assert.throws(() => decodeJson(bad), /^SyntaxError: invalid UTF-8 at byte 10$/);
    const overlong = Uint8Array.of(...b('"'), 0xc0, 0xaf, ...b('"'));
    assert.throws(() => decodeJson(overlong), /invalid UTF-8 at byte 2$/);
    const cesu = Uint8Array.of(...b('"'), 0xed, 0xa0, 0x80, ...b('"')); // an encoded surrogate
    assert.throws(() => decodeJson(cesu), /invalid UTF-8 at byte 2$/);
    assert.throws(() => decodeJson('["a", "x\\ud800"]'), /frame 2: lone surrogate \\ud800/);
    assert.throws(() => decodeJson('"\\udc00\\ud83d\\ude00"'), /lone surrogate \\udc00/);
    assert.deepEqual(plain(decodeJson(b('["\\ud83d\\ude00 ✓"]'))), [[...b("😀 ✓")]]);
  });
});

describe("invalidUtf8At", () => {
  it("agrees with a fatal TextDecoder on any bytes", () => {
    const fatal = new TextDecoder("utf-8", { fatal: true });
    const valid = (x: Uint8Array) => {
      try {
        fatal.decode(x);
        return true;
      } catch {
        return false;
      }
    };
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      fc.array(fc.constantFrom(0x41, 0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0x9f, 0xa0))
        .map((a) => Uint8Array.from(a)),
      fc.string({ unit: "binary" }).map((t) => b(t)),
    );
    fc.assert(
      fc.property(bytes, (x) => {
        const at = invalidUtf8At(x);
        assert.equal(at < 0, valid(x));
        if (at >= 0) assert.ok(valid(x.subarray(0, at)), "everything before it is valid");
      }),
      { seed: 0x7f8, numRuns: 1000 },
    );
  });
});

describe("msgpack format", () => {
  it("round-trips a stream of messages split at every byte", () => {
    fc.assert(fc.property(fc.array(frames, { minLength: 1, maxLength: 4 }), (msgs) => {
      const stream = new Uint8Array(msgs.flatMap((m) => [...encodeMsgpack(m)]));
      for (const cut of [0, 1, Math.floor(stream.length / 2), stream.length - 1]) {
        const d = new MsgpackStreamDecoder();
        const got = [...d.push(stream.slice(0, cut)), ...d.push(stream.slice(cut))];
        d.end();
        assert.deepEqual(got.map((g) => "frames" in g ? plain(g.frames) : g), msgs.map(plain));
      }
    }));
  });
  it("reports a value that is not an array and carries on", () => {
    const d = new MsgpackStreamDecoder();
    const got = d.push(new Uint8Array([0x07, 0x91, 0xc4, 0x01, 0x2a]));
    assert.deepEqual(got[0], { error: "expected an array of frames, got number" });
    assert.deepEqual(plain((got[1] as { frames: Uint8Array[] }).frames), [[42]]);
  });
  it("fails at the end of a truncated stream", () => {
    const d = new MsgpackStreamDecoder();
    assert.deepEqual(d.push(new Uint8Array([0x91, 0xc4, 0x05, 1])), []);
    assert.throws(() => d.end(), /ends inside a value/);
  });
});

describe("raw format", () => {
  it("is all input as one frame, and bodies back to back", () => {
    assert.deepEqual(plain(decodeRaw([b("ab"), b("c")])), [[...b("abc")]]);
    assert.deepEqual(plain(decodeRaw([])), [[]]);
    assert.equal(dec.decode(encodeRaw([b("x"), b("yz")])), "xyz");
  });
});

describe("readMessages", () => {
  it("splits lines across chunks and keeps a last line without newline", async () => {
    const items = await readAll(b("one\ntwo\n\nthree"), opts("text"), 3);
    assert.deepEqual(items.map((i) => dec.decode(i.frames![0])), ["one", "two", "", "three"]);
    assert.deepEqual(items.map((i) => i.line), [1, 2, 3, 4]);
  });
  it("reports a bad line by number and goes on", async () => {
    const items = await readAll(b("00\nzz\n01\n"), opts("hex"));
    assert.equal(items[1]!.error, 'frame 1: invalid hex: "z" at column 1');
    assert.equal(items[1]!.line, 2);
    assert.deepEqual(plain(items[2]!.frames!), [[1]]);
  });
  it("uses NUL between messages with -0", async () => {
    const items = await readAll(b("a\nb\0c\0"), opts("text", { separator: 0 }));
    assert.deepEqual(items.map((i) => dec.decode(i.frames![0])), ["a\nb", "c"]);
  });
  it("reads ROUTER text as <hex id><TAB><body>", async () => {
    const items = await readAll(
      b("0a0b\thi,there\n\tlast\nnoid\n"),
      opts("text", {
        routingIds: true,
        delimiter: b(","),
      }),
    );
    assert.deepEqual(plain(items[0]!.frames!), [[10, 11], [...b("hi")], [...b("there")]]);
    assert.deepEqual(plain(items[1]!.frames!), [[], [...b("last")]]);
    assert.match(items[2]!.error!, /expected <routing id in hex><TAB><message>/);
  });
  it("reports json lines that are not UTF-8 by number and goes on", async () => {
    const data = Uint8Array.of(...b('["a"]\n  ["'), 0xe2, 0x82, ...b('"]\n["b"]\n'));
    const items = await readAll(data, opts("json"), 3);
    assert.deepEqual(items.map((i) => i.error ?? dec.decode(i.frames[0])), [
      "a",
      "invalid UTF-8 at byte 5",
      "b",
    ]);
  });
  it("stops at a record longer than the limit, after those before it, at any chunking", async () => {
    const data = b("12345\n123456\nnext\n");
    for (let size = 1; size <= data.length; size++) {
      const seen: string[] = [];
      await assert.rejects(async () => {
        for await (const batch of readMessages(chunked(data, size), opts("text"), 5)) {
          for (const i of batch) seen.push(dec.decode(i.frames![0]));
        }
      }, (e: unknown) => {
        assert.ok(e instanceof InputTooLong);
        assert.deepEqual([e.unit, e.record, e.limit], ["line", 2, 5]);
        return true;
      });
      assert.deepEqual(seen, ["12345"], `chunks of ${size}`);
    }
    // exactly the limit passes, a last line without newline too
    const ok = await readAll(b("12345\n\n54321"), opts("text"), 2, 5);
    assert.deepEqual(ok.map((i) => dec.decode(i.frames![0])), ["12345", "", "54321"]);
  });
  it("stops an unfinished record as soon as it is past the limit", async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        pulled++;
        yield new Uint8Array(1000).fill(0x78);
      }
    }
    await assert.rejects(async () => {
      for await (const _ of readMessages(endless(), opts("json"), 4500)) { /* none */ }
    }, /line 1 is longer than 4500 bytes/);
    assert.equal(pulled, 5);
  });
  it("bounds raw input as a whole and a msgpack value", async () => {
    await assert.rejects(() => readAll(new Uint8Array(11), opts("raw"), 3, 10), /input is longer/);
    assert.equal((await readAll(new Uint8Array(10), opts("raw"), 3, 10)).length, 1);
    const stream = Uint8Array.of(0x91, 0xc4, 1, 42, 0x91, 0xc4, 20, ...new Uint8Array(12));
    await assert.rejects(
      () => readAll(stream, opts("msgpack"), 4, 10),
      (e: unknown) => e instanceof InputTooLong && e.unit === "message" && e.record === 2,
    );
  });
  it("skips blank json lines and tolerates CRLF", async () => {
    const items = await readAll(b('["a"]\r\n\n  \n["b"]\n'), opts("json"));
    assert.deepEqual(items.map((i) => dec.decode(i.frames![0])), ["a", "b"]);
  });
});

describe("encodeMessage", () => {
  it("prints ROUTER text with the id in hex, and drops it in raw", () => {
    const m = [new Uint8Array([0, 1]), b("x"), b("y")];
    assert.equal(dec.decode(encodeMessage(m, opts("text", { routingIds: true }))), "0001\tx\ty\n");
    assert.equal(dec.decode(encodeMessage(m, opts("raw", { routingIds: true }))), "xy");
  });
  it("ends hex with NUL under -0", () => {
    assert.deepEqual([...encodeMessage([new Uint8Array([255])], opts("hex", { separator: 0 }))], [
      ...b("ff"),
      0,
    ]);
  });
  it("splits a joined line back (text is lossless without separators in frames)", () => {
    const line = encodeText([b("a"), b("b")], b("::"));
    assert.deepEqual(split(line, b("::")).map((f) => dec.decode(f)), ["a", "b"]);
  });
});
