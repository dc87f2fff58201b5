// SPDX-License-Identifier: MIT
/** The `layout:` language for hand-rolled binary formats: parse a spec, decode bytes with it. */
export { LayoutSyntaxError, parseLayout } from "./parse.ts";
export { decodeLayout, type LayoutResult } from "./decode.ts";
export { encodeLayout, LayoutEncodeError, type LayoutValue } from "./encode.ts";
export { LAYOUT_HELP } from "./help.ts";
export type { Count, Field, FloatType, IntType, Item, Layout } from "./types.ts";
