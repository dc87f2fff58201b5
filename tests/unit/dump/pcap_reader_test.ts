// SPDX-License-Identifier: MIT
/**
 * readCapture on hand-built files: classic pcap in both byte orders with µs and ns
 * timestamps (and the "modified" variant), pcapng with several sections of either byte
 * order, if_tsresol/if_tsoffset, EPB/SPB/PB and unknown blocks, and damaged files. Then
 * CaptureReader fed in chunks: any split gives what the whole gives, packets as soon as
 * their record is complete, and bounds on what a record or block may claim.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import {
  CaptureReader,
  type CaptureResult,
  MAX_BLOCK,
  MAX_PACKET,
  type Packet,
  readCapture,
} from "../../../lib/internal.ts";
import { block, cat, epb, idb, pb, pcapFile, shb, spb, text } from "../../fixtures/pcap/build.ts";

const hex = (s: string): Uint8Array =>
  Uint8Array.from((s.replace(/\s+/g, "").match(/../g) ?? []).map((h) => parseInt(h, 16)));

describe("readCapture: classic pcap", () => {
  it("reads a hand-typed little-endian µs file", () => {
    const file = hex(`
      d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000
      40e20165 20a10700 03000000 05000000 aabbcc`);
    const { packets, error } = readCapture(file);
    assert.equal(error, undefined);
    assert.equal(packets.length, 1);
    const p = packets[0]!;
    assert.equal(p.linkType, 1);
    assert.equal(p.time, 0x6501e240 * 1000 + 500000 / 1000);
    assert.deepEqual([...p.data], [0xaa, 0xbb, 0xcc]);
    assert.equal(p.originalLength, 5);
  });

  for (const le of [true, false]) {
    for (const ns of [false, true]) {
      it(`reads ${le ? "little" : "big"}-endian ${ns ? "ns" : "µs"} records`, () => {
        const file = pcapFile({ le, ns, linkType: 113 }, [
          { sec: 1700000000, frac: ns ? 123456789 : 123456, data: text("one") },
          { sec: 1700000001, frac: 0, data: text("second"), origLen: 60 },
        ]);
        const { packets, error } = readCapture(file);
        assert.equal(error, undefined);
        assert.equal(packets.length, 2);
        assert.equal(packets[0]!.time, 1700000000 * 1000 + (ns ? 123.456789 : 123.456));
        assert.equal(packets[1]!.time, 1700000001000);
        assert.equal(new TextDecoder().decode(packets[1]!.data), "second");
        assert.equal(packets[1]!.originalLength, 60);
        assert.ok(packets.every((p) => p.linkType === 113));
      });
    }
  }

  it("reads the modified-pcap variant (24-byte records)", () => {
    const file = pcapFile({ le: true, linkType: 1, modified: true }, [
      { sec: 5, frac: 250, data: text("abc") },
      { sec: 6, frac: 0, data: text("de") },
    ]);
    const { packets, error } = readCapture(file);
    assert.equal(error, undefined);
    assert.deepEqual(packets.map((p) => new TextDecoder().decode(p.data)), ["abc", "de"]);
    assert.equal(packets[0]!.time, 5000.25);
  });

  it("masks the FCS bits out of the link type field", () => {
    const file = pcapFile({ le: false, linkType: 0x10000000 | 1 }, [
      { sec: 1, frac: 0, data: text("x") },
    ]);
    assert.equal(readCapture(file).packets[0]!.linkType, 1);
  });

  it("reports a truncated record with its offset and keeps earlier packets", () => {
    const file = pcapFile({ le: true, linkType: 1 }, [
      { sec: 1, frac: 0, data: text("first") },
      { sec: 2, frac: 0, data: text("second packet") },
    ]);
    const cut = readCapture(file.subarray(0, file.length - 3));
    assert.equal(cut.packets.length, 1);
    assert.match(cut.error ?? "", /^offset 45: truncated packet data \(10 of 13 bytes\)$/);
    const headerCut = readCapture(file.subarray(0, 24 + 16 + 5 + 7));
    assert.equal(headerCut.packets.length, 1);
    assert.match(headerCut.error ?? "", /^offset 45: truncated packet record header/);
  });

  it("rejects unknown magic, short input and a short file header without throwing", () => {
    assert.match(readCapture(text("hello world")).error ?? "", /^offset 0: not a pcap/);
    assert.match(readCapture(new Uint8Array(0)).error ?? "", /^offset 0: too short/);
    const header = pcapFile({ le: true, linkType: 1 }, []);
    assert.deepEqual(readCapture(header), { packets: [] });
    assert.match(readCapture(header.subarray(0, 10)).error ?? "", /truncated pcap file header/);
  });
});

describe("readCapture: pcapng", () => {
  it("reads two sections of opposite byte order with their own interfaces", () => {
    const file = cat(
      shb(true),
      idb(true, 1),
      epb(true, 0, 1700000000123456n, text("le-packet")),
      shb(false),
      idb(false, 101, [[9, [9]]]), // ns
      idb(false, 113, [[9, [0x80 | 10]], [2, [...text("eth0")]]]), // 2^-10 s, plus if_name
      epb(false, 1, 1024n * 10n + 512n, text("sll")),
      epb(false, 0, 1700000000123456789n, text("raw")),
    );
    const { packets, error } = readCapture(file);
    assert.equal(error, undefined);
    assert.deepEqual(packets.map((p) => new TextDecoder().decode(p.data)), [
      "le-packet",
      "sll",
      "raw",
    ]);
    assert.deepEqual(packets.map((p) => p.linkType), [1, 113, 101]);
    assert.equal(packets[0]!.time, 1700000000123.456);
    assert.equal(packets[1]!.time, 10500);
    assert.equal(packets[2]!.time, 1700000000123.456789);
  });

  it("applies if_tsoffset and power-of-ten resolutions other than µs", () => {
    const offset = [0, 0, 0, 0, 0, 0, 0, 100]; // big-endian 100 s
    const file = cat(
      shb(false),
      idb(false, 1, [[9, [3]], [14, offset]]), // ms
      epb(false, 0, 2500n, text("a")),
    );
    const { packets, error } = readCapture(file);
    assert.equal(error, undefined);
    assert.equal(packets[0]!.time, 102500);
  });

  it("reads SPB (timestamp of the previous packet, snaplen bound) and obsolete PB", () => {
    const file = cat(
      shb(true),
      idb(true, 1, [], 4),
      pb(true, 0, 7000000n, text("pb")),
      spb(true, text("simple-data"), 11),
      block(true, 0x00000bad, text("unknown block body")),
      block(true, 5, new Uint8Array(12)), // interface statistics
    );
    const { packets, error } = readCapture(file);
    assert.equal(error, undefined);
    assert.equal(packets.length, 2);
    assert.equal(new TextDecoder().decode(packets[0]!.data), "pb");
    assert.equal(packets[0]!.time, 7000);
    assert.equal(new TextDecoder().decode(packets[1]!.data), "simp");
    assert.equal(packets[1]!.originalLength, 11);
    assert.equal(packets[1]!.time, 7000);
  });

  it("stops with an offset on damage, keeping the packets before it", () => {
    const good = cat(shb(true), idb(true, 1), epb(true, 0, 1n, text("ok")));
    const second = epb(true, 0, 2n, text("next"));
    const cut = readCapture(cat(good, second.subarray(0, 20)));
    assert.equal(cut.packets.length, 1);
    assert.equal(
      cut.error,
      `offset ${good.length}: truncated block (20 of ${second.length} bytes)`,
    );

    const badTrailer = cat(good, second);
    badTrailer[badTrailer.length - 1] = 0x7f;
    assert.match(
      readCapture(badTrailer).error ?? "",
      new RegExp(`^offset ${good.length}: block length \\d+ does not match its trailing copy$`),
    );

    const noIface = readCapture(cat(shb(true), epb(true, 0, 1n, text("x"))));
    assert.equal(noIface.packets.length, 0);
    assert.match(noIface.error ?? "", /^offset 28: packet refers to interface 0/);

    const badBom = shb(true);
    badBom[8] = 0;
    assert.match(readCapture(badBom).error ?? "", /^offset 0: bad section header byte-order/);

    const oddLen = cat(good, block(true, 6, new Uint8Array(8)));
    oddLen[good.length + 4] = 13;
    assert.match(readCapture(oddLen).error ?? "", /bad block length 13/);

    const capTooBig = epb(true, 0, 1n, text("abcd"));
    capTooBig[8 + 12] = 200; // captured length beyond the block
    assert.match(readCapture(cat(good, capTooBig)).error ?? "", /captured length 200 exceeds/);
  });
});

/** Packets as plain values, to compare runs. */
const plain = (ps: Packet[]) =>
  ps.map((p) => ({ ...p, data: [...p.data] as number[] | Uint8Array }));

