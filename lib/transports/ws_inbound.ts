// SPDX-License-Identifier: MIT
/**
 * ZWS 2.0 → ZMTP, the receiving half of a ws:// connection: cuts WebSocket frames out of the
 * bytes a peer sends and hands the session the ZMTP frames they carry (a header of its own,
 * then the body as it arrives, unmasked in place — nothing is buffered but headers, control
 * frames and a bare peer's routing id). With the bare `ZWS2.0` subprotocol there is no
 * handshake: the peer's first message is its routing id, which is handed on as the READY a
 * NULL handshake would have brought.
 */
import { ProtocolError, ProtocolErrorCode } from "../errors.ts";
import { Flag } from "../wire/constants.ts";
import { encodeReady } from "../wire/command.ts";
import type { Metadata } from "../wire/metadata.ts";
import { encodeFrame, writeHeader } from "../wire/frame_encoder.ts";
import {
  applyMask,
  MAX_WS_HEADER,
  readWsHeader,
  type WsHeader,
  WsOp,
  ZWS_COMMAND,
  ZWS_MORE,
} from "../wire/ws_frame.ts";

/** libzmq's limit for routing ids. */
const MAX_ROUTING_ID = 255;
const S_HEADER = 0, S_FLAGS = 1, S_BODY = 2, S_CONTROL = 3, S_ROUTING_ID = 4;

export interface ZwsReaderHost {
  /** ZMTP bytes for the session. */
  data(bytes: Uint8Array): void;
  /** A whole control frame (close, ping, pong), unmasked. */
  control(opcode: number, payload: Uint8Array): void;
}

export interface ZwsReaderOptions {
  /** Frames from this peer are masked (we are the server). */
  masked: boolean;
  /**
   * How the peer opens: "handshake" (ZWS2.0/<mechanism>: commands), "bare" (ZWS2.0: its
   * routing id), or "either" (we asked for ZWS2.0/NULL and the server agreed, but some servers
   * then speak bare ZWS2.0: a first message that is not a command is taken as a routing id).
   */
  opening: "handshake" | "bare" | "either";
  /** The Socket-Type a bare peer is taken to be (ZWS2.0 sends none, and none is checked). */
  peerType: string;
}

export class ZwsReader {
  #host: ZwsReaderHost;
  #opts: ZwsReaderOptions;
  #state = S_HEADER;
  #head = new Uint8Array(MAX_WS_HEADER);
  #headHave = 0;
  #frame: WsHeader | undefined;
  /** Payload bytes of the current frame still to come, and how many came (mask offset). */
  #left = 0;
  #offset = 0;
  /** A control frame's payload or a bare peer's routing id, as it is assembled. */
  #small = new Uint8Array(0);
  #smallHave = 0;
  #first = true;

  constructor(host: ZwsReaderHost, options: ZwsReaderOptions) {
    this.#host = host;
    this.#opts = options;
  }

  /** Reads `chunk` (whose bytes it may unmask in place). Throws ProtocolError. */
  push(chunk: Uint8Array): void {
    const len = chunk.length;
    let i = 0;
    while (i < len) {
      switch (this.#state) {
        case S_HEADER:
          i = this.#header(chunk, i);
          break;
        case S_FLAGS:
          i = this.#flags(chunk, i);
          break;
        case S_BODY: {
          const n = Math.min(this.#left, len - i);
          const piece = chunk.subarray(i, i + n);
          this.#unmask(piece);
          i += n;
          this.#left -= n;
          if (this.#left === 0) this.#state = S_HEADER;
          this.#host.data(piece);
          break;
        }
        default: { // S_CONTROL, S_ROUTING_ID: assembled in #small
          const n = Math.min(this.#left, len - i);
          const piece = chunk.subarray(i, i + n);
          this.#unmask(piece);
          this.#small.set(piece, this.#smallHave);
          this.#smallHave += n;
          i += n;
          this.#left -= n;
          if (this.#left === 0) this.#smallDone();
        }
      }
    }
  }

  #unmask(piece: Uint8Array): void {
    const mask = this.#frame!.mask;
    if (mask !== undefined) applyMask(piece, mask, this.#offset);
    this.#offset += piece.length;
  }

  #header(chunk: Uint8Array, i: number): number {
    const had = this.#headHave;
    const n = Math.min(MAX_WS_HEADER - had, chunk.length - i);
    this.#head.set(chunk.subarray(i, i + n), had);
    this.#headHave += n;
    const h = readWsHeader(this.#head, this.#headHave, this.#opts.masked);
    if (h === undefined) return i + n;
    this.#headHave = 0;
    this.#frame = h;
    this.#left = h.length;
    this.#offset = 0;
    if (h.opcode === WsOp.BINARY) {
      if (h.length === 0) {
        throw new ProtocolError(
          ProtocolErrorCode.WS_FRAME,
          "empty WebSocket message: a ZWS frame starts with its flags byte",
        );
      }
      this.#state = S_FLAGS;
    } else this.#expectSmall(S_CONTROL, h.length);
    return i + h.size - had;
  }

  #expectSmall(state: number, size: number): void {
    this.#state = state;
    this.#small = new Uint8Array(size);
    this.#smallHave = 0;
    if (size === 0) this.#smallDone();
  }

  #flags(chunk: Uint8Array, i: number): number {
    const one = chunk.subarray(i, i + 1);
    this.#unmask(one);
    const flags = one[0]!;
    const size = --this.#left;
    const command = (flags & ZWS_COMMAND) !== 0;
    if (this.#first) {
      const bare = this.#opts.opening === "bare" || (this.#opts.opening === "either" && !command);
      this.#first = false;
      if (bare) {
        if (size > MAX_ROUTING_ID || (flags & ZWS_MORE)) {
          throw new ProtocolError(
            ProtocolErrorCode.WS_FRAME,
            `a ZWS2.0 peer's first message is its routing id: ${size} bytes${
              flags & ZWS_MORE ? " with more to follow" : ""
            } is not one`,
          );
        }
        this.#expectSmall(S_ROUTING_ID, size);
        return i + 1;
      }
    }
    const zflags = (flags & ZWS_MORE ? Flag.MORE : 0) | (command ? Flag.COMMAND : 0);
    const header = new Uint8Array(size > 255 ? 9 : 2);
    writeHeader(header, 0, zflags, size);
    this.#state = size === 0 ? S_HEADER : S_BODY;
    this.#host.data(header);
    return i + 1;
  }

  #smallDone(): void {
    const payload = this.#small;
    this.#state = S_HEADER;
    if (this.#frame!.opcode !== WsOp.BINARY) {
      return this.#host.control(this.#frame!.opcode, payload);
    }
    // a bare peer's routing id: what a NULL handshake's READY would have said
    const props: Metadata = [["Socket-Type", new TextEncoder().encode(this.#opts.peerType)]];
    if (payload.length > 0) props.push(["Identity", payload]);
    this.#host.data(encodeFrame(Flag.COMMAND, encodeReady(props)));
  }
}
