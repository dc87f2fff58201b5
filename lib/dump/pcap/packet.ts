// SPDX-License-Identifier: MIT
/**
 * Decodes one captured packet down to its TCP segment: link layer (BSD loopback, Ethernet
 * with 802.1Q/802.1ad tags, raw IP, Linux SLL and SLL2), IPv4 (options, fragments) or IPv6
 * (extension headers), then TCP (options). Anything else, or anything malformed, gives
 * `undefined`. Pure; never throws.
 */
import { formatIpv6 } from "./address.ts";

export interface TcpFlags {
  syn: boolean;
  ack: boolean;
  fin: boolean;
  rst: boolean;
  psh: boolean;
}

export interface TcpSegment {
  /** Addresses as text: "192.0.2.1", "2001:db8::1" (RFC 5952 form). */
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** Unsigned 32-bit sequence and acknowledgement numbers. */
  seq: number;
  ack: number;
  flags: TcpFlags;
  /** The captured payload: a view into the packet, no copy. */
  payload: Uint8Array;
  /** Payload length on the wire, from the IP length fields. */
  length: number;
  /** Set when the capture holds fewer payload bytes than `length` (snaplen, first fragment). */
  truncated?: true;
}

/** LINKTYPE_* values understood by `parseTcpPacket`. */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_12: 12,
  RAW_14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS: readonly number[] = [0x8100, 0x88a8, 0x9100];
const MAX_VLAN_TAGS = 8;
const MAX_IPV6_EXTENSIONS = 16;

/** Decodes `data`, captured on a `linkType` interface, to a TCP segment, if it holds one. */
export function parseTcpPacket(linkType: number, data: Uint8Array): TcpSegment | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (linkType) {
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (data.length < 4) return undefined;
      // The family is in the capturing host's byte order (LOOP: network order); the IP
      // version nibble settles what the family number cannot.
      return parseIp(view, 4, undefined);
    }
    case LINKTYPE.ETHERNET:
      return parseEthernet(view);
    case LINKTYPE.RAW_12:
    case LINKTYPE.RAW_14:
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return parseIp(view, 0, undefined);
    case LINKTYPE.LINUX_SLL:
      if (data.length < 16) return undefined;
      return parseEthertype(view, view.getUint16(14), 16);
    case LINKTYPE.LINUX_SLL2:
      if (data.length < 20) return undefined;
      return parseEthertype(view, view.getUint16(0), 20);
    default:
      return undefined;
  }
}

function parseEthernet(view: DataView): TcpSegment | undefined {
  if (view.byteLength < 14) return undefined;
  return parseEthertype(view, view.getUint16(12), 14);
}

/** Follows VLAN tags from an EtherType at `o - 2` to the IP header. */
function parseEthertype(view: DataView, type: number, o: number): TcpSegment | undefined {
  for (let tags = 0; VLAN_TAGS.includes(type); tags++) {
    if (tags === MAX_VLAN_TAGS || view.byteLength - o < 4) return undefined;
    type = view.getUint16(o + 2);
    o += 4;
  }
  if (type === ETHERTYPE_IPV4) return parseIp(view, o, 4);
  if (type === ETHERTYPE_IPV6) return parseIp(view, o, 6);
  return undefined;
}

function parseIp(view: DataView, o: number, expect: 4 | 6 | undefined): TcpSegment | undefined {
  if (view.byteLength - o < 1) return undefined;
  const version = view.getUint8(o) >> 4;
  if (expect !== undefined && version !== expect) return undefined;
  if (version === 4) return parseIpv4(view, o);
  if (version === 6) return parseIpv6(view, o);
  return undefined;
}

