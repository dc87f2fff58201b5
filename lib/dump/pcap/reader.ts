// SPDX-License-Identifier: MIT
/**
 * Reads capture files incrementally: classic pcap (µs and ns magic, either byte order, and
 * the old "modified pcap" variant) and pcapng (several sections of either byte order, IDB
 * with if_tsresol/if_tsoffset, EPB, SPB, the obsolete PB; other blocks skipped). Pure: chunks
 * of any size in, each packet out as soon as its record is complete. At most one unfinished
 * record or block is held, and only one of a sane size: a packet record claiming more than
 * 256 KiB, or a block to decode claiming more than 256 KiB + 64 KiB, is reported as damage
 * rather than allocated; blocks that are skipped are never held. A truncated or garbled
 * capture gives the packets read so far plus an `error` naming the byte offset and the
 * reason; nothing here throws.
 */
import { parseBlock, parseRecord, type Section } from "./records.ts";

/** One captured packet. */
export interface Packet {
  /** Milliseconds since the epoch, fractional. SPB packets (no timestamp) reuse the last. */
  time: number;
  /** LINKTYPE_* value of the interface that captured it (1 Ethernet, 113 SLL, …). */
  linkType: number;
  /**
   * The captured bytes (possibly fewer than were on the wire, see `originalLength`): a view
   * into the chunk pushed when the record lay whole in it, else into a buffer of its own.
   */
  data: Uint8Array;
  /** Length of the packet on the wire. */
  originalLength: number;
}

export interface CaptureResult {
  packets: Packet[];
  /** Set when reading stopped early: "offset N: reason". */
  error?: string;
}

const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const PCAP_MODIFIED = 0xa1b2cd34; // Kuznetzov's patched libpcap: 8 more bytes per record
const CLASSIC = [PCAP_US, PCAP_NS, PCAP_MODIFIED];
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
/** libpcap's LT_LINKTYPE mask: the upper bits of the header field carry FCS information. */
const LINKTYPE_MASK = 0x03ffffff;
/** The most a packet record may carry (libpcap's MAXIMUM_SNAPLEN). */
export const MAX_PACKET = 256 * 1024;
/** The most a pcapng block that is decoded (SHB, IDB, EPB, SPB, PB) may claim. */
export const MAX_BLOCK = MAX_PACKET + 64 * 1024;
/** The most any other block may claim (it is skipped, never held). */
const MAX_SKIPPED = 256 * 1024 * 1024;
/** Block types decoded; any other is skipped. */
const DECODED = new Set([PCAPNG_SHB, 1, 2, 3, 6]);

