// SPDX-License-Identifier: MIT
/**
 * The key-value message of the Guide's Clone pattern (chapter 5) and of the Clustered Hashmap
 * Protocol (https://rfc.zeromq.org/spec/12/), and a map that replicas keep them in.
 *
 * On the wire a kvmsg is five frames: the key (UTF-8, at most 255 bytes), the sequence number
 * (8 bytes, big-endian), a UUID (16 bytes, or empty), the properties (`name=value\n` lines, or
 * empty) and the body (any bytes; empty means "delete the key"). The Guide's first models use
 * its three-frame ancestor, "kvsimple": key, sequence, body.
 *
 * Decoding is strict and bounded: a message from the network that does not fit the layout is
 * refused with a {@linkcode KvmsgError} (nothing is copied, nothing grows with the input beyond
 * the property block, itself at most {@linkcode KVMSG_MAX_PROPERTIES} bytes). Encoding a
 * message that could not be decoded (a key too long, a sequence out of range, a property name
 * with `=`) is a programmer error: RangeError or TypeError.
 */
import { randomUuid } from "../util/bytes.ts";

/** One key-value message. */
export interface Kvmsg {
  /** The key: UTF-8, at most {@linkcode KVMSG_MAX_KEY} bytes once encoded. */
  key: string;
  /** The sequence number: a safe integer, 0 or more (8 bytes on the wire). */
  sequence: number;
  /** 16 bytes, or empty (no UUID). */
  uuid: Uint8Array;
  /** Properties in order (`ttl` is the one Clone knows); never `=` in a name, `\n` anywhere. */
  properties: Map<string, string>;
  /** The value; empty means the key is deleted. */
  body: Uint8Array;
}

/** `"kvmsg"`: five frames (key, sequence, uuid, properties, body); `"kvsimple"`: three (key, sequence, body). */
export type KvmsgFormat = "kvmsg" | "kvsimple";

/** The longest key, in bytes once encoded (the Guide's KVMSG_KEY_MAX). */
export const KVMSG_MAX_KEY = 255;
/** The largest property frame, in bytes. */
export const KVMSG_MAX_PROPERTIES = 4096;

/** A message from the network that is not a well-formed kvmsg; `message` says why. */
export class KvmsgError extends Error {
  /**
   * Makes one; {@linkcode decodeKvmsg} throws these.
   *
   * @param message What is wrong with the frames.
   */
  constructor(message: string) {
    super(message);
    this.name = "KvmsgError";
  }
}

const enc = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });
const EMPTY = new Uint8Array(0);
const TWO_32 = 2 ** 32;

function utf8(frame: Uint8Array, what: string): string {
  try {
    return strict.decode(frame);
  } catch {
    throw new KvmsgError(`${what} is not valid UTF-8`);
  }
}

/**
 * A new message, ready to encode.
 *
 * @param key The key.
 * @param body The value (a string is sent as UTF-8); empty or omitted deletes the key.
 * @param options `sequence` (default 0), `uuid` (default none), `properties` (default none).
 * @returns The message.
 *
 * @example A value with a time to live
 * ```ts
 * import { createKvmsg } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const msg = createKvmsg("/client/7", "42", { properties: { ttl: "30" } });
 * assert.equal(msg.properties.get("ttl"), "30");
 * assert.equal(msg.sequence, 0);
 * ```
 */
export function createKvmsg(
  key: string,
  body: string | Uint8Array = EMPTY,
  options: {
    sequence?: number;
    uuid?: Uint8Array;
    properties?: Record<string, string> | Map<string, string>;
  } = {},
): Kvmsg {
  const props = options.properties;
  return {
    key,
    sequence: options.sequence ?? 0,
    uuid: options.uuid ?? EMPTY,
    properties: props instanceof Map ? new Map(props) : new Map(Object.entries(props ?? {})),
    body: typeof body === "string" ? enc.encode(body) : body,
  };
}

