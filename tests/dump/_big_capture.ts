// SPDX-License-Identifier: MIT
/**
 * A large synthetic capture made on the fly, for memory tests of `zmqkit dump --pcap`: one
 * TCP connection (Ethernet/IPv4) carrying a NULL ZMTP handshake PUSH → PULL, then
 * single-frame messages of ~60 KB, one per packet, until about `total` bytes; then a FIN.
 * Classic pcap (µs, little-endian) or pcapng (EPB). Chunks of about 1 MiB, fresh each time.
 *
 *   deno run -A tests/dump/_big_capture.ts 2G [pcapng] | zmqkit dump --pcap -
 */
import process from "node:process";
import { encodeGreeting } from "../../lib/internal.ts";
import { encodeReady } from "../../lib/internal.ts";
import { encodeFrame } from "../../lib/internal.ts";

const te = new TextEncoder();
const CLIENT = [10, 0, 0, 1];
const SERVER = [10, 0, 0, 2];
const CLIENT_PORT = 40001;
const SERVER_PORT = 5555;
/** Bytes of TCP payload per data packet: a whole ZMTP frame (9-byte long header + body). */
export const PAYLOAD = 60_000;
const HEADERS = 14 + 20 + 20; // Ethernet, IPv4, TCP

/** The ZMTP frame sent as message `i`: a long single frame whose body says its number. */
function messageBody(): Uint8Array {
  const f = new Uint8Array(PAYLOAD);
  f[0] = 0x02; // LONG, last frame
  new DataView(f.buffer).setBigUint64(1, BigInt(PAYLOAD - 9), false);
  f.fill(0x61, 9); // "aaa…"
  return f;
}

interface Segment {
  fromClient: boolean;
  seq: number;
  ack: number;
  flags: number;
  payload: Uint8Array;
}

/** Writes an Ethernet/IPv4/TCP packet into `out` at `o`; returns the bytes written. */
function writePacket(out: Uint8Array, o: number, s: Segment): number {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], o);
  v.setUint16(o + 12, 0x0800);
  const ip = o + 14;
  out[ip] = 0x45;
  out[ip + 1] = 0;
  v.setUint16(ip + 2, 40 + s.payload.length);
  v.setUint32(ip + 4, 0x4000); // id 0, don't fragment
  out[ip + 8] = 64;
  out[ip + 9] = 6;
  v.setUint16(ip + 10, 0);
  out.set(s.fromClient ? CLIENT : SERVER, ip + 12);
  out.set(s.fromClient ? SERVER : CLIENT, ip + 16);
  const tcp = ip + 20;
  v.setUint16(tcp, s.fromClient ? CLIENT_PORT : SERVER_PORT);
  v.setUint16(tcp + 2, s.fromClient ? SERVER_PORT : CLIENT_PORT);
  v.setUint32(tcp + 4, s.seq >>> 0);
  v.setUint32(tcp + 8, s.ack >>> 0);
  out[tcp + 12] = 0x50;
  out[tcp + 13] = s.flags;
  v.setUint32(tcp + 14, 0xffff0000); // window, checksum
  v.setUint16(tcp + 18, 0);
  out.set(s.payload, tcp + 20);
  return HEADERS + s.payload.length;
}

const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;

/** The segments of the connection, lazily, until `total` bytes of payload were sent. */
function* segments(total: number): Generator<Segment> {
  let c = 1000, s = 5000;
  const empty = new Uint8Array(0);
  yield { fromClient: true, seq: c++, ack: 0, flags: SYN, payload: empty };
  yield { fromClient: false, seq: s++, ack: c, flags: SYN | ACK, payload: empty };
  const hello = (type: string) => {
    const g = encodeGreeting("NULL");
    const r = encodeFrame(4, encodeReady([["Socket-Type", te.encode(type)]]));
    const b = new Uint8Array(g.length + r.length);
    b.set(g);
    b.set(r, g.length);
    return b;
  };
  const ch = hello("PUSH"), sh = hello("PULL");
  yield { fromClient: true, seq: c, ack: s, flags: PSH | ACK, payload: ch };
  c += ch.length;
  yield { fromClient: false, seq: s, ack: c, flags: PSH | ACK, payload: sh };
  s += sh.length;
  const body = messageBody();
  for (let sent = 0; sent < total; sent += body.length) {
    yield { fromClient: true, seq: c, ack: s, flags: PSH | ACK, payload: body };
    c = (c + body.length) >>> 0;
  }
  yield { fromClient: true, seq: c, ack: s, flags: FIN | ACK, payload: empty };
  yield { fromClient: false, seq: s, ack: c + 1, flags: FIN | ACK, payload: empty };
}

