// SPDX-License-Identifier: MIT
/**
 * ZMTP → ZWS 2.0, the sending half of a ws:// connection: reads the ZMTP byte stream the
 * session writes (its greeting, skipped: ZWS has none; then frames) and turns each frame into
 * one binary WebSocket message, a flags byte before the body, masked when we are the client.
 * Unmasked bodies of 16 KiB and more go out as the views the session wrote, the rest is copied
 * into blocks that are never written again once handed on. With the bare `ZWS2.0`
 * subprotocol the session's READY goes out as our routing id alone.
 */
import { commandName, decodeReady } from "../wire/command.ts";
import { Flag, GREETING_SIZE } from "../wire/constants.ts";
import { getProperty } from "../wire/metadata.ts";
import {
  applyMask,
  writeWsHeader,
  wsHeaderSize,
  WsOp,
  ZWS_COMMAND,
  ZWS_MORE,
} from "../wire/ws_frame.ts";

const BLOCK = 64 * 1024;
const ZERO_COPY = 16 * 1024;
const S_SKIP = 0, S_FLAGS = 1, S_SIZE = 2, S_BODY = 3, S_READY = 4;
const EMPTY = new Uint8Array(0);

export class ZwsWriter {
  #masking: boolean;
  #bare: boolean;
  #state = S_SKIP;
  #skip = GREETING_SIZE;
  #flags = 0;
  #size = new Uint8Array(8);
  #sizeNeed = 0;
  #sizeHave = 0;
  #left = 0;
  /** Mask of the message being written, and its payload bytes so far (the flags byte is 0). */
  #mask: Uint8Array | undefined;
  #offset = 0;
  #ready = new Uint8Array(0);
  #readyHave = 0;
  #keys = new Uint8Array(0);
  #key = 0;
  // output blocks (as OutputBatch's)
  #buf = new Uint8Array(0);
  #start = 0;
  #pos = 0;
  #out: Uint8Array[] = [];

  /** `masking`: we are the client; `bare`: the subprotocol is ZWS2.0 (no handshake). */
  constructor(masking: boolean, bare: boolean) {
    this.#masking = masking;
    this.#bare = bare;
  }

  /** The WebSocket bytes for the ZMTP bytes in `chunks` (partial frames continue next time). */
  translate(chunks: readonly Uint8Array[]): Uint8Array[] {
    for (const c of chunks) this.#read(c);
    return this.#take();
  }

  /** One control frame (close, ping, pong) with `payload` (≤ 125 bytes). */
  control(opcode: number, payload: Uint8Array = EMPTY): Uint8Array[] {
    const mask = this.#nextMask();
    const at = this.#room(wsHeaderSize(payload.length, mask !== undefined) + payload.length);
    const pos = writeWsHeader(this.#buf, at, opcode, payload.length, mask);
    this.#buf.set(payload, pos);
    if (mask) applyMask(this.#buf.subarray(pos, pos + payload.length), mask, 0);
    this.#pos = pos + payload.length;
    return this.#take();
  }

  #read(c: Uint8Array): void {
    let i = 0;
    while (i < c.length) {
      switch (this.#state) {
        case S_SKIP: {
          const n = Math.min(this.#skip, c.length - i);
          i += n;
          if ((this.#skip -= n) === 0) this.#state = S_FLAGS;
          break;
        }
        case S_FLAGS:
          this.#flags = c[i++]!;
          this.#sizeNeed = this.#flags & Flag.LONG ? 8 : 1;
          this.#sizeHave = 0;
          this.#state = S_SIZE;
          break;
        case S_SIZE: {
          const n = Math.min(this.#sizeNeed - this.#sizeHave, c.length - i);
          this.#size.set(c.subarray(i, i + n), this.#sizeHave);
          this.#sizeHave += n;
          i += n;
          if (this.#sizeHave === this.#sizeNeed) this.#sized();
          break;
        }
        case S_BODY: {
          const n = Math.min(this.#left, c.length - i);
          this.#body(c.subarray(i, i + n));
          i += n;
          if ((this.#left -= n) === 0) this.#state = S_FLAGS;
          break;
        }
        default: { // S_READY: our READY, read whole (bare: it becomes our routing id)
          const n = Math.min(this.#left, c.length - i);
          this.#ready.set(c.subarray(i, i + n), this.#readyHave);
          this.#readyHave += n;
          i += n;
          if ((this.#left -= n) === 0) this.#readyDone();
        }
      }
    }
  }

  #sized(): void {
    const s = this.#size;
    const size = this.#sizeNeed === 1
      ? s[0]!
      : (((s[4]! << 24) | (s[5]! << 16) | (s[6]! << 8) | s[7]!) >>> 0) + s[3]! * 0x1_0000_0000;
    this.#left = size;
    const command = (this.#flags & Flag.COMMAND) !== 0;
    if (command && this.#bare) {
      this.#bare = false; // the first command only: the handshake's READY
      this.#ready = new Uint8Array(size);
      this.#readyHave = 0;
      this.#state = S_READY;
      if (size === 0) this.#readyDone();
      return;
    }
    const flags = (this.#flags & Flag.MORE ? ZWS_MORE : 0) | (command ? ZWS_COMMAND : 0);
    this.#begin(flags, size);
    this.#state = size === 0 ? S_FLAGS : S_BODY;
  }

  /** A message's header and flags byte, for a body of `size` bytes. */
  #begin(flags: number, size: number): void {
    const mask = this.#nextMask();
    const at = this.#room(wsHeaderSize(size + 1, mask !== undefined) + 1);
    const pos = writeWsHeader(this.#buf, at, WsOp.BINARY, size + 1, mask);
    this.#buf[pos] = mask ? flags ^ mask[0]! : flags;
    this.#pos = pos + 1;
    this.#mask = mask;
    this.#offset = 1;
  }

  #body(piece: Uint8Array): void {
    if (this.#mask === undefined && piece.length >= ZERO_COPY) {
      this.#cut();
      this.#out.push(piece);
      return;
    }
    const at = this.#room(piece.length);
    const dst = this.#buf.subarray(at, at + piece.length);
    dst.set(piece);
    if (this.#mask) applyMask(dst, this.#mask, this.#offset);
    this.#offset += piece.length;
    this.#pos = at + piece.length;
  }

  #readyDone(): void {
    this.#state = S_FLAGS;
    const body = this.#ready;
    let id: Uint8Array = EMPTY;
    if (commandName(body) === "READY") {
      id = getProperty(decodeReady(body.subarray(1 + body[0]!)), "Identity") ?? EMPTY;
    }
    this.#begin(0, id.length);
    this.#body(id);
  }

  #nextMask(): Uint8Array | undefined {
    if (!this.#masking) return undefined;
    if (this.#key + 4 > this.#keys.length) {
      this.#keys = globalThis.crypto.getRandomValues(new Uint8Array(4096));
      this.#key = 0;
    }
    return this.#keys.subarray(this.#key, this.#key += 4);
  }

  /** Makes room for `n` bytes at #pos (a new block if needed); returns #pos. */
  #room(n: number): number {
    if (this.#buf.length - this.#pos < n) {
      this.#cut();
      this.#buf = new Uint8Array(Math.max(BLOCK, n));
      this.#start = this.#pos = 0;
    }
    return this.#pos;
  }

  #cut(): void {
    if (this.#pos > this.#start) this.#out.push(this.#buf.subarray(this.#start, this.#pos));
    this.#start = this.#pos;
  }

  #take(): Uint8Array[] {
    this.#cut();
    const out = this.#out;
    this.#out = [];
    return out;
  }
}
