// SPDX-License-Identifier: MIT
// The `layout:` language: every type against bytes written with DataView, repetitions,
// groups, references, the errors (columns for specs, offsets for data) and the bounds.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeLayout,
  LAYOUT_HELP,
  type LayoutResult,
  LayoutSyntaxError,
  parseLayout,
} from "../../../lib/internal.ts";
import type { JsonValue } from "../../../lib/internal.ts";

const enc = new TextEncoder();

/** Builds bytes with DataView calls: w.u16(5, true).str("hi").bytes(). */
class W {
  #b = new Uint8Array(4096);
  #dv = new DataView(this.#b.buffer);
  #n = 0;
  #at(k: number): number {
    const p = this.#n;
    this.#n += k;
    return p;
  }
  u8(v: number): this {
    this.#dv.setUint8(this.#at(1), v);
    return this;
  }
  i8(v: number): this {
    this.#dv.setInt8(this.#at(1), v);
    return this;
  }
  u16(v: number, le: boolean): this {
    this.#dv.setUint16(this.#at(2), v, le);
    return this;
  }
  i16(v: number, le: boolean): this {
    this.#dv.setInt16(this.#at(2), v, le);
    return this;
  }
  u32(v: number, le: boolean): this {
    this.#dv.setUint32(this.#at(4), v, le);
    return this;
  }
  i32(v: number, le: boolean): this {
    this.#dv.setInt32(this.#at(4), v, le);
    return this;
  }
  u64(v: bigint, le: boolean): this {
    this.#dv.setBigUint64(this.#at(8), v, le);
    return this;
  }
  i64(v: bigint, le: boolean): this {
    this.#dv.setBigInt64(this.#at(8), v, le);
    return this;
  }
  f32(v: number, le: boolean): this {
    this.#dv.setFloat32(this.#at(4), v, le);
    return this;
  }
  f64(v: number, le: boolean): this {
    this.#dv.setFloat64(this.#at(8), v, le);
    return this;
  }
  raw(b: Uint8Array | string): this {
    const x = typeof b === "string" ? enc.encode(b) : b;
    this.#b.set(x, this.#at(x.length));
    return this;
  }
  bytes(): Uint8Array {
    return this.#b.slice(0, this.#n);
  }
}

const w = () => new W();

function ok(spec: string, bytes: Uint8Array): JsonValue {
  const r = decodeLayout(parseLayout(spec), bytes);
  if (!("value" in r)) assert.fail(`expected a value, got ${r.error}`);
  return r.value;
}

function bad(spec: string, bytes: Uint8Array): Exclude<LayoutResult, { value: JsonValue }> {
  const r = decodeLayout(parseLayout(spec), bytes);
  if ("value" in r) assert.fail(`expected an error, got ${JSON.stringify(r.value)}`);
  return r;
}

function syntax(spec: string): LayoutSyntaxError {
  try {
    parseLayout(spec);
  } catch (e) {
    assert.ok(e instanceof LayoutSyntaxError, `not a LayoutSyntaxError: ${e}`);
    return e;
  }
  return assert.fail(`"${spec}" parsed`);
}

describe("layout: integers", () => {
  it("reads u8 and i8", () => {
    assert.deepEqual(ok("a: u8, b: i8, c: i8", w().u8(200).i8(-5).i8(127).bytes()), {
      a: 200,
      b: -5,
      c: 127,
    });
  });
  for (const le of [true, false]) {
    const e = le ? "le" : "be";
    it(`reads 16- and 32-bit integers, ${e}`, () => {
      const b = w().u16(0xfedc, le).i16(-2, le).u32(0xdeadbeef, le).i32(-123456789, le).bytes();
      assert.deepEqual(ok(`a: u16${e}, b: i16${e}, c: u32${e}, d: i32${e}`, b), {
        a: 0xfedc,
        b: -2,
        c: 0xdeadbeef,
        d: -123456789,
      });
    });
    it(`reads 64-bit integers as numbers up to 2^53 - 1 and strings beyond, ${e}`, () => {
      const b = w()
        .u64(2n ** 53n - 1n, le)
        .u64(2n ** 53n, le)
        .u64(2n ** 64n - 1n, le)
        .i64(-(2n ** 53n) + 1n, le)
        .i64(-(2n ** 63n), le)
        .i64(-1n, le)
        .bytes();
      assert.deepEqual(ok(`u64${e}, u64${e}, u64${e}, i64${e}, i64${e}, i64${e}`, b), {
        0: 9007199254740991,
        1: "9007199254740992",
        2: "18446744073709551615",
        3: -9007199254740991,
        4: "-9223372036854775808",
        5: -1,
      });
    });
    it(`reads floats, ${e}`, () => {
      const b = w().f32(1.5, le).f64(-2.25, le).f64(NaN, le).f32(-Infinity, le).bytes();
      assert.deepEqual(ok(`a: f32${e}, b: f64${e}, c: f64${e}, d: f32${e}`, b), {
        a: 1.5,
        b: -2.25,
        c: "NaN",
        d: "-Infinity",
      });
    });
  }
  it("tells little from big endian on the same bytes", () => {
    const b = Uint8Array.of(1, 2, 1, 2);
    assert.deepEqual(ok("a: u16le, b: u16be", b), { a: 0x0201, b: 0x0102 });
  });
});

