// SPDX-License-Identifier: MIT
/**
 * Writes relayed connections as a pcapng capture that Wireshark and tcpdump read as real
 * TCP: one section, one Ethernet interface (snaplen 262144, µs timestamps), and per
 * connection a three-way handshake, data segments of at most 65000 bytes with consistent
 * sequence/ack numbers, and a FIN exchange. Synthetic MACs; IPv4 or IPv6 per the hosts, with
 * correct IPv4 header and TCP checksums. Pure: bytes go to the sink given to the constructor.
 */
import { concatBytes } from "../../util/bytes.ts";
import { parseIpv4, parseIpv6 } from "./address.ts";

export interface WriterEndpoint {
  /** An IPv4 or IPv6 address ("127.0.0.1", "::1", "[::1]"); other names map to 127.0.0.1. */
  host: string;
  port: number;
}

/** Largest TCP payload written in one packet. */
export const MAX_SEGMENT_PAYLOAD = 65000;
export const WRITER_SNAPLEN = 262144;

const CLIENT_MAC = [0x02, 0, 0, 0, 0, 0x01];
const SERVER_MAC = [0x02, 0, 0, 0, 0, 0x02];
const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;

interface Flow {
  /** 4 or 16 bytes each. */
  clientIp: Uint8Array;
  serverIp: Uint8Array;
  clientPort: number;
  serverPort: number;
  /** Next sequence number each side sends. */
  clientSeq: number;
  serverSeq: number;
}

export class PcapngWriter {
  #sink: (bytes: Uint8Array) => void;
  #flows = new Map<number, Flow>();
  #ipId = 0;

  /** Writes the section header and interface description at once. */
  constructor(sink: (bytes: Uint8Array) => void) {
    this.#sink = sink;
    const shb = new Uint8Array(28);
    const s = new DataView(shb.buffer);
    s.setUint32(0, 0x0a0d0d0a, true);
    s.setUint32(4, 28, true);
    s.setUint32(8, 0x1a2b3c4d, true);
    s.setUint16(12, 1, true); // version 1.0
    s.setUint16(14, 0, true);
    s.setBigInt64(16, -1n, true); // section length not given
    s.setUint32(24, 28, true);
    const idb = new Uint8Array(32);
    const i = new DataView(idb.buffer);
    i.setUint32(0, 1, true);
    i.setUint32(4, 32, true);
    i.setUint16(8, 1, true); // LINKTYPE_ETHERNET
    i.setUint32(12, WRITER_SNAPLEN, true);
    i.setUint16(16, 9, true); // if_tsresol = 6: microseconds
    i.setUint16(18, 1, true);
    i.setUint8(20, 6);
    // bytes 24..27: opt_endofopt
    i.setUint32(28, 32, true);
    sink(concatBytes([shb, idb]));
  }

