// SPDX-License-Identifier: MIT
/**
 * Decodes bytes with a parsed layout (see parse.ts) into a JSON value. Never throws: a
 * failure returns the message, the byte offset of the item that failed and the value as far
 * as it got.
 *
 * Values: integers are numbers, 64-bit ones beyond ±(2^53 - 1) decimal strings; floats are
 * numbers or "NaN"/"Infinity"/"-Infinity"; str and strz are text (invalid UTF-8 is an
 * error); bytes are lowercase hex; groups are objects keyed by field name or index;
 * repetitions are arrays. Bytes left after the last field are an error (the value is
 * complete in `partial`); end a layout with `rest: bytes(*)` to keep them instead.
 *
 * Bounds: a repetition whose count cannot fit in the bytes left (count × the element's
 * smallest size) fails before decoding any element; at most 4 values per input byte plus
 * 1024 are produced (elements that take no bytes cannot loop for long); `[*]` stops with an
 * error when an element takes no bytes while some are left.
 */
import type { JsonValue } from "../events.ts";
import type { Count, Field, IntType, Item, Layout } from "./types.ts";
import { defineKey, floatJson, intJson } from "./values.ts";

/**
 * What decodeLayout returns: the value, or an error message, the byte offset where decoding
 * failed and the value as far as it got.
 */
export type LayoutResult =
  | { value: JsonValue }
  | { error: string; offset: number; partial: JsonValue };

class LayoutFail extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, "0"));

function hex(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += HEX[b[i]!];
  return s;
}

const minSizes = new WeakMap<Item, number>();

/** The fewest bytes an item can take (depth bounded by the parser's nesting limit). */
function minSize(item: Item): number {
  const known = minSizes.get(item);
  if (known !== undefined) return known;
  let n: number;
  switch (item.kind) {
    case "int":
    case "float":
      n = item.size;
      break;
    case "strz":
      n = 1;
      break;
    case "str":
    case "bytes":
    case "pad":
      n = countMin(item.length, 1);
      break;
    case "group":
      n = 0;
      for (const f of item.fields) n += minSize(f.item);
      break;
    case "array":
      n = countMin(item.count, minSize(item.of));
      break;
  }
  minSizes.set(item, n);
  return n;
}

function countMin(c: Count, unit: number): number {
  if (c.kind === "fixed") return c.n * unit;
  if (c.kind === "prefix") return c.int.size;
  return 0;
}

/** A group made of one unnamed, non-padding field stands for that field's value. */
function single(fields: readonly Field[]): Field | undefined {
  const f = fields.length === 1 ? fields[0]! : undefined;
  return f && f.name === undefined && f.item.kind !== "pad" ? f : undefined;
}

class Decoder {
  readonly #b: Uint8Array;
  readonly #dv: DataView;
  #pos = 0;
  #budget: number;
  /** Integer fields decoded so far, one map per open group, innermost last. */
  readonly #scopes: Array<Map<string, number | bigint>> = [];
  /** Path of the item being decoded: ".name" and "[i]" segments. */
  readonly #path: string[] = [];
  /** Offset where the current item started, for error messages. */
  #start = 0;

  constructor(b: Uint8Array) {
    this.#b = b;
    this.#dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.#budget = 4 * b.length + 1024;
  }

  get pos(): number {
    return this.#pos;
  }

