// SPDX-License-Identifier: MIT
/**
 * Message properties (libzmq's zmq_msg_gets): what authentication established about the peer
 * a message came from — the ZAP handler's User-Id and metadata, with the peer's Socket-Type and
 * Peer-Address. Kept for peers a ZAP handler accepted only, so that other connections pay
 * nothing: each received frame of such a peer is looked up in a WeakMap, which forgets it with
 * the frame. Empty frames are not tagged (they may be one shared object).
 */
import { peerIp } from "../transports/endpoint.ts";
import type { Metadata } from "../wire/metadata.ts";

/** A received message's properties: names as libzmq's, values as text. */
export type MessageProperties = Readonly<Record<string, string>>;

const byFrame = new WeakMap<Uint8Array, MessageProperties>();

/** Tags every non-empty frame of `frames` with `props`. */
export function tagFrames(frames: readonly Uint8Array[], props: MessageProperties): void {
  for (const f of frames) if (f.length > 0) byFrame.set(f, props);
}

/**
 * Tags `to` as `from` is tagged (the same frames as other objects, e.g. Buffers). Only the
 * first non-empty frame is looked at: a message is tagged whole or not at all.
 */
export function copyTags(from: readonly Uint8Array[], to: readonly Uint8Array[]): void {
  for (const f of from) {
    if (f.length === 0) continue;
    const p = byFrame.get(f);
    if (p !== undefined) tagFrames(to, p);
    return;
  }
}

/**
 * The properties of a received message, or of one of its frames: `User-Id` and the ZAP
 * metadata a ZAP handler gave its peer, `Socket-Type` and `Peer-Address`. Undefined for a
 * message whose peer no ZAP handler accepted (NULL without a ZAP domain, or a CURVE server
 * without a handler), and for empty frames.
 *
 * @example
 * ```ts ignore
 * const msg = await router.receive();
 * const who = messageProperties(msg)?.["User-Id"];
 * ```
 */
export function messageProperties(
  message: Uint8Array | readonly Uint8Array[],
): MessageProperties | undefined {
  if (message instanceof Uint8Array) return byFrame.get(message);
  for (const f of message) {
    const p = byFrame.get(f);
    if (p !== undefined) return p;
  }
  return undefined;
}

/**
 * The properties of the messages of a peer a ZAP handler accepted: its metadata, User-Id, our
 * Socket-Type and, over tcp, the Peer-Address (libzmq's names).
 */
export function authProperties(
  auth: { userId: string; metadata: Metadata },
  socketType: string,
  remoteAddress: string,
): MessageProperties {
  const dec = new TextDecoder();
  const props: Record<string, string> = {};
  for (const [name, value] of auth.metadata) props[name] = dec.decode(value);
  props["User-Id"] = auth.userId;
  props["Socket-Type"] = socketType;
  const ip = peerIp(remoteAddress);
  if (ip !== "") props["Peer-Address"] = ip;
  return Object.freeze(props);
}
