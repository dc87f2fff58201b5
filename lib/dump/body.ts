// SPDX-License-Identifier: MIT
/**
 * Frame body decoders for `zmqkit dump --decode SPEC --max-bytes N`. Pure: no I/O.
 *
 * SPEC is one decoder for every frame, or a comma-separated list of `N=decoder` (frame N of
 * the message body, from 0, after any routing envelope) and `*=decoder` (every other frame;
 * `auto` without it). Decoders: `auto`, `text`, `hex`, `json`, `msgpack`, `layout:<spec>`.
 * A layout contains commas but never `=`, so the list is split only at a comma followed by
 * `N=` or `*=`: `0=text,1=layout:u8,u16le[*],*=hex` is three entries.
 *
 * What each decoder gives (FrameBody.as, .body):
 * - an empty body is always {as: "empty", body: ""}, except with a layout, which decodes it;
 * - `hex`: lowercase hex;
 * - `text`: the text; invalid UTF-8 falls back to hex with `error`;
 * - `json`: the parsed value (numbers JSON cannot hold become strings, nesting is limited to
 *   64 levels); invalid → hex with `error`;
 * - `msgpack`: see body_msgpack.ts; several concatenated values give {"$values": [...]};
 *   invalid → hex with `error`;
 * - `layout:`: see layout/; when decoding fails, `body` is the value decoded so far and
 *   `error` says where and why;
 * - `auto`: text when the body is UTF-8 without control characters (tab, LF, CR allowed),
 *   json instead when that text is a JSON object or array; otherwise msgpack when the whole
 *   body is exactly one MessagePack map or array; otherwise hex.
 *
 * maxBytes (0 = no limit): text and hex show at most that many bytes (text cut at a whole
 * character) and set `truncated`. json, msgpack and layout decode whole bodies only: a body
 * over the limit is shown as truncated hex instead, with an `error` saying so (`auto` picks
 * text or hex for it, without an error).
 */
import type { JsonValue } from "./events.ts";
import { decodeMsgpack } from "./body_msgpack.ts";
import {
  decodeLayout,
  type Layout,
  LAYOUT_HELP,
  LayoutSyntaxError,
  parseLayout,
} from "./layout/mod.ts";
import { defineKey, floatJson } from "./layout/values.ts";
import { toHex } from "./text.ts";

/** One frame body, decoded. `error` says why a decoder fell back or stopped. */
export interface FrameBody {
  as: string;
  body: JsonValue;
  truncated?: boolean;
  error?: string;
}

export type BodyDecoder =
  | { readonly kind: "auto" | "text" | "hex" | "json" | "msgpack" }
  | { readonly kind: "layout"; readonly layout: Layout };

/** A parsed --decode spec: a decoder per frame index, and one for every other frame. */
export interface DecodePlan {
  readonly frames: ReadonlyMap<number, BodyDecoder>;
  readonly rest: BodyDecoder;
}

/** A bad --decode spec. The message is one line naming the bad part. */
export class DecodeSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecodeSpecError";
  }
}

/** Deepest JSON nesting shown; deeper documents fall back to hex. */
export const MAX_JSON_DEPTH = 64;
/** Longest --decode spec accepted, in characters. */
export const MAX_SPEC_LENGTH = 65536;
/** Highest frame index a spec may name. */
export const MAX_FRAME_INDEX = 65535;

const SIMPLE = new Set(["auto", "text", "hex", "json", "msgpack"]);

export const DECODE_HELP: string = `\
--decode SPEC decodes message frame bodies. SPEC is one decoder for every frame, or a list
N=decoder,...,*=decoder by frame index (from 0, after any routing envelope; frames with no
entry use *=, else auto). Decoders:
  auto        text, JSON object/array, MessagePack map/array or hex, whichever fits
  text        UTF-8 text (hex when invalid)
  hex         lowercase hex
  json        a JSON document
  msgpack     MessagePack (bin as {"$hex"}, other extensions as {"$ext","$hex"})
  layout:...  a binary layout (below); commas inside it are fine: the list splits only at
              a comma followed by N= or *=
--max-bytes N shows at most N bytes of text or hex; json, msgpack and layout bodies over
N bytes are shown as truncated hex.

${LAYOUT_HELP}`;

