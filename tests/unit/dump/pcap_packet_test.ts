// SPDX-License-Identifier: MIT
/**
 * parseTcpPacket on hand-built packets for every supported link type, IPv4 options and
 * fragments, IPv6 extension headers, TCP options, Ethernet padding and snaplen truncation;
 * and the address helpers (RFC 5952 text, parsing).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseTcpPacket, type TcpSegment } from "../../../lib/internal.ts";
import { endpointText, formatIpv6, parseIpv4, parseIpv6 } from "../../../lib/internal.ts";
import {
  cat,
  ethernet,
  ipv4,
  ipv6,
  Out,
  sll,
  sll2,
  tcp,
  text,
  v6,
} from "../../fixtures/pcap/build.ts";

const hex = (s: string): Uint8Array =>
  Uint8Array.from((s.replace(/\s+/g, "").match(/../g) ?? []).map((h) => parseInt(h, 16)));
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

const A = [10, 0, 0, 1];
const B = [10, 0, 0, 2];
const seg = tcp(
  { srcPort: 40000, dstPort: 5555, seq: 0xfffffff0, ack: 7, flags: "PA" },
  text("hi!"),
);
const v4 = ipv4({ src: A, dst: B }, seg);
const v6pkt = ipv6(v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), v6(0xfe80, 0, 0, 0, 0, 0, 0, 2), seg);

/** Checks the common decoding of `seg` carried in `data`. */
function expectSeg(got: TcpSegment | undefined, src: string, dst: string): void {
  assert.ok(got, "a TCP segment");
  assert.equal(got.src, src);
  assert.equal(got.dst, dst);
  assert.equal(got.srcPort, 40000);
  assert.equal(got.dstPort, 5555);
  assert.equal(got.seq, 0xfffffff0);
  assert.equal(got.ack, 7);
  assert.deepEqual(got.flags, { syn: false, ack: true, fin: false, rst: false, psh: true });
  assert.equal(str(got.payload), "hi!");
  assert.equal(got.length, 3);
  assert.equal(got.truncated, undefined);
}

describe("parseTcpPacket: link types", () => {
  it("decodes a hand-typed Ethernet/IPv4/TCP frame with padding after it", () => {
    const frame = hex(`
      020000000002 020000000001 0800
      45000029 1234 4000 4006 0000 c0a80001 c0a80002
      d431 15b3 00000064 000000c8 5018 ffff 0000 0000
      41
      0000000000`); // 1 payload byte, then Ethernet padding to 60 bytes
    const got = parseTcpPacket(1, frame);
    assert.ok(got);
    assert.equal(got.src, "192.168.0.1");
    assert.equal(got.dst, "192.168.0.2");
    assert.equal(got.srcPort, 54321);
    assert.equal(got.dstPort, 5555);
    assert.equal(got.seq, 100);
    assert.equal(got.ack, 200);
    assert.deepEqual([...got.payload], [0x41]);
    assert.equal(got.truncated, undefined);
  });

  it("Ethernet with IPv4 and IPv6, behind one or two VLAN tags", () => {
    expectSeg(parseTcpPacket(1, ethernet(0x0800, v4)), "10.0.0.1", "10.0.0.2");
    expectSeg(parseTcpPacket(1, ethernet(0x86dd, v6pkt)), "2001:db8::1", "fe80::2");
    const tagged = ethernet(0x0800, v4, [[0x8100, 5]]);
    expectSeg(parseTcpPacket(1, tagged), "10.0.0.1", "10.0.0.2");
    const qinq = ethernet(0x86dd, v6pkt, [[0x88a8, 1], [0x8100, 2]]);
    expectSeg(parseTcpPacket(1, qinq), "2001:db8::1", "fe80::2");
    assert.equal(parseTcpPacket(1, ethernet(0x0806, v4)), undefined); // ARP
    assert.equal(parseTcpPacket(1, ethernet(0x86dd, v4)), undefined); // version mismatch
  });

  it("BSD loopback (NULL) with the family in either byte order, and LOOP", () => {
    const le = new Out(true);
    expectSeg(parseTcpPacket(0, cat(le.u32(2).done(), v4)), "10.0.0.1", "10.0.0.2");
    expectSeg(parseTcpPacket(0, cat(new Out().u32(2).done(), v4)), "10.0.0.1", "10.0.0.2");
    for (const family of [10, 24, 28, 30]) {
      const got = parseTcpPacket(0, cat(new Out(true).u32(family).done(), v6pkt));
      expectSeg(got, "2001:db8::1", "fe80::2");
    }
    expectSeg(parseTcpPacket(108, cat(new Out().u32(24).done(), v6pkt)), "2001:db8::1", "fe80::2");
  });

  it("raw IP under link types 101, 12, 14, 228, 229", () => {
    for (const lt of [101, 12, 14, 228]) expectSeg(parseTcpPacket(lt, v4), "10.0.0.1", "10.0.0.2");
    for (const lt of [101, 12, 14, 229]) {
      expectSeg(parseTcpPacket(lt, v6pkt), "2001:db8::1", "fe80::2");
    }
  });

  it("Linux SLL and SLL2", () => {
    expectSeg(parseTcpPacket(113, sll(0x0800, v4)), "10.0.0.1", "10.0.0.2");
    expectSeg(parseTcpPacket(113, sll(0x86dd, v6pkt)), "2001:db8::1", "fe80::2");
    expectSeg(parseTcpPacket(276, sll2(0x0800, v4)), "10.0.0.1", "10.0.0.2");
    expectSeg(parseTcpPacket(276, sll2(0x86dd, v6pkt)), "2001:db8::1", "fe80::2");
    assert.equal(parseTcpPacket(113, sll(0x0806, v4)), undefined);
  });

  it("unknown link types and short frames give undefined", () => {
    assert.equal(parseTcpPacket(105, v4), undefined);
    assert.equal(parseTcpPacket(1, new Uint8Array(10)), undefined);
    assert.equal(parseTcpPacket(276, new Uint8Array(19)), undefined);
    assert.equal(parseTcpPacket(101, new Uint8Array(0)), undefined);
  });
});