/**
 * 16 random bytes (a version 4 UUID), for the uuid frame of a client's update.
 *
 * @returns The UUID.
 */
export function newUuid(): Uint8Array {
  return randomUuid();
}

function encodeSequence(sequence: number): Uint8Array {
  if (!Number.isSafeInteger(sequence) || sequence < 0) {
    throw new RangeError(
      `Cannot encode sequence: must be a safe integer 0 or more, current value is ${sequence}`,
    );
  }
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, Math.floor(sequence / TWO_32));
  view.setUint32(4, sequence >>> 0);
  return bytes;
}

function encodeProperties(properties: ReadonlyMap<string, string>): Uint8Array {
  if (properties.size === 0) return EMPTY;
  let text = "";
  for (const [name, value] of properties) {
    if (name === "" || name.includes("=") || name.includes("\n") || value.includes("\n")) {
      throw new TypeError(
        `Cannot encode property ${JSON.stringify(name)}: names must be non-empty without "=" ` +
          `or newlines, values without newlines`,
      );
    }
    text += `${name}=${value}\n`;
  }
  const bytes = enc.encode(text);
  if (bytes.length > KVMSG_MAX_PROPERTIES) {
    throw new RangeError(
      `Cannot encode properties: at most ${KVMSG_MAX_PROPERTIES} bytes, current size is ${bytes.length}`,
    );
  }
  return bytes;
}

/**
 * The frames of a message, to send.
 *
 * @param msg The message.
 * @param format `"kvmsg"` (five frames, the default) or `"kvsimple"` (three: no uuid, no properties).
 * @returns The frames.
 *
 * @example Round trip
 * ```ts
 * import { createKvmsg, decodeKvmsg, encodeKvmsg } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const frames = encodeKvmsg(createKvmsg("weather", "sunny", { sequence: 7 }));
 * assert.equal(frames.length, 5);
 * assert.deepEqual([...frames[1]!], [0, 0, 0, 0, 0, 0, 0, 7]);
 * const back = decodeKvmsg(frames);
 * assert.equal(back.key, "weather");
 * assert.equal(new TextDecoder().decode(back.body), "sunny");
 * ```
 */
export function encodeKvmsg(msg: Kvmsg, format: KvmsgFormat = "kvmsg"): Uint8Array[] {
  const key = enc.encode(msg.key);
  if (key.length > KVMSG_MAX_KEY) {
    throw new RangeError(
      `Cannot encode key: at most ${KVMSG_MAX_KEY} bytes, current size is ${key.length}`,
    );
  }
  const sequence = encodeSequence(msg.sequence);
  if (format === "kvsimple") return [key, sequence, msg.body];
  if (msg.uuid.length !== 0 && msg.uuid.length !== 16) {
    throw new RangeError(
      `Cannot encode uuid: 16 bytes or none, current size is ${msg.uuid.length}`,
    );
  }
  return [key, sequence, msg.uuid, encodeProperties(msg.properties), msg.body];
}

function decodeProperties(frame: Uint8Array): Map<string, string> {
  const properties = new Map<string, string>();
  if (frame.length === 0) return properties;
  if (frame.length > KVMSG_MAX_PROPERTIES) {
    throw new KvmsgError(
      `properties frame of ${frame.length} bytes (at most ${KVMSG_MAX_PROPERTIES})`,
    );
  }
  if (frame[frame.length - 1] !== 0x0a) {
    throw new KvmsgError("properties do not end with a newline");
  }
  const lines = utf8(frame, "properties").split("\n");
  lines.pop(); // after the last newline
  for (const line of lines) {
    const eq = line.indexOf("=");
    if (eq <= 0) throw new KvmsgError(`property ${JSON.stringify(line)} is not name=value`);
    const name = line.slice(0, eq);
    if (properties.has(name)) throw new KvmsgError(`property ${JSON.stringify(name)} twice`);
    properties.set(name, line.slice(eq + 1));
  }
  return properties;
}

