// SPDX-License-Identifier: MIT
/**
 * Bulk attack bytes for the hostile suite, written out by hand from RFC 23/37 (as
 * tests/_helpers/mock_peer.ts, which builds the single frames and commands): long runs of
 * frames, READY commands with very many properties, batches of SUBSCRIBE commands.
 */
import { randomFillSync } from "node:crypto";
import { bytes, command, properties } from "../_helpers/mock_peer.ts";

/** `count` empty data frames with the MORE flag: `01 00` repeated, a message never ending. */
export function emptyMoreFrames(count: number): Uint8Array {
  const out = new Uint8Array(count * 2);
  for (let i = 0; i < out.length; i += 2) out[i] = 0x01;
  return out;
}

/**
 * A READY command whose metadata is Socket-Type `socketType` (plus `more`), then `n`
 * properties named "x" with empty values: 6 bytes each on the wire.
 */
export function readyWithEmptyProperties(
  socketType: string,
  n: number,
  ...more: Array<[string, string | Uint8Array]>
): Uint8Array {
  const many = new Uint8Array(n * 6);
  for (let i = 0; i < many.length; i += 6) {
    many[i] = 1; // name length
    many[i + 1] = 0x78; // "x"; then a 4-byte value length of 0
  }
  return command("READY", bytes(properties(["Socket-Type", socketType], ...more), many));
}

/**
 * `n` ZMTP 3.1 SUBSCRIBE commands, each with its own random 16-byte topic: a short command
 * frame `04 1a 09 "SUBSCRIBE" <16 bytes>`, 28 bytes each.
 */
export function randomSubscribes(n: number): Uint8Array {
  const one = 2 + 1 + 9 + 16;
  const out = new Uint8Array(n * one);
  const topics = new Uint8Array(n * 16);
  for (let o = 0; o < topics.length; o += 65536) {
    randomFillSync(topics.subarray(o, Math.min(o + 65536, topics.length)));
  }
  const head = bytes([0x04, 1 + 9 + 16, 9], "SUBSCRIBE");
  for (let i = 0; i < n; i++) {
    out.set(head, i * one);
    out.set(topics.subarray(i * 16, i * 16 + 16), i * one + head.length);
  }
  return out;
}

/** One SUBSCRIBE command (long frame when needed) for `topic`. */
export function subscribe(topic: Uint8Array): Uint8Array {
  return command("SUBSCRIBE", topic);
}

/** `size` bytes of `byte`, e.g. a long topic or Identity. */
export function filled(size: number, byte = 0x41): Uint8Array {
  return new Uint8Array(size).fill(byte);
}

/** The 9-byte header of a long frame claiming `size` bytes: `flags|02`, 8-byte size. */
export function longHeader(flags: number, size: bigint): Uint8Array {
  const h = new Uint8Array(9);
  h[0] = flags | 0x02;
  new DataView(h.buffer).setBigUint64(1, size);
  return h;
}
