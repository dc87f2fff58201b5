// SPDX-License-Identifier: MIT
/**
 * RFC 6455 §5.2 frames, one direction, as an observer reads them for the dump: header, extended
 * length, masking key and payload (unmasked as it arrives). Lenient about what it can show and
 * strict about what ZWS 2.0 forbids: a reserved bit, a text, continuation or unfinished frame,
 * a reserved opcode, a mask bit wrong for the direction, an oversize control frame or a length
 * beyond any sane message is one `problem()`, after which the reader stops. Payloads over
 * `holdLimit` keep only their first bytes (the real size is still given), so a hostile length
 * never makes it buffer more. It is the dump's own reader, apart from the engine's decoder.
 */

/** Opcodes (RFC 6455 §5.2). */
export const WsOpcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;
export type WsOpcode = typeof WsOpcode[keyof typeof WsOpcode];

export interface WsFrameSink {
  /** A whole frame: `payload` holds min(size, holdLimit) unmasked bytes. */
  frame(opcode: number, payload: Uint8Array, size: number, offset: number): void;
  problem(offset: number, reason: string): void;
}

// S_LENGTH: the extended length and masking key are still coming
const S_HEAD = 0, S_LENGTH = 1, S_PAYLOAD = 2, S_DEAD = 3;

export class WsFrameReader {
  #sink: WsFrameSink;
  #masked: boolean;
  #holdLimit: number;
  #state = S_HEAD;
  #head = new Uint8Array(14);
  #headHave = 0;
  #headWant = 2;
  #start = 0;
  #opcode = 0;
  #size = 0;
  #key = new Uint8Array(4);
  #payload = new Uint8Array(0);
  #seen = 0;

  /** `masked`: whether this direction must mask (client → server) or must not. */
  constructor(sink: WsFrameSink, masked: boolean, holdLimit = 1 << 20) {
    this.#sink = sink;
    this.#masked = masked;
    this.#holdLimit = holdLimit;
  }

  get dead(): boolean {
    return this.#state === S_DEAD;
  }

  halt(): void {
    this.#state = S_DEAD;
  }

  /** Reads `chunk[i…]`; `base` is the stream offset of `chunk[0]`. */
  push(chunk: Uint8Array, i: number, base: number): void {
    while (i < chunk.length && this.#state !== S_DEAD) {
      if (this.#state === S_PAYLOAD) {
        i = this.#body(chunk, i);
        continue;
      }
      if (this.#headHave === 0) this.#start = base + i;
      while (i < chunk.length && this.#headHave < this.#headWant) {
        this.#head[this.#headHave++] = chunk[i++]!;
      }
      if (this.#headHave === this.#headWant) this.#headDone();
    }
  }

  #headDone(): void {
    const h = this.#head;
    if (this.#state === S_HEAD) {
      const reason = this.#check(h[0]!, h[1]!);
      if (reason !== undefined) return this.#fail(reason);
      const len7 = h[1]! & 0x7f;
      const ext = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
      this.#headWant = 2 + ext + (this.#masked ? 4 : 0);
      this.#state = S_LENGTH;
      if (this.#headHave < this.#headWant) return;
    }
    // the whole header is in: length, then masking key
    const len7 = h[1]! & 0x7f;
    let size = len7;
    let at = 2;
    if (len7 === 126) {
      size = h[2]! << 8 | h[3]!;
      at = 4;
    } else if (len7 === 127) {
      const hi = (h[2]! << 24 | h[3]! << 16 | h[4]! << 8 | h[5]!) >>> 0;
      const lo = (h[6]! << 24 | h[7]! << 16 | h[8]! << 8 | h[9]!) >>> 0;
      if (hi >= 0x20_0000) {
        const hex = hi.toString(16).padStart(8, "0") + lo.toString(16).padStart(8, "0");
        return this.#fail(`frame length 0x${hex} is beyond any sane message`);
      }
      size = hi * 0x1_0000_0000 + lo;
      at = 10;
    }
    if (this.#masked) this.#key.set(h.subarray(at, at + 4));
    this.#size = size;
    this.#payload = new Uint8Array(Math.min(size, this.#holdLimit));
    this.#seen = 0;
    this.#state = S_PAYLOAD;
    if (size === 0) this.#emit();
  }

  /** Why a frame header is refused, or undefined. */
  #check(b0: number, b1: number): string | undefined {
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    const control = (opcode & 0x08) !== 0;
    this.#opcode = opcode;
    if ((b0 & 0x70) !== 0) return `reserved bits set (first byte 0x${hex2(b0)})`;
    if (opcode === WsOpcode.TEXT) return "text frame (ZWS 2.0 sends binary frames only)";
    if (opcode === WsOpcode.CONTINUATION) {
      return "continuation frame (ZWS 2.0 does not fragment messages)";
    }
    if (
      opcode !== WsOpcode.BINARY && opcode !== WsOpcode.CLOSE && opcode !== WsOpcode.PING &&
      opcode !== WsOpcode.PONG
    ) return `reserved opcode 0x${opcode.toString(16)}`;
    if (!fin) {
      return control
        ? "fragmented control frame"
        : "fragmented message: FIN clear (ZWS 2.0 does not fragment messages)";
    }
    if (control && (b1 & 0x7f) > 125) return "control frame longer than 125 bytes";
    const masked = (b1 & 0x80) !== 0;
    if (masked !== this.#masked) {
      return this.#masked
        ? "unmasked frame from the client (client frames must be masked)"
        : "masked frame from the server (server frames must not be masked)";
    }
    return undefined;
  }

  #body(chunk: Uint8Array, i: number): number {
    const n = Math.min(this.#size - this.#seen, chunk.length - i);
    const keep = Math.min(n, this.#payload.length - this.#seen);
    const key = this.#key;
    for (let k = 0; k < keep; k++) {
      const at = this.#seen + k;
      this.#payload[at] = this.#masked ? chunk[i + k]! ^ key[at & 3]! : chunk[i + k]!;
    }
    this.#seen += n;
    if (this.#seen === this.#size) this.#emit();
    return i + n;
  }

  #emit(): void {
    this.#state = S_HEAD;
    this.#headHave = 0;
    this.#headWant = 2;
    this.#sink.frame(this.#opcode, this.#payload, this.#size, this.#start);
  }

  #fail(reason: string): void {
    this.#state = S_DEAD;
    this.#sink.problem(this.#start, reason);
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}
