// SPDX-License-Identifier: MIT
// Properties of the frame body decoders: random and mutated bodies through every decoder
// never throw and give JSON-safe values that render on one line; bad specs only ever throw
// DecodeSpecError.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { pack } from "msgpackr";
import {
  decodeBody,
  DecodeSpecError,
  type FrameBody,
  parseDecodeSpec,
  renderBody,
} from "../../../lib/internal.ts";

const dec = (spec: string, body: Uint8Array): FrameBody =>
  decodeBody(parseDecodeSpec(spec), 0, body, 0);

const SPECS = [
  "auto",
  "text",
  "hex",
  "json",
  "msgpack",
  "layout:u8, s: str8, r: {a: u16le, b: i32be[u8]}[*]",
  "layout:n: u8, x: f64le[n], rest: bytes(*)",
  "0=text,1=msgpack,*=layout:strz[*]",
].map((s) => [s, parseDecodeSpec(s)] as const);

/** Whether v holds only what JSON can: null, booleans, finite numbers, strings, arrays, objects. */
function isJson(v: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (v === null || typeof v === "boolean" || typeof v === "string") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJson(x, depth + 1));
  if (typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return false;
  return Object.values(v).every((x) => isJson(x, depth + 1));
}

function checkBody(fb: FrameBody): void {
  assert.equal(typeof fb.as, "string");
  assert.ok(isJson(fb.body), JSON.stringify(fb));
  assert.equal(typeof JSON.stringify(fb), "string");
  const line = renderBody(fb);
  for (const c of ["\n", "\r", "\u2028", "\u2029", "\u001b", "\u009b"]) {
    assert.ok(!line.includes(c), line);
  }
}

const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.integer(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.double(),
    fc.string(),
    fc.uint8Array({ maxLength: 8 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie("v"), { maxKeys: 4 }),
  ),
})).v;

describe("decodeBody: properties", () => {
  it("random bytes through every decoder never throw", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: -1, max: 100 }),
        (body, index, maxBytes) => {
          for (const [, p] of SPECS) checkBody(decodeBody(p, index, body, maxBytes));
        },
      ),
      { seed: 0xb0d1, numRuns: 500 },
    );
  });
  it("mutated MessagePack never throws, and unmutated values decode", () => {
    fc.assert(
      fc.property(
        jsonish,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        (value, edits) => {
          const body = Uint8Array.from(pack(value));
          assert.equal(dec("msgpack", body).as, "msgpack");
          for (const [at, byte] of edits) body[at % body.length] = byte;
          for (const spec of ["msgpack", "auto"]) checkBody(dec(spec, body));
        },
      ),
      { seed: 0x3a9c, numRuns: 400 },
    );
  });
  it("random specs only ever throw DecodeSpecError", () => {
    const chars = fc.constantFrom(..."0123*=,layout:u8[]{}()textjsonhexmsgpack auto".split(""));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: chars, maxLength: 30 })), (spec) => {
        try {
          parseDecodeSpec(spec);
        } catch (e) {
          assert.ok(e instanceof DecodeSpecError, String(e));
          assert.match(e.message, /^--decode: [^\n]*$/);
        }
      }),
      { seed: 0x5bec, numRuns: 500 },
    );
  });
});