/** The messages a capture of `total` bytes holds (what `zmqkit dump` should print). */
export function messageCount(total: number): number {
  return Math.ceil(total / PAYLOAD);
}

/**
 * Chunks of a capture with about `total` bytes of ZMTP messages. pcap records are 16-byte
 * headers; pcapng packets are EPBs after a section header and one Ethernet interface.
 */
export function* bigCapture(
  total: number,
  format: "pcap" | "pcapng" = "pcap",
): Generator<Uint8Array, void, undefined> {
  const CHUNK = 1 << 20;
  let out = new Uint8Array(CHUNK + 2 * (PAYLOAD + 64));
  let v = new DataView(out.buffer);
  let o = 0;
  if (format === "pcap") {
    v.setUint32(0, 0xa1b2c3d4, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setUint32(16, 262144, true);
    v.setUint32(20, 1, true);
    o = 24;
  } else {
    // SHB (28 bytes) and an IDB without options (20 bytes), little-endian
    for (const [off, val] of [[0, 0x0a0d0d0a], [4, 28], [8, 0x1a2b3c4d], [24, 28]]) {
      v.setUint32(off!, val!, true);
    }
    v.setUint16(12, 1, true);
    v.setInt32(16, -1, true);
    v.setInt32(20, -1, true);
    for (const [off, val] of [[28, 1], [32, 20], [36 + 4, 262144], [44, 20]]) {
      v.setUint32(off!, val!, true);
    }
    v.setUint16(36, 1, true);
    o = 48;
  }
  let usec = 0;
  for (const seg of segments(total)) {
    const t = 1_700_000_000 * 1e6 + usec++;
    if (format === "pcap") {
      const n = writePacket(out, o + 16, seg);
      v.setUint32(o, Math.floor(t / 1e6), true);
      v.setUint32(o + 4, t % 1e6, true);
      v.setUint32(o + 8, n, true);
      v.setUint32(o + 12, n, true);
      o += 16 + n;
    } else {
      const n = writePacket(out, o + 28, seg);
      const len = 32 + ((n + 3) & ~3);
      out.fill(0, o + 28 + n, o + len - 4);
      v.setUint32(o, 6, true);
      v.setUint32(o + 4, len, true);
      v.setUint32(o + 8, 0, true);
      v.setUint32(o + 12, Math.floor(t / 2 ** 32), true);
      v.setUint32(o + 16, t % 2 ** 32, true);
      v.setUint32(o + 20, n, true);
      v.setUint32(o + 24, n, true);
      v.setUint32(o + len - 4, len, true);
      o += len;
    }
    if (o >= CHUNK) {
      yield out.subarray(0, o);
      out = new Uint8Array(CHUNK + 2 * (PAYLOAD + 64));
      v = new DataView(out.buffer);
      o = 0;
    }
  }
  if (o > 0) yield out.subarray(0, o);
}

/** `1G`, `200M`, `64K` or a plain byte count. */
function parseTotal(text: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(text);
  if (!m) throw new Error(`size: ${text}`);
  return Number(m[1]) * ({ "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase()]!);
}

if (import.meta.main) {
  const total = parseTotal(process.argv[2] ?? "200M");
  const format = process.argv[3] === "pcapng" ? "pcapng" : "pcap";
  const stdout = process.stdout;
  stdout.on("error", () => process.exit(0));
  for (const chunk of bigCapture(total, format)) {
    if (!stdout.write(chunk)) await new Promise((r) => stdout.once("drain", r));
  }
}
