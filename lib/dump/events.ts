// SPDX-License-Identifier: MIT
/**
 * What `zmqkit dump` reports: one event per greeting, command or message seen on a ZMTP
 * connection (and, over ZWS 2.0, per WebSocket upgrade head and control frame), in a shape
 * that prints as one NDJSON line. Pure types, no I/O.
 *
 * Sides: the "client" is the side that opened the TCP connection (the relay's accepted
 * peer, or the SYN sender in a capture); the "server" is the side it reached. This is the
 * transport's view; ZMTP's as-server flag is reported separately in the greeting.
 */
import type { GreetingInfo } from "./stream_decoder.ts";
import type { UpgradeInfo } from "./ws_http.ts";
import type { WsControl } from "./zws_direction.ts";

/** A value JSON can hold (what the dump's decoders produce). */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

export type Side = "client" | "server";

/** Fields common to every event. */
export interface EventBase {
  /** Milliseconds since the epoch when the bytes were seen. */
  time: number;
  /** Connection number, from 1, in order of appearance. */
  conn: number;
}

export interface OpenEvent extends EventBase {
  type: "open";
  client: string;
  server: string;
}

export interface CloseEvent extends EventBase {
  type: "close";
  /** Bytes seen from each side over the connection's life. */
  bytes: { client: number; server: number };
  reason?: string;
}

/** A greeting: what the peer announced (see GreetingInfo) and where. */
export interface GreetingEvent extends EventBase, GreetingInfo {
  type: "greeting";
  from: Side;
  /** Offset of the first byte of the event in this side's stream. */
  offset: number;
}

export interface CommandEvent extends EventBase {
  type: "command";
  from: Side;
  offset: number;
  name: string;
  /** Size of the command frame's body (name included). */
  size: number;
  /** Decoded fields, per command (metadata, ttl, topic, keys, box sizes…). */
  fields: Record<string, JsonValue>;
  /** Set when the command was carried inside a CURVE MESSAGE box that was opened. */
  encrypted?: boolean;
}

export interface FrameView {
  size: number;
  /** The decoded body (see lib/dump/body.ts). */
  body: JsonValue;
  /** How the body was decoded: "text", "hex", "json", "msgpack", "layout", "empty". */
  as: string;
  truncated?: boolean;
  error?: string;
}

export interface MessageEvent extends EventBase {
  type: "message";
  from: Side;
  offset: number;
  /** Total body bytes over all frames. */
  size: number;
  frames: FrameView[];
  /** Routing ids and delimiter of a request-reply envelope, as hex ids. */
  envelope?: string[];
  /** Index of the first frame after the envelope (0 without one). */
  bodyIndex?: number;
  /** PUB/XPUB data: the first frame, the topic a subscriber matched on (topicHex if binary). */
  topic?: string;
  topicHex?: string;
  /** ZMTP 3.0 subscription message (first byte 1 or 0), or an XSUB's. */
  subscription?: { subscribe: boolean; topic?: string; topicHex?: string };
  /** A CURVE MESSAGE box that could not be opened: its sizes only. */
  encrypted?: boolean;
  /** The message came out of CURVE boxes opened with a given transient secret. */
  opened?: boolean;
  /** ZMTP 1.0/2.0: the first frame each side sends is its identity, not a message. */
  identity?: boolean;
}

/** ZWS 2.0: one side's WebSocket upgrade request or response (see UpgradeInfo). */
export interface UpgradeEvent extends EventBase, UpgradeInfo {
  type: "upgrade";
  from: Side;
  offset: number;
}

/** ZWS 2.0: a WebSocket ping, pong or close frame (see WsControl). */
export interface ControlEvent extends EventBase, WsControl {
  type: "control";
  from: Side;
  offset: number;
}

export interface ProblemEvent extends EventBase {
  type: "error";
  from: Side;
  /** Offset in this side's stream where decoding stopped. */
  offset: number;
  reason: string;
}

export type DumpEvent =
  | OpenEvent
  | CloseEvent
  | GreetingEvent
  | CommandEvent
  | MessageEvent
  | UpgradeEvent
  | ControlEvent
  | ProblemEvent;
