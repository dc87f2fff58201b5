// SPDX-License-Identifier: MIT
/**
 * `text`: a message is one line. Without a delimiter a line is one frame; with one (`-d`) the
 * line is split into frames at each occurrence. On output frames are joined by the delimiter.
 * Bytes pass through untouched, so this is lossless only for frames without the separators.
 */
import { type Frames, join, split } from "../bytes.ts";

/** Frames of one input line. */
export function decodeText(line: Uint8Array, delimiter: Uint8Array | undefined): Frames {
  return delimiter === undefined || delimiter.length === 0 ? [line] : split(line, delimiter);
}

/** One output line (without its terminator). */
export function encodeText(frames: Frames, delimiter: Uint8Array): Uint8Array {
  return join(frames, delimiter);
}
