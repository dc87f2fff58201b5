// SPDX-License-Identifier: MIT
/** How messages are framed on standard input and output (`--in`, `--out`, `-d`, `-0`). */

export const FORMATS = ["text", "json", "hex", "base64", "msgpack", "raw"] as const;
export type Format = typeof FORMATS[number];

export interface FramingOptions {
  format: Format;
  /** `-d`: splits a line into frames (text: only when given) and joins frames on output. */
  delimiter: Uint8Array | undefined;
  /** Byte between messages: newline, or NUL with `-0`. */
  separator: number;
  /**
   * ROUTER and STREAM in `text`: a line is `<routing id in hex><TAB><message>`. In the other
   * line formats the routing id is simply the first frame; `raw` output leaves it out.
   */
  routingIds: boolean;
}

/** TAB: the frame delimiter when none is given, and the routing id separator. */
export const TAB: Uint8Array = new Uint8Array([9]);

export function isFormat(s: string): s is Format {
  return (FORMATS as readonly string[]).includes(s);
}
