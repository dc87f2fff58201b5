// SPDX-License-Identifier: MIT
/**
 * Encodes a value with a parsed layout (see parse.ts): the inverse of decode.ts. Whatever
 * decodeLayout returns as a value encodes back to the same bytes (pads as zero bytes, NaNs as
 * the runtime's own NaN), and whatever this returns decodes back to the value given.
 *
 * Values, as decodeLayout gives them, plus a few conveniences:
 * - integers: a safe integer (|v| ≤ 2^53 - 1), a bigint, or a decimal string (what decode gives
 *   for 64-bit values beyond 2^53); a value outside the type's range is an error;
 * - floats: a number, or "NaN" / "Infinity" / "-Infinity"; f32 rounds to the nearest f32, and
 *   a finite number too large for f32 is an error;
 * - str and strz: text, as UTF-8 (a lone surrogate is an error; so is a NUL in strz);
 * - bytes: hex (either case), or a Uint8Array;
 * - groups: an object with exactly the group's keys (a group of one unnamed field: that
 *   field's value); repetitions: an array.
 *
 * Lengths and counts: a fixed one must match (str(4) takes exactly 4 bytes of UTF-8, u8[3]
 * exactly 3 elements); a prefix is written from the value (and must fit its type: str8 holds
 * at most 255 bytes); a count naming an earlier integer field must equal that field — or, when
 * the field is left out of the value, fills it in: the first item that uses it sets it (the
 * slot is written once the length is known), later ones must agree. A field left out that
 * nothing fills in is an error, as is one used only by a pad.
 *
 * Values that would not decode back are refused: anything taking bytes after an item that
 * runs to the end (`*`), an element of `[*]` that takes no bytes, or more values than the
 * decoder accepts for the length (4 per byte + 1024). Errors are LayoutEncodeError, naming
 * the field's path.
 */
import type { JsonValue } from "../events.ts";
import type { Count, Field, IntType, Item, Layout } from "./types.ts";

/**
 * What encodeLayout takes: what decodeLayout gives (JSON), plus bigints for integers and
 * Uint8Arrays for bytes. `undefined` in an object is the same as a key left out.
 */
export type LayoutValue =
  | JsonValue
  | bigint
  | Uint8Array
  | readonly LayoutValue[]
  | { readonly [key: string]: LayoutValue | undefined };

/** A value that does not fit its layout; `path` names the field ("items[2].id", or ""). */
export class LayoutEncodeError extends Error {
  /** The field's path: ".name" and "[i]" steps joined, without the leading dot. */
  readonly path: string;
  /** Makes the error; the message is `layout: field "path": reason`. */
  constructor(path: string, reason: string) {
    super(`layout: ${path === "" ? "" : `field "${path}": `}${reason}`);
    this.name = "LayoutEncodeError";
    this.path = path;
  }
}

const utf8 = new TextEncoder();
/** A UTF-16 surrogate without its other half (TextEncoder would write U+FFFD for it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DECIMAL = /^-?[0-9]{1,40}$/;
const HEX_TEXT = /^(?:[0-9a-fA-F]{2})*$/;

/** A group made of one unnamed, non-padding field stands for that field's value. */
function single(fields: readonly Field[]): Field | undefined {
  const f = fields.length === 1 ? fields[0]! : undefined;
  return f && f.name === undefined && f.item.kind !== "pad" ? f : undefined;
}

function intRange(t: IntType): [bigint, bigint] {
  const bits = BigInt(t.size * 8);
  return t.signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  return String(v);
}

/** An integer field's value as the encoder knows it: set, or left out and still to be filled. */
type Slot = { value: bigint } | { at: number; int: IntType; path: string };

class Encoder {
  #b = new Uint8Array(256);
  #dv = new DataView(this.#b.buffer);
  #len = 0;
  /** Values the decoder will produce (it refuses more than 4 per byte + 1024). */
  values = 0;
  /** Integer fields so far, one map per open group, innermost last. */
  readonly #scopes: Array<Map<string, Slot>> = [];
  readonly #path: string[] = [];
  /** Path of an item that ran to the end (`*`): nothing after it may take bytes. */
  #restBy: string | undefined;

