// SPDX-License-Identifier: MIT
/**
 * Standard input → messages, per format. Line formats yield one message per record (records
 * end at the separator; a last record without one counts too); `msgpack` yields one per value;
 * `raw` yields all of the input as one frame at its end. A record that does not decode
 * becomes an `{ error }` item carrying its record number, so the caller can report and skip it.
 * A record longer than the limit (a line, a MessagePack value, all of the input for `raw`)
 * throws InputTooLong as soon as it has grown past it: no more than that is ever held.
 */
import { concat, type Frames, indexOf } from "./bytes.ts";
import { decodeBase64 } from "./formats/base64.ts";
import { decodeHex, fromHex } from "./formats/hex.ts";
import { decodeJson } from "./formats/json.ts";
import { MsgpackStreamDecoder } from "./formats/msgpack.ts";
import { decodeRaw } from "./formats/raw.ts";
import { decodeText } from "./formats/text.ts";
import { type FramingOptions, TAB } from "./options.ts";

export type InputItem =
  | { frames: Frames; line: number; error?: undefined }
  | { error: string; line: number; frames?: undefined };

/** A record grew past the limit: `record` is its number, the first is 1. */
export class InputTooLong extends RangeError {
  /** "line" (line formats), "message" (a MessagePack value) or "input" (all of it, raw). */
  readonly unit: "line" | "message" | "input";
  readonly record: number;
  readonly limit: number;
  constructor(unit: "line" | "message" | "input", record: number, limit: number) {
    super(`${unit === "input" ? "input" : `${unit} ${record}`} is longer than ${limit} bytes`);
    this.name = "InputTooLong";
    this.unit = unit;
    this.record = record;
    this.limit = limit;
  }
}

/** Trims ASCII whitespace (and a CR) at both ends; used by the encoded formats. */
function trim(b: Uint8Array): Uint8Array {
  let s = 0;
  let e = b.length;
  while (s < e && (b[s] === 32 || b[s] === 9 || b[s] === 13)) s++;
  while (e > s && (b[e - 1] === 32 || b[e - 1] === 9 || b[e - 1] === 13)) e--;
  return b.subarray(s, e);
}

/**
 * Decodes one record (a line without its separator). Returns undefined for a record that
 * holds no message (a blank line in `json`). Throws SyntaxError for a malformed one.
 */
export function decodeRecord(record: Uint8Array, o: FramingOptions): Frames | undefined {
  let id: Uint8Array | undefined;
  let body = record;
  if (o.routingIds && o.format === "text") {
    const tab = indexOf(record, TAB);
    if (tab < 0) {
      throw new SyntaxError(
        "expected <routing id in hex><TAB><message> (an empty id means the last peer)",
      );
    }
    try {
      id = fromHex(record.subarray(0, tab));
    } catch (e) {
      throw new SyntaxError(`routing id: ${(e as Error).message}`);
    }
    body = record.subarray(tab + 1);
  }
  const d = o.delimiter ?? TAB;
  let frames: Frames;
  switch (o.format) {
    case "text":
      frames = decodeText(body, o.delimiter);
      break;
    case "hex":
      frames = decodeHex(o.delimiter ? body : trim(body), d);
      break;
    case "base64":
      frames = decodeBase64(o.delimiter ? body : trim(body), d);
      break;
    case "json": {
      if (trim(body).length === 0) return undefined;
      frames = decodeJson(body); // untrimmed: byte positions in errors count from the line start
      break;
    }
    default:
      throw new Error(`decodeRecord: ${o.format} is not a line format`);
  }
  return id === undefined ? frames : [id, ...frames];
}

/**
 * Decodes the whole of `bytes` as one message (an --exec command's output): a trailing
 * newline is dropped for the line formats. Throws SyntaxError when it does not decode.
 */