function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function parseDecoder(text: string, where: string): BodyDecoder {
  const t = text.trim();
  if (t.startsWith("layout:")) {
    try {
      return { kind: "layout", layout: parseLayout(t.slice(7)) };
    } catch (e) {
      const why = e instanceof LayoutSyntaxError ? e.message : String(e);
      throw new DecodeSpecError(`--decode: in "${shorten(where + t)}": ${why}`);
    }
  }
  if (SIMPLE.has(t)) return { kind: t } as BodyDecoder;
  const context = where === "" ? "" : `in "${where}${shorten(t)}": `;
  const expected = "(expected auto, text, hex, json, msgpack or layout:<spec>)";
  throw new DecodeSpecError(`--decode: ${context}unknown decoder "${shorten(t)}" ${expected}`);
}

/** Parses a --decode spec. Throws DecodeSpecError (only) when it is malformed. */
export function parseDecodeSpec(spec: string): DecodePlan {
  if (typeof spec !== "string" || spec.trim() === "") {
    throw new DecodeSpecError("--decode: the spec is empty");
  }
  if (spec.length > MAX_SPEC_LENGTH) {
    throw new DecodeSpecError(`--decode: the spec is longer than ${MAX_SPEC_LENGTH} characters`);
  }
  const parts: string[] = [];
  let from = 0;
  for (const m of spec.matchAll(/,(?=\s*(?:\d+|\*)\s*=)/g)) {
    parts.push(spec.slice(from, m.index));
    from = m.index + 1;
  }
  parts.push(spec.slice(from));
  const indexed = /^\s*(\d+|\*)\s*=(.*)$/s;
  const first = parts[0]!;
  if (parts.length === 1 && !indexed.test(first)) {
    return { frames: new Map(), rest: parseDecoder(first, "") };
  }
  const frames = new Map<number, BodyDecoder>();
  let rest: BodyDecoder | undefined;
  for (const part of parts) {
    const m = indexed.exec(part);
    if (!m) {
      throw new DecodeSpecError(
        `--decode: "${shorten(part.trim())}" needs a frame index (N=decoder or *=decoder)`,
      );
    }
    const key = m[1]!;
    const decoder = parseDecoder(m[2]!, `${key}=`);
    if (key === "*") {
      if (rest) throw new DecodeSpecError("--decode: *= appears twice");
      rest = decoder;
      continue;
    }
    const index = key.length > 6 ? Infinity : Number(key);
    if (index > MAX_FRAME_INDEX) {
      throw new DecodeSpecError(`--decode: frame index ${shorten(key)} is over ${MAX_FRAME_INDEX}`);
    }
    if (frames.has(index)) throw new DecodeSpecError(`--decode: frame ${index} appears twice`);
    frames.set(index, decoder);
  }
  return { frames, rest: rest ?? { kind: "auto" } };
}

/** UTF-8 check: the first bad byte (-1 if none), where whole characters end, any controls. */
function scanUtf8(b: Uint8Array, cut: boolean): { bad: number; end: number; control: boolean } {
  let control = false;
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) control = true;
      i++;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return { bad: i, end: i, control };
    for (let k = 1; k < len; k++) {
      if (i + k >= n) return cut ? { bad: -1, end: i, control } : { bad: i, end: i, control };
      const d = b[i + k]!;
      if (d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) {
        return { bad: i, end: i, control };
      }
    }
    if (c === 0xc2 && b[i + 1]! <= 0x9f) control = true; // C1 controls U+0080-U+009F
    i += len;
  }
  return { bad: -1, end: n, control };
}

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** A parsed JSON value made JSON-safe (non-finite numbers as strings), or undefined if too deep. */
function jsonSafe(v: unknown, depth: number): JsonValue | undefined {
  if (typeof v === "number") return floatJson(v);
  if (v === null || typeof v !== "object") return v as JsonValue;
  if (depth >= MAX_JSON_DEPTH) return undefined;
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    for (const x of v) {
      const j = jsonSafe(x, depth + 1);
      if (j === undefined) return undefined;
      out.push(j);
    }
    return out;
  }
  const out: { [key: string]: JsonValue } = {};
  for (const [k, x] of Object.entries(v)) {
    const j = jsonSafe(x, depth + 1);
    if (j === undefined) return undefined;
    defineKey(out, k, j);
  }
  return out;
}

function parseJson(text: string): { value: JsonValue } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { error: e instanceof RangeError ? "json: nested too deeply" : "json: not valid JSON" };
  }
  const value = jsonSafe(parsed, 0);
  return value === undefined ? { error: `json: nested deeper than ${MAX_JSON_DEPTH} levels` } : {
    value,
  };
}