  get length(): number {
    return this.#len;
  }

  bytes(): Uint8Array {
    return this.#b.slice(0, this.#len);
  }

  #where(): string {
    return this.#path.join("").replace(/^\./, "");
  }

  fail(reason: string): never {
    throw new LayoutEncodeError(this.#where(), reason);
  }

  /** Room for `n` more bytes; returns where they start. */
  #grow(n: number): number {
    if (n === 0) return this.#len;
    if (this.#restBy !== undefined) {
      const by = this.#restBy === "" ? "an earlier item" : `"${this.#restBy}"`;
      const size = n === 1 ? "1 byte" : `${n} bytes`;
      this.fail(`comes after ${by}, which runs to the end of the data (*), but takes ${size}`);
    }
    const at = this.#len;
    if (at + n > this.#b.length) {
      let size = this.#b.length * 2;
      while (size < at + n) size *= 2;
      const b = new Uint8Array(size);
      b.set(this.#b.subarray(0, at));
      this.#b = b;
      this.#dv = new DataView(b.buffer);
    }
    this.#len += n;
    return at;
  }

  #raw(bytes: Uint8Array): void {
    this.#b.set(bytes, this.#grow(bytes.length));
  }

  #putInt(at: number, t: IntType, v: bigint): void {
    const dv = this.#dv;
    const n = Number(v);
    switch (t.size) {
      case 1:
        if (t.signed) dv.setInt8(at, n);
        else dv.setUint8(at, n);
        return;
      case 2:
        if (t.signed) dv.setInt16(at, n, t.little);
        else dv.setUint16(at, n, t.little);
        return;
      case 4:
        if (t.signed) dv.setInt32(at, n, t.little);
        else dv.setUint32(at, n, t.little);
        return;
      case 8:
        if (t.signed) dv.setBigInt64(at, v, t.little);
        else dv.setBigUint64(at, v, t.little);
        return;
    }
  }

  /** Checks that `v` fits `t`; `what` says what the number is, for the message. */
  #fit(t: IntType, v: bigint, what: string): void {
    const [min, max] = intRange(t);
    if (v < min || v > max) this.fail(`${what} ${v} does not fit in ${t.name} (${min} … ${max})`);
  }

  #intValue(v: unknown, t: IntType): bigint {
    let n: bigint;
    if (typeof v === "bigint") n = v;
    else if (typeof v === "number" && Number.isSafeInteger(v)) n = BigInt(v);
    else if (typeof v === "string" && DECIMAL.test(v)) n = BigInt(v);
    else if (typeof v === "number" && Number.isInteger(v)) {
      return this.fail(`${v} is beyond 2^53 and may have lost digits: give it as a string`);
    } else return this.fail(`expected an integer (${t.name}), got ${show(v)}`);
    this.#fit(t, n, "the value");
    return n;
  }

  #writeInt(t: IntType, v: bigint): void {
    this.#putInt(this.#grow(t.size), t, v);
  }

  /** Writes what a count needs before the data (a prefix), or checks it (fixed, field). */
  #count(c: Count, n: number, what: string): void {
    switch (c.kind) {
      case "fixed":
        if (n !== c.n) this.fail(`${what} ${n}, the layout says ${c.n}`);
        return;
      case "rest":
        return;
      case "prefix":
        this.#fit(c.int, BigInt(n), `${what}`);
        this.#writeInt(c.int, BigInt(n));
        return;
      case "field": {
        const { scope, slot } = this.#lookup(c.name);
        if ("value" in slot) {
          if (slot.value !== BigInt(n)) {
            this.fail(`${what} ${n}, but field "${c.name}" is ${slot.value}`);
          }
        } else {
          // left out: this length fills it in
          this.#fit(slot.int, BigInt(n), `${what}`);
          this.#putInt(slot.at, slot.int, BigInt(n));
          scope.set(c.name, { value: BigInt(n) });
        }
        return;
      }
    }
  }

  #lookup(name: string): { scope: Map<string, Slot>; slot: Slot } {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const scope = this.#scopes[i]!;
      const slot = scope.get(name);
      if (slot !== undefined) return { scope, slot };
    }
    return this.fail(`field "${name}" has no value here`);
  }

  /** Marks the end of an item that runs to the end of the data. */
  #rest(c: Count): void {
    if (c.kind === "rest") this.#restBy = this.#where();
  }

  item(item: Item, v: unknown): void {
    switch (item.kind) {
      case "int":
        this.values++;
        this.#writeInt(item, this.#intValue(v, item));
        return;
      case "float": {
        this.values++;
        let f: number;
        if (typeof v === "number") f = v;
        else if (v === "NaN" || v === "Infinity" || v === "-Infinity") f = Number(v);
        else return this.fail(`expected a number (${item.name}), got ${show(v)}`);
        if (item.size === 4 && Number.isFinite(f) && !Number.isFinite(Math.fround(f))) {
          this.fail(`${f} is too large for f32`);
        }
        const at = this.#grow(item.size);
        if (item.size === 4) this.#dv.setFloat32(at, f, item.little);
        else this.#dv.setFloat64(at, f, item.little);
        return;
      }
      case "str":
      case "strz": {
        this.values++;
        if (typeof v !== "string") return this.fail(`expected text, got ${show(v)}`);
        if (LONE_SURROGATE.test(v)) this.fail("text has a lone UTF-16 surrogate");
        const b = utf8.encode(v);
        if (item.kind === "strz") {
          if (b.includes(0)) this.fail("strz text cannot hold a NUL character");
          this.#raw(b);
          this.#raw(new Uint8Array(1));
          return;
        }
        this.#count(item.length, b.length, "text of UTF-8 length");
        this.#raw(b);
        this.#rest(item.length);
        return;
      }
      case "bytes": {
        this.values++;
        let b: Uint8Array;
        if (v instanceof Uint8Array) b = v;
        else if (typeof v === "string" && HEX_TEXT.test(v)) {
          b = new Uint8Array(v.length / 2);
          for (let i = 0; i < b.length; i++) b[i] = parseInt(v.slice(2 * i, 2 * i + 2), 16);
        } else return this.fail(`expected bytes as hex or a Uint8Array, got ${show(v)}`);
        this.#count(item.length, b.length, "length");
        this.#raw(b);
        this.#rest(item.length);
        return;
      }
      case "pad": {
        const c = item.length;
        let n = 0;
        if (c.kind === "fixed") n = c.n;
        else if (c.kind === "prefix") this.#count(c, 0, "padding of length");
        else if (c.kind === "field") {
          const { slot } = this.#lookup(c.name);
          if (!("value" in slot)) {
            this.fail(`field "${c.name}" is left out, and a pad cannot fill it in: give it`);
          }
          n = Number(slot.value);
          if (n < 0) this.fail(`padding of length ${n} (field "${c.name}")`);
        }
        this.#raw(new Uint8Array(n));
        this.#rest(c);
        return;
      }
      case "group":
        this.#group(item.fields, v);
        return;
      case "array":
        this.#array(item.of, item.count, v);
        return;
    }
  }

  #group(fields: readonly Field[], v: unknown): void {
    const scope = new Map<string, Slot>();
    this.#scopes.push(scope);
    const only = single(fields);
    if (only) {
      this.item(only.item, v);
      this.#scopes.pop();
      return;
    }
    this.values++;
    if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Uint8Array) {
      this.fail(`expected an object, got ${show(v)}`);
    }
    const obj = v as { readonly [key: string]: unknown };
    const known = new Set<string>();
    for (const f of fields) {
      if (f.item.kind === "pad") {
        this.#path.push(`.${f.key}`);
        this.item(f.item, undefined);
        this.#path.pop();
        continue;
      }
      known.add(f.key);
      const present = Object.prototype.hasOwnProperty.call(obj, f.key) &&
        obj[f.key] !== undefined;
      this.#path.push(`.${f.key}`);
      if (f.item.kind === "int") {
        const t = f.item;
        this.values++;
        if (present) {
          const n = this.#intValue(obj[f.key], t);
          this.#writeInt(t, n);
          if (f.name !== undefined) scope.set(f.name, { value: n });
        } else if (f.name !== undefined) {
          // may be a count, filled in by the first item that uses it
          scope.set(f.name, { at: this.#grow(t.size), int: t, path: this.#where() });
        } else {
          this.fail("missing");
        }
      } else {
        if (!present) this.fail("missing");
        this.item(f.item, obj[f.key]);
      }
      this.#path.pop();
    }
    for (const [name, slot] of scope) {
      if (!("value" in slot)) {
        throw new LayoutEncodeError(
          slot.path,
          `missing (no count names "${name}" after it to fill it in)`,
        );
      }
    }
    for (const key of Object.keys(obj)) {
      if (!known.has(key) && obj[key] !== undefined) {
        this.#path.push(`.${key}`);
        this.fail("not in the layout");
      }
    }
    this.#scopes.pop();
  }

  #array(of: Item, count: Count, v: unknown): void {
    this.values++;
    if (!Array.isArray(v)) return this.fail(`expected an array, got ${show(v)}`);
    const arr = v as readonly unknown[];
    this.#count(count, arr.length, "an array of");
    for (let i = 0; i < arr.length; i++) {
      this.#path.push(`[${i}]`);
      const before = this.#len;
      this.item(of, arr[i]);
      if (count.kind === "rest" && this.#len === before) {
        this.fail("repeats to the end of the data (*), but this element takes no bytes");
      }
      this.#path.pop();
    }
    this.#rest(count);
  }
}

