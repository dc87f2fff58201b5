// SPDX-License-Identifier: MIT
/**
 * One direction of a ZMTP connection, as an observer sees it: the greeting (3.x, or the 2.0
 * and 1.0 forms and libzmq's downgrades to them), then frames in the framing the greeting
 * chose. Lenient where libzmq is (reserved bits, odd fillers) and never throwing: anything it
 * cannot make sense of becomes one `problem()` with the offset, after which the direction is
 * counted but no longer decoded. Pure: chunks in, callbacks out.
 *
 * Frames larger than `holdLimit` are reported with their real size and the first
 * `holdLimit` bytes of the body, so a hostile size never makes us buffer gigabytes.
 */
import {
  AS_SERVER_OFFSET,
  GREETING_SIZE,
  MECHANISM_OFFSET,
  MECHANISM_SIZE,
} from "../wire/constants.ts";

/** How the peer announced itself. */
export interface GreetingInfo {
  /** "3.1", "3.0", or "2.0"/"1.0" for an old peer. */
  version: string;
  major: number;
  minor: number;
  /** Absent for ZMTP 1.0/2.0, which have no mechanisms. */
  mechanism?: string;
  asServer?: boolean;
  /** ZMTP 1.0/2.0 carry the socket type in the greeting. */
  socketType?: string;
  /** Whatever needs saying: a downgrade, a malformed filler. */
  note?: string;
}

export interface DirectionSink {
  greeting(g: GreetingInfo, offset: number): void;
  /** `body` holds min(size, holdLimit) bytes. `command` only in ZMTP 3.x framing. */
  frame(more: boolean, command: boolean, body: Uint8Array, size: number, offset: number): void;
  problem(offset: number, reason: string): void;
}

/** What the other direction has told us about its version, for libzmq's downgrades. */
export type PeerVersion = "unversioned" | 0 | 1 | "3";

/** libzmq's numeric socket types, as ZMTP 1.0/2.0 greetings carry them. */
const SOCKET_TYPES = [
  "PAIR",
  "PUB",
  "SUB",
  "REQ",
  "REP",
  "DEALER",
  "ROUTER",
  "PULL",
  "PUSH",
  "XPUB",
  "XSUB",
  "STREAM",
];

const G_GREETING = 0, G_FRAMES = 1, G_DEAD = 2;
const F_FLAGS = 0, F_SIZE = 1, F_V1_FLAGS = 2, F_BODY = 3;

export class DirectionDecoder {
  #sink: DirectionSink;
  #holdLimit: number;
  #state = G_GREETING;
  #greet = new Uint8Array(GREETING_SIZE);
  #have = 0;
  #peer: PeerVersion | undefined;
  /** This side's major version byte once seen (undefined before, -1 for unversioned). */
  major: number | undefined;
  /** Total bytes seen. */
  offset = 0;
  #framing: "v1" | "v2" | "v3" = "v3";
  /** No signature seen: the first 1.0 frame decides between ZMTP 1.0 and "not ZMTP". */
  #unversioned = false;
  /** libzmq's 10 signature bytes read as a 1.0 frame header: its flags byte is 0x7F. */
  #replaying = false;
  #firstByte = 0;
  // frame in progress
  #f = F_FLAGS;
  #frameStart = 0;
  #more = false;
  #command = false;
  #size = 0;
  #sizeBytes = new Uint8Array(8);
  #sizeWant = 0;
  #sizeHave = 0;
  #body = new Uint8Array(0);
  #bodyHave = 0;
  #bodySeen = 0;

  constructor(sink: DirectionSink, holdLimit = 1 << 20) {
    this.#sink = sink;
    this.#holdLimit = holdLimit;
  }

  /** True once decoding has stopped on a problem (bytes are still counted). */
  get dead(): boolean {
    return this.#state === G_DEAD;
  }

  /** Stops decoding for good (bytes are still counted). */
  halt(): void {
    this.#state = G_DEAD;
  }