function isJsonContainer(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith("{") || t.startsWith("[");
}

/** The decoder for frame `index` of a message body. */
export function decoderFor(plan: DecodePlan, index: number): BodyDecoder {
  return plan.frames.get(index) ?? plan.rest;
}

/** Decodes frame `index` of a message body with the plan. Never throws. */
export function decodeBody(
  plan: DecodePlan,
  index: number,
  body: Uint8Array,
  maxBytes: number,
): FrameBody {
  const limit = Number.isFinite(maxBytes) && maxBytes >= 1 ? Math.floor(maxBytes) : Infinity;
  const over = body.length > limit;
  const hex = (error?: string): FrameBody => {
    const fb: FrameBody = { as: "hex", body: toHex(body, over ? limit : 0) };
    if (over) fb.truncated = true;
    if (error !== undefined) fb.error = error;
    return fb;
  };
  try {
    const decoder = decoderFor(plan, index);
    if (body.length === 0 && decoder.kind !== "layout") return { as: "empty", body: "" };
    const tooBig = (): FrameBody =>
      hex(
        `${decoder.kind}: not decoded: the body is ${body.length} bytes, over the ${limit}-byte limit`,
      );
    switch (decoder.kind) {
      case "hex":
        return hex();
      case "text": {
        const shown = over ? body.subarray(0, limit) : body;
        const u = scanUtf8(shown, over);
        if (u.bad >= 0) return hex(`text: not valid UTF-8 at byte ${u.bad}`);
        const fb: FrameBody = { as: "text", body: utf8.decode(shown.subarray(0, u.end)) };
        if (over) fb.truncated = true;
        return fb;
      }
      case "json": {
        if (over) return tooBig();
        const u = scanUtf8(body, false);
        if (u.bad >= 0) return hex(`json: not valid UTF-8 at byte ${u.bad}`);
        const r = parseJson(utf8.decode(body).replace(/^\ufeff/, ""));
        return "error" in r ? hex(r.error) : { as: "json", body: r.value };
      }
      case "msgpack": {
        if (over) return tooBig();
        const r = decodeMsgpack(body);
        if (!r.ok) return hex(r.error);
        return {
          as: "msgpack",
          body: r.values.length === 1 ? r.values[0]! : { $values: r.values },
        };
      }
      case "layout": {
        if (over) return tooBig();
        const r = decodeLayout(decoder.layout, body);
        if ("value" in r) return { as: "layout", body: r.value };
        return { as: "layout", body: r.partial, error: r.error };
      }
      case "auto":
        return auto(body, over ? limit : 0, hex);
    }
  } catch (e) {
    // not expected: every decoder above handles bad input itself
    return hex(`decode: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function auto(body: Uint8Array, limit: number, hex: () => FrameBody): FrameBody {
  if (limit > 0) {
    const shown = body.subarray(0, limit);
    const u = scanUtf8(shown, true);
    if (u.bad >= 0 || u.control) return hex();
    return { as: "text", body: utf8.decode(shown.subarray(0, u.end)), truncated: true };
  }
  const u = scanUtf8(body, false);
  if (u.bad < 0 && !u.control) {
    const text = utf8.decode(body);
    if (isJsonContainer(text)) {
      const r = parseJson(text);
      if ("value" in r) return { as: "json", body: r.value };
    }
    return { as: "text", body: text };
  }
  const first = body[0]!;
  if ((first >= 0x80 && first <= 0x9f) || first >= 0xdc && first <= 0xdf) {
    const r = decodeMsgpack(body);
    if (r.ok && r.values.length === 1 && r.container) return { as: "msgpack", body: r.values[0]! };
  }
  return hex();
}

/** Characters that could reorder or break a terminal line, escaped in rendered bodies. */
const UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

function safeJson(v: JsonValue): string {
  return JSON.stringify(v).replace(
    UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * One line for the human output: text as a JSON-quoted string, hex as 0x…, other decodings
 * as compact JSON, "(empty)" for an empty body; "…" follows a truncated body. The `error`
 * is not included. Never throws.
 */
export function renderBody(fb: FrameBody): string {
  try {
    const more = fb.truncated ? "…" : "";
    if (fb.as === "empty") return "(empty)";
    if (fb.as === "hex" && typeof fb.body === "string") return `0x${fb.body}${more}`;
    return `${safeJson(fb.body)}${more}`;
  } catch {
    return "(unrenderable)";
  }
}