  #fail(reason: string, at = this.#start): never {
    const path = this.#path.join("").replace(/^\./, "");
    const where = path === "" ? "" : ` (field "${path}")`;
    throw new LayoutFail(`layout: at byte ${at}${where}: ${reason}`, at);
  }

  #spend(): void {
    if (--this.#budget < 0) {
      this.#fail(`more than ${4 * this.#b.length + 1024} values (4 per byte + 1024)`);
    }
  }

  #need(n: number, what = ""): void {
    const left = this.#b.length - this.#pos;
    if (n > left) {
      const unit = n === 1 ? "byte" : "bytes";
      this.#fail(`${what}needs ${n} ${unit}, ${left} left`);
    }
  }

  #readInt(t: IntType): number | bigint {
    this.#need(t.size);
    const p = this.#pos;
    const dv = this.#dv;
    let v: number | bigint;
    switch (t.size) {
      case 1:
        v = t.signed ? dv.getInt8(p) : dv.getUint8(p);
        break;
      case 2:
        v = t.signed ? dv.getInt16(p, t.little) : dv.getUint16(p, t.little);
        break;
      case 4:
        v = t.signed ? dv.getInt32(p, t.little) : dv.getUint32(p, t.little);
        break;
      case 8:
        v = t.signed ? dv.getBigInt64(p, t.little) : dv.getBigUint64(p, t.little);
        break;
    }
    this.#pos += t.size;
    return v;
  }

  /** Resolves a count to a number of elements or bytes; `unit` is one element's least size. */
  #count(c: Count, unit: number, what: string): number {
    let v: number | bigint;
    let source = "";
    switch (c.kind) {
      case "fixed":
        v = c.n;
        break;
      case "rest":
        return -1;
      case "prefix":
        v = this.#readInt(c.int);
        source = ` (${c.int.name} prefix)`;
        break;
      case "field": {
        let found: number | bigint | undefined;
        for (let i = this.#scopes.length - 1; i >= 0 && found === undefined; i--) {
          found = this.#scopes[i]!.get(c.name);
        }
        if (found === undefined) this.#fail(`field "${c.name}" has no value here`);
        v = found;
        source = ` (field "${c.name}")`;
        break;
      }
    }
    if (v < 0) this.#fail(`${what} ${v}${source} is negative`);
    const n = Number(v);
    const left = this.#b.length - this.#pos;
    if (n * unit > left) {
      const need = what === "count" ? `at least ${n * unit}` : `${n}`;
      this.#fail(`${what} ${v}${source} needs ${need} bytes, ${left} left`);
    }
    return n;
  }

  /** Decodes one item, handing its value (if it has one) to `set` as soon as it exists. */
  item(item: Item, set: (v: JsonValue) => void): void {
    this.#start = this.#pos;
    switch (item.kind) {
      case "int":
        this.#spend();
        set(intJson(this.#readInt(item)));
        return;
      case "float": {
        this.#spend();
        this.#need(item.size);
        const p = this.#pos;
        const v = item.size === 4
          ? this.#dv.getFloat32(p, item.little)
          : this.#dv.getFloat64(p, item.little);
        this.#pos += item.size;
        set(floatJson(v));
        return;
      }
      case "str":
      case "bytes":
      case "pad": {
        if (item.kind !== "pad") this.#spend();
        let n = this.#count(item.length, 1, "length");
        if (n < 0) n = this.#b.length - this.#pos;
        const p = this.#pos;
        this.#pos += n;
        if (item.kind === "bytes") set(hex(this.#b, p, p + n));
        else if (item.kind === "str") set(this.#text(p, p + n));
        return;
      }
      case "strz": {
        this.#spend();
        const p = this.#pos;
        const nul = this.#b.indexOf(0, p);
        if (nul < 0) this.#fail("no NUL byte before the end");
        this.#pos = nul + 1;
        set(this.#text(p, nul));
        return;
      }
      case "group":
        this.#group(item.fields, set);
        return;
      case "array":
        this.#array(item.of, item.count, set);
        return;
    }
  }

  #text(start: number, end: number): string {
    try {
      return utf8.decode(this.#b.subarray(start, end));
    } catch {
      return this.#fail("text is not valid UTF-8");
    }
  }

  #group(fields: readonly Field[], set: (v: JsonValue) => void): void {
    const scope = new Map<string, number | bigint>();
    this.#scopes.push(scope);
    const only = single(fields);
    if (only) {
      this.item(only.item, set);
    } else {
      this.#spend();
      const obj: { [key: string]: JsonValue } = {};
      set(obj);
      for (const f of fields) {
        this.#path.push(`.${f.key}`);
        if (f.item.kind === "int") {
          this.#start = this.#pos;
          this.#spend();
          const v = this.#readInt(f.item);
          defineKey(obj, f.key, intJson(v));
          if (f.name !== undefined) scope.set(f.name, v);
        } else {
          this.item(f.item, (v) => defineKey(obj, f.key, v));
        }
        this.#path.pop();
      }
    }
    this.#scopes.pop();
  }

  #array(of: Item, count: Count, set: (v: JsonValue) => void): void {
    this.#spend();
    const unit = minSize(of);
    const n = this.#count(count, unit, "count");
    const arr: JsonValue[] = [];
    set(arr);
    const push = (v: JsonValue): void => {
      arr.push(v);
    };
    for (let i = 0; n < 0 ? this.#pos < this.#b.length : i < n; i++) {
      this.#path.push(`[${i}]`);
      const before = this.#pos;
      this.item(of, push);
      if (n < 0 && this.#pos === before) {
        this.#fail("repeats to the end, but an element took no bytes", before);
      }
      this.#path.pop();
    }
  }
}

/** Decodes `bytes` with `layout`. Never throws. */
export function decodeLayout(layout: Layout, bytes: Uint8Array): LayoutResult {
  let root: JsonValue = null;
  const d = new Decoder(bytes);
  try {
    d.item({ kind: "group", fields: layout.fields }, (v) => {
      root = v;
    });
  } catch (e) {
    if (e instanceof LayoutFail) return { error: e.message, offset: e.offset, partial: root };
    const why = e instanceof Error ? e.message : String(e);
    return { error: `layout: at byte ${d.pos}: ${why}`, offset: d.pos, partial: root };
  }
  const left = bytes.length - d.pos;
  if (left > 0) {
    const unit = left === 1 ? "byte" : "bytes";
    return {
      error: `layout: ${left} ${unit} left over at byte ${d.pos}`,
      offset: d.pos,
      partial: root,
    };
  }
  return { value: root };
}
