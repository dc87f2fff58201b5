// SPDX-License-Identifier: MIT
/**
 * MessagePack frame bodies for `zmqkit dump --decode msgpack`, decoded with msgpackr behind
 * a guard. Pure: no I/O.
 *
 * Every body is first walked here, without recursion, against the MessagePack spec: each
 * value must be complete, no container may declare more elements than the bytes left could
 * hold (a 5-byte `dd ff ff ff ff` cannot ask for 2^32 slots), nesting stops at 64 levels
 * (msgpackr reads recursively and would overflow the stack on a deep body), and 0xc1 is
 * refused. Extension values are rewritten before msgpackr sees them, because msgpackr gives
 * some extension types its own meanings (records, shared references, bundled strings, errors,
 * regexps) and throws on the rest: only the standard timestamp (type -1, when it fits a
 * Date) and msgpackr's `undefined` (fixext 1, type 0, payload 0) are kept; every other
 * extension becomes the map {"$ext": type, "$hex": "<payload>"}.
 *
 * JSON shape: nil and undefined → null; ints → numbers, 64-bit ones beyond ±(2^53 - 1) →
 * decimal strings; NaN/±Infinity → "NaN"/"Infinity"/"-Infinity"; bin → {"$hex": "…"};
 * timestamps → ISO 8601 strings (millisecond precision); maps whose keys are all strings →
 * objects, other maps → {"$map": [[key, value], …]}; strings are decoded as UTF-8 by
 * msgpackr (invalid sequences become U+FFFD).
 */
import { Unpackr } from "msgpackr/unpack";
import type { JsonValue } from "./events.ts";
import { defineKey, floatJson, intJson } from "./layout/values.ts";
import { toHex } from "./text.ts";
import { concatBytes } from "../util/bytes.ts";

/** Deepest nesting of arrays and maps accepted. */
export const MAX_MSGPACK_DEPTH = 64;

/** The top-level values in order (container: the first is an array or map), or why not. */
export type MsgpackResult =
  | { ok: true; values: JsonValue[]; container: boolean }
  | { ok: false; error: string };

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false, int64AsType: "bigint" });
const enc = new TextEncoder();
const EXT_KEY = Uint8Array.of(0xa4, ...enc.encode("$ext"));
const HEX_KEY = Uint8Array.of(0xa4, ...enc.encode("$hex"));

/** A value's header size, payload size (bytes after the header) and child count. */
interface Token {
  head: number;
  body: number;
  children: number;
}

function readLength(b: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + b[at + i]!;
  return v;
}

/** Types with a length field: [size of the length field, extra header bytes, what it counts]. */
const SIZED: Record<number, [number, number, "body" | "items" | "pairs"]> = {
  0xc4: [1, 0, "body"],
  0xc5: [2, 0, "body"],
  0xc6: [4, 0, "body"],
  0xc7: [1, 1, "body"],
  0xc8: [2, 1, "body"],
  0xc9: [4, 1, "body"],
  0xd9: [1, 0, "body"],
  0xda: [2, 0, "body"],
  0xdb: [4, 0, "body"],
  0xdc: [2, 0, "items"],
  0xdd: [4, 0, "items"],
  0xde: [2, 0, "pairs"],
  0xdf: [4, 0, "pairs"],
};
/** Fixed-size types: payload bytes after the token byte. */
const FIXED: Record<number, number> = {
  0xc0: 0,
  0xc2: 0,
  0xc3: 0,
  0xca: 4,
  0xcb: 8,
  0xcc: 1,
  0xcd: 2,
  0xce: 4,
  0xcf: 8,
  0xd0: 1,
  0xd1: 2,
  0xd2: 4,
  0xd3: 8,
};

/** The shape of the value starting at `pos`, or why it is not one. */
function token(b: Uint8Array, pos: number): Token | string {
  const t = b[pos]!;
  if (t <= 0x7f || t >= 0xe0) return { head: 1, body: 0, children: 0 };
  if (t <= 0x8f) return { head: 1, body: 0, children: 2 * (t & 0x0f) };
  if (t <= 0x9f) return { head: 1, body: 0, children: t & 0x0f };
  if (t <= 0xbf) return { head: 1, body: t & 0x1f, children: 0 };
  const f = FIXED[t];
  if (f !== undefined) return { head: 1, body: f, children: 0 };
  if (t >= 0xd4 && t <= 0xd8) return { head: 2, body: 1 << (t - 0xd4), children: 0 };
  const s = SIZED[t];
  if (s === undefined) return `byte 0xc1 (never used) at byte ${pos}`;
  const [lenSize, extra, kind] = s;
  if (pos + 1 + lenSize > b.length) return `ends inside a value at byte ${pos}`;
  const n = readLength(b, pos + 1, lenSize);
  const head = 1 + lenSize + extra;
  if (kind === "body") return { head, body: n, children: 0 };
  return { head, body: 0, children: kind === "pairs" ? 2 * n : n };
}