describe("layout: strings, bytes and padding", () => {
  for (
    const [name, prefix] of [["8", 1], ["16le", 2], ["16be", 2], ["32le", 4], ["32be", 4]] as const
  ) {
    it(`reads str${name} and bytes${name}`, () => {
      const le = name.endsWith("le");
      const x = w();
      const len = (n: number) =>
        prefix === 1 ? x.u8(n) : prefix === 2 ? x.u16(n, le) : x.u32(n, le);
      len(3);
      x.raw("héy".slice(0, 2));
      len(2);
      x.raw(Uint8Array.of(0xab, 0x01));
      assert.deepEqual(ok(`s: str${name}, b: bytes${name}`, x.bytes()), { s: "hé", b: "ab01" });
    });
  }
  it("reads fixed lengths, lengths from fields and the rest", () => {
    const b = w().raw("abc").u8(2).raw("xy").raw(Uint8Array.of(0, 255)).raw("tail").bytes();
    assert.deepEqual(ok("a: str(3), n: u8, b: str(n), c: bytes(2), d: str(*)", b), {
      a: "abc",
      n: 2,
      b: "xy",
      c: "00ff",
      d: "tail",
    });
  });
  it("reads a NUL-terminated string and skips its NUL", () => {
    assert.deepEqual(ok("a: strz, b: u8", w().raw("hi\0").u8(7).bytes()), { a: "hi", b: 7 });
  });
  it("skips padding, which takes an index but gives no value", () => {
    const b = w().u8(1).raw(Uint8Array.of(9, 9)).u8(2).u8(3).raw("zz").bytes();
    assert.deepEqual(ok("u8, pad(2), u8, n: u8, pad(*)", b), { 0: 1, 2: 2, n: 3 });
    assert.deepEqual(ok("n: u8, pad(n), v: u8", w().u8(2).u8(0).u8(0).u8(5).bytes()), {
      n: 2,
      v: 5,
    });
  });
  it("fails on invalid UTF-8 and on a missing NUL, at the field's offset", () => {
    const r = bad("a: u8, s: str8", w().u8(1).u8(2).raw(Uint8Array.of(0xc3, 0x28)).bytes());
    assert.equal(r.error, 'layout: at byte 1 (field "s"): text is not valid UTF-8');
    assert.equal(r.offset, 1);
    assert.deepEqual(r.partial, { a: 1 });
    assert.equal(
      bad("strz", enc.encode("abc")).error,
      "layout: at byte 0: no NUL byte before the end",
    );
  });
});

