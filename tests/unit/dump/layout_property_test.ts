// SPDX-License-Identifier: MIT
// Properties of the `layout:` language: random specs and bytes never throw (other than
// LayoutSyntaxError from parseLayout), and values written with DataView decode to themselves.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeLayout, LayoutSyntaxError, parseLayout } from "../../../lib/internal.ts";
import type { JsonValue } from "../../../lib/internal.ts";

const enc = new TextEncoder();

/** Appends values with DataView setters. */
class Writer {
  readonly #b = new Uint8Array(1024);
  readonly #dv = new DataView(this.#b.buffer);
  #n = 0;
  #at(k: number): number {
    const p = this.#n;
    this.#n += k;
    return p;
  }
  u8(v: number): void {
    this.#dv.setUint8(this.#at(1), v);
  }
  i8(v: number): void {
    this.#dv.setInt8(this.#at(1), v);
  }
  u16(v: number, le: boolean): void {
    this.#dv.setUint16(this.#at(2), v, le);
  }
  i16(v: number, le: boolean): void {
    this.#dv.setInt16(this.#at(2), v, le);
  }
  u32(v: number, le: boolean): void {
    this.#dv.setUint32(this.#at(4), v, le);
  }
  i32(v: number, le: boolean): void {
    this.#dv.setInt32(this.#at(4), v, le);
  }
  u64(v: bigint, le: boolean): void {
    this.#dv.setBigUint64(this.#at(8), v, le);
  }
  i64(v: bigint, le: boolean): void {
    this.#dv.setBigInt64(this.#at(8), v, le);
  }
  f32(v: number, le: boolean): void {
    this.#dv.setFloat32(this.#at(4), v, le);
  }
  f64(v: number, le: boolean): void {
    this.#dv.setFloat64(this.#at(8), v, le);
  }
  raw(b: Uint8Array): void {
    this.#b.set(b, this.#at(b.length));
  }
  bytes(): Uint8Array {
    return this.#b.slice(0, this.#n);
  }
}

const INT_TYPES = ["u8", "i8"].concat(
  ...["u", "i"].flatMap((s) => ["16", "32", "64"].flatMap((b) => [`${s}${b}le`, `${s}${b}be`])),
);
const SCALARS = [...INT_TYPES, "f32le", "f32be", "f64le", "f64be"];

/** Random layout specs from the grammar (mostly valid, sometimes not: refs may dangle). */
const specArb: fc.Arbitrary<string> = fc.letrec<{ item: string; field: string; fields: string }>((
  tie,
) => ({
  item: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...SCALARS, "strz", "str8", "bytes16be", "str(3)", "bytes(*)", "str(n)"),
    fc.tuple(tie("item"), fc.constantFrom("[2]", "[n]", "[u8]", "[*]", "[0]")).map(([a, b]) =>
      a + b
    ),
    tie("fields").map((f) => `{${f}}`),
  ),
  field: fc.oneof(
    tie("item"),
    tie("item").map((i) => `n: ${i}`),
    fc.constant("n: u8"),
    fc.constant("pad(1)"),
  ),
  fields: fc.array(tie("field"), { minLength: 1, maxLength: 4 }).map((a) => a.join(", ")),
})).fields;

describe("layout: properties", () => {
  it("random layouts on random bytes never throw", () => {
    fc.assert(
      fc.property(specArb, fc.uint8Array({ maxLength: 64 }), (spec, bytes) => {
        let layout;
        try {
          layout = parseLayout(spec);
        } catch (e) {
          assert.ok(e instanceof LayoutSyntaxError);
          return;
        }
        const r = decodeLayout(layout, bytes);
        JSON.stringify(r);
        if (!("value" in r)) {
          assert.ok(r.offset >= 0 && r.offset <= bytes.length);
          assert.match(r.error, /^layout: /);
        }
      }),
      { seed: 0x1a70, numRuns: 400 },
    );
  });
  it("random strings only ever throw LayoutSyntaxError", () => {
    const chars = fc.constantFrom(..."u8i16le32be64f{}[](),:*n strzbytespad9_\t".split(""));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: chars, maxLength: 40 })), (spec) => {
        try {
          parseLayout(spec);
        } catch (e) {
          assert.ok(e instanceof LayoutSyntaxError, String(e));
          assert.match(e.message, /^layout: at column \d+: /);
        }
      }),
      { seed: 0x5eed, numRuns: 500 },
    );
  });
  it("decodes values written with DataView back to themselves", () => {
    const field = fc.oneof(
      fc.record({
        t: fc.constantFrom(...INT_TYPES),
        v: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
      }),
      fc.record({ t: fc.constantFrom("f64le", "f64be"), v: fc.double({ noNaN: true }) }),
      fc.record({ t: fc.constantFrom("f32le", "f32be"), v: fc.float({ noNaN: true }) }),
      fc.record({
        t: fc.constantFrom("str8", "str16le", "str32be"),
        v: fc.string({ maxLength: 20 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 8 }), (fields) => {
        const x = new Writer();
        const expected: { [k: string]: JsonValue } = {};
        fields.forEach(({ t, v }, i) => {
          const le = t.endsWith("le");
          if (typeof v === "string") {
            const b = enc.encode(v);
            if (t === "str8") x.u8(b.length);
            else if (t === "str16le") x.u16(b.length, true);
            else x.u32(b.length, false);
            x.raw(b);
            expected[`f${i}`] = v;
          } else if (typeof v === "number") {
            if (t.startsWith("f32")) x.f32(v, le);
            else x.f64(v, le);
            expected[`f${i}`] = Number.isFinite(v) ? v : String(v);
          } else {
            const bits = Number(t.slice(1, 3)) || 8;
            const signed = t.startsWith("i");
            const n = signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
            if (bits === 8) signed ? x.i8(Number(n)) : x.u8(Number(n));
            else if (bits === 16) signed ? x.i16(Number(n), le) : x.u16(Number(n), le);
            else if (bits === 32) signed ? x.i32(Number(n), le) : x.u32(Number(n), le);
            else signed ? x.i64(n, le) : x.u64(n, le);
            const asNum = Number(n);
            expected[`f${i}`] = Number.isSafeInteger(asNum) ? asNum : n.toString();
          }
        });
        const spec = fields.map(({ t }, i) => `f${i}: ${t}`).join(", ");
        assert.deepEqual(decodeLayout(parseLayout(spec), x.bytes()), { value: expected });
      }),
      { seed: 0xda7a, numRuns: 300 },
    );
  });
});
