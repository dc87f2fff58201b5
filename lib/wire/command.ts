// SPDX-License-Identifier: MIT
/**
 * ZMTP command bodies: `name-len name data`. RFC 23 §"Commands", RFC 37 (PING, PONG,
 * SUBSCRIBE, CANCEL). Pure codecs; the frame header is added by the frame encoder.
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import { decodeMetadata, encodeMetadata, type Metadata } from "./metadata.ts";
import { latin1 } from "../util/bytes.ts";

export interface Command {
  name: string;
  data: Uint8Array;
}

const enc = new TextEncoder();

export function encodeCommand(
  name: string,
  data: Uint8Array = new Uint8Array(0),
): Uint8Array<ArrayBuffer> {
  if (name.length < 1 || name.length > 255) throw new RangeError(`Invalid command name "${name}"`);
  const out = new Uint8Array(1 + name.length + data.length);
  out[0] = name.length;
  out.set(enc.encode(name), 1);
  out.set(data, 1 + name.length);
  return out;
}

export function decodeCommand(body: Uint8Array): Command {
  const n = body[0];
  if (n === undefined || n === 0 || 1 + n > body.length) {
    throw new ProtocolError(
      ProtocolErrorCode.MALFORMED_COMMAND_UNSPECIFIED,
      `malformed command: name length ${n ?? "missing"} in a body of ${body.length} bytes`,
    );
  }
  return { name: latin1(body.subarray(1, 1 + n)), data: body.subarray(1 + n) };
}

/** Names met on every connection, matched byte by byte so that no string is made for them. */
const KNOWN = ["SUBSCRIBE", "CANCEL", "PING", "PONG", "READY", "ERROR", "JOIN", "LEAVE"].map((
  name,
) => ({
  name,
  bytes: enc.encode(name),
}));

/**
 * The name of a command (validated as decodeCommand does); its data starts at
 * `1 + body[0]`. A known name is returned without allocating: a peer may send millions of
 * SUBSCRIBEs.
 */
export function commandName(body: Uint8Array): string {
  const n = body[0];
  if (n === undefined || n === 0 || 1 + n > body.length) return decodeCommand(body).name; // throws
  outer: for (const k of KNOWN) {
    const b = k.bytes;
    if (b.length !== n) continue;
    for (let i = 0; i < n; i++) if (body[1 + i] !== b[i]) continue outer;
    return k.name;
  }
  return latin1(body.subarray(1, 1 + n));
}

export function encodeReady(props: Metadata): Uint8Array<ArrayBuffer> {
  return encodeCommand("READY", encodeMetadata(props));
}

export function decodeReady(data: Uint8Array): Metadata {
  return decodeMetadata(data);
}

/** ERROR: 1-byte reason length, then the reason (printable, 0–255 bytes). */
export function encodeError(reason: string): Uint8Array<ArrayBuffer> {
  const r = enc.encode(reason).subarray(0, 255);
  const data = new Uint8Array(1 + r.length);
  data[0] = r.length;
  data.set(r, 1);
  return encodeCommand("ERROR", data);
}

export function decodeError(data: Uint8Array): string {
  const n = data[0];
  if (n === undefined || 1 + n > data.length) {
    throw new ProtocolError(ProtocolErrorCode.MALFORMED_COMMAND_ERROR, "malformed ERROR command");
  }
  return latin1(data.subarray(1, 1 + n));
}

/** PING: TTL in deciseconds (uint16 BE) and 0–16 bytes of context. */
export function encodePing(
  ttlDeciseconds: number,
  context: Uint8Array = new Uint8Array(0),
): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(2 + Math.min(context.length, 16));
  data[0] = ttlDeciseconds >>> 8 & 0xff;
  data[1] = ttlDeciseconds & 0xff;
  data.set(context.subarray(0, 16), 2);
  return encodeCommand("PING", data);
}

export function decodePing(data: Uint8Array): { ttl: number; context: Uint8Array } {
  if (data.length < 2) {
    throw new ProtocolError(ProtocolErrorCode.MALFORMED_COMMAND_UNSPECIFIED, "PING without TTL");
  }
  return { ttl: data[0]! << 8 | data[1]!, context: data.subarray(2, 18) };
}

export function encodePong(context: Uint8Array): Uint8Array<ArrayBuffer> {
  return encodeCommand("PONG", context.subarray(0, 16));
}

export function encodeSubscribe(topic: Uint8Array): Uint8Array<ArrayBuffer> {
  return encodeCommand("SUBSCRIBE", topic);
}

export function encodeCancel(topic: Uint8Array): Uint8Array<ArrayBuffer> {
  return encodeCommand("CANCEL", topic);
}

/** The ZMTP 3.0 (and XSUB user) form of a subscription: a data frame `01 topic` / `00 topic`. */
export function encodeSubscriptionMessage(
  subscribe: boolean,
  topic: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(1 + topic.length);
  out[0] = subscribe ? 1 : 0;
  out.set(topic, 1);
  return out;
}

/** JOIN (RFC 48, DISH → RADIO): the group, 0–255 bytes, as the rest of the body. */
export function encodeJoin(group: Uint8Array): Uint8Array<ArrayBuffer> {
  return encodeCommand("JOIN", group);
}

/** LEAVE (RFC 48, DISH → RADIO): the group, as the rest of the body. */
export function encodeLeave(group: Uint8Array): Uint8Array<ArrayBuffer> {
  return encodeCommand("LEAVE", group);
}