/**
 * The message the frames carry. Frames are not copied: the body (and uuid) are views of them.
 *
 * @param frames A received message.
 * @param format `"kvmsg"` (five frames, the default) or `"kvsimple"` (three).
 * @returns The message.
 * @throws {KvmsgError} The frames are not a well-formed message: a wrong frame count, a key
 * longer than 255 bytes or not UTF-8, a sequence not 8 bytes or out of the safe range, a uuid
 * neither 16 bytes nor empty, properties too large or not `name=value\n` lines.
 *
 * @example Refusing a malformed message
 * ```ts
 * import { decodeKvmsg, KvmsgError } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const frames = [new TextEncoder().encode("key"), new Uint8Array(3), new Uint8Array(0)];
 * assert.throws(() => decodeKvmsg(frames, "kvsimple"), KvmsgError); // a 3-byte sequence
 * ```
 */
export function decodeKvmsg(frames: readonly Uint8Array[], format: KvmsgFormat = "kvmsg"): Kvmsg {
  const want = format === "kvsimple" ? 3 : 5;
  if (frames.length !== want) {
    throw new KvmsgError(`${frames.length} frames, a ${format} has ${want}`);
  }
  const [keyFrame, seqFrame] = frames as [Uint8Array, Uint8Array];
  if (keyFrame.length > KVMSG_MAX_KEY) {
    throw new KvmsgError(`key of ${keyFrame.length} bytes (at most ${KVMSG_MAX_KEY})`);
  }
  if (seqFrame.length !== 8) throw new KvmsgError(`sequence of ${seqFrame.length} bytes, not 8`);
  const view = new DataView(seqFrame.buffer, seqFrame.byteOffset, 8);
  const high = view.getUint32(0);
  if (high >= 0x20_0000) throw new KvmsgError("sequence negative or beyond 2^53");
  const sequence = high * TWO_32 + view.getUint32(4);
  const key = utf8(keyFrame, "key");
  if (format === "kvsimple") {
    return { key, sequence, uuid: EMPTY, properties: new Map(), body: frames[2]! };
  }
  const uuid = frames[2]!;
  if (uuid.length !== 0 && uuid.length !== 16) {
    throw new KvmsgError(`uuid of ${uuid.length} bytes (16, or none)`);
  }
  return { key, sequence, uuid, properties: decodeProperties(frames[3]!), body: frames[4]! };
}

/** The bytes alone, copied if they are a view of a larger buffer (say, a received chunk). */
const own = (b: Uint8Array) => b.byteLength === b.buffer.byteLength ? b : b.slice();

/**
 * The message with its body and uuid in buffers of their own, to be kept for long: a frame
 * received is often a view of a larger read buffer, which a kept view would keep alive whole.
 *
 * @param msg The message.
 * @returns It, or a copy whose body and uuid own their bytes.
 */
export function compactKvmsg(msg: Kvmsg): Kvmsg {
  const [body, uuid] = [own(msg.body), own(msg.uuid)];
  return body === msg.body && uuid === msg.uuid ? msg : { ...msg, body, uuid };
}

/** Two 32-bit lanes of an order-independent digest of one entry (key and body). */
function entryHash(key: string, body: Uint8Array): [number, number] {
  const k = enc.encode(key);
  let a = 0x811c9dc5; // FNV-1a
  let b = 0x9747b28c ^ k.length; // a multiply-rotate lane, seeded by the key's length
  const step = (byte: number) => {
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul((b ^ byte) << 13 | (b ^ byte) >>> 19, 0x5bd1e995) + 0x6b43a9b5 | 0;
  };
  for (let i = 0; i < k.length; i++) step(k[i]!);
  step(0xff); // not a UTF-8 byte: separates the key from the body
  for (let i = 0; i < body.length; i++) step(body[i]!);
  return [mix(a ^ body.length), mix(b)];
}

