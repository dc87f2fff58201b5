// SPDX-License-Identifier: MIT
/**
 * `msgpack`: a stream of MessagePack values, one array of binary frames per message (via
 * msgpackr). Input also takes string frames (sent as UTF-8). Lossless.
 */
import { Packr, Unpackr } from "msgpackr";
import { concat, type Frames } from "../bytes.ts";

const packr = new Packr({ useRecords: false });
const enc = new TextEncoder();

/** The MessagePack bytes of one message: an array of bin values. */
export function encodeMsgpack(frames: Frames): Uint8Array {
  // copy out of msgpackr's shared buffer, which later calls write into
  return packr.pack(frames).slice();
}

/** Frames of one decoded MessagePack value. Throws SyntaxError naming the problem. */
export function framesOf(value: unknown): Frames {
  if (!Array.isArray(value)) {
    throw new SyntaxError(`expected an array of frames, got ${describe(value)}`);
  }
  if (value.length === 0) throw new SyntaxError("a message needs at least one frame");
  return value.map((v, i) => {
    if (v instanceof Uint8Array) return v;
    if (typeof v === "string") return enc.encode(v);
    throw new SyntaxError(`frame ${i + 1} must be binary or a string, got ${describe(v)}`);
  });
}

function describe(v: unknown): string {
  if (v === null) return "nil";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "a map" : typeof v;
}

/** A MessagePack value decoded from the stream, or one that is not a message. */
export type MsgpackItem = { frames: Frames } | { error: string };

/**
 * Incremental decoder for a MessagePack stream split into arbitrary chunks. `push` returns
 * the messages completed by the chunk; `end` fails if a value was left unfinished. A byte
 * sequence that is not MessagePack at all throws SyntaxError: the stream cannot resync.
 */
export class MsgpackStreamDecoder {
  #unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
  #rest: Uint8Array | undefined;

  push(chunk: Uint8Array): MsgpackItem[] {
    const buf = this.#rest ? concat([this.#rest, chunk]) : chunk;
    this.#rest = undefined;
    const items: MsgpackItem[] = [];
    let used = 0;
    try {
      this.#unpackr.unpackMultiple(buf, (value: unknown, _start?: number, end?: number) => {
        used = end ?? buf.length;
        try {
          items.push({ frames: framesOf(value) });
        } catch (e) {
          items.push({ error: (e as Error).message });
        }
      });
    } catch (e) {
      if (!(e as { incomplete?: boolean }).incomplete) {
        throw new SyntaxError(`invalid MessagePack: ${(e as Error).message}`);
      }
      // keep a copy: the chunk's buffer may be reused by the runtime
      this.#rest = buf.slice(used);
    }
    return items;
  }

  /** Bytes of an unfinished value held until more input comes. */
  get pending(): number {
    return this.#rest?.length ?? 0;
  }

  end(): void {
    if (this.#rest && this.#rest.length > 0) {
      throw new SyntaxError(
        `invalid MessagePack: input ends inside a value (${this.#rest.length} bytes left)`,
      );
    }
  }
}
