// SPDX-License-Identifier: MIT
/**
 * TcpReassembler: in-order, out-of-order, retransmitted, overlapping and wrapping segments,
 * FIN/RST, 4-tuple reuse, streams without a captured SYN, the port filter, the buffering
 * bound, truncated captures and end-of-capture flushing.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ReassemblyOptions, type StreamSide, TcpReassembler } from "../../../lib/internal.ts";
import type { TcpSegment } from "../../../lib/internal.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Records callbacks; `streams` joins the data per connection and side, gaps as "<gap N>". */
class Recorder {
  events: string[] = [];
  streams = new Map<string, string>();
  reassembler: TcpReassembler;
  constructor(options?: ReassemblyOptions) {
    this.reassembler = new TcpReassembler({
      onOpen: (id, client, server, time) =>
        this.events.push(`open ${id} ${client} ${server} @${time}`),
      onData: (id, from, bytes) => this.#append(id, from, new TextDecoder().decode(bytes)),
      onGap: (id, from, missing) => {
        this.events.push(`gap ${id} ${from} ${missing}`);
        this.#append(id, from, `<gap ${missing}>`);
      },
      onClose: (id, time, reason) => this.events.push(`close ${id} ${reason} @${time}`),
    }, options);
  }
  #append(id: number, from: StreamSide, s: string): void {
    const k = `${id} ${from}`;
    this.streams.set(k, (this.streams.get(k) ?? "") + s);
  }
  stream(id: number, from: StreamSide): string {
    return this.streams.get(`${id} ${from}`) ?? "";
  }
}

interface Ends {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
}
const C: Ends = { src: "10.0.0.1", srcPort: 40000, dst: "10.0.0.2", dstPort: 5555 };
const S: Ends = { src: "10.0.0.2", srcPort: 5555, dst: "10.0.0.1", dstPort: 40000 };

function seg(
  ends: Ends,
  seq: number,
  flags: string,
  payload: string | Uint8Array = "",
  extra: { ack?: number; length?: number } = {},
): TcpSegment {
  const bytes = typeof payload === "string" ? enc(payload) : payload;
  const s: TcpSegment = {
    ...ends,
    seq: seq >>> 0,
    ack: extra.ack ?? 0,
    flags: {
      syn: flags.includes("S"),
      ack: flags.includes("A"),
      fin: flags.includes("F"),
      rst: flags.includes("R"),
      psh: flags.includes("P"),
    },
    payload: bytes,
    length: extra.length ?? bytes.length,
  };
  if (s.length > bytes.length) s.truncated = true;
  return s;
}

/** Pushes a SYN/SYN-ACK/ACK for client ISN `c` and server ISN `s`. */
function handshake(r: Recorder, c: number, s: number, ends = [C, S] as const): void {
  r.reassembler.push(seg(ends[0], c, "S"), 1);
  r.reassembler.push(seg(ends[1], s, "SA"), 2);
  r.reassembler.push(seg(ends[0], c + 1, "A"), 3);
}