export function decodeWhole(bytes: Uint8Array, o: FramingOptions): Frames {
  if (o.format === "raw") return [bytes];
  if (o.format === "msgpack") {
    const d = new MsgpackStreamDecoder();
    const items = d.push(bytes);
    d.end();
    const first = items[0];
    if (first === undefined) throw new SyntaxError("no MessagePack value in the output");
    if ("error" in first) throw new SyntaxError(first.error);
    return first.frames;
  }
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === o.separator) end--;
  const frames = decodeRecord(bytes.subarray(0, end), { ...o, routingIds: false });
  if (frames === undefined) throw new SyntaxError("empty output");
  return frames;
}

/**
 * Splits chunks into records at `sep`, a batch per chunk (a record spanning chunks is joined
 * once). A record longer than `max` bytes throws InputTooLong once the records before it were
 * handed on; an unfinished one is checked as it grows, so at most `max` bytes plus a chunk
 * are held.
 */
async function* records(
  chunks: AsyncIterable<Uint8Array>,
  sep: number,
  max: number,
): AsyncGenerator<Uint8Array[], void, undefined> {
  const carry: Uint8Array[] = [];
  let carried = 0;
  let n = 0; // records handed on
  for await (const chunk of chunks) {
    const out: Uint8Array[] = [];
    let tooLong = false;
    let start = 0;
    let i = chunk.indexOf(sep);
    if (carry.length > 0) {
      if (i < 0) {
        carry.push(chunk);
        carried += chunk.length;
        if (carried > max) throw new InputTooLong("line", n + 1, max);
        continue;
      }
      carry.push(chunk.subarray(0, i));
      carried += i;
      if (carried > max) throw new InputTooLong("line", n + 1, max);
      out.push(concat(carry));
      carry.length = 0;
      carried = 0;
      start = i + 1;
      i = chunk.indexOf(sep, start);
    }
    while (i >= 0 && !(tooLong = i - start > max)) {
      out.push(chunk.subarray(start, i));
      start = i + 1;
      i = chunk.indexOf(sep, start);
    }
    if (!tooLong && start < chunk.length) {
      carry.push(chunk.subarray(start));
      carried = chunk.length - start;
      tooLong = carried > max;
    }
    n += out.length;
    if (out.length > 0) yield out;
    if (tooLong) throw new InputTooLong("line", n + 1, max);
  }
  if (carry.length > 0) yield [concat(carry)];
}

/**
 * Messages from standard input's chunks, per the framing options, in batches: all the
 * messages a chunk completes come together, so a caller can hand them on in one go. `max`
 * bounds a record (see above).
 */
export async function* readMessages(
  chunks: AsyncIterable<Uint8Array>,
  o: FramingOptions,
  max = Infinity,
): AsyncGenerator<InputItem[], void, undefined> {
  if (o.format === "raw") {
    const all: Uint8Array[] = [];
    let size = 0;
    for await (const c of chunks) {
      all.push(c);
      size += c.length;
      if (size > max) throw new InputTooLong("input", 1, max);
    }
    const frames = decodeRaw(all);
    yield [{ frames: o.routingIds ? [new Uint8Array(0), ...frames] : frames, line: 1 }];
    return;
  }
  if (o.format === "msgpack") {
    const d = new MsgpackStreamDecoder();
    let n = 0;
    for await (const c of chunks) {
      let items;
      try {
        items = d.push(c);
      } catch (e) {
        yield [{ error: (e as Error).message, line: n + 1 }];
        return; // a broken MessagePack stream cannot be resynchronised
      }
      if (items.length > 0) {
        yield items.map((it) => {
          n++;
          return "error" in it ? { error: it.error, line: n } : { frames: it.frames, line: n };
        });
      }
      if (d.pending > max) throw new InputTooLong("message", n + 1, max);
    }
    try {
      d.end();
    } catch (e) {
      yield [{ error: (e as Error).message, line: n + 1 }];
    }
    return;
  }
  let line = 0;
  for await (const recs of records(chunks, o.separator, max)) {
    const batch: InputItem[] = [];
    for (const record of recs) {
      line++;
      try {
        const frames = decodeRecord(record, o);
        if (frames !== undefined) batch.push({ frames, line });
      } catch (e) {
        batch.push({ error: (e as Error).message, line });
      }
    }
    if (batch.length > 0) yield batch;
  }
}
