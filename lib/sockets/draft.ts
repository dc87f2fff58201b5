// SPDX-License-Identifier: MIT
/**
 * What the draft socket types (RFC 41, 48, 49, 51) share: one frame a message, 32-bit routing
 * ids, groups of at most 255 bytes. Internal: the type files use it.
 */
import { ZmqError } from "../errors.ts";
import type { Message } from "../pipe.ts";
import { type MessageLike, toFrame } from "./message.ts";
import { GROUP_MAX_LENGTH } from "../wire/constants.ts";

export { GROUP_MAX_LENGTH };

const enc = new TextEncoder();

/** The one frame of a message for a draft type; more (or none) is EINVAL, as libzmq's MORE. */
export function singleFrame(type: string, msg: MessageLike): Uint8Array {
  if (!Array.isArray(msg)) return toFrame(msg);
  if (msg.length === 0) throw new TypeError("Cannot send a message of zero frames");
  if (msg.length !== 1) throw notSingle(type, msg.length);
  return toFrame(msg[0]!);
}

/** The check every draft type's core makes on what it is asked to queue. */
export function assertSingle(type: string, msg: Message): void {
  if (msg.length !== 1) throw notSingle(type, msg.length);
}

function notSingle(type: string, frames: number): ZmqError {
  return new ZmqError(
    "EINVAL",
    `${type} messages are a single frame (draft socket types have no multipart), got ${frames} frames`,
  );
}

/** A routing id given by the application: a 32-bit unsigned integer, not 0. */
export function routingIdFrame(id: unknown): Uint8Array {
  if (typeof id !== "number" || !Number.isInteger(id) || id < 1 || id > 0xffff_ffff) {
    throw new ZmqError(
      "EINVAL",
      `routingId must be an integer 1-4294967295, current value is ${String(id)}`,
    );
  }
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, id);
  return b;
}

/** The routing id a 4-byte frame holds. */
export function routingIdOf(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0);
}

/** A group as bytes, checked against GROUP_MAX_LENGTH (EINVAL beyond). */
export function groupBytes(group: unknown): Uint8Array {
  let b: Uint8Array;
  if (typeof group === "string") b = enc.encode(group);
  else if (group instanceof Uint8Array) b = group;
  else throw new ZmqError("EINVAL", "group must be a string or Uint8Array");
  if (b.length > GROUP_MAX_LENGTH) {
    throw new ZmqError(
      "EINVAL",
      `group is ${b.length} bytes: at most ${GROUP_MAX_LENGTH} are allowed`,
    );
  }
  return b;
}

/**
 * 32-bit routing ids for SERVER and PEER connections: a counter seeded at random, 0 skipped,
 * ids in use skipped (libzmq's next_routing_id).
 */
export class RoutingIds {
  #next = (Math.random() * 0x1_0000_0000) >>> 0;

  next(inUse: (id: number) => boolean): number {
    for (;;) {
      this.#next = (this.#next + 1) >>> 0;
      if (this.#next !== 0 && !inUse(this.#next)) return this.#next;
    }
  }
}