/**
 * Encodes `value` with `layout` into new bytes: the inverse of decodeLayout, in the same
 * `layout:` language `zmqkit dump --decode layout:…` reads. Throws LayoutEncodeError (naming
 * the field) when the value does not fit the layout. A count field left out of the value is
 * filled in from the first item that uses it.
 *
 * @example A hand-written binary message, both ways
 * ```ts
 * import { decodeLayout, encodeLayout, parseLayout } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const quote = parseLayout(
 *   "kind: u8, symbol: str8, count: u16be, levels: { price: f64le, size: u32le }[count]",
 * );
 * const bytes = encodeLayout(quote, {
 *   kind: 1,
 *   symbol: "ZMQ",
 *   levels: [{ price: 10.5, size: 300 }, { price: 10.25, size: 100 }],
 * }); // count is left out: the two levels fill it in
 * assert.equal(bytes.length, 1 + 4 + 2 + 2 * 12);
 * assert.deepEqual(decodeLayout(quote, bytes), {
 *   value: {
 *     kind: 1,
 *     symbol: "ZMQ",
 *     count: 2,
 *     levels: [{ price: 10.5, size: 300 }, { price: 10.25, size: 100 }],
 *   },
 * });
 * ```
 *
 * @example A value that does not fit
 * ```ts
 * import { encodeLayout, LayoutEncodeError, parseLayout } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => encodeLayout(parseLayout("items: { id: u8 }[u8]"), { items: [{ id: 256 }] }),
 *   (e) => e instanceof LayoutEncodeError && e.path === "items[0].id",
 * );
 * ```
 */
export function encodeLayout(layout: Layout, value: LayoutValue): Uint8Array {
  const e = new Encoder();
  e.item({ kind: "group", fields: layout.fields }, value);
  const most = 4 * e.length + 1024;
  if (e.values > most) {
    e.fail(`${e.values} values in ${e.length} bytes: more than decoding accepts (${most})`);
  }
  return e.bytes();
}