  /** The other direction's version, as soon as it is known (see libzmq's downgrade). */
  setPeerVersion(v: PeerVersion): void {
    this.#peer ??= v;
    if (v === "unversioned" && this.#state === G_GREETING && this.#have > 0 && this.#have <= 10) {
      // libzmq met a 1.0 peer after its first 10 bytes: those read as a long v1 frame
      // header (FF + 8-byte length, then flags 7F) whose body is the identity.
      this.#toV1FromStart("the peer speaks ZMTP 1.0: these 10 bytes begin a 1.0 identity frame");
    }
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    const len = chunk.length;
    while (i < len) {
      if (this.#state === G_DEAD) break;
      if (this.#state === G_GREETING) i = this.#greeting(chunk, i);
      else i = this.#frames(chunk, i);
    }
    this.offset += len;
  }

  #kill(offset: number, reason: string): void {
    if (this.#state === G_DEAD) return;
    this.#state = G_DEAD;
    if (this.#unversioned) {
      const b = this.#firstByte;
      const shown = b >= 0x20 && b < 0x7f ? ` '${String.fromCharCode(b)}'` : "";
      reason = `not ZMTP: no signature (first byte 0x${hex2(b)}${shown}) and not a ZMTP 1.0 ` +
        `identity frame (${reason})`;
      offset = 0;
    }
    this.#sink.problem(offset, reason);
  }

  #greeting(chunk: Uint8Array, i: number): number {
    const g = this.#greet;
    const start = this.#have;
    if (start === 0 && chunk[i] !== 0xff) {
      // no signature: an unversioned ZMTP 1.0 peer, or not ZeroMQ at all. Decided by its
      // first frame, which must then be a well-formed 1.0 identity frame.
      this.major = -1;
      this.#unversioned = true;
      this.#startFrames("v1");
      return i;
    }
    // take bytes one step at a time up to the next decision point
    const limit = start < 10 ? 10 : start < 11 ? 11 : start < 12 ? 12 : GREETING_SIZE;
    const n = Math.min(limit - start, chunk.length - i);
    g.set(chunk.subarray(i, i + n), start);
    this.#have += n;
    i += n;
    const have = this.#have;
    if (have === 10 && (g[9]! & 1) === 0) {
      this.major = -1;
      this.#sink.greeting({
        version: "1.0",
        major: 1,
        minor: 0,
        note: "signature byte 9 has bit 0 clear: ZMTP 1.0 with a long identity",
      }, this.offset + i - have);
      this.#replayAsV1();
      return i;
    }
    if (have === 10 && this.#peer === "unversioned") {
      this.#toV1FromStart("the peer speaks ZMTP 1.0: these 10 bytes begin a 1.0 identity frame");
      return i;
    }
    if (have === 11) this.major = g[10]!;
    if (have === 12) {
      const major = g[10]!;
      if (major === 0 || major === 1) {
        const type = SOCKET_TYPES[g[11]!] ?? `type ${g[11]}`;
        const info: GreetingInfo = {
          version: major === 0 ? "1.0" : "2.0",
          major: major === 0 ? 1 : 2,
          minor: 0,
          socketType: type,
        };
        if (major === 0) info.note = "ZMTP 1.0 with revision byte";
        this.#sink.greeting(info, this.offset + i - have);
        this.#startFrames(major === 0 ? "v1" : "v2");
        return i;
      }
      if (this.#peer === 0 || this.#peer === 1) {
        const type = SOCKET_TYPES[g[11]!] ?? `type ${g[11]}`;
        const to = this.#peer === 0 ? "1.0" : "2.0";
        this.#sink.greeting({
          version: to,
          major: 3,
          minor: 0,
          socketType: type,
          note: `ZMTP ${major}.x peer downgraded to the other side's ZMTP ${to}`,
        }, this.offset + i - have);
        this.#startFrames(this.#peer === 0 ? "v1" : "v2");
        return i;
      }
    }
    if (have === GREETING_SIZE) {
      this.#sink.greeting(describe3x(g), this.offset + i - have);
      this.#startFrames("v3");
    }
    return i;
  }

  /** The greeting bytes so far were really a 1.0 frame: decode them again as v1. */
  #replayAsV1(): void {
    const bytes = this.#greet.slice(0, this.#have);
    this.#startFrames("v1");
    this.#replaying = true;
    // the replayed bytes start the stream: count offsets from 0 while they are framed
    const saved = this.offset;
    this.offset = 0;
    this.#frameBytes(bytes);
    this.offset = saved;
  }

  #toV1FromStart(note: string): void {
    this.major = 3;
    this.#sink.greeting({ version: "1.0", major: 3, minor: 0, note }, 0);
    this.#replayAsV1();
  }

  #startFrames(framing: "v1" | "v2" | "v3"): void {
    this.#framing = framing;
    this.#state = G_FRAMES;
    this.#f = F_FLAGS;
  }

  /** Feeds bytes that were buffered by the greeting logic to the framer. */
  #frameBytes(bytes: Uint8Array): void {
    let i = 0;
    while (i < bytes.length && this.#state === G_FRAMES) i = this.#frames(bytes, i);
  }

  #frames(chunk: Uint8Array, i: number): number {
    const len = chunk.length;
    while (i < len && this.#state === G_FRAMES) {
      switch (this.#f) {
        case F_FLAGS: {
          this.#frameStart = this.offset + i;
          if (this.#frameStart === 0) this.#firstByte = chunk[i]!;
          const b = chunk[i++]!;
          if (this.#framing === "v1") {
            // v1: the first byte is a length (flags included), FF = 8-byte length follows
            if (b === 0xff) {
              this.#sizeWant = 8;
              this.#sizeHave = 0;
              this.#f = F_SIZE;
            } else if (b === 0) {
              this.#kill(
                this.#frameStart,
                "ZMTP 1.0 frame of length 0 (it must count its flags byte)",
              );
            } else {
              this.#size = b - 1;
              this.#f = F_V1_FLAGS;
            }
            break;
          }
          this.#more = (b & 0x01) !== 0;
          this.#command = this.#framing === "v3" && (b & 0x04) !== 0;
          if (this.#framing === "v2" && (b & 0xfc) !== 0) {
            this.#kill(
              this.#frameStart,
              `ZMTP 2.0 frame flags 0x${hex2(b)} have reserved bits set`,
            );
            break;
          }
          if (this.#command && this.#more) {
            this.#kill(this.#frameStart, `command frame with the MORE flag (flags 0x${hex2(b)})`);
            break;
          }
          this.#sizeWant = (b & 0x02) !== 0 ? 8 : 1;
          this.#sizeHave = 0;
          this.#f = F_SIZE;
          break;
        }
        case F_SIZE: {
          while (i < len && this.#sizeHave < this.#sizeWant) {
            this.#sizeBytes[this.#sizeHave++] = chunk[i++]!;
          }
          if (this.#sizeHave < this.#sizeWant) break;
          let size: number;
          if (this.#sizeWant === 1) size = this.#sizeBytes[0]!;
          else {
            const sb = this.#sizeBytes;
            const hi = (sb[0]! << 24 | sb[1]! << 16 | sb[2]! << 8 | sb[3]!) >>> 0;
            const lo = (sb[4]! << 24 | sb[5]! << 16 | sb[6]! << 8 | sb[7]!) >>> 0;
            if (hi >= 0x20_0000) {
              this.#kill(
                this.#frameStart,
                `frame size 0x${hex8(hi)}${hex8(lo)} is beyond any sane message`,
              );
              break;
            }
            size = hi * 0x1_0000_0000 + lo;
          }
          if (this.#framing === "v1") {
            if (size === 0) {
              this.#kill(
                this.#frameStart,
                "ZMTP 1.0 frame of length 0 (it must count its flags byte)",
              );
              break;
            }
            this.#size = size - 1;
            this.#f = F_V1_FLAGS;
            break;
          }
          this.#size = size;
          this.#beginBody();
          break;
        }
        case F_V1_FLAGS: {
          const b = chunk[i++]!;
          if ((b & 0xfe) !== 0 && !this.#replaying) {
            this.#kill(
              this.#frameStart,
              `ZMTP 1.0 frame flags 0x${hex2(b)} have reserved bits set`,
            );
            break;
          }
          this.#replaying = false;
          this.#more = (b & 0x01) !== 0;
          this.#command = false;
          this.#beginBody();
          break;
        }
        case F_BODY: {
          const want = this.#size - this.#bodySeen;
          const n = Math.min(want, len - i);
          const keep = Math.min(n, this.#body.length - this.#bodyHave);
          if (keep > 0) {
            this.#body.set(chunk.subarray(i, i + keep), this.#bodyHave);
            this.#bodyHave += keep;
          }
          this.#bodySeen += n;
          i += n;
          if (this.#bodySeen === this.#size) this.#emit();
          break;
        }
      }
    }
    return i;
  }

  #beginBody(): void {
    this.#body = new Uint8Array(Math.min(this.#size, this.#holdLimit));
    this.#bodyHave = 0;
    this.#bodySeen = 0;
    if (this.#size === 0) this.#emit();
    else this.#f = F_BODY;
  }

  #emit(): void {
    this.#f = F_FLAGS;
    if (this.#unversioned) {
      this.#unversioned = false;
      if (this.#size > 255) {
        this.#unversioned = true;
        this.#kill(this.#frameStart, `a ${this.#size}-byte identity`);
        return;
      }
      this.#sink.greeting({
        version: "1.0",
        major: 1,
        minor: 0,
        note: "no signature: an unversioned ZMTP 1.0 peer",
      }, 0);
    }
    this.#sink.frame(this.#more, this.#command, this.#body, this.#size, this.#frameStart);
  }
}

