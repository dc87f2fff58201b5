// SPDX-License-Identifier: MIT
/**
 * Parser for `layout:` specs, a small language for hand-rolled binary formats.
 *
 * Grammar (whitespace between tokens is ignored; names are [A-Za-z_][A-Za-z0-9_]*):
 *
 *     layout  := fields                         (at least one field)
 *     fields  := [ field { "," field } [ "," ] ]
 *     field   := [ name ":" ] item
 *     item    := base { "[" count "]" }         repetition, applied left to right
 *     base    := int | float
 *              | "str" "(" count ")" | "bytes" "(" count ")"
 *              | "str8" | "str16le" | "str16be" | "str32le" | "str32be"      = str(u8) …
 *              | "bytes8" | "bytes16le" | … | "bytes32be"                  = bytes(u8) …
 *              | "strz"                                 UTF-8 up to a NUL byte
 *              | "pad" "(" count ")"                     skipped, no value, no name
 *              | "{" fields "}"                         a group: one nested object
 *     count   := number                        fixed (0 … 4294967295)
 *              | name                          an earlier integer field of this group or
 *                                              an enclosing one (nearest first)
 *              | int                           a prefix of that type read from the data
 *              | "*"                           to the end of the data
 *     int     := "u8" | "i8" | ("u"|"i") ("16"|"32"|"64") ("le"|"be")
 *     float   := "f" ("32"|"64") ("le"|"be")
 *
 * Unnamed fields are keyed by their index in their group (pads included). A group (or the
 * whole layout) made of exactly one unnamed field is that field's value, not an object, so
 * `u16le[*]` decodes to an array. `T[a][b]` is b elements that are each T[a]. Type words
 * cannot name fields; the name after a `[`/`(` is a field reference unless it is a type.
 * Limits: 8192 characters, 16 levels of groups and repetitions.
 */
import {
  type Count,
  type Field,
  type Item,
  type Layout,
  MAX_LAYOUT_DEPTH,
  MAX_LAYOUT_LENGTH,
  MAX_LAYOUT_NUMBER,
  PREFIXED_TYPES,
  RESERVED_WORDS,
  SCALAR_TYPES,
} from "./types.ts";

/** A bad spec; `column` (1-based) points at the offending token. */
export class LayoutSyntaxError extends Error {
  /** 1-based column of the offending token in the spec. */
  readonly column: number;
  /** Makes the error; the message is "layout: at column N: reason". */
  constructor(column: number, reason: string) {
    super(`layout: at column ${column}: ${reason}`);
    this.name = "LayoutSyntaxError";
    this.column = column;
  }
}

interface Token {
  readonly type: "name" | "number" | "punct" | "end";
  readonly text: string;
  readonly column: number;
}

const PUNCT = ",:{}[]()*";

function isNameStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function tokenize(spec: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < spec.length) {
    const c = spec[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
    } else if (PUNCT.includes(c)) {
      out.push({ type: "punct", text: c, column: i + 1 });
      i++;
    } else if (isNameStart(c) || isDigit(c)) {
      const start = i;
      while (i < spec.length && (isNameStart(spec[i]!) || isDigit(spec[i]!))) i++;
      const text = spec.slice(start, i);
      out.push({ type: isDigit(c) ? "number" : "name", text, column: start + 1 });
    } else {
      const cp = spec.codePointAt(i)!;
      const shown = cp < 0x20 || cp === 0x7f ? `\\u${cp.toString(16).padStart(4, "0")}` : c;
      throw new LayoutSyntaxError(i + 1, `unexpected character "${shown}"`);
    }
  }
  out.push({ type: "end", text: "", column: spec.length + 1 });
  return out;
}

function describe(t: Token): string {
  return t.type === "end" ? "end of layout" : `"${t.text}"`;
}