/** Whether msgpackr may decode this extension itself (see the file comment). */
function keepExt(type: number, payload: Uint8Array, fix1: boolean): boolean {
  if (type === 0) return fix1 && payload[0] === 0;
  if (type !== -1) return false;
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (payload.length === 4) return true;
  if (payload.length === 8) return dv.getUint32(0) >>> 2 <= 999_999_999;
  if (payload.length === 12) {
    const secs = dv.getBigInt64(4);
    // within a Date's range (±8.64e15 ms) whatever the nanoseconds add
    return dv.getUint32(0) <= 999_999_999 && secs >= -8_640_000_000_000n &&
      secs < 8_640_000_000_000n;
  }
  return false;
}

/** The map {"$ext": type, "$hex": "<payload>"} in MessagePack. */
function extAsMap(type: number, payload: Uint8Array): Uint8Array[] {
  const typeBytes = type >= 0 ? [type] : [0xd0, type & 0xff];
  const hex = enc.encode(toHex(payload));
  const n = hex.length;
  const strHead = n <= 31
    ? [0xa0 | n]
    : n <= 0xff
    ? [0xd9, n]
    : n <= 0xffff
    ? [0xda, n >> 8, n & 0xff]
    : [0xdb, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  return [
    Uint8Array.of(0x82),
    EXT_KEY,
    Uint8Array.from(typeBytes),
    HEX_KEY,
    Uint8Array.from(strHead),
    hex,
  ];
}

/**
 * Checks the body value by value without recursion and returns a private copy for msgpackr
 * (with extensions rewritten), the number of top-level values and whether the first is an
 * array or map.
 */
function scan(b: Uint8Array): { bytes: Uint8Array; values: number; container: boolean } | string {
  const stack: number[] = [];
  const parts: Uint8Array[] = [];
  let copied = 0;
  let pos = 0;
  let values = 0;
  let container = false;
  for (;;) {
    while (stack.length > 0 && stack[stack.length - 1] === 0) stack.pop();
    if (stack.length === 0) {
      if (pos >= b.length) break;
      if (values++ === 0) container = (b[pos]! >= 0x80 && b[pos]! <= 0x9f) || b[pos]! >= 0xdc;
    } else {
      stack[stack.length - 1]!--;
    }
    if (pos >= b.length) return `ends inside a value at byte ${pos}`;
    const t = token(b, pos);
    if (typeof t === "string") return t;
    const end = pos + t.head + t.body;
    if (end > b.length) return `ends inside a value at byte ${pos}`;
    if (t.children > 0) {
      if (t.children > b.length - end) {
        const left = b.length - end;
        const follow = left === 1 ? "1 byte follows" : `${left} bytes follow`;
        return `at byte ${pos}: declares ${t.children} items, only ${follow}`;
      }
      if (stack.length >= MAX_MSGPACK_DEPTH) {
        return `at byte ${pos}: nested deeper than ${MAX_MSGPACK_DEPTH} levels`;
      }
      stack.push(t.children);
    }
    const tok = b[pos]!;
    if ((tok >= 0xc7 && tok <= 0xc9) || (tok >= 0xd4 && tok <= 0xd8)) {
      const type = (b[pos + t.head - 1]! << 24) >> 24;
      const payload = b.subarray(pos + t.head, end);
      if (!keepExt(type, payload, tok === 0xd4)) {
        parts.push(b.subarray(copied, pos), ...extAsMap(type, payload));
        copied = end;
      }
    }
    pos = end;
  }
  parts.push(b.subarray(copied));
  return { bytes: concatBytes(parts), values, container };
}

/** A decoded msgpackr value as JSON (depth already bounded by scan). */
function toJson(v: unknown, depth: number): JsonValue {
  if (depth > MAX_MSGPACK_DEPTH + 2) return null;
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "boolean":
    case "string":
      return v;
    case "number":
      return Number.isInteger(v) ? intJson(v) : floatJson(v);
    case "bigint":
      return intJson(v);
  }
  if (v instanceof Uint8Array) return { $hex: toHex(v) };
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
  if (Array.isArray(v)) return v.map((x) => toJson(x, depth + 1));
  if (v instanceof Map) {
    const entries = [...v.entries()];
    if (entries.every(([k]) => typeof k === "string")) {
      const obj: { [key: string]: JsonValue } = {};
      for (const [k, x] of entries) defineKey(obj, k as string, toJson(x, depth + 1));
      return obj;
    }
    return { $map: entries.map(([k, x]) => [toJson(k, depth + 1), toJson(x, depth + 1)]) };
  }
  return Object.prototype.toString.call(v);
}

/** One line of an error message, without control characters, at most 120 characters. */
function oneLine(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += c < 0x20 || (c >= 0x7f && c <= 0x9f) ? " " : ch;
    if (out.length >= 120) break;
  }
  return out;
}

/** Decodes a whole body as MessagePack: one or more values. Never throws. */
export function decodeMsgpack(body: Uint8Array): MsgpackResult {
  try {
    if (body.length === 0) return { ok: false, error: "msgpack: empty body" };
    const s = scan(body);
    if (typeof s === "string") return { ok: false, error: `msgpack: ${s}` };
    const raw: unknown[] = s.values === 1
      ? [unpackr.unpack(s.bytes)]
      : unpackr.unpackMultiple(s.bytes);
    return { ok: true, values: raw.map((v) => toJson(v, 0)), container: s.container };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { ok: false, error: `msgpack: ${oneLine(why)}` };
  }
}