/** A 32-bit finaliser (murmur3's), so that XOR-ing entries together keeps their differences. */
function mix(h: number): number {
  h = Math.imul(h ^ h >>> 16, 0x85ebca6b);
  h = Math.imul(h ^ h >>> 13, 0xc2b2ae35);
  return (h ^ h >>> 16) >>> 0;
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, "0");

/**
 * A replica's key-value map (the Guide's hash of kvmsgs, with `kvmsg_store`'s rules): storing a
 * message with a body sets its key, with an empty body deletes it. A map made for a subtree
 * (`"/client/"`) ignores keys outside it. `digest()` summarises the contents (keys and values,
 * in any order) so that two replicas can be compared by one short string.
 *
 * @example Two replicas that saw the same updates in a different order
 * ```ts
 * import { createKvmsg, KvMap } from "zmqkit";
 * import assert from "node:assert/strict";
 *
 * const a = new KvMap();
 * const b = new KvMap();
 * a.store(createKvmsg("x", "1"));
 * a.store(createKvmsg("y", "2"));
 * b.store(createKvmsg("y", "2"));
 * b.store(createKvmsg("x", "1"));
 * b.store(createKvmsg("z", "3"));
 * b.store(createKvmsg("z", "")); // an empty value deletes
 * assert.equal(a.size, 2);
 * assert.equal(a.digest(), b.digest());
 * ```
 */
export class KvMap {
  /** The prefix every key stored here has ("" for all keys). */
  readonly subtree: string;
  #entries = new Map<string, { msg: Kvmsg; hash: [number, number] }>();
  #a = 0;
  #b = 0;

  /**
   * An empty map.
   *
   * @param subtree Keep only keys with this prefix (default: all).
   */
  constructor(subtree = "") {
    this.subtree = subtree;
  }

  /** How many keys it holds. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The message last stored under a key.
   *
   * @param key The key.
   * @returns The message, or undefined if the key is not set.
   */
  get(key: string): Kvmsg | undefined {
    return this.#entries.get(key)?.msg;
  }

  /**
   * Sets the message's key to it, or deletes the key if its body is empty. The message is
   * kept as it is, except that a body or uuid that is a view of a larger buffer (as received
   * frames often are) is copied first, so that the map holds its contents and no more.
   *
   * @param msg The message.
   * @returns False if the key is outside the subtree (nothing stored), else true.
   */
  store(msg: Kvmsg): boolean {
    if (!msg.key.startsWith(this.subtree)) return false;
    this.delete(msg.key);
    if (msg.body.length === 0) return true;
    msg = compactKvmsg(msg);
    const hash = entryHash(msg.key, msg.body);
    this.#entries.set(msg.key, { msg, hash });
    this.#a ^= hash[0];
    this.#b ^= hash[1];
    return true;
  }

  /**
   * Deletes a key.
   *
   * @param key The key.
   * @returns Whether it was there.
   */
  delete(key: string): boolean {
    const old = this.#entries.get(key);
    if (old === undefined) return false;
    this.#entries.delete(key);
    this.#a ^= old.hash[0];
    this.#b ^= old.hash[1];
    return true;
  }

  /** Empties it. */
  clear(): void {
    this.#entries.clear();
    this.#a = this.#b = 0;
  }

  /** Every message held, in the order their keys were first set. */
  *values(): IterableIterator<Kvmsg> {
    for (const { msg } of this.#entries.values()) yield msg;
  }

  /** As {@linkcode KvMap.values}. */
  [Symbol.iterator](): IterableIterator<Kvmsg> {
    return this.values();
  }

  /**
   * 16 hex digits that depend on every key and value held but not on the order they came in:
   * equal maps give equal digests, different ones almost surely not (it is not cryptographic).
   * Kept up to date as the map changes, so reading it costs nothing.
   *
   * @returns The digest; "0000000000000000" for an empty map.
   */
  digest(): string {
    return hex8(this.#a) + hex8(this.#b);
  }
}
