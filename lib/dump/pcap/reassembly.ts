// SPDX-License-Identifier: MIT
/**
 * TCP stream reassembly for captures: turns the segments of each connection into the two
 * byte streams its peers saw, in order and without duplicates. Handles retransmissions,
 * overlaps, out-of-order delivery (bounded buffering, then a reported gap), 32-bit sequence
 * wrap-around, FIN/RST, and a new SYN reusing a closed 4-tuple. Pure; never throws (short of
 * a callback throwing).
 */
import { endpointText } from "./address.ts";
import type { TcpSegment } from "./packet.ts";

export type StreamSide = "client" | "server";

export interface ReassemblyCallbacks {
  /** A connection appeared. `client`/`server` are "ip:port" or "[ip]:port". */
  onOpen(id: number, client: string, server: string, time: number): void;
  /** The next in-order bytes from one side (views into the capture; copy to keep them). */
  onData(id: number, from: StreamSide, bytes: Uint8Array, time: number): void;
  /** `missingBytes` bytes from `from` were never captured; the stream skips over them. */
  onGap(id: number, from: StreamSide, missingBytes: number, time: number): void;
  /** The connection ended: "fin", "reset by client|server", "end of capture", "reused". */
  onClose(id: number, time: number, reason: string): void;
}

export interface ReassemblyOptions {
  /** Keep only flows with one of these ports at either end. */
  ports?: number[];
  /** Out-of-order bytes held per direction before skipping ahead (default 4 MiB). */
  maxBufferedBytes?: number;
  /** Out-of-order segments held per direction before skipping ahead (default 4096). */
  maxBufferedSegments?: number;
}

/** A buffered out-of-order segment: `bytes` at stream offset `pos`, wire length `end - pos`. */
interface Chunk {
  pos: number;
  end: number;
  bytes: Uint8Array;
}

/** One direction of a connection. Positions are stream offsets from the first data byte. */
interface Direction {
  side: StreamSide;
  /** Sequence number of stream offset 0, once known. */
  base: number | undefined;
  /** Offset of the next byte to deliver. */
  next: number;
  /** Offset of the FIN, once seen. */
  fin: number | undefined;
  done: boolean;
  chunks: Chunk[];
  buffered: number;
}

interface Connection {
  id: number;
  key: string;
  /** "ip port" of the client, to tell directions apart. */
  clientKey: string;
  client: Direction;
  server: Direction;
  closed: boolean;
}

/** Closed connections remembered (to swallow their late segments) before the oldest goes. */
const MAX_CLOSED = 65536;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_SEGMENTS = 4096;

/** A positive integer option, or its default. */
function bound(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? Math.max(1, Math.floor(value)) : fallback;
}

export class TcpReassembler {
  #cb: ReassemblyCallbacks;
  #ports: Set<number> | undefined;
  #maxBytes: number;
  #maxSegments: number;
  #open = new Map<string, Connection>();
  #closed = new Map<string, Connection>();
  #nextId = 1;

  constructor(callbacks: ReassemblyCallbacks, options: ReassemblyOptions = {}) {
    this.#cb = callbacks;
    this.#ports = options.ports === undefined ? undefined : new Set(options.ports);
    this.#maxBytes = bound(options.maxBufferedBytes, DEFAULT_MAX_BYTES);
    this.#maxSegments = bound(options.maxBufferedSegments, DEFAULT_MAX_SEGMENTS);
  }

