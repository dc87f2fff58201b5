// SPDX-License-Identifier: MIT
/**
 * The parsed form of a `layout:` spec (see parse.ts for the grammar): a tree of fields and
 * items, plus the table of scalar type names. Pure data, no I/O.
 */

/** A fixed-width integer type: `u8`, `i8`, `u16le` … `i64be`. */
export interface IntType {
  /** Tells the item kinds apart. */
  readonly kind: "int";
  /** Its name as written in a spec, e.g. "u32le". */
  readonly name: string;
  /** Width in bytes: 1, 2, 4 or 8. */
  readonly size: 1 | 2 | 4 | 8;
  /** Two's complement (`i…`) or unsigned (`u…`). */
  readonly signed: boolean;
  /** Little-endian (`…le`; also `u8` and `i8`, where it makes no difference). */
  readonly little: boolean;
}

/** An IEEE 754 float: `f32le`, `f32be`, `f64le`, `f64be`. */
export interface FloatType {
  /** Tells the item kinds apart. */
  readonly kind: "float";
  /** Its name as written in a spec, e.g. "f64le". */
  readonly name: string;
  /** Width in bytes: 4 (f32) or 8 (f64). */
  readonly size: 4 | 8;
  /** Little-endian (`…le`). */
  readonly little: boolean;
}

/**
 * How many elements (for a repetition) or bytes (for str, bytes and pad):
 * a number in the spec, the value of an earlier integer field, an integer prefix read from the
 * data just before the elements, or "rest" (`*`: to the end of the data).
 */
export type Count =
  | { readonly kind: "fixed"; readonly n: number }
  | { readonly kind: "field"; readonly name: string }
  | { readonly kind: "prefix"; readonly int: IntType }
  | { readonly kind: "rest" };

/** One item of a layout: a scalar, text, bytes, padding, a group or a repetition. */
export type Item =
  | IntType
  | FloatType
  /** UTF-8 text of `length` bytes. */
  | { readonly kind: "str"; readonly length: Count }
  /** Bytes of `length`, shown as lowercase hex. */
  | { readonly kind: "bytes"; readonly length: Count }
  /** UTF-8 text up to a NUL byte (consumed, not part of the value). */
  | { readonly kind: "strz" }
  /** Bytes skipped, no value. */
  | { readonly kind: "pad"; readonly length: Count }
  /** Fields decoded into one object (or one value, see Field.key). */
  | { readonly kind: "group"; readonly fields: readonly Field[] }
  /** `count` elements of `of`, as a JSON array. */
  | { readonly kind: "array"; readonly of: Item; readonly count: Count };

/** A field of a group (or of the layout): its name, its output key and its item. */
export interface Field {
  /** The name given in the spec, or undefined for an unnamed field. */
  readonly name: string | undefined;
  /** The key in the output object: the name, or the field's index in its group. */
  readonly key: string;
  /** What the field holds. */
  readonly item: Item;
  /** 1-based column of the field in the spec. */
  readonly column: number;
}

/** A parsed layout: the top-level fields and the spec they came from. */
export interface Layout {
  /** The top-level fields, in order. */
  readonly fields: readonly Field[];
  /** The spec, as given to parseLayout. */
  readonly source: string;
}

/** Longest spec parseLayout accepts, in characters. */
export const MAX_LAYOUT_LENGTH = 8192;
/** Deepest nesting of groups and repetitions parseLayout accepts. */
export const MAX_LAYOUT_DEPTH = 16;
/** Largest number written in a spec (a count or a length). */
export const MAX_LAYOUT_NUMBER = 0xffffffff;

function intType(name: string, size: 1 | 2 | 4 | 8, signed: boolean, little: boolean): IntType {
  return { kind: "int", name, size, signed, little };
}

/** Every scalar type name: integers and floats. */
export const SCALAR_TYPES: ReadonlyMap<string, IntType | FloatType> = (() => {
  const m = new Map<string, IntType | FloatType>();
  m.set("u8", intType("u8", 1, false, false));
  m.set("i8", intType("i8", 1, true, false));
  for (const size of [2, 4, 8] as const) {
    for (const little of [true, false]) {
      const end = little ? "le" : "be";
      for (const signed of [false, true]) {
        const name = `${signed ? "i" : "u"}${size * 8}${end}`;
        m.set(name, intType(name, size, signed, little));
      }
    }
  }
  for (const size of [4, 8] as const) {
    for (const little of [true, false]) {
      const name = `f${size * 8}${little ? "le" : "be"}`;
      m.set(name, { kind: "float", name, size, little });
    }
  }
  return m;
})();

/**
 * Length-prefixed string and byte-string shorthands: `str8` is `str(u8)`, `bytes16le` is
 * `bytes(u16le)`, and so on for 8, 16 and 32 bits of either endianness.
 */
export const PREFIXED_TYPES: ReadonlyMap<string, { kind: "str" | "bytes"; prefix: IntType }> =
  (() => {
    const m = new Map<string, { kind: "str" | "bytes"; prefix: IntType }>();
    for (const kind of ["str", "bytes"] as const) {
      for (const int of ["u8", "u16le", "u16be", "u32le", "u32be"]) {
        const t = SCALAR_TYPES.get(int) as IntType;
        m.set(`${kind}${int.slice(1)}`, { kind, prefix: t });
      }
    }
    return m;
  })();

/** Words that name types or built-ins; they cannot be field names. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set<string>([
  ...SCALAR_TYPES.keys(),
  ...PREFIXED_TYPES.keys(),
  "str",
  "bytes",
  "strz",
  "pad",
]);