function parseIpv4(view: DataView, o: number): TcpSegment | undefined {
  if (view.byteLength - o < 20) return undefined;
  const headerLen = (view.getUint8(o) & 0x0f) * 4;
  let totalLen = view.getUint16(o + 2);
  // 0 is what segmentation offload leaves in locally sent packets: trust the capture then.
  if (totalLen === 0) totalLen = view.byteLength - o;
  if (headerLen < 20 || totalLen < headerLen) return undefined;
  const fragment = view.getUint16(o + 6);
  if ((fragment & 0x1fff) !== 0) return undefined; // not the first fragment: no TCP header
  const moreFragments = (fragment & 0x2000) !== 0;
  if (view.getUint8(o + 9) !== 6) return undefined;
  if (view.byteLength - o < headerLen) return undefined;
  const src = ipv4Text(view, o + 12);
  const dst = ipv4Text(view, o + 16);
  // The payload ends at the IP total length: Ethernet padding is not part of it.
  return parseTcp(view, o + headerLen, o + totalLen, src, dst, moreFragments);
}

function parseIpv6(view: DataView, o: number): TcpSegment | undefined {
  if (view.byteLength - o < 40) return undefined;
  const payloadLen = view.getUint16(o + 4);
  let next = view.getUint8(o + 6);
  const src = ipv6Text(view, o + 8);
  const dst = ipv6Text(view, o + 24);
  const end = o + 40 + payloadLen; // jumbograms (length 0) are not supported
  let p = o + 40;
  for (let n = 0; n < MAX_IPV6_EXTENSIONS; n++) {
    if (next === 6) return parseTcp(view, p, end, src, dst, false);
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      // hop-by-hop, routing, destination options, mobility, HIP, shim6: (len + 1) * 8 bytes
      if (view.byteLength - p < 2) return undefined;
      next = view.getUint8(p);
      p += (view.getUint8(p + 1) + 1) * 8;
    } else if (next === 44) { // fragment header: 8 bytes
      if (view.byteLength - p < 8) return undefined;
      const fragment = view.getUint16(p + 2);
      if ((fragment & 0xfff8) !== 0) return undefined; // not the first fragment
      next = view.getUint8(p);
      p += 8;
      if (next === 6) return parseTcp(view, p, end, src, dst, (fragment & 1) !== 0);
    } else if (next === 51) { // authentication header: (len + 2) * 4 bytes
      if (view.byteLength - p < 2) return undefined;
      next = view.getUint8(p);
      p += (view.getUint8(p + 1) + 2) * 4;
    } else {
      return undefined; // no next header, ESP, or not TCP
    }
    if (p > end) return undefined;
  }
  return undefined;
}

/**
 * Decodes the TCP header at `o`; the segment ends at `end` on the wire (IP length), of
 * which the capture may hold less. `fragmented` marks a first fragment: payload incomplete.
 */
function parseTcp(
  view: DataView,
  o: number,
  end: number,
  src: string,
  dst: string,
  fragmented: boolean,
): TcpSegment | undefined {
  if (view.byteLength - o < 20 || end - o < 20) return undefined;
  const headerLen = (view.getUint8(o + 12) >> 4) * 4;
  if (headerLen < 20 || end - o < headerLen || view.byteLength - o < headerLen) return undefined;
  const flags = view.getUint8(o + 13);
  const start = o + headerLen;
  const captured = Math.min(end, view.byteLength);
  const payload = new Uint8Array(view.buffer, view.byteOffset + start, captured - start);
  const segment: TcpSegment = {
    src,
    dst,
    srcPort: view.getUint16(o),
    dstPort: view.getUint16(o + 2),
    seq: view.getUint32(o + 4),
    ack: view.getUint32(o + 8),
    flags: {
      syn: (flags & 0x02) !== 0,
      ack: (flags & 0x10) !== 0,
      fin: (flags & 0x01) !== 0,
      rst: (flags & 0x04) !== 0,
      psh: (flags & 0x08) !== 0,
    },
    payload,
    length: end - start,
  };
  if (fragmented || captured < end) segment.truncated = true;
  return segment;
}

function ipv4Text(view: DataView, o: number): string {
  return `${view.getUint8(o)}.${view.getUint8(o + 1)}.${view.getUint8(o + 2)}.${
    view.getUint8(o + 3)
  }`;
}

/** RFC 5952 text of the 16 bytes at `o`. */
function ipv6Text(view: DataView, o: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(view.getUint16(o + i * 2));
  return formatIpv6(groups);
}