/** Feeds `bytes` to a CaptureReader cut at `cuts`; checks each push against the prefix. */
function chunked(bytes: Uint8Array, cuts: number[]): CaptureResult {
  const r = new CaptureReader();
  const packets: Packet[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    const got = r.push(bytes.slice(from, to)); // fresh chunks, as a file reader gives them
    packets.push(...got);
    // a packet comes out as soon as its record is complete, not later
    const prefix = readCapture(bytes.subarray(0, to));
    assert.equal(packets.length, prefix.packets.length, `packets after byte ${to}`);
    if (r.error !== undefined) break;
    from = to;
  }
  const error = r.end();
  return error === undefined ? { packets } : { packets, error };
}

const same = (a: CaptureResult, b: CaptureResult, what: string) => {
  assert.deepEqual(plain(a.packets), plain(b.packets), what);
  assert.equal(a.error, b.error, what);
};

/** Captures of every kind, whole and damaged. */
function samples(): Array<[string, Uint8Array]> {
  const dir = new URL("../../fixtures/pcap/", import.meta.url);
  const two = (le: boolean, ns: boolean, modified = false) =>
    pcapFile({ le, ns, linkType: 1, modified }, [
      { sec: 1, frac: 7, data: text("first") },
      { sec: 2, frac: 0, data: new Uint8Array(0) },
      { sec: 3, frac: 9, data: text("third packet"), origLen: 99 },
    ]);
  const ng = cat(
    shb(true),
    idb(true, 1, [[9, [9]]]),
    epb(true, 0, 5n, text("le")),
    block(true, 0xbad, text("skipped")),
    shb(false),
    idb(false, 113, [], 4),
    pb(false, 0, 7000000n, text("pb")),
    spb(false, text("simple-data"), 11),
    epb(false, 0, 9n, text("be")),
  );
  const classic = two(true, false);
  return [
    ["pcap le µs", classic],
    ["pcap be ns", two(false, true)],
    ["modified pcap", two(true, false, true)],
    ["pcapng, two sections", ng],
    ["recorded lo", new Uint8Array(readFileSync(new URL("zmtp_req_rep_lo.pcap", dir)))],
    ["recorded any", new Uint8Array(readFileSync(new URL("zmtp_req_rep_any_ns.pcap", dir)))],
    ["pcap cut in a record", classic.subarray(0, classic.length - 3)],
    ["pcap cut in a header", classic.subarray(0, 24 + 16 + 5 + 7)],
    ["pcap cut in the file header", classic.subarray(0, 10)],
    ["pcapng cut in a block", ng.subarray(0, ng.length - 5)],
    ["pcapng cut in a block header", ng.subarray(0, ng.length - 29)],
    ["two bytes", classic.subarray(0, 2)],
    ["not a capture", text("hello world, not a capture")],
    ["nothing", new Uint8Array(0)],
  ];
}

