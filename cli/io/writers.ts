// SPDX-License-Identifier: MIT
/**
 * Messages → standard output, per format. Output is batched: records collect in a buffer that
 * is written when it passes 64 KiB or when the program next waits for anything, and a write
 * the runtime cannot take at once makes the caller wait until standard output drains.
 */
import type { ByteSink } from "../../lib/internal.ts";
import { concat, type Frames } from "./bytes.ts";
import { encodeBase64 } from "./formats/base64.ts";
import { encodeHex, toHex } from "./formats/hex.ts";
import { encodeJson } from "./formats/json.ts";
import { encodeMsgpack } from "./formats/msgpack.ts";
import { encodeRaw } from "./formats/raw.ts";
import { encodeText } from "./formats/text.ts";
import { type FramingOptions, TAB } from "./options.ts";

const enc = new TextEncoder();

/** The bytes written for one message, terminator included. */
export function encodeMessage(frames: Frames, o: FramingOptions): Uint8Array {
  const d = o.delimiter ?? TAB;
  let body: Uint8Array;
  switch (o.format) {
    case "raw":
      return encodeRaw(o.routingIds ? frames.slice(1) : frames);
    case "msgpack":
      return encodeMsgpack(frames);
    case "json":
      body = encodeJson(frames);
      break;
    case "hex":
      body = encodeHex(frames, d);
      break;
    case "base64":
      body = encodeBase64(frames, d);
      break;
    default:
      if (o.routingIds) {
        const id = enc.encode(toHex(frames[0]!));
        body = concat([id, TAB, encodeText(frames.slice(1), d)]);
      } else body = encodeText(frames, d);
  }
  const out = new Uint8Array(body.length + 1);
  out.set(body);
  out[body.length] = o.separator;
  return out;
}

const BATCH = 64 * 1024;

export class MessageWriter {
  #sink: ByteSink;
  #o: FramingOptions;
  #parts: Uint8Array[] = [];
  #size = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #draining: Promise<void> | undefined;

  constructor(sink: ByteSink, o: FramingOptions) {
    this.#sink = sink;
    this.#o = o;
  }

  /** Queues one message; returns a promise to await when standard output is full. */
  write(frames: Frames): Promise<void> | undefined {
    const bytes = encodeMessage(frames, this.#o);
    if (bytes.length === 0) return this.#draining;
    this.#parts.push(bytes);
    this.#size += bytes.length;
    if (this.#size >= BATCH) return this.#writeOut();
    this.#timer ??= setTimeout(() => void this.#writeOut(), 0);
    return this.#draining;
  }

  #writeOut(): Promise<void> | undefined {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#size === 0) return this.#draining;
    const bytes = concat(this.#parts);
    this.#parts = [];
    this.#size = 0;
    const p = this.#sink.write(bytes);
    if (p !== undefined) {
      const d: Promise<void> = p.then(() => {
        if (this.#draining === d) this.#draining = undefined;
      });
      this.#draining = d;
    }
    return this.#draining;
  }

  /** Writes out everything queued and waits until the runtime has handed it on. */
  async flush(): Promise<void> {
    await this.#writeOut();
    await this.#sink.flush();
  }
}
