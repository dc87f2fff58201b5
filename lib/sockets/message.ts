// SPDX-License-Identifier: MIT
/** What `send` accepts, turned into frames. */
import type { Message } from "../pipe.ts";

/** One frame: bytes, a string (sent as UTF-8) or null (an empty frame). */
export type FrameLike = Uint8Array | ArrayBuffer | string | null;
/** One frame or an array of frames. */
export type MessageLike = FrameLike | FrameLike[];

const enc = new TextEncoder();
const EMPTY = new Uint8Array(0);

export function toFrame(f: FrameLike): Uint8Array {
  if (f instanceof Uint8Array) return f;
  if (typeof f === "string") return enc.encode(f);
  if (f === null) return EMPTY;
  if (f instanceof ArrayBuffer) return new Uint8Array(f);
  if (ArrayBuffer.isView(f)) {
    const v = f as ArrayBufferView;
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  throw new TypeError(
    `Cannot send a frame of type ${typeof f}: use Uint8Array, ArrayBuffer or string`,
  );
}

export function toMessage(msg: MessageLike): Message {
  if (!Array.isArray(msg)) return [toFrame(msg)];
  if (msg.length === 0) throw new TypeError("Cannot send a message of zero frames");
  return msg.map(toFrame);
}