  /** Feeds one captured segment, seen at `time` (ms since the epoch). */
  push(segment: TcpSegment, time: number): void {
    const s = segment;
    if (this.#ports !== undefined && !this.#ports.has(s.srcPort) && !this.#ports.has(s.dstPort)) {
      return;
    }
    const srcKey = `${s.src} ${s.srcPort}`;
    const dstKey = `${s.dst} ${s.dstPort}`;
    const key = srcKey < dstKey ? `${srcKey}|${dstKey}` : `${dstKey}|${srcKey}`;
    const opening = s.flags.syn && !s.flags.ack;
    let conn = this.#open.get(key);
    if (conn !== undefined && opening) {
      const dir = conn.clientKey === srcKey ? conn.client : conn.server;
      // A client SYN matching this stream's start (or the first one seen, after a SYN-ACK
      // that overtook it) belongs to it; any other SYN starts a new connection.
      if (dir !== conn.client || (dir.base !== undefined && dir.base !== (s.seq + 1) >>> 0)) {
        this.#close(conn, time, "reused");
        conn = undefined;
      }
    }
    if (conn === undefined) {
      if (!opening && this.#closed.has(key)) return; // late segment of a finished stream
      if (s.flags.rst || (!s.flags.syn && s.length === 0)) return; // nothing to show yet
      conn = this.#create(key, s, srcKey, dstKey, time);
    }
    const dir = conn.clientKey === srcKey ? conn.client : conn.server;
    if (s.flags.rst) {
      this.#close(conn, time, `reset by ${dir.side}`);
      return;
    }
    this.#segment(conn, dir, s, time);
    if (conn.client.done && conn.server.done) this.#close(conn, time, "fin");
  }

  /** Ends the capture: delivers what is buffered (with gaps) and closes open streams. */
  finish(time: number): void {
    for (const conn of [...this.#open.values()]) this.#close(conn, time, "end of capture");
  }

  #create(key: string, s: TcpSegment, srcKey: string, dstKey: string, time: number): Connection {
    // The SYN sender is the client; a SYN-ACK comes from the server; without either, the
    // higher (ephemeral) port is the client, and on a tie the first sender.
    let srcIsClient: boolean;
    if (s.flags.syn) srcIsClient = !s.flags.ack;
    else srcIsClient = s.srcPort >= s.dstPort;
    const direction = (side: StreamSide): Direction => ({
      side,
      base: undefined,
      next: 0,
      fin: undefined,
      done: false,
      chunks: [],
      buffered: 0,
    });
    const conn: Connection = {
      id: this.#nextId++,
      key,
      clientKey: srcIsClient ? srcKey : dstKey,
      client: direction("client"),
      server: direction("server"),
      closed: false,
    };
    this.#closed.delete(key);
    this.#open.set(key, conn);
    const src = endpointText(s.src, s.srcPort);
    const dst = endpointText(s.dst, s.dstPort);
    this.#cb.onOpen(conn.id, srcIsClient ? src : dst, srcIsClient ? dst : src, time);
    return conn;
  }

  #segment(conn: Connection, dir: Direction, s: TcpSegment, time: number): void {
    const dataSeq = s.flags.syn ? (s.seq + 1) >>> 0 : s.seq;
    if (dir.base === undefined) dir.base = dataSeq;
    if (dir.done) return;
    // Unwrap the 32-bit sequence number to the stream offset nearest the expected one.
    const expected = (dir.base + dir.next) >>> 0;
    const pos = dir.next + ((dataSeq - expected) | 0);
    if (pos < 0 && pos + s.length <= 0) return; // before the stream start: ignore
    if (s.flags.fin && dir.fin === undefined) dir.fin = pos + s.length;
    if (s.length > 0) this.#insert(conn, dir, { pos, end: pos + s.length, bytes: s.payload }, time);
    this.#drain(conn, dir, time);
  }

  #insert(conn: Connection, dir: Direction, chunk: Chunk, time: number): void {
    if (chunk.end <= dir.next) return; // all seen before: a retransmission
    if (chunk.pos <= dir.next) {
      this.#deliver(conn, dir, chunk, time);
      return;
    }
    // Out of order: keep it, sorted by position (an equal-position chunk keeps the longer).
    const list = dir.chunks;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.pos < chunk.pos) lo = mid + 1;
      else hi = mid;
    }
    const same = list[lo];
    if (same !== undefined && same.pos === chunk.pos) {
      if (same.bytes.length >= chunk.bytes.length && same.end >= chunk.end) return;
      dir.buffered -= same.bytes.length;
      list[lo] = chunk;
    } else {
      list.splice(lo, 0, chunk);
    }
    dir.buffered += chunk.bytes.length;
    // Over the bound: give up on the hole and skip ahead to the earliest buffered bytes.
    while (
      dir.chunks.length > 0 && (dir.buffered > this.#maxBytes || list.length > this.#maxSegments)
    ) {
      const first = dir.chunks[0]!;
      if (first.pos > dir.next) {
        this.#cb.onGap(conn.id, dir.side, first.pos - dir.next, time);
        dir.next = first.pos;
      }
      this.#drain(conn, dir, time);
    }
  }

  /** Delivers buffered chunks that have become contiguous; notes the FIN when reached. */
  #drain(conn: Connection, dir: Direction, time: number): void {
    while (dir.chunks.length > 0 && dir.chunks[0]!.pos <= dir.next) {
      const chunk = dir.chunks.shift()!;
      dir.buffered -= chunk.bytes.length;
      if (chunk.end > dir.next) this.#deliver(conn, dir, chunk, time);
    }
    if (dir.fin !== undefined && dir.next >= dir.fin && dir.chunks.length === 0) dir.done = true;
  }

  /** Delivers the part of `chunk` past `dir.next` (it starts at or before it). */
  #deliver(conn: Connection, dir: Direction, chunk: Chunk, time: number): void {
    const capturedEnd = chunk.pos + chunk.bytes.length;
    if (capturedEnd > dir.next) {
      this.#cb.onData(conn.id, dir.side, chunk.bytes.subarray(dir.next - chunk.pos), time);
      dir.next = capturedEnd;
    }
    if (chunk.end > dir.next) { // a truncated capture: the rest of the segment is missing
      this.#cb.onGap(conn.id, dir.side, chunk.end - dir.next, time);
      dir.next = chunk.end;
    }
  }

  /** Flushes both directions (reporting holes as gaps) and reports the close. */
  #close(conn: Connection, time: number, reason: string): void {
    if (conn.closed) return;
    conn.closed = true;
    for (const dir of [conn.client, conn.server]) {
      while (dir.chunks.length > 0) {
        const first = dir.chunks[0]!;
        if (first.pos > dir.next) {
          this.#cb.onGap(conn.id, dir.side, first.pos - dir.next, time);
          dir.next = first.pos;
        }
        this.#drain(conn, dir, time);
      }
    }
    this.#open.delete(conn.key);
    this.#closed.set(conn.key, conn);
    if (this.#closed.size > MAX_CLOSED) {
      const oldest = this.#closed.keys().next();
      if (oldest.done !== true) this.#closed.delete(oldest.value);
    }
    this.#cb.onClose(conn.id, time, reason);
  }
}