  /**
   * Starts connection `id`: SYN, SYN-ACK, ACK. Throws RangeError for a port outside
   * 0..65535. Opening an id again replaces it.
   */
  open(id: number, client: WriterEndpoint, server: WriterEndpoint, time: number): void {
    for (const e of [client, server]) {
      if (!Number.isInteger(e.port) || e.port < 0 || e.port > 65535) {
        throw new RangeError(`pcapng writer: port must be an integer 0..65535, got ${e.port}`);
      }
    }
    let clientIp = address(client.host);
    let serverIp = address(server.host);
    if (clientIp.length !== serverIp.length) { // one IPv6 side: carry both as IPv6
      clientIp = mapped(clientIp);
      serverIp = mapped(serverIp);
    }
    const flow: Flow = {
      clientIp,
      serverIp,
      clientPort: client.port,
      serverPort: server.port,
      clientSeq: Math.imul(id | 0, 0x9e3779b1) >>> 0,
      serverSeq: Math.imul((id | 0) ^ 0x5bd1e995, 0x85ebca6b) >>> 0,
    };
    this.#flows.set(id, flow);
    const c0 = flow.clientSeq;
    const s0 = flow.serverSeq;
    flow.clientSeq = (c0 + 1) >>> 0;
    flow.serverSeq = (s0 + 1) >>> 0;
    this.#sink(concatBytes([
      this.#packet(flow, "client", c0, 0, SYN, EMPTY, time),
      this.#packet(flow, "server", s0, flow.clientSeq, SYN | ACK, EMPTY, time),
      this.#packet(flow, "client", flow.clientSeq, flow.serverSeq, ACK, EMPTY, time),
    ]));
  }

  /** Writes `bytes` sent by `from` on connection `id`. Unknown ids and no bytes: nothing. */
  data(id: number, from: "client" | "server", bytes: Uint8Array, time: number): void {
    const flow = this.#flows.get(id);
    if (flow === undefined || bytes.length === 0) return;
    const blocks: Uint8Array[] = [];
    for (let o = 0; o < bytes.length; o += MAX_SEGMENT_PAYLOAD) {
      const end = Math.min(bytes.length, o + MAX_SEGMENT_PAYLOAD);
      const flags = end === bytes.length ? ACK | PSH : ACK;
      const payload = bytes.subarray(o, end);
      if (from === "client") {
        blocks.push(this.#packet(flow, from, flow.clientSeq, flow.serverSeq, flags, payload, time));
        flow.clientSeq = (flow.clientSeq + payload.length) >>> 0;
      } else {
        blocks.push(this.#packet(flow, from, flow.serverSeq, flow.clientSeq, flags, payload, time));
        flow.serverSeq = (flow.serverSeq + payload.length) >>> 0;
      }
    }
    this.#sink(concatBytes(blocks));
  }

  /** Ends connection `id`: FIN/ACK from the client, FIN/ACK from the server, last ACK. */
  close(id: number, time: number): void {
    const flow = this.#flows.get(id);
    if (flow === undefined) return;
    this.#flows.delete(id);
    const c = flow.clientSeq;
    const s = flow.serverSeq;
    const c1 = (c + 1) >>> 0;
    const s1 = (s + 1) >>> 0;
    this.#sink(concatBytes([
      this.#packet(flow, "client", c, s, FIN | ACK, EMPTY, time),
      this.#packet(flow, "server", s, c1, FIN | ACK, EMPTY, time),
      this.#packet(flow, "client", c1, s1, ACK, EMPTY, time),
    ]));
  }

  /** One Enhanced Packet Block holding an Ethernet/IP/TCP packet. */
  #packet(
    flow: Flow,
    from: "client" | "server",
    seq: number,
    ack: number,
    flags: number,
    payload: Uint8Array,
    time: number,
  ): Uint8Array {
    const toServer = from === "client";
    const srcIp = toServer ? flow.clientIp : flow.serverIp;
    const dstIp = toServer ? flow.serverIp : flow.clientIp;
    const v6 = srcIp.length === 16;
    const ipLen = v6 ? 40 : 20;
    const tcpLen = 20 + payload.length;
    const frameLen = 14 + ipLen + tcpLen;
    const padded = (frameLen + 3) & ~3;
    const block = new Uint8Array(32 + padded);
    const b = new DataView(block.buffer);
    b.setUint32(0, 6, true);
    b.setUint32(4, block.length, true);
    // interface 0; timestamp in µs
    const us = Number.isFinite(time) && time > 0 ? Math.round(time * 1000) : 0;
    b.setUint32(12, Math.floor(us / 0x100000000), true);
    b.setUint32(16, us % 0x100000000, true);
    b.setUint32(20, frameLen, true);
    b.setUint32(24, frameLen, true);
    b.setUint32(block.length - 4, block.length, true);
    // Ethernet
    const e = 28;
    block.set(toServer ? SERVER_MAC : CLIENT_MAC, e);
    block.set(toServer ? CLIENT_MAC : SERVER_MAC, e + 6);
    b.setUint16(e + 12, v6 ? 0x86dd : 0x0800);
    // IP
    const ip = e + 14;
    if (v6) {
      b.setUint32(ip, 0x60000000);
      b.setUint16(ip + 4, tcpLen);
      b.setUint8(ip + 6, 6);
      b.setUint8(ip + 7, 64);
      block.set(srcIp, ip + 8);
      block.set(dstIp, ip + 24);
    } else {
      b.setUint8(ip, 0x45);
      b.setUint16(ip + 2, ipLen + tcpLen);
      this.#ipId = (this.#ipId + 1) & 0xffff;
      b.setUint16(ip + 4, this.#ipId);
      b.setUint16(ip + 6, 0x4000); // don't fragment
      b.setUint8(ip + 8, 64);
      b.setUint8(ip + 9, 6);
      block.set(srcIp, ip + 12);
      block.set(dstIp, ip + 16);
      b.setUint16(ip + 10, checksum(block, ip, ip + 20, 0));
    }
    // TCP
    const t = ip + ipLen;
    b.setUint16(t, toServer ? flow.clientPort : flow.serverPort);
    b.setUint16(t + 2, toServer ? flow.serverPort : flow.clientPort);
    b.setUint32(t + 4, seq);
    b.setUint32(t + 8, ack);
    b.setUint8(t + 12, 5 << 4);
    b.setUint8(t + 13, flags);
    b.setUint16(t + 14, 65535);
    block.set(payload, t + 20);
    // pseudo-header: addresses, protocol and TCP length (the same sum for IPv4 and IPv6)
    const pseudo = sum(srcIp, 0, srcIp.length, sum(dstIp, 0, dstIp.length, 6 + tcpLen));
    b.setUint16(t + 16, checksum(block, t, t + tcpLen, pseudo));
    return block;
  }
}

const EMPTY = new Uint8Array(0);

/** The IP bytes for a host; names that are not addresses become 127.0.0.1. */
function address(host: string): Uint8Array {
  return parseIpv4(host) ?? parseIpv6(host) ?? Uint8Array.of(127, 0, 0, 1);
}

/** An IPv4 address as IPv4-mapped IPv6 (::ffff:a.b.c.d); IPv6 unchanged. */
function mapped(ip: Uint8Array): Uint8Array {
  if (ip.length === 16) return ip;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(ip, 12);
  return out;
}

/** Adds the big-endian 16-bit words of bytes[start, end) to `acc` (not folded). */
function sum(bytes: Uint8Array, start: number, end: number, acc: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) acc += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) acc += bytes[i]! << 8;
  return acc;
}

/** The Internet checksum of bytes[start, end) plus `acc`; the field itself must be zero. */
function checksum(bytes: Uint8Array, start: number, end: number, acc: number): number {
  let s = sum(bytes, start, end, acc);
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}
