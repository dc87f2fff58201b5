// SPDX-License-Identifier: MIT
/** Node's Buffer for the zeromq.js compatibility entry (zeromq.ts): Deno, Bun and Node have it. */
import { Buffer } from "node:buffer";
import { copyTags } from "../../engine/properties.ts";

/**
 * The frames as Buffers over the same memory (no copy), as zeromq.js hands them out, with the
 * message properties the frames carry (messageProperties).
 */
export function asBuffers(frames: readonly Uint8Array[]): Buffer[] {
  const out = new Array<Buffer>(frames.length);
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    out[i] = Buffer.from(f.buffer, f.byteOffset, f.byteLength);
  }
  copyTags(frames, out);
  return out;
}
