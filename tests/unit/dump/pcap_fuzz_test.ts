// SPDX-License-Identifier: MIT
/**
 * Property tests for the capture code: random and mutated captures never make readCapture,
 * parseTcpPacket or TcpReassembler throw; a stream cut into overlapping, duplicated,
 * shuffled segments at any ISN reassembles to itself; and whatever the writer is given
 * reads back unchanged. Fixed seeds and modest run counts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { readCapture } from "../../../lib/internal.ts";
import { parseTcpPacket, type TcpSegment } from "../../../lib/internal.ts";
import { type StreamSide, TcpReassembler } from "../../../lib/internal.ts";
import { PcapngWriter } from "../../../lib/internal.ts";
import {
  cat,
  epb,
  ethernet,
  idb,
  ipv4,
  ipv6,
  pcapFile,
  shb,
  sll2,
  spb,
  tcp,
  v6,
} from "../../fixtures/pcap/build.ts";

const params = (seed: number, numRuns: number) => ({ seed, numRuns, endOnFailure: true });
const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 9999];

/** Runs a capture through the whole pipeline; returns the callback count. */
function pipeline(bytes: Uint8Array): number {
  let calls = 0;
  const closed = new Set<number>();
  const r = new TcpReassembler({
    onOpen: () => calls++,
    onData: (id, _from, b) => {
      assert.ok(!closed.has(id), "no data after close");
      assert.ok(b.length > 0);
      calls++;
    },
    onGap: (id, _from, n) => {
      assert.ok(!closed.has(id), "no gap after close");
      assert.ok(n > 0);
      calls++;
    },
    onClose: (id) => {
      assert.ok(!closed.has(id), "closed once");
      closed.add(id);
      calls++;
    },
  }, { maxBufferedBytes: 4096, maxBufferedSegments: 16 });
  const cap = readCapture(bytes);
  assert.ok(cap.error === undefined || /^offset \d+: /.test(cap.error), String(cap.error));
  for (const p of cap.packets) {
    for (const lt of [p.linkType, 1, 101]) {
      const s = parseTcpPacket(lt, p.data);
      if (s !== undefined) r.push(s, p.time);
    }
  }
  r.finish(0);
  return calls;
}

/** A small valid classic pcap and a pcapng holding TCP traffic, as mutation seeds. */
function seeds(): Uint8Array[] {
  const seg = (seq: number, flags: string, body: string) =>
    tcp({ srcPort: 40000, dstPort: 5555, seq, flags }, new TextEncoder().encode(body));
  const a = [10, 0, 0, 1];
  const b = [10, 0, 0, 2];
  const packets = [
    ethernet(0x0800, ipv4({ src: a, dst: b }, seg(1, "S", ""))),
    ethernet(0x0800, ipv4({ src: a, dst: b }, seg(2, "PA", "hello"))),
    ethernet(
      0x86dd,
      ipv6(v6(1, 0, 0, 0, 0, 0, 0, 1), v6(2, 0, 0, 0, 0, 0, 0, 2), seg(9, "FA", "x")),
    ),
  ];
  const classic = pcapFile(
    { le: true, linkType: 1 },
    packets.map((data, i) => ({ sec: i, frac: 0, data })),
  );
  const ng = cat(
    shb(false),
    idb(false, 276, [[9, [0x83]]]),
    epb(false, 0, 5n, sll2(0x0800, ipv4({ src: a, dst: b }, seg(7, "PA", "ng")))),
    spb(false, sll2(0x0800, ipv4({ src: b, dst: a }, seg(3, "RA", "")))),
  );
  const written: Uint8Array[] = [];
  const w = new PcapngWriter((x) => written.push(x));
  w.open(1, { host: "::1", port: 1 }, { host: "::1", port: 2 }, 1);
  w.data(1, "client", new Uint8Array(300).fill(65), 2);
  w.close(1, 3);
  return [classic, ng, cat(...written)];
}

const mutation = fc.record({
  seed: fc.nat(2),
  overwrite: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
  cut: fc.option(fc.nat()),
  insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }))),
});

