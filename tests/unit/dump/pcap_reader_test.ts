// SPDX-License-Identifier: MIT
/**
 * readCapture on hand-built files: classic pcap in both byte orders with µs and ns
 * timestamps (and the "modified" variant), pcapng with several sections of either byte
 * order, if_tsresol/if_tsoffset, EPB/SPB/PB and unknown blocks, and damaged files.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readCapture } from "../../../lib/dump/pcap/reader.ts";
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