describe("parseTcpPacket: IP and TCP details", () => {
  it("skips IPv4 options and TCP options", () => {
    const t = tcp({
      srcPort: 40000,
      dstPort: 5555,
      seq: 0xfffffff0,
      ack: 7,
      flags: "AP",
      options: [2, 4, 5, 0xb4, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2],
    }, text("hi!"));
    const p = ipv4({ src: A, dst: B, options: [1, 1, 1, 1, 0x94, 4, 0, 0] }, t);
    expectSeg(parseTcpPacket(101, p), "10.0.0.1", "10.0.0.2");
  });

  it("takes the payload length from the IP header, not the capture", () => {
    const padded = cat(v4, new Uint8Array(30));
    const got = parseTcpPacket(101, padded);
    expectSeg(got, "10.0.0.1", "10.0.0.2");
    const v6padded = cat(v6pkt, new Uint8Array(9));
    expectSeg(parseTcpPacket(101, v6padded), "2001:db8::1", "fe80::2");
  });

  it("marks a snaplen-cut payload truncated, keeping the wire length", () => {
    const big = tcp({ srcPort: 1, dstPort: 2, seq: 9 }, new Uint8Array(100).fill(7));
    const p = ipv4({ src: A, dst: B }, big);
    const got = parseTcpPacket(101, p.subarray(0, 20 + 20 + 30));
    assert.ok(got);
    assert.equal(got.payload.length, 30);
    assert.equal(got.length, 100);
    assert.equal(got.truncated, true);
    // the TCP header itself cut: nothing usable
    assert.equal(parseTcpPacket(101, p.subarray(0, 30)), undefined);
  });

  it("keeps first IPv4 fragments (truncated) and drops later ones", () => {
    const first = ipv4({ src: A, dst: B, moreFragments: true }, seg);
    const got = parseTcpPacket(101, first);
    assert.ok(got);
    assert.equal(got.truncated, true);
    assert.equal(str(got.payload), "hi!");
    assert.equal(
      parseTcpPacket(101, ipv4({ src: A, dst: B, fragmentOffset: 185 }, seg)),
      undefined,
    );
  });

  it("treats an IPv4 total length of 0 (segmentation offload) as the captured length", () => {
    expectSeg(
      parseTcpPacket(101, ipv4({ src: A, dst: B, totalLength: 0 }, seg)),
      "10.0.0.1",
      "10.0.0.2",
    );
  });

  it("ignores non-TCP and malformed IPv4", () => {
    assert.equal(parseTcpPacket(101, ipv4({ src: A, dst: B, protocol: 17 }, seg)), undefined);
    const badIhl = ipv4({ src: A, dst: B }, seg);
    badIhl[0] = 0x44;
    assert.equal(parseTcpPacket(101, badIhl), undefined);
    assert.equal(parseTcpPacket(101, ipv4({ src: A, dst: B, totalLength: 30 }, seg)), undefined);
  });

  it("walks IPv6 extension headers and honours the fragment header", () => {
    const src = v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
    const dst = v6(0xfe80, 0, 0, 0, 0, 0, 0, 2);
    const hopByHop = { type: 0, bytes: [0, 0, 1, 4, 0, 0, 0, 0] };
    const dest = { type: 60, bytes: [0, 1, ...new Array<number>(14).fill(0)] };
    const routing = { type: 43, bytes: [0, 0, 0, 0, 0, 0, 0, 0] };
    const auth = { type: 51, bytes: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };
    const chained = ipv6(src, dst, seg, [hopByHop, dest, routing, auth]);
    expectSeg(parseTcpPacket(101, chained), "2001:db8::1", "fe80::2");
    const firstFrag = ipv6(src, dst, seg, [{ type: 44, bytes: [0, 0, 0, 1, 0, 0, 0, 9] }]);
    const got = parseTcpPacket(101, firstFrag);
    assert.ok(got);
    assert.equal(got.truncated, true);
    const laterFrag = ipv6(src, dst, seg, [{ type: 44, bytes: [0, 0, 0, 0x10, 0, 0, 0, 9] }]);
    assert.equal(parseTcpPacket(101, laterFrag), undefined);
    assert.equal(parseTcpPacket(101, ipv6(src, dst, seg, [], 17)), undefined); // UDP
    assert.equal(parseTcpPacket(101, ipv6(src, dst, seg, [], 59)), undefined); // no next
  });

  it("decodes all TCP flags", () => {
    const p = ipv4({ src: A, dst: B }, tcp({ srcPort: 1, dstPort: 2, seq: 0, flags: "SAFRP" }));
    assert.deepEqual(parseTcpPacket(101, p)?.flags, {
      syn: true,
      ack: true,
      fin: true,
      rst: true,
      psh: true,
    });
  });
});