describe("capture fuzzing", () => {
  it("random bytes through the pipeline never throw", () => {
    const head = fc.constantFrom(
      [0xd4, 0xc3, 0xb2, 0xa1],
      [0xa1, 0xb2, 0x3c, 0x4d],
      [0x0a, 0x0d, 0x0d, 0x0a],
      [],
    );
    fc.assert(
      fc.property(head, fc.uint8Array({ maxLength: 600 }), (h, rest) => {
        pipeline(cat(Uint8Array.from(h), rest));
      }),
      params(0x9ca9, 1500),
    );
  });

  it("random packets under every link type never throw", () => {
    fc.assert(
      fc.property(fc.constantFrom(...LINK_TYPES), fc.uint8Array({ maxLength: 200 }), (lt, d) => {
        const s = parseTcpPacket(lt, d);
        if (s !== undefined) assert.ok(s.payload.length <= s.length);
      }),
      params(0x7c9, 3000),
    );
  });

  it("mutated valid packets never throw, and never claim bytes they do not have", () => {
    const seg = tcp(
      { srcPort: 1, dstPort: 2, seq: 3, options: [2, 4, 5, 0xb4] },
      new Uint8Array(20),
    );
    const hop = { type: 0, bytes: [0, 0, 1, 4, 0, 0, 0, 0] };
    const frag = { type: 44, bytes: [0, 0, 0, 1, 0, 0, 0, 9] };
    const bases: Array<[number, Uint8Array]> = [
      [101, ipv4({ src: [1, 2, 3, 4], dst: [5, 6, 7, 8], options: [1, 1, 1, 1] }, seg)],
      [101, ipv6(v6(1, 0, 0, 0, 0, 0, 0, 1), v6(2, 0, 0, 0, 0, 0, 0, 2), seg, [hop, frag])],
      [1, ethernet(0x0800, ipv4({ src: [1, 2, 3, 4], dst: [5, 6, 7, 8] }, seg), [[0x8100, 1]])],
      [276, sll2(0x86dd, ipv6(v6(1, 0, 0, 0, 0, 0, 0, 1), v6(2, 0, 0, 0, 0, 0, 0, 2), seg))],
    ];
    const edit = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 4,
    });
    assert.ok(bases.every(([lt, d]) => parseTcpPacket(lt, d) !== undefined), "bases decode");
    fc.assert(
      fc.property(fc.nat(bases.length - 1), edit, fc.option(fc.nat()), (i, edits, cut) => {
        const [lt, base] = bases[i]!;
        let d = base.slice();
        for (const [at, v] of edits) d[at % d.length] = v;
        if (cut !== null) d = d.subarray(0, cut % (d.length + 1));
        const s = parseTcpPacket(lt, d);
        if (s === undefined) return;
        const start = s.payload.byteOffset - d.byteOffset;
        assert.ok(start >= 0 && start + s.payload.length <= d.length, "payload inside the packet");
        assert.ok(s.payload.length <= s.length);
      }),
      params(0xfeed, 3000),
    );
  });

  it("mutated valid captures never throw", () => {
    const all = seeds();
    assert.ok(all.every((s) => pipeline(s) > 0), "the seeds themselves decode");
    fc.assert(
      fc.property(mutation, (m) => {
        const base = all[m.seed]!;
        let bytes: Uint8Array = base.slice();
        for (const [at, v] of m.overwrite) bytes[at % bytes.length] = v;
        if (m.insert !== null) {
          const at = m.insert[0] % bytes.length;
          bytes = cat(bytes.subarray(0, at), m.insert[1], bytes.subarray(at));
        }
        if (m.cut !== null) bytes = bytes.subarray(0, m.cut % (bytes.length + 1));
        pipeline(bytes);
      }),
      params(0x5eed, 2000),
    );
  });

  it("random segment streams never throw the reassembler", () => {
    const segment = fc.record({
      fromClient: fc.boolean(),
      seq: fc.oneof(fc.nat({ max: 64 }), fc.constant(0xfffffff0), fc.nat({ max: 0xffffffff })),
      flags: fc.record({
        syn: fc.boolean(),
        ack: fc.boolean(),
        fin: fc.boolean(),
        rst: fc.boolean(),
        psh: fc.boolean(),
      }),
      len: fc.nat({ max: 40 }),
      extra: fc.nat({ max: 20 }),
      port: fc.constantFrom(1, 2),
    });
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 60 }), (list) => {
        const r = new TcpReassembler({ onOpen() {}, onData() {}, onGap() {}, onClose() {} }, {
          maxBufferedBytes: 64,
          maxBufferedSegments: 4,
        });
        for (const [i, x] of list.entries()) {
          const ends = x.fromClient
            ? { src: "a", srcPort: x.port, dst: "b", dstPort: 9 }
            : { src: "b", srcPort: 9, dst: "a", dstPort: x.port };
          r.push({
            ...ends,
            seq: x.seq,
            ack: 0,
            flags: x.flags,
            payload: new Uint8Array(x.len),
            length: x.len + x.extra,
          }, i);
        }
        r.finish(list.length);
      }),
      params(0x1234, 1000),
    );
  });

  it("overlapping, duplicated, shuffled segments at any ISN reassemble exactly", () => {
    const plan = fc.record({
      isn: fc.oneof(fc.nat({ max: 0xffffffff }), fc.integer({ min: 0xffffff00, max: 0xffffffff })),
      data: fc.uint8Array({ minLength: 1, maxLength: 400 }),
      cuts: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 60 })), {
        minLength: 1,
        maxLength: 40,
      }),
      order: fc.array(fc.nat(), { maxLength: 80 }),
    });
    fc.assert(
      fc.property(plan, ({ isn, data, cuts, order }) => {
        // Segments that together cover every byte, plus random overlapping extra pieces.
        const pieces: Array<[number, number]> = [];
        for (let o = 0; o < data.length; o += 37) pieces.push([o, Math.min(data.length, o + 37)]);
        for (const [at, n] of cuts) {
          const start = at % data.length;
          pieces.push([start, Math.min(data.length, start + n)]);
        }
        for (let i = pieces.length - 1; i > 0; i--) { // shuffle by the `order` numbers
          const j = (order[i % Math.max(1, order.length)] ?? 0) % (i + 1);
          [pieces[i], pieces[j]] = [pieces[j]!, pieces[i]!];
        }
        const got: Uint8Array[] = [];
        const events: string[] = [];
        const r = new TcpReassembler({
          onOpen: () => events.push("open"),
          onData: (_id, from: StreamSide, b) => {
            assert.equal(from, "client");
            got.push(b.slice());
          },
          onGap: () => events.push("gap"),
          onClose: (_id, _t, reason) => events.push(reason),
        });
        const flags = { syn: false, ack: true, fin: false, rst: false, psh: false };
        const ends = { src: "10.0.0.1", srcPort: 40000, dst: "10.0.0.2", dstPort: 5555 };
        r.push({
          ...ends,
          seq: isn,
          ack: 0,
          flags: { ...flags, syn: true, ack: false },
          payload: new Uint8Array(0),
          length: 0,
        }, 0);
        for (const [s, e] of pieces) {
          const payload = data.subarray(s, e);
          r.push({
            ...ends,
            seq: (isn + 1 + s) >>> 0,
            ack: 0,
            flags,
            payload,
            length: payload.length,
          }, 1);
        }
        r.finish(2);
        assert.deepEqual(events, ["open", "end of capture"]);
        assert.deepEqual(cat(...got), data);
      }),
      params(0xabcd, 400),
    );
  });

  it("any data written by the writer reads back unchanged", () => {
    const op = fc.record({
      fromClient: fc.boolean(),
      data: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constant(new Uint8Array(130_001))),
    });
    const host = fc.constantFrom("127.0.0.1", "::1", "10.9.8.7", "2001:db8::1", "localhost");
    fc.assert(
      fc.property(host, host, fc.array(op, { maxLength: 6 }), (ch, sh, ops) => {
        const out: Uint8Array[] = [];
        const w = new PcapngWriter((b) => out.push(b));
        w.open(7, { host: ch, port: 50000 }, { host: sh, port: 5555 }, 1000.5);
        const sent = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
        for (const [i, o] of ops.entries()) {
          const from: StreamSide = o.fromClient ? "client" : "server";
          w.data(7, from, o.data, 1001 + i);
          sent[from].push(o.data);
        }
        w.close(7, 2000);
        const got = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
        const reasons: string[] = [];
        const r = new TcpReassembler({
          onOpen() {},
          onData: (_id, from, b) => got[from].push(b),
          onGap: () => assert.fail("no gaps"),
          onClose: (_id, _t, reason) => reasons.push(reason),
        });
        const cap = readCapture(cat(...out));
        assert.equal(cap.error, undefined);
        for (const p of cap.packets) {
          const s: TcpSegment | undefined = parseTcpPacket(p.linkType, p.data);
          assert.ok(s);
          r.push(s, p.time);
        }
        assert.deepEqual(reasons, ["fin"]);
        assert.deepEqual(cat(...got.client), cat(...sent.client));
        assert.deepEqual(cat(...got.server), cat(...sent.server));
      }),
      params(0x77, 60),
    );
  });
});
