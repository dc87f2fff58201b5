// SPDX-License-Identifier: MIT
/**
 * `raw`: on input, all of standard input is one single-frame message; on output, the frames
 * of each message are written back to back with nothing between messages.
 */
import { concat, type Frames } from "../bytes.ts";

/** The one message standard input holds. */
export function decodeRaw(all: readonly Uint8Array[]): Frames {
  return [concat(all.length === 0 ? [new Uint8Array(0)] : all)];
}

/** The bytes written for one message. */
export function encodeRaw(frames: Frames): Uint8Array {
  return concat(frames);
}