/** Reason text for a word that is not a type, with a hint when only the endianness is missing. */
function unknownType(word: string): string {
  if (/^(u|i)(16|32|64)$/.test(word) || /^f(32|64)$/.test(word)) {
    return `"${word}" needs an endianness: ${word}le or ${word}be`;
  }
  if (/^(str|bytes)(16|32)$/.test(word)) {
    return `"${word}" needs an endianness: ${word}le or ${word}be`;
  }
  return `unknown type "${word}"`;
}

class Parser {
  readonly #tokens: Token[];
  #pos = 0;
  /** Groups open around the current token, to bound the parser's recursion. */
  #groups = 0;
  /** Named fields seen so far, one map per open group, innermost last. */
  readonly #scopes: Array<Map<string, Item>> = [];

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  #peek(ahead = 0): Token {
    return this.#tokens[Math.min(this.#pos + ahead, this.#tokens.length - 1)]!;
  }

  #next(): Token {
    const t = this.#peek();
    if (this.#pos < this.#tokens.length - 1) this.#pos++;
    return t;
  }

  #isPunct(t: Token, p: string): boolean {
    return t.type === "punct" && t.text === p;
  }

  #expect(p: string): Token {
    const t = this.#next();
    if (!this.#isPunct(t, p)) {
      throw new LayoutSyntaxError(t.column, `expected "${p}", found ${describe(t)}`);
    }
    return t;
  }

  layout(source: string): Layout {
    const first = this.#peek();
    if (first.type === "end") throw new LayoutSyntaxError(first.column, "layout is empty");
    const { fields } = this.#fields();
    const t = this.#peek();
    if (t.type !== "end") {
      const hint = t.type === "name" ? ' (fields are "name: type", separated by commas)' : "";
      throw new LayoutSyntaxError(
        t.column,
        `expected "," or end of layout, found ${describe(t)}${hint}`,
      );
    }
    return { fields, source };
  }

  /** Fields up to (not including) a "}" or the end, and their deepest nesting. */
  #fields(): { fields: Field[]; depth: number } {
    const fields: Field[] = [];
    let depth = 0;
    const scope = new Map<string, Item>();
    this.#scopes.push(scope);
    for (;;) {
      const t = this.#peek();
      if (t.type === "end" || this.#isPunct(t, "}")) break;
      const { field: f, depth: d } = this.#field(fields.length);
      depth = Math.max(depth, d);
      if (f.name !== undefined) {
        if (scope.has(f.name)) {
          throw new LayoutSyntaxError(f.column, `duplicate field name "${f.name}"`);
        }
        scope.set(f.name, f.item);
      }
      fields.push(f);
      const sep = this.#peek();
      if (!this.#isPunct(sep, ",")) break;
      this.#next();
    }
    this.#scopes.pop();
    return { fields, depth };
  }

  #field(index: number): { field: Field; depth: number } {
    const start = this.#peek();
    let name: string | undefined;
    if (start.type === "name" && this.#isPunct(this.#peek(1), ":")) {
      if (RESERVED_WORDS.has(start.text)) {
        throw new LayoutSyntaxError(
          start.column,
          `"${start.text}" is a type and cannot name a field`,
        );
      }
      name = start.text;
      this.#next();
      this.#next();
    }
    const itemStart = this.#peek();
    if (itemStart.type === "name" && itemStart.text === "pad") {
      if (name !== undefined) {
        throw new LayoutSyntaxError(start.column, "padding cannot have a name");
      }
      const { item } = this.#base();
      if (this.#isPunct(this.#peek(), "[")) {
        throw new LayoutSyntaxError(this.#peek().column, "padding cannot be repeated");
      }
      return { field: { name, key: String(index), item, column: start.column }, depth: 0 };
    }
    const { item, depth } = this.#item();
    return { field: { name, key: name ?? String(index), item, column: start.column }, depth };
  }

  /** An item and its nesting depth (groups and repetitions inside it, itself included). */
  #item(): { item: Item; depth: number } {
    const start = this.#peek();
    let { item, depth } = this.#base();
    while (this.#isPunct(this.#peek(), "[")) {
      this.#next();
      const count = this.#count();
      this.#expect("]");
      item = { kind: "array", of: item, count };
      depth++;
    }
    if (depth + this.#groups > MAX_LAYOUT_DEPTH) {
      throw new LayoutSyntaxError(start.column, `nested deeper than ${MAX_LAYOUT_DEPTH} levels`);
    }
    return { item, depth };
  }

  #base(): { item: Item; depth: number } {
    const t = this.#next();
    if (this.#isPunct(t, "{")) {
      // bound the parser's own recursion before anything else
      if (++this.#groups > MAX_LAYOUT_DEPTH) {
        throw new LayoutSyntaxError(t.column, `nested deeper than ${MAX_LAYOUT_DEPTH} levels`);
      }
      const { fields, depth } = this.#fields();
      this.#expect("}");
      this.#groups--;
      return { item: { kind: "group", fields }, depth: depth + 1 };
    }
    if (t.type !== "name") {
      throw new LayoutSyntaxError(t.column, `expected a type, found ${describe(t)}`);
    }
    const scalar = SCALAR_TYPES.get(t.text);
    if (scalar) return { item: scalar, depth: 0 };
    const prefixed = PREFIXED_TYPES.get(t.text);
    if (prefixed) {
      const item: Item = { kind: prefixed.kind, length: { kind: "prefix", int: prefixed.prefix } };
      return { item, depth: 0 };
    }
    switch (t.text) {
      case "strz":
        return { item: { kind: "strz" }, depth: 0 };
      case "str":
      case "bytes":
      case "pad": {
        this.#expect("(");
        const length = this.#count();
        this.#expect(")");
        return { item: { kind: t.text, length }, depth: 0 };
      }
    }
    throw new LayoutSyntaxError(t.column, unknownType(t.text));
  }

  #count(): Count {
    const t = this.#next();
    if (this.#isPunct(t, "*")) return { kind: "rest" };
    if (t.type === "number") {
      const n = t.text.length > 10 ? Infinity : Number(t.text);
      if (n > MAX_LAYOUT_NUMBER) {
        throw new LayoutSyntaxError(
          t.column,
          `number ${t.text} is too large (max ${MAX_LAYOUT_NUMBER})`,
        );
      }
      return { kind: "fixed", n };
    }
    if (t.type === "name") {
      const scalar = SCALAR_TYPES.get(t.text);
      if (scalar) {
        if (scalar.kind !== "int") {
          throw new LayoutSyntaxError(t.column, `a count must be an integer, not ${scalar.name}`);
        }
        return { kind: "prefix", int: scalar };
      }
      if (RESERVED_WORDS.has(t.text)) {
        throw new LayoutSyntaxError(t.column, `"${t.text}" cannot be a count`);
      }
      const target = this.#lookup(t.text);
      if (target === undefined) {
        const hint = /^(u|i)(16|32|64)$/.test(t.text)
          ? unknownType(t.text)
          : `unknown field "${t.text}" (a count names an earlier integer field, an integer type, a number or *)`;
        throw new LayoutSyntaxError(t.column, hint);
      }
      if (target.kind !== "int") {
        throw new LayoutSyntaxError(t.column, `field "${t.text}" is not a single integer`);
      }
      return { kind: "field", name: t.text };
    }
    throw new LayoutSyntaxError(t.column, `expected a count, found ${describe(t)}`);
  }

  #lookup(name: string): Item | undefined {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const item = this.#scopes[i]!.get(name);
      if (item !== undefined) return item;
    }
    return undefined;
  }
}

/** Parses a layout spec. Throws LayoutSyntaxError (and nothing else) on a bad spec. */
export function parseLayout(spec: string): Layout {
  if (typeof spec !== "string") throw new LayoutSyntaxError(1, "layout must be a string");
  if (spec.length > MAX_LAYOUT_LENGTH) {
    throw new LayoutSyntaxError(
      MAX_LAYOUT_LENGTH + 1,
      `longer than ${MAX_LAYOUT_LENGTH} characters`,
    );
  }
  return new Parser(tokenize(spec)).layout(spec);
}