function hex32(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** Where an unfinished unit (file header, record or block) is gathered across chunks. */
interface Part {
  bytes: Uint8Array;
  view: DataView;
  have: number;
}

/** A large skipped block being passed over: only its trailing length copy is kept. */
interface Skip {
  start: number;
  len: number;
  seen: number;
  tail: Uint8Array;
}

/**
 * An incremental capture reader: `push` each chunk in order and take the packets it
 * completes; `end` at the end of input reports a capture cut short. After damage (`error`
 * set) further input is ignored. `data` views share the pushed chunks: do not reuse them.
 */
export class CaptureReader {
  #format: "unknown" | "pcap" | "pcapng" = "unknown";
  /** File offset of the unit being read (the next one when none is under way). */
  #offset = 0;
  #part: Part | undefined;
  #skip: Skip | undefined;
  #error: string | undefined;
  // classic pcap
  #le = true;
  #linkType = 0;
  #fracDivisor = 1e3;
  #recordHeader = 16;
  // pcapng: the current section's byte order and interfaces
  #section: Section = { le: true, ifaces: [], lastTime: 0 };

  /** Set once reading stopped at damage: "offset N: reason". */
  get error(): string | undefined {
    return this.#error;
  }

  /** Reads `chunk`; returns the packets whose records it completed. Never throws. */
  push(chunk: Uint8Array): Packet[] {
    const packets: Packet[] = [];
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let pos = 0;
    while (this.#error === undefined && pos < chunk.length) {
      if (this.#skip !== undefined) {
        pos += this.#skipOver(chunk, pos);
        continue;
      }
      const part = this.#part;
      if (part !== undefined) {
        const want = part.bytes.length;
        const n = Math.min(want - part.have, chunk.length - pos);
        part.bytes.set(chunk.subarray(pos, pos + n), part.have);
        part.have += n;
        pos += n;
        if (part.have < want) break;
        const size = this.#unit(part.view, 0, part.have);
        if (typeof size === "string") this.#error = size;
        else if (size > part.have) this.#part = grow(part, size);
        else {
          this.#part = undefined;
          this.#take(part.bytes, part.view, 0, size, packets);
        }
        continue;
      }
      const avail = chunk.length - pos;
      const size = this.#unit(view, pos, avail);
      if (typeof size === "string") this.#error = size;
      else if (size <= avail) {
        this.#take(chunk, view, pos, size, packets);
        pos += size;
      } else {
        const bytes = new Uint8Array(size);
        bytes.set(chunk.subarray(pos));
        this.#part = { bytes, view: new DataView(bytes.buffer), have: avail };
        pos = chunk.length;
      }
    }
    return packets;
  }

  /** The end of input: the error if the capture was damaged or cut short, else undefined. */
  end(): string | undefined {
    if (this.#error !== undefined) return this.#error;
    const s = this.#skip;
    if (s !== undefined) {
      return this.#error = `offset ${s.start}: truncated block (${s.seen} of ${s.len} bytes)`;
    }
    const part = this.#part;
    if (this.#format === "unknown") {
      const n = part?.have ?? 0;
      return this.#error = `offset 0: too short for a capture file (${n} bytes)`;
    }
    if (part === undefined) return undefined;
    return this.#error = this.#truncated(part);
  }

  /**
   * The size of the unit starting at `o` (`avail` bytes of it at hand): the whole unit's once
   * its header is there, else the header's. A string when the header shows damage.
   */
  #unit(v: DataView, o: number, avail: number): number | string {
    const at = this.#offset;
    if (this.#format === "unknown") {
      if (avail < 4) return 4;
      const magicBE = v.getUint32(o, false);
      const magicLE = v.getUint32(o, true);
      if (magicBE === PCAPNG_SHB) this.#format = "pcapng";
      else if (CLASSIC.includes(magicBE) || CLASSIC.includes(magicLE)) {
        this.#format = "pcap";
        return 24; // the file header
      } else return `offset 0: not a pcap or pcapng file (magic 0x${hex32(magicBE)})`;
    }
    if (this.#format === "pcap") {
      if (at === 0) return 24; // the file header, gathered across chunks
      const rh = this.#recordHeader;
      if (avail < rh) return rh;
      const capLen = v.getUint32(o + 8, this.#le);
      if (capLen > MAX_PACKET) return `offset ${at}: packet record claims ${capLen} captured bytes`;
      return rh + capLen;
    }
    if (avail < 12) return 12;
    let le = this.#le;
    const type = v.getUint32(o, le);
    if (type === PCAPNG_SHB) {
      // A new section: its byte-order magic decides how everything after it is read.
      const bom = v.getUint32(o + 8, true);
      if (bom === PCAPNG_BOM) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else return `offset ${at}: bad section header byte-order magic 0x${hex32(bom)}`;
    }
    const len = v.getUint32(o + 4, le);
    if (len < 12 || len % 4 !== 0) return `offset ${at}: bad block length ${len}`;
    const decoded = DECODED.has(type);
    if (len > (decoded ? MAX_BLOCK : MAX_SKIPPED)) return `offset ${at}: block claims ${len} bytes`;
    // a long block that is skipped: its header is the unit, the rest is passed over
    if (!decoded && len > MAX_BLOCK) return 12;
    return len;
  }

  /** Decodes the complete unit of `size` bytes at `o`. */
  #take(b: Uint8Array, v: DataView, o: number, size: number, packets: Packet[]): void {
    const at = this.#offset;
    this.#offset += size;
    if (this.#format === "pcap") {
      if (at === 0) this.#fileHeader(v, o);
      else {
        packets.push({
          ...parseRecord(v, o, this.#le, this.#fracDivisor),
          linkType: this.#linkType,
          data: b.subarray(o + this.#recordHeader, o + size),
        });
      }
      return;
    }
    if (v.getUint32(o, true) === PCAPNG_SHB) {
      // a new section: its byte-order magic (checked by #unit) rules what follows
      this.#le = v.getUint32(o + 8, true) === PCAPNG_BOM;
      this.#section = { le: this.#le, ifaces: [], lastTime: this.#section.lastTime };
    }
    const len = v.getUint32(o + 4, this.#le);
    if (size < len) {
      this.#skip = { start: at, len, seen: size, tail: new Uint8Array(4) };
      this.#offset = at; // until the skip is over
      return;
    }
    const error = parseBlock(b, v, o, size, this.#section, packets);
    if (error !== undefined) this.#error = `offset ${at}: ${error}`;
  }

  #fileHeader(v: DataView, o: number): void {
    const magicBE = v.getUint32(o, false);
    this.#le = !CLASSIC.includes(magicBE);
    const magic = this.#le ? v.getUint32(o, true) : magicBE;
    this.#linkType = v.getUint32(o + 20, this.#le) & LINKTYPE_MASK;
    this.#fracDivisor = magic === PCAP_NS ? 1e6 : 1e3; // fraction units per millisecond
    this.#recordHeader = magic === PCAP_MODIFIED ? 24 : 16;
  }

  /** Passes over part of a long skipped block; checks its trailing length at the end. */
  #skipOver(chunk: Uint8Array, pos: number): number {
    const s = this.#skip!;
    const n = Math.min(s.len - s.seen, chunk.length - pos);
    for (let k = Math.max(s.seen, s.len - 4); k < s.seen + n; k++) {
      s.tail[k - (s.len - 4)] = chunk[pos + k - s.seen]!;
    }
    s.seen += n;
    if (s.seen === s.len) {
      this.#skip = undefined;
      this.#offset = s.start + s.len;
      const copy = new DataView(s.tail.buffer).getUint32(0, this.#le);
      if (copy !== s.len) {
        this.#error = `offset ${s.start}: block length ${s.len} does not match its trailing copy`;
      }
    }
    return n;
  }

  /** What a unit cut short by the end of input is reported as. */
  #truncated(part: Part): string {
    const at = this.#offset;
    const have = part.have;
    if (this.#format === "pcap") {
      if (at === 0) return `offset 0: truncated pcap file header (${have} of 24 bytes)`;
      const rh = this.#recordHeader;
      if (have < rh) return `offset ${at}: truncated packet record header (${have} of ${rh} bytes)`;
      const capLen = part.bytes.length - rh;
      return `offset ${at}: truncated packet data (${have - rh} of ${capLen} bytes)`;
    }
    if (have < 12) return `offset ${at}: truncated block header (${have} of 12 bytes)`;
    return `offset ${at}: truncated block (${have} of ${part.bytes.length} bytes)`;
  }
}

/** The part, moved into a buffer of `size` bytes (its header told the unit's size). */
function grow(part: Part, size: number): Part {
  const bytes = new Uint8Array(size);
  bytes.set(part.bytes.subarray(0, part.have));
  return { bytes, view: new DataView(bytes.buffer), have: part.have };
}

/** Reads all packets of a whole pcap or pcapng capture at once. Never throws. */
export function readCapture(bytes: Uint8Array): CaptureResult {
  const reader = new CaptureReader();
  const packets = reader.push(bytes);
  const error = reader.end();
  return error === undefined ? { packets } : { packets, error };
}
