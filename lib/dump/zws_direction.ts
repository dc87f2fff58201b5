// SPDX-License-Identifier: MIT
/**
 * One direction of a ZWS 2.0 connection (ZeroMQ over WebSocket, RFC 45; `transports.md` §5)
 * for the dump: the HTTP upgrade head, then WebSocket frames whose binary payloads are one
 * flags byte (0x01 MORE, 0x02 COMMAND, unlike ZMTP's 0x04) and a ZMTP frame body. Those come
 * out as the same `frame()` calls the ZMTP stream decoder makes, so commands and messages are
 * decoded as on tcp; ping, pong and close control frames come out as `control()`. Like
 * DirectionDecoder it never throws and stops decoding at its first `problem()`.
 */
import type { Side } from "./events.ts";
import type { GreetingInfo } from "./stream_decoder.ts";
import { printable, toHex } from "./text.ts";
import { HttpHead, type UpgradeInfo } from "./ws_http.ts";
import { WsFrameReader, WsOpcode } from "./ws_frames.ts";

/** A WebSocket control frame as shown. */
export interface WsControl {
  name: "ping" | "pong" | "close";
  /** Payload size. */
  size: number;
  /** close: the status code, when the payload has one. */
  code?: number;
  /** close: the reason text (reasonHex when it is not printable). */
  reason?: string;
  reasonHex?: string;
  /** ping/pong: the application data, in hex. */
  dataHex?: string;
}

export interface ZwsSink {
  upgrade(u: UpgradeInfo, offset: number): void;
  /** As DirectionSink.frame: `body` holds min(size, holdLimit) bytes. */
  frame(more: boolean, command: boolean, body: Uint8Array, size: number, offset: number): void;
  control(c: WsControl, offset: number): void;
  problem(offset: number, reason: string): void;
}

export class ZwsDirection {
  #sink: ZwsSink;
  #head = new HttpHead();
  #frames: WsFrameReader;
  #dead = false;
  #upgraded = false;
  /** Never a ZMTP version: ZWS has no greeting (kept for ConnectionDecoder's checks). */
  readonly major: number | undefined = undefined;
  /** Total bytes seen. */
  offset = 0;

  constructor(sink: ZwsSink, from: Side, holdLimit = 1 << 20) {
    this.#sink = sink;
    this.#frames = new WsFrameReader(
      {
        frame: (opcode, payload, size, offset) => this.#frame(opcode, payload, size, offset),
        problem: (offset, reason) => this.#fail(offset, reason),
      },
      from === "client",
      holdLimit,
    );
  }

  get dead(): boolean {
    return this.#dead;
  }

  halt(): void {
    this.#dead = true;
    this.#frames.halt();
  }

  /** ZWS has no version to downgrade to: nothing to do. */
  setPeerVersion(_v: unknown): void {}

  push(chunk: Uint8Array): void {
    const base = this.offset;
    this.offset += chunk.length;
    if (this.#dead) return;
    let i = 0;
    if (!this.#upgraded) {
      const head = this.#head;
      i = head.push(chunk, 0);
      if (head.error !== undefined) return this.#fail(0, head.error);
      const info = head.info;
      if (info === undefined) return;
      this.#upgraded = true;
      this.#sink.upgrade(info, 0);
      if (info.status !== undefined && info.status !== 101) {
        return this.#fail(0, `HTTP status ${info.status}: no WebSocket follows`);
      }
    }
    if (i < chunk.length) this.#frames.push(chunk, i, base);
  }

  #frame(opcode: number, payload: Uint8Array, size: number, offset: number): void {
    if (opcode === WsOpcode.BINARY) {
      if (size === 0) return this.#fail(offset, "binary message without its flags byte");
      const flags = payload[0]!;
      const more = (flags & 0x01) !== 0;
      const command = (flags & 0x02) !== 0;
      if (more && command) {
        return this.#fail(offset, `command frame with the MORE flag (flags 0x${hex2(flags)})`);
      }
      this.#sink.frame(more, command, payload.subarray(1), size - 1, offset);
      return;
    }
    const name = opcode === WsOpcode.PING ? "ping" : opcode === WsOpcode.PONG ? "pong" : "close";
    const c: WsControl = { name, size };
    if (name !== "close") {
      if (size > 0) c.dataHex = toHex(payload);
    } else if (size === 1) {
      c.dataHex = toHex(payload);
    } else if (size >= 2) {
      c.code = payload[0]! << 8 | payload[1]!;
      const reason = payload.subarray(2);
      const text = printable(reason);
      if (text !== undefined && text !== "") c.reason = text;
      else if (reason.length > 0) c.reasonHex = toHex(reason);
    }
    this.#sink.control(c, offset);
  }

  #fail(offset: number, reason: string): void {
    if (this.#dead) return;
    this.halt();
    this.#sink.problem(offset, reason);
  }
}

/**
 * The greeting a ZWS subprotocol stands for: `ZWS2.0/NULL`, `/PLAIN`, `/CURVE` run that
 * mechanism's handshake as COMMAND messages; bare `ZWS2.0` has none, and each side's first
 * message is its routing id (as the mechanism-less ZMTP 1.0/2.0 greetings are read).
 */
export function zwsGreeting(protocol: string | undefined): GreetingInfo {
  const p = protocol ?? "ZWS2.0/NULL";
  const slash = p.indexOf("/");
  const g: GreetingInfo = { version: "ZWS2.0", major: 2, minor: 0 };
  if (slash >= 0) g.mechanism = p.slice(slash + 1).toUpperCase();
  else if (p.toUpperCase() !== "ZWS2.0") g.mechanism = "NULL";
  return g;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}