describe("layout: repetitions and groups", () => {
  it("repeats a fixed number of times", () => {
    const b = w().i32(1, true).i32(-2, true).i32(3, true).bytes();
    assert.deepEqual(ok("xyz: i32le[3]", b), { xyz: [1, -2, 3] });
  });
  it("repeats a count read from an earlier field, a prefix, or to the end", () => {
    const b = w().u8(2).u16(1, false).u16(2, false).u8(1).u8(9).u8(7).u8(8).bytes();
    assert.deepEqual(ok("n: u8, a: u16be[n], b: u8[u8], c: u8[*]", b), {
      n: 2,
      a: [1, 2],
      b: [9],
      c: [7, 8],
    });
  });
  it("decodes groups, arrays of groups and the brief's example", () => {
    const x = w().u8(1).u16(2, false).f64(9.5, true).u8(2).raw("ab");
    for (const v of [1, 2, 3]) x.i32(v, true);
    x.u32(10, true).u16(1, true).raw("x").u32(11, true).u16(0, true);
    const spec = "version: u8, count: u16be, price: f64le, name: str8, xyz: i32le[3], " +
      "items: { id: u32le, label: str16le }[count]";
    assert.deepEqual(ok(spec, x.bytes()), {
      version: 1,
      count: 2,
      price: 9.5,
      name: "ab",
      xyz: [1, 2, 3],
      items: [{ id: 10, label: "x" }, { id: 11, label: "" }],
    });
  });
  it("stands a group of one unnamed field for its value", () => {
    assert.deepEqual(ok("u16le[*]", Uint8Array.of(1, 0, 2, 0)), [1, 2]);
    assert.deepEqual(ok("a: {u8}[2]", Uint8Array.of(1, 2)), { a: [1, 2] });
    assert.deepEqual(ok("a: {x: u8}[2]", Uint8Array.of(1, 2)), { a: [{ x: 1 }, { x: 2 }] });
    assert.deepEqual(ok("a: {pad(1)}[2]", Uint8Array.of(1, 2)), { a: [{}, {}] });
    assert.deepEqual(ok("{}", new Uint8Array(0)), {});
  });
  it("applies repetitions left to right: T[a][b] is b arrays of a", () => {
    assert.deepEqual(ok("u8[2][3]", Uint8Array.of(1, 2, 3, 4, 5, 6)), [[1, 2], [3, 4], [5, 6]]);
  });
  it("resolves a count in the group first, then in the enclosing ones", () => {
    const b = Uint8Array.of(2, /* g[0] */ 1, 7, 8, /* g[1] */ 0, 9, 9);
    assert.deepEqual(ok("n: u8, g: { n: u8, a: u8[n], b: u8[n] }[n]", b.subarray(0, 5)), {
      n: 2,
      g: [{ n: 1, a: [7], b: [8] }, { n: 0, a: [], b: [] }],
    });
    assert.deepEqual(ok("n: u8, g: { a: u8[n] }", Uint8Array.of(2, 5, 6)), {
      n: 2,
      g: { a: [5, 6] },
    });
  });
  it("keys unnamed fields by index and keeps __proto__ as a plain key", () => {
    const v = ok("u8, __proto__: u8", Uint8Array.of(1, 2)) as { [k: string]: JsonValue };
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.keys(v), ["0", "__proto__"]);
    assert.equal(JSON.stringify(v), '{"0":1,"__proto__":2}');
  });
});

describe("layout: data errors", () => {
  it("names the field, its offset and the shortfall", () => {
    const b = w().u8(1).u16(0, false).f64(0, true).bytes().subarray(0, 6);
    const r = bad("version: u8, count: u16be, price: f64le", b);
    assert.equal(r.error, 'layout: at byte 3 (field "price"): needs 8 bytes, 3 left');
    assert.equal(r.offset, 3);
    assert.deepEqual(r.partial, { version: 1, count: 0 });
  });
  it("gives the path inside arrays and groups, with the partial value", () => {
    const b = Uint8Array.of(1, 0, 0, 0, 1, 65, 2, 0, 0, 0, 5);
    const r = bad("items: { id: u32le, label: str8 }[*]", b);
    assert.equal(
      r.error,
      'layout: at byte 10 (field "items[1].label"): length 5 (u8 prefix) needs 5 bytes, 0 left',
    );
    assert.deepEqual(r.partial, { items: [{ id: 1, label: "A" }, { id: 2 }] });
  });
  it("reports bytes left over, with the whole value", () => {
    const r = bad("a: u8, b: u16le", Uint8Array.of(1, 2, 0, 9, 9, 9, 9, 9));
    assert.equal(r.error, "layout: 5 bytes left over at byte 3");
    assert.equal(r.offset, 3);
    assert.deepEqual(r.partial, { a: 1, b: 2 });
    assert.equal(bad("u8", Uint8Array.of(1, 2)).error, "layout: 1 byte left over at byte 1");
  });
  it("fails at once on a count the bytes left cannot hold", () => {
    const r = bad("n: u32le, a: u32le[n]", w().u32(0xffffffff, true).u32(1, true).bytes());
    assert.equal(
      r.error,
      'layout: at byte 4 (field "a"): count 4294967295 (field "n") needs at least 17179869180 bytes, 4 left',
    );
    const p = bad("a: {x: u64le, y: u8}[u32be]", Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1));
    assert.match(
      p.error,
      /^layout: at byte 0 \(field "a"\): count 4294967295 \(u32be prefix\) needs/,
    );
    assert.deepEqual(p.partial, {});
  });
  it("fails on negative counts", () => {
    assert.equal(
      bad("n: i8, s: str(n)", Uint8Array.of(0xff)).error,
      'layout: at byte 1 (field "s"): length -1 (field "n") is negative',
    );
    assert.match(
      bad("u8[i64le]", w().i64(-5n, true).bytes()).error,
      /count -5 \(i64le prefix\) is negative/,
    );
  });
  it("bounds repetitions of elements that take no bytes", () => {
    const r = bad("{}[4294967295]", new Uint8Array(0));
    assert.match(r.error, /more than 1024 values/);
    const z = bad("u8[0][4294967295]", Uint8Array.of(1, 2));
    assert.match(z.error, /more than 1032 values/);
    const rest = bad("a: {pad(0)}[*]", Uint8Array.of(1));
    assert.equal(
      rest.error,
      'layout: at byte 0 (field "a[0]"): repeats to the end, but an element took no bytes',
    );
  });
  it("decodes an empty body when the layout allows it", () => {
    assert.deepEqual(ok("u8[*]", new Uint8Array(0)), []);
    assert.equal(bad("u8", new Uint8Array(0)).error, "layout: at byte 0: needs 1 byte, 0 left");
  });
});

