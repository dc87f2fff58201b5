// SPDX-License-Identifier: MIT
/**
 * Reads capture files: classic pcap (µs and ns magic, either byte order, and the old
 * "modified pcap" variant) and pcapng (several sections of either byte order, IDB with
 * if_tsresol/if_tsoffset, EPB, SPB, the obsolete PB; other blocks skipped). Pure: bytes in,
 * packets out. A truncated or garbled file gives the packets read so far plus an `error`
 * naming the byte offset and the reason; nothing here throws.
 */

/** One captured packet. `data` is a view into the input bytes (no copy). */
export interface Packet {
  /** Milliseconds since the epoch, fractional. SPB packets (no timestamp) reuse the last. */
  time: number;
  /** LINKTYPE_* value of the interface that captured it (1 Ethernet, 113 SLL, …). */
  linkType: number;
  /** The captured bytes (possibly fewer than were on the wire, see `originalLength`). */
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
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
/** libpcap's LT_LINKTYPE mask: the upper bits of the header field carry FCS information. */
const LINKTYPE_MASK = 0x03ffffff;
/** A block or record longer than this is taken as garbage rather than allocated around. */
const MAX_RECORD = 256 * 1024 * 1024;
/** Sections may not define more interfaces than this (each costs a little memory). */
const MAX_INTERFACES = 65536;

/** Reads all packets of a pcap or pcapng capture. Never throws. */
export function readCapture(bytes: Uint8Array): CaptureResult {
  const packets: Packet[] = [];
  if (bytes.length < 4) {
    return { packets, error: `offset 0: too short for a capture file (${bytes.length} bytes)` };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBE = view.getUint32(0, false);
  let error: string | undefined;
  if (magicBE === PCAPNG_SHB) {
    error = readPcapng(bytes, view, packets);
  } else {
    const magicLE = view.getUint32(0, true);
    const classic = [PCAP_US, PCAP_NS, PCAP_MODIFIED];
    if (classic.includes(magicBE)) error = readPcap(bytes, view, false, magicBE, packets);
    else if (classic.includes(magicLE)) error = readPcap(bytes, view, true, magicLE, packets);
    else error = `offset 0: not a pcap or pcapng file (magic 0x${hex32(magicBE)})`;
  }
  return error === undefined ? { packets } : { packets, error };
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, "0");
}

function readPcap(
  bytes: Uint8Array,
  view: DataView,
  le: boolean,
  magic: number,
  packets: Packet[],
): string | undefined {
  if (bytes.length < 24) {
    return `offset 0: truncated pcap file header (${bytes.length} of 24 bytes)`;
  }
  const linkType = view.getUint32(20, le) & LINKTYPE_MASK;
  const fracDivisor = magic === PCAP_NS ? 1e6 : 1e3; // fraction units per millisecond
  const recordHeader = magic === PCAP_MODIFIED ? 24 : 16;
  let o = 24;
  while (o < bytes.length) {
    if (bytes.length - o < recordHeader) {
      return `offset ${o}: truncated packet record header (${
        bytes.length - o
      } of ${recordHeader} bytes)`;
    }
    const sec = view.getUint32(o, le);
    const frac = view.getUint32(o + 4, le);
    const capLen = view.getUint32(o + 8, le);
    const origLen = view.getUint32(o + 12, le);
    if (capLen > MAX_RECORD) return `offset ${o}: packet record claims ${capLen} captured bytes`;
    const start = o + recordHeader;
    if (bytes.length - start < capLen) {
      return `offset ${o}: truncated packet data (${bytes.length - start} of ${capLen} bytes)`;
    }
    packets.push({
      time: sec * 1000 + frac / fracDivisor,
      linkType,
      data: bytes.subarray(start, start + capLen),
      originalLength: origLen,
    });
    o = start + capLen;
  }
  return undefined;
}

/** An interface of the current pcapng section. */
interface Iface {
  linkType: number;
  snapLen: number;
  /** if_tsresol: true → units are 2^-exp seconds, false → 10^-exp seconds. */
  pow2: boolean;
  exp: number;
  /** if_tsoffset, seconds. */
  offset: number;
}

function readPcapng(bytes: Uint8Array, view: DataView, packets: Packet[]): string | undefined {
  let le = true;
  let ifaces: Iface[] = [];
  let lastTime = 0;
  let o = 0;
  while (o < bytes.length) {
    const left = bytes.length - o;
    if (left < 12) return `offset ${o}: truncated block header (${left} of 12 bytes)`;
    const type = view.getUint32(o, le);
    if (type === PCAPNG_SHB) {
      // A new section: its byte-order magic decides how everything after it is read.
      const bom = view.getUint32(o + 8, true);
      if (bom === PCAPNG_BOM) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else return `offset ${o}: bad section header byte-order magic 0x${hex32(bom)}`;
      ifaces = [];
    }
    const len = view.getUint32(o + 4, le);
    if (len < 12 || len % 4 !== 0) return `offset ${o}: bad block length ${len}`;
    if (len > MAX_RECORD) return `offset ${o}: block claims ${len} bytes`;
    if (len > left) return `offset ${o}: truncated block (${left} of ${len} bytes)`;
    if (view.getUint32(o + len - 4, le) !== len) {
      return `offset ${o}: block length ${len} does not match its trailing copy`;
    }
    const body = o + 8;
    const bodyLen = len - 12;
    switch (type) {
      case PCAPNG_SHB: {
        if (bodyLen < 16) return `offset ${o}: section header block too short`;
        const major = view.getUint16(body + 4, le);
        if (major !== 1) return `offset ${o}: unsupported pcapng version ${major}`;
        break;
      }
      case 1: { // Interface Description Block
        if (bodyLen < 8) return `offset ${o}: interface description block too short`;
        if (ifaces.length >= MAX_INTERFACES) return `offset ${o}: too many interfaces`;
        const iface: Iface = {
          linkType: view.getUint16(body, le),
          snapLen: view.getUint32(body + 4, le),
          pow2: false,
          exp: 6,
          offset: 0,
        };
        readIdbOptions(view, body + 8, body + bodyLen, le, iface);
        ifaces.push(iface);
        break;
      }
      case 6: // Enhanced Packet Block
      case 2: { // Packet Block (obsolete): 16-bit interface id and drop count
        if (bodyLen < 20) return `offset ${o}: packet block too short`;
        const ifId = type === 6 ? view.getUint32(body, le) : view.getUint16(body, le);
        const iface = ifaces[ifId];
        if (iface === undefined) {
          return `offset ${o}: packet refers to interface ${ifId}, but the section defines ${ifaces.length}`;
        }
        const capLen = view.getUint32(body + 12, le);
        if (capLen > bodyLen - 20) {
          return `offset ${o}: captured length ${capLen} exceeds the block (${bodyLen - 20} bytes)`;
        }
        lastTime = timestamp(iface, view.getUint32(body + 4, le), view.getUint32(body + 8, le));
        packets.push({
          time: lastTime,
          linkType: iface.linkType,
          data: bytes.subarray(body + 20, body + 20 + capLen),
          originalLength: view.getUint32(body + 16, le),
        });
        break;
      }
      case 3: { // Simple Packet Block: interface 0, no timestamp, length from snaplen
        if (bodyLen < 4) return `offset ${o}: simple packet block too short`;
        const iface = ifaces[0];
        if (iface === undefined) return `offset ${o}: simple packet block before any interface`;
        const origLen = view.getUint32(body, le);
        let capLen = Math.min(origLen, bodyLen - 4);
        if (iface.snapLen > 0) capLen = Math.min(capLen, iface.snapLen);
        packets.push({
          time: lastTime,
          linkType: iface.linkType,
          data: bytes.subarray(body + 4, body + 4 + capLen),
          originalLength: origLen,
        });
        break;
      }
      default: // statistics, name resolution, custom and unknown blocks
        break;
    }
    o += len;
  }
  return undefined;
}

/** Reads the IDB options this reader uses; malformed options end the scan quietly. */
function readIdbOptions(view: DataView, o: number, end: number, le: boolean, iface: Iface): void {
  while (end - o >= 4) {
    const code = view.getUint16(o, le);
    const len = view.getUint16(o + 2, le);
    const value = o + 4;
    if (code === 0 || len > end - value) return; // opt_endofopt, or a bad length
    if (code === 9 && len >= 1) { // if_tsresol
      const v = view.getUint8(value);
      iface.pow2 = (v & 0x80) !== 0;
      iface.exp = v & 0x7f;
    } else if (code === 14 && len >= 8) { // if_tsoffset, signed seconds
      iface.offset = Number(view.getBigInt64(value, le));
    }
    o = value + ((len + 3) & ~3);
  }
}

/** The time, in ms since the epoch, of a 64-bit pcapng timestamp in `iface`'s units. */
function timestamp(iface: Iface, high: number, low: number): number {
  const units = (BigInt(high) << 32n) | BigInt(low);
  const perSecond = iface.pow2 ? 1n << BigInt(iface.exp) : 10n ** BigInt(iface.exp);
  const seconds = units / perSecond;
  const rest = units % perSecond;
  return (Number(seconds) + iface.offset) * 1000 + (Number(rest) * 1000) / Number(perSecond);
}