describe("CaptureReader: chunks of any size", () => {
  for (const [name, bytes] of samples()) {
    it(`${name}: whole, byte by byte and split at every index give the same`, () => {
      const whole = readCapture(bytes);
      if (!name.includes("cut") && bytes.length > 30) assert.equal(whole.error, undefined);
      same(chunked(bytes, []), whole, "one push");
      same(chunked(bytes, [...bytes.keys()].slice(1)), whole, "byte by byte");
      for (let i = 0; i <= bytes.length; i++) same(chunked(bytes, [i]), whole, `split at ${i}`);
      for (let i = 0; i + 7 <= bytes.length; i += 5) {
        same(chunked(bytes, [i, i + 3, i + 7]), whole, `three splits from ${i}`);
      }
    });
  }

  it("reports a truncated last record as readCapture does, fed byte by byte", () => {
    const file = pcapFile({ le: true, linkType: 1 }, [
      { sec: 1, frac: 0, data: text("first") },
      { sec: 2, frac: 0, data: text("second packet") },
    ]);
    const cut = file.subarray(0, file.length - 3);
    const r = chunked(cut, [...cut.keys()].slice(1));
    assert.equal(r.packets.length, 1);
    assert.equal(r.error, "offset 45: truncated packet data (10 of 13 bytes)");
    const ng = cat(shb(true), idb(true, 1), epb(true, 0, 1n, text("ok")));
    const second = epb(true, 0, 2n, text("next"));
    const ngCut = cat(ng, second.subarray(0, 20));
    assert.equal(
      chunked(ngCut, [...ngCut.keys()].slice(1)).error,
      `offset ${ng.length}: truncated block (20 of ${second.length} bytes)`,
    );
  });

  it("views the pushed chunk for a whole record, copies one spanning chunks", () => {
    const file = pcapFile({ le: true, linkType: 1 }, [
      { sec: 1, frac: 0, data: text("inside") },
      { sec: 2, frac: 0, data: text("across") },
    ]);
    const r = new CaptureReader();
    const first = file.slice(0, file.length - 2);
    const [a] = r.push(first);
    assert.equal(a!.data.buffer, first.buffer);
    const [b] = r.push(file.slice(file.length - 2));
    assert.equal(new TextDecoder().decode(b!.data), "across");
    assert.notEqual(b!.data.buffer, first.buffer);
    assert.equal(r.end(), undefined);
  });

  it("refuses a record or block claiming more than it may hold, before any allocation", () => {
    const big = pcapFile({ le: true, linkType: 1 }, [{ sec: 1, frac: 0, data: text("x") }]);
    new DataView(big.buffer).setUint32(24 + 8, MAX_PACKET + 1, true);
    const r = new CaptureReader();
    assert.deepEqual(r.push(big.subarray(0, 24 + 16)), []);
    assert.equal(r.error, `offset 24: packet record claims ${MAX_PACKET + 1} captured bytes`);
    const atMost = pcapFile({ le: true, linkType: 1 }, [
      { sec: 1, frac: 0, data: new Uint8Array(MAX_PACKET) },
    ]);
    assert.equal(readCapture(atMost).packets[0]!.data.length, MAX_PACKET);

    const head = cat(shb(true), idb(true, 1));
    const claim = epb(true, 0, 1n, text("abcd"));
    new DataView(claim.buffer).setUint32(4, MAX_BLOCK + 4, true);
    assert.equal(
      readCapture(cat(head, claim)).error,
      `offset ${head.length}: block claims ${MAX_BLOCK + 4} bytes`,
    );
  });

  it("passes over a long skipped block without holding it, checking its trailing length", () => {
    const head = cat(shb(true), idb(true, 1));
    const long = block(true, 0x0bad, new Uint8Array(MAX_BLOCK + 100).fill(7));
    const after = epb(true, 0, 3n, text("after"));
    const file = cat(head, long, after);
    const r = new CaptureReader();
    const out: Packet[] = [];
    for (let o = 0; o < file.length; o += 4093) out.push(...r.push(file.slice(o, o + 4093)));
    assert.equal(r.end(), undefined);
    assert.deepEqual(out.map((p) => new TextDecoder().decode(p.data)), ["after"]);
    same(chunked(file, [head.length + 5, file.length - after.length - 2]), readCapture(file), "");

    const bad = file.slice();
    bad[head.length + long.length - 4] = 0x55;
    assert.equal(
      readCapture(bad).error,
      `offset ${head.length}: block length ${long.length} does not match its trailing copy`,
    );
    same(chunked(bad, [head.length + long.length - 2]), readCapture(bad), "trailer split");
    const cut = file.subarray(0, head.length + 1000);
    assert.equal(
      chunked(cut, [head.length + 20]).error,
      `offset ${head.length}: truncated block (1000 of ${long.length} bytes)`,
    );
  });

  it("random splits of mutated captures read as the whole does", () => {
    const all = samples().map(([, b]) => b);
    fc.assert(
      fc.property(
        fc.nat(all.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (i, edits, cutsAt) => {
          const bytes = all[i]!.slice();
          for (const [at, v] of edits) if (bytes.length > 0) bytes[at % bytes.length] = v;
          const cuts = cutsAt.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
          same(chunked(bytes, cuts), readCapture(bytes), `cuts ${cuts}`);
        },
      ),
      { seed: 0x5b1, numRuns: 800, endOnFailure: true },
    );
  });
});