describe("address helpers", () => {
  it("formats IPv6 as RFC 5952", () => {
    assert.equal(formatIpv6([0, 0, 0, 0, 0, 0, 0, 1]), "::1");
    assert.equal(formatIpv6([0, 0, 0, 0, 0, 0, 0, 0]), "::");
    assert.equal(formatIpv6([0x2001, 0xdb8, 0, 1, 0, 0, 0, 1]), "2001:db8:0:1::1");
    assert.equal(formatIpv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), "2001:db8::1:0:0:1");
    assert.equal(formatIpv6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), "2001:db8:0:1:1:1:1:1");
    assert.equal(formatIpv6([0xfe80, 0, 0, 0, 0, 0, 0, 0]), "fe80::");
    assert.equal(formatIpv6([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]), "::ffff:127.0.0.1");
  });

  it("parses IPv4 and IPv6 text", () => {
    assert.deepEqual(parseIpv4("127.0.0.1"), Uint8Array.of(127, 0, 0, 1));
    assert.equal(parseIpv4("256.0.0.1"), undefined);
    assert.equal(parseIpv4("1.2.3"), undefined);
    assert.deepEqual(parseIpv6("::1"), Uint8Array.of(...new Array<number>(15).fill(0), 1));
    assert.deepEqual(parseIpv6("[fe80::2%lo]"), Uint8Array.from(v6(0xfe80, 0, 0, 0, 0, 0, 0, 2)));
    assert.deepEqual(
      parseIpv6("::ffff:10.0.0.1"),
      Uint8Array.from(v6(0, 0, 0, 0, 0, 0xffff, 0x0a00, 1)),
    );
    assert.deepEqual(parseIpv6("1:2:3:4:5:6:7:8"), Uint8Array.from(v6(1, 2, 3, 4, 5, 6, 7, 8)));
    for (
      const bad of [
        "1::2::3",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "g::1",
        "1:2:3:4:5:6:7::8",
        "localhost",
      ]
    ) {
      assert.equal(parseIpv6(bad), undefined, bad);
    }
  });

  it("writes endpoints with brackets for IPv6", () => {
    assert.equal(endpointText("10.0.0.1", 80), "10.0.0.1:80");
    assert.equal(endpointText("::1", 5555), "[::1]:5555");
  });
});
