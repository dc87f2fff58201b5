// SPDX-License-Identifier: MIT
/** `--help` text for the `layout:` language (grammar in parse.ts). */

export const LAYOUT_HELP: string = `\
layout:<spec> decodes a frame with a binary layout: comma-separated fields, each
"name: type" or just "type" (then keyed by its index in its group).
  integers   u8 i8 u16le u16be i16le i16be u32le u32be i32le i32be u64le u64be i64le i64be
             (64-bit values beyond 2^53 are shown as decimal strings)
  floats     f32le f32be f64le f64be
  text       str(N)  UTF-8 of N bytes;  str8 str16le str16be str32le str32be: length prefix
             strz    UTF-8 up to a NUL byte
  bytes      bytes(N) shown as hex;  bytes8 bytes16le bytes16be bytes32le bytes32be: prefix
  padding    pad(N)   N bytes skipped (no value, no name)
  group      { fields }   a nested object
  repeat     type[N]   an array of N elements
N (a count or a length) is one of:
  4        a number            n       an earlier integer field (this group or an outer one)
  u16le    a prefix of that integer type, read just before the data
  *        to the end of the frame
A group of exactly one unnamed field is that field's value, so u16le[*] gives an array.
T[a][b] is b arrays of a elements. Bytes left after the last field are an error: end with
"rest: bytes(*)" to keep them. Example:
  layout:version: u8, count: u16be, price: f64le, name: str8, xyz: i32le[3],
         items: { id: u32le, label: str16le }[count], rest: bytes(*)`;