describe("layout: syntax errors", () => {
  const cases: Array<[string, number, string]> = [
    ["u8, u24", 5, 'unknown type "u24"'],
    ["a: u8, b: u16", 11, '"u16" needs an endianness: u16le or u16be'],
    ["f64", 1, '"f64" needs an endianness: f64le or f64be'],
    ["str16", 1, '"str16" needs an endianness: str16le or str16be'],
    ["x: u8, y: u8[z]", 14, "unknown field"],
    ["s: str8, y: u8[s]", 16, 'field "s" is not a single integer'],
    ["a: u8[2], y: u8[a]", 17, 'field "a" is not a single integer'],
    ["g: {n: u8}, y: u8[n]", 19, 'unknown field "n"'],
    ["n: u8[n]", 7, 'unknown field "n"'],
    ["str(f32le)", 5, "a count must be an integer, not f32le"],
    ["str(strz)", 5, '"strz" cannot be a count'],
    ["a: u8, a: u8", 8, 'duplicate field name "a"'],
    ["u8: u8", 1, '"u8" is a type and cannot name a field'],
    ["x: pad(2)", 1, "padding cannot have a name"],
    ["pad(2)[3]", 7, "padding cannot be repeated"],
    ["u8 version", 4, 'expected "," or end of layout, found "version"'],
    ["u8[99999999999]", 4, "number 99999999999 is too large (max 4294967295)"],
    ["u8 % 2", 4, 'unexpected character "%"'],
    ["", 1, "layout is empty"],
    ["  ", 3, "layout is empty"],
    ["{u8", 4, 'expected "}", found end of layout'],
    ["u8[", 4, "expected a count, found end of layout"],
    ["u8,,u8", 4, 'expected a type, found ","'],
    [": u8", 1, 'expected a type, found ":"'],
    ["x: 3", 4, 'expected a type, found "3"'],
    ["str", 4, 'expected "(", found end of layout'],
  ];
  for (const [spec, column, reason] of cases) {
    it(`"${spec}" → column ${column}: ${reason}`, () => {
      const e = syntax(spec);
      assert.equal(e.column, column, e.message);
      assert.ok(e.message.startsWith(`layout: at column ${column}: ${reason}`), e.message);
    });
  }
  it("limits nesting of groups and repetitions to 16", () => {
    parseLayout("{".repeat(16) + "u8" + "}".repeat(16));
    assert.match(syntax("{".repeat(17) + "u8" + "}".repeat(17)).message, /nested deeper than 16/);
    parseLayout("u8" + "[1]".repeat(16));
    assert.match(syntax("u8" + "[1]".repeat(17)).message, /nested deeper than 16/);
    assert.match(
      syntax("{".repeat(9) + "u8[1]".repeat(1) + "[1]".repeat(8) + "}".repeat(9)).message,
      /nested deeper/,
    );
    assert.match(syntax("{".repeat(8000)).message, /nested deeper than 16/);
  });
  it("limits a spec's length", () => {
    assert.match(syntax("u8,".repeat(3000)).message, /longer than 8192 characters/);
  });
  it("accepts a trailing comma, whitespace, named and unnamed fields", () => {
    assert.deepEqual(ok(" a : u8 ,\n u8 , ", Uint8Array.of(1, 2)), { a: 1, 1: 2 });
  });
  it("documents every type in LAYOUT_HELP", () => {
    for (
      const word of [
        "u64be",
        "i16le",
        "f32be",
        "str32be",
        "bytes16le",
        "strz",
        "pad(N)",
        "[N]",
        "*",
      ]
    ) {
      assert.ok(LAYOUT_HELP.includes(word), word);
    }
  });
});
