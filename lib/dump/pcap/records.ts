// SPDX-License-Identifier: MIT
/**
 * The contents of one complete classic pcap record or pcapng block, for reader.ts (which
 * finds where they start and end). pcapng: the SHB version, IDB link type, snaplen and
 * if_tsresol/if_tsoffset, and the packets of EPB, SPB and the obsolete PB.
 */
import type { Packet } from "./reader.ts";

/** Sections may not define more interfaces than this (each costs a little memory). */
const MAX_INTERFACES = 65536;

/** An interface of the current pcapng section. */
export interface Iface {
  linkType: number;
  snapLen: number;
  /** if_tsresol: true → units are 2^-exp seconds, false → 10^-exp seconds. */
  pow2: boolean;
  exp: number;
  /** if_tsoffset, seconds. */
  offset: number;
}

/** What a pcapng section has defined so far. */
export interface Section {
  le: boolean;
  ifaces: Iface[];
  /** Time of the last packet (an SPB has none of its own). */
  lastTime: number;
}

/** Time and wire length of the classic pcap record header at `o`. */
export function parseRecord(
  v: DataView,
  o: number,
  le: boolean,
  fracDivisor: number,
): { time: number; originalLength: number } {
  const sec = v.getUint32(o, le);
  const frac = v.getUint32(o + 4, le);
  return { time: sec * 1000 + frac / fracDivisor, originalLength: v.getUint32(o + 12, le) };
}

/**
 * Reads the pcapng block of `len` bytes at `o` (its header already checked) into the
 * section and `packets`. Returns what is wrong with it, if anything.
 */
export function parseBlock(
  bytes: Uint8Array,
  view: DataView,
  o: number,
  len: number,
  s: Section,
  packets: Packet[],
): string | undefined {
  const le = s.le;
  if (view.getUint32(o + len - 4, le) !== len) {
    return `block length ${len} does not match its trailing copy`;
  }
  const type = view.getUint32(o, le);
  const body = o + 8;
  const bodyLen = len - 12;
  switch (type) {
    case 0x0a0d0d0a: { // Section Header Block
      if (bodyLen < 16) return "section header block too short";
      const major = view.getUint16(body + 4, le);
      if (major !== 1) return `unsupported pcapng version ${major}`;
      break;
    }
    case 1: { // Interface Description Block
      if (bodyLen < 8) return "interface description block too short";
      if (s.ifaces.length >= MAX_INTERFACES) return "too many interfaces";
      const iface: Iface = {
        linkType: view.getUint16(body, le),
        snapLen: view.getUint32(body + 4, le),
        pow2: false,
        exp: 6,
        offset: 0,
      };
      readIdbOptions(view, body + 8, body + bodyLen, le, iface);
      s.ifaces.push(iface);
      break;
    }
    case 6: // Enhanced Packet Block
    case 2: { // Packet Block (obsolete): 16-bit interface id and drop count
      if (bodyLen < 20) return "packet block too short";
      const ifId = type === 6 ? view.getUint32(body, le) : view.getUint16(body, le);
      const iface = s.ifaces[ifId];
      if (iface === undefined) {
        return `packet refers to interface ${ifId}, but the section defines ${s.ifaces.length}`;
      }
      const capLen = view.getUint32(body + 12, le);
      if (capLen > bodyLen - 20) {
        return `captured length ${capLen} exceeds the block (${bodyLen - 20} bytes)`;
      }
      s.lastTime = timestamp(iface, view.getUint32(body + 4, le), view.getUint32(body + 8, le));
      packets.push({
        time: s.lastTime,
        linkType: iface.linkType,
        data: bytes.subarray(body + 20, body + 20 + capLen),
        originalLength: view.getUint32(body + 16, le),
      });
      break;
    }
    case 3: { // Simple Packet Block: interface 0, no timestamp, length from snaplen
      if (bodyLen < 4) return "simple packet block too short";
      const iface = s.ifaces[0];
      if (iface === undefined) return "simple packet block before any interface";
      const origLen = view.getUint32(body, le);
      let capLen = Math.min(origLen, bodyLen - 4);
      if (iface.snapLen > 0) capLen = Math.min(capLen, iface.snapLen);
      packets.push({
        time: s.lastTime,
        linkType: iface.linkType,
        data: bytes.subarray(body + 4, body + 4 + capLen),
        originalLength: origLen,
      });
      break;
    }
    default: // statistics, name resolution, custom and unknown blocks
      break;
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