describe("TcpReassembler", () => {
  it("delivers a plain connection and closes it on both FINs", () => {
    const r = new Recorder();
    handshake(r, 1000, 5000);
    const p = r.reassembler;
    p.push(seg(C, 1001, "PA", "hello "), 4);
    p.push(seg(C, 1007, "PA", "world"), 5);
    p.push(seg(S, 5001, "PA", "reply"), 6);
    p.push(seg(C, 1012, "FA"), 7);
    p.push(seg(S, 5006, "FA"), 8);
    p.push(seg(C, 1013, "A"), 9); // final ACK: swallowed
    p.finish(10);
    assert.deepEqual(r.events, ["open 1 10.0.0.1:40000 10.0.0.2:5555 @1", "close 1 fin @8"]);
    assert.equal(r.stream(1, "client"), "hello world");
    assert.equal(r.stream(1, "server"), "reply");
  });

  it("reorders out-of-order segments and drops retransmissions", () => {
    const r = new Recorder();
    handshake(r, 1, 2);
    const p = r.reassembler;
    p.push(seg(C, 12, "A", "cccc"), 4);
    p.push(seg(C, 7, "A", "bbbbb"), 5);
    p.push(seg(C, 12, "A", "cccc"), 6); // duplicate of a buffered segment
    p.push(seg(C, 2, "A", "aaaaa"), 7);
    p.push(seg(C, 2, "A", "aaaaa"), 8); // retransmission of delivered bytes
    p.push(seg(C, 7, "A", "bbbbb"), 9);
    p.push(seg(C, 16, "A", "d"), 10);
    assert.equal(r.stream(1, "client"), "aaaaabbbbbccccd");
    assert.ok(!r.events.some((e) => e.startsWith("gap")));
  });

  it("merges overlapping segments; bytes already delivered are not replaced", () => {
    const r = new Recorder();
    handshake(r, 100, 200);
    const p = r.reassembler;
    p.push(seg(C, 101, "A", "0123456789"), 4);
    p.push(seg(C, 106, "A", "56789abcde"), 5); // overlaps the tail
    p.push(seg(C, 121, "A", "klmn"), 6); // ahead
    p.push(seg(C, 119, "A", "ijkl"), 7); // ahead, overlapping the buffered one
    p.push(seg(C, 104, "A", "XXXXXXXXXXXXfgh"), 8); // overlaps old and fills the hole
    assert.equal(r.stream(1, "client"), "0123456789abcdefghijklmn");
  });

  it("follows sequence numbers across the 32-bit wrap, in and out of order", () => {
    const r = new Recorder();
    handshake(r, 0xfffffff0, 0xfffffffe);
    const p = r.reassembler;
    const a = "A".repeat(15); // 0xfffffff1 .. 0xffffffff
    p.push(seg(C, 0xfffffff1 + 15 + 10, "A", "third"), 4); // after the wrap
    p.push(seg(C, 0xfffffff1, "A", a), 5);
    p.push(seg(C, 0xfffffff1 + 15, "A", "0123456789"), 6); // starts at 0
    p.push(seg(S, 0xffffffff, "A", "xy"), 7); // 0xffffffff, 0
    p.push(seg(S, 1, "A", "z"), 8);
    p.push(seg(S, 0xffffffff, "A", "xy"), 9); // retransmission before the wrap
    assert.equal(r.stream(1, "client"), `${a}0123456789third`);
    assert.equal(r.stream(1, "server"), "xyz");
  });

  it("closes on RST, reporting still-missing bytes as a gap", () => {
    const r = new Recorder();
    handshake(r, 10, 20);
    const p = r.reassembler;
    p.push(seg(C, 11, "A", "abc"), 4);
    p.push(seg(C, 20, "A", "tail"), 5); // 6 bytes missing before it
    p.push(seg(S, 21, "RA"), 6);
    p.push(seg(S, 21, "RA"), 7); // a repeated RST after close: ignored
    assert.equal(r.stream(1, "client"), "abc<gap 6>tail");
    assert.deepEqual(r.events.slice(1), ["gap 1 client 6", "close 1 reset by server @6"]);
  });

  it("opens a new connection id when a SYN reuses a closed 4-tuple", () => {
    const r = new Recorder();
    handshake(r, 10, 20);
    const p = r.reassembler;
    p.push(seg(C, 11, "PA", "first"), 4);
    p.push(seg(C, 16, "FA"), 5);
    p.push(seg(S, 21, "FA"), 6);
    p.push(seg(C, 17, "A"), 7);
    p.push(seg(S, 21, "A"), 8); // late ACK: no new stream
    handshake(r, 9000, 7000);
    p.push(seg(C, 9001, "PA", "second"), 9);
    p.push(seg(C, 9000, "S"), 10); // a retransmitted SYN does not reopen
    p.finish(11);
    assert.deepEqual(r.events, [
      "open 1 10.0.0.1:40000 10.0.0.2:5555 @1",
      "close 1 fin @6",
      "open 2 10.0.0.1:40000 10.0.0.2:5555 @1",
      "close 2 end of capture @11",
    ]);
    assert.equal(r.stream(2, "client"), "second");
  });

  it("a SYN with a new ISN on an open 4-tuple ends the old stream", () => {
    const r = new Recorder();
    handshake(r, 10, 20);
    r.reassembler.push(seg(C, 11, "A", "x"), 4);
    r.reassembler.push(seg(C, 500, "S"), 5);
    assert.deepEqual(r.events.slice(1), [
      "close 1 reused @5",
      "open 2 10.0.0.1:40000 10.0.0.2:5555 @5",
    ]);
  });

  it("without a SYN, the higher port is the client; on a tie, the first sender", () => {
    const r = new Recorder();
    const p = r.reassembler;
    p.push(seg(S, 700, "A"), 1); // zero-length ACK: opens nothing
    p.push(seg(S, 700, "PA", "from server"), 2);
    p.push(seg(C, 300, "PA", "from client"), 3);
    const tieA: Ends = { src: "10.0.0.9", srcPort: 7000, dst: "10.0.0.8", dstPort: 7000 };
    const tieB: Ends = { src: "10.0.0.8", srcPort: 7000, dst: "10.0.0.9", dstPort: 7000 };
    p.push(seg(tieA, 1, "PA", "a"), 4);
    p.push(seg(tieB, 1, "PA", "b"), 5);
    p.finish(6);
    assert.deepEqual(r.events, [
      "open 1 10.0.0.1:40000 10.0.0.2:5555 @2",
      "open 2 10.0.0.9:7000 10.0.0.8:7000 @4",
      "close 1 end of capture @6",
      "close 2 end of capture @6",
    ]);
    assert.equal(r.stream(1, "server"), "from server");
    assert.equal(r.stream(1, "client"), "from client");
    assert.equal(r.stream(2, "client"), "a");
  });

  it("a SYN-ACK without its SYN still names the server", () => {
    const r = new Recorder();
    r.reassembler.push(seg(S, 50, "SA"), 1);
    r.reassembler.push(seg(S, 51, "PA", "banner"), 2);
    assert.deepEqual(r.events, ["open 1 10.0.0.1:40000 10.0.0.2:5555 @1"]);
    assert.equal(r.stream(1, "server"), "banner");
  });

  it("takes a SYN that arrives after its SYN-ACK as part of the same stream", () => {
    const r = new Recorder();
    r.reassembler.push(seg(S, 50, "SA"), 1);
    r.reassembler.push(seg(C, 10, "S"), 2);
    r.reassembler.push(seg(C, 11, "PA", "req"), 3);
    assert.deepEqual(r.events, ["open 1 10.0.0.1:40000 10.0.0.2:5555 @1"]);
    assert.equal(r.stream(1, "client"), "req");
  });

  it("names IPv6 endpoints with brackets", () => {
    const r = new Recorder();
    const c6: Ends = { src: "::1", srcPort: 50000, dst: "fe80::2", dstPort: 5555 };
    r.reassembler.push(seg(c6, 1, "S"), 1);
    assert.deepEqual(r.events, ["open 1 [::1]:50000 [fe80::2]:5555 @1"]);
  });

  it("keeps only flows on the given ports", () => {
    const r = new Recorder({ ports: [5555] });
    const other: Ends = { src: "10.0.0.1", srcPort: 40001, dst: "10.0.0.3", dstPort: 80 };
    r.reassembler.push(seg(other, 1, "S"), 1);
    r.reassembler.push(seg(other, 2, "PA", "GET /"), 2);
    handshake(r, 1, 1);
    assert.deepEqual(r.events, ["open 1 10.0.0.1:40000 10.0.0.2:5555 @1"]);
  });

  it("skips ahead with a gap when the out-of-order buffer is full", () => {
    const r = new Recorder({ maxBufferedBytes: 8 });
    handshake(r, 0, 0);
    const p = r.reassembler;
    p.push(seg(C, 1, "A", "ab"), 4);
    p.push(seg(C, 13, "A", "wxyz"), 5); // 10 missing before it
    p.push(seg(C, 17, "A", "1234"), 6); // 8 buffered: still within the bound
    p.push(seg(C, 25, "A", "!"), 7); // 9 buffered: skip the hole
    assert.equal(r.stream(1, "client"), "ab<gap 10>wxyz1234");
    p.push(seg(C, 3, "A", "late!"), 8); // arrives after the skip: dropped
    p.push(seg(C, 21, "A", "5678"), 9);
    assert.equal(r.stream(1, "client"), "ab<gap 10>wxyz12345678!");
  });

  it("bounds the number of buffered segments too", () => {
    const r = new Recorder({ maxBufferedSegments: 3 });
    handshake(r, 0, 0);
    for (let i = 0; i < 4; i++) r.reassembler.push(seg(C, 3 + i, "A", String(i)), 4 + i);
    assert.equal(r.stream(1, "client"), "<gap 2>0123");
  });

  it("reports the uncaptured rest of a truncated segment as a gap", () => {
    const r = new Recorder();
    handshake(r, 0, 0);
    r.reassembler.push(seg(C, 1, "A", "head", { length: 10 }), 4);
    r.reassembler.push(seg(C, 11, "A", "next"), 5);
    r.reassembler.push(seg(C, 21, "A", "cut", { length: 5 }), 6); // buffered, truncated
    r.reassembler.push(seg(C, 26, "A", "end"), 7);
    r.reassembler.push(seg(C, 15, "A", "hole!!"), 8);
    assert.equal(r.stream(1, "client"), "head<gap 6>nexthole!!cut<gap 2>end");
  });

  it("waits for data before a FIN that arrived early", () => {
    const r = new Recorder();
    handshake(r, 0, 0);
    const p = r.reassembler;
    p.push(seg(S, 1, "FA"), 4);
    p.push(seg(C, 4, "FA", "de"), 5); // FIN carries data; "abc" still missing
    assert.deepEqual(r.events.slice(1), []);
    p.push(seg(C, 1, "A", "abc"), 6);
    assert.deepEqual(r.events.slice(1), ["close 1 fin @6"]);
    assert.equal(r.stream(1, "client"), "abcde");
  });

  it("finish flushes holes as gaps and closes every open stream", () => {
    const r = new Recorder();
    handshake(r, 0, 0);
    r.reassembler.push(seg(C, 5, "A", "later"), 4);
    r.reassembler.finish(99);
    r.reassembler.finish(100);
    assert.equal(r.stream(1, "client"), "<gap 4>later");
    assert.deepEqual(r.events.slice(1), ["gap 1 client 4", "close 1 end of capture @99"]);
  });

  it("carries SYN payload (TCP Fast Open) as the first bytes", () => {
    const r = new Recorder();
    r.reassembler.push(seg(C, 41, "S", "tfo"), 1);
    r.reassembler.push(seg(C, 45, "A", "more"), 2);
    assert.equal(r.stream(1, "client"), "tfomore");
  });
});