function describe3x(g: Uint8Array): GreetingInfo {
  const major = g[10]!, minor = g[11]!;
  let end = MECHANISM_OFFSET + MECHANISM_SIZE;
  while (end > MECHANISM_OFFSET && g[end - 1] === 0) end--;
  let mechanism = "";
  let odd = false;
  for (let k = MECHANISM_OFFSET; k < end; k++) {
    const c = g[k]!;
    if (!(c >= 0x41 && c <= 0x5a || c >= 0x30 && c <= 0x39 || c === 0x2d || c === 0x5f)) odd = true;
    mechanism += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${hex2(c)}`;
  }
  const notes: string[] = [];
  if (odd) notes.push("mechanism name has characters outside A-Z 0-9 - _");
  const asByte = g[AS_SERVER_OFFSET]!;
  if (asByte > 1) notes.push(`as-server byte is 0x${hex2(asByte)}`);
  for (let k = AS_SERVER_OFFSET + 1; k < GREETING_SIZE; k++) {
    if (g[k] !== 0) {
      notes.push(`filler is not all zeros (byte ${k} is 0x${hex2(g[k]!)})`);
      break;
    }
  }
  const v3: GreetingInfo = {
    version: major === 3 ? `3.${minor}` : `${major}.${minor}`,
    major,
    minor,
    mechanism,
    asServer: asByte === 1,
  };
  if (major !== 3) notes.push(`major ${major}: libzmq treats it as ZMTP 3.1`);
  if (notes.length > 0) v3.note = notes.join("; ");
  return v3;
}

export function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}
