// SPDX-License-Identifier: MIT
/**
 * PcapngWriter: what it writes reads back (readCapture → parseTcpPacket → TcpReassembler)
 * as the same bytes per direction, with valid IPv4 and TCP checksums; and, when tcpdump is
 * installed, `tcpdump -r` lists every packet with correct checksums and no complaint.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PcapngWriter } from "../../../lib/internal.ts";
import { readCapture } from "../../../lib/internal.ts";
import { parseTcpPacket } from "../../../lib/internal.ts";
import { type StreamSide, TcpReassembler } from "../../../lib/internal.ts";
import { cat } from "../../fixtures/pcap/build.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const T0 = 1700000000123.456;

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Writes a fixed scenario: three connections (IPv4, IPv6, mixed), interleaved. */
function scenario(): { file: Uint8Array; sent: Map<string, Uint8Array>; packets: number } {
  const chunks: Uint8Array[] = [];
  const w = new PcapngWriter((b) => chunks.push(b));
  const sent = new Map<string, Uint8Array[]>();
  let packets = 0;
  const data = (id: number, from: StreamSide, bytes: Uint8Array, t: number) => {
    w.data(id, from, bytes, t);
    const k = `${id} ${from}`;
    sent.set(k, [...(sent.get(k) ?? []), bytes]);
    packets += Math.ceil(bytes.length / 65000);
  };
  w.open(1, { host: "127.0.0.1", port: 41000 }, { host: "127.0.0.1", port: 5555 }, T0);
  w.open(2, { host: "[::1]", port: 41001 }, { host: "::1", port: 5556 }, T0 + 1);
  w.open(3, { host: "10.1.2.3", port: 41002 }, { host: "2001:db8::7", port: 5557 }, T0 + 2);
  packets += 9;
  data(1, "client", enc("hello"), T0 + 3);
  data(2, "server", enc("greeting from six"), T0 + 4);
  data(1, "server", enc("world"), T0 + 5);
  data(1, "client", pattern(150000, 1), T0 + 6); // three segments
  data(3, "client", pattern(65000, 2), T0 + 7); // exactly one
  data(3, "server", pattern(65001, 3), T0 + 8); // two
  w.data(1, "client", new Uint8Array(0), T0 + 9); // nothing written
  w.data(99, "client", enc("unknown id"), T0 + 9); // nothing written
  w.close(2, T0 + 10);
  w.close(1, T0 + 11);
  w.close(3, T0 + 12);
  w.close(3, T0 + 13); // already closed: nothing
  packets += 9;
  const joined = new Map<string, Uint8Array>();
  for (const [k, v] of sent) joined.set(k, cat(...v));
  return { file: cat(...chunks), sent: joined, packets };
}

/** Ones' complement sum of 16-bit big-endian words, folded. */
function onesSum(bytes: Uint8Array, acc = 0): number {
  for (let i = 0; i < bytes.length; i += 2) acc += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return acc;
}

describe("PcapngWriter", () => {
  const { file, sent, packets } = scenario();

  it("reads back as Ethernet packets with µs timestamps", () => {
    const cap = readCapture(file);
    assert.equal(cap.error, undefined);
    assert.equal(cap.packets.length, packets);
    assert.ok(cap.packets.every((p) => p.linkType === 1));
    assert.equal(cap.packets[0]!.time, Math.round(T0 * 1000) / 1000);
    assert.ok(cap.packets.every((p) => parseTcpPacket(1, p.data) !== undefined));
  });

  it("computes valid IPv4 header and TCP checksums", () => {
    for (const p of readCapture(file).packets) {
      const d = p.data;
      const v6 = d[12] === 0x86;
      if (!v6) assert.equal(onesSum(d.subarray(14, 34)), 0xffff, "IPv4 header checksum");
      const ipLen = v6 ? 40 : 20;
      const addrs = v6 ? d.subarray(22, 54) : d.subarray(26, 34);
      const tcpSeg = d.subarray(14 + ipLen);
      const pseudo = onesSum(addrs) + 6 + tcpSeg.length;
      assert.equal(onesSum(tcpSeg, pseudo), 0xffff, "TCP checksum");
    }
  });

  it("round-trips through reassembly: same endpoints and bytes per direction", () => {
    const got = new Map<string, Uint8Array[]>();
    const events: string[] = [];
    const r = new TcpReassembler({
      onOpen: (id, client, server) => events.push(`open ${id} ${client} ${server}`),
      onData: (id, from, bytes) =>
        got.set(`${id} ${from}`, [...(got.get(`${id} ${from}`) ?? []), bytes]),
      onGap: (id, from, n) => events.push(`gap ${id} ${from} ${n}`),
      onClose: (id, _t, reason) => events.push(`close ${id} ${reason}`),
    });
    for (const p of readCapture(file).packets) r.push(parseTcpPacket(p.linkType, p.data)!, p.time);
    r.finish(0);
    assert.deepEqual(events, [
      "open 1 127.0.0.1:41000 127.0.0.1:5555",
      "open 2 [::1]:41001 [::1]:5556",
      "open 3 [::ffff:10.1.2.3]:41002 [2001:db8::7]:5557",
      "close 2 fin",
      "close 1 fin",
      "close 3 fin",
    ]);
    assert.deepEqual([...got.keys()].sort(), [...sent.keys()].sort());
    for (const [k, bytes] of sent) assert.deepEqual(cat(...got.get(k)!), bytes, k);
  });

  it("rejects ports outside 0..65535 with a RangeError", () => {
    const w = new PcapngWriter(() => {});
    assert.throws(
      () => w.open(1, { host: "::1", port: 70000 }, { host: "::1", port: 1 }, 0),
      RangeError,
    );
    assert.throws(
      () => w.open(1, { host: "::1", port: 1 }, { host: "::1", port: 1.5 }, 0),
      RangeError,
    );
  });

  describe("tcpdump -r", () => {
    const tcpdump = spawnSync("tcpdump", ["--version"], { encoding: "utf8" });
    const missing = tcpdump.error !== undefined || tcpdump.status !== 0;
    const dir = mkdtempSync(join(tmpdir(), "zmqkit-pcap-"));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("lists every packet with correct checksums", {
      skip: missing ? "tcpdump is not on PATH" : false,
    }, () => {
      const path = join(dir, "written.pcapng");
      writeFileSync(path, file);
      const r = spawnSync("tcpdump", ["-r", path, "-nn", "-vv"], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.split("\n").filter((l) => /^\d\d:\d\d:\d\d\.\d{6} IP6? /.test(l));
      assert.equal(lines.length, packets, r.stdout.slice(0, 2000));
      assert.ok(!/incorrect|truncated|bad/i.test(r.stdout), r.stdout.slice(0, 2000));
      assert.ok(!/warning|error/i.test(r.stderr.replace(/^reading from file.*$/m, "")), r.stderr);
      assert.equal((r.stdout.match(/cksum 0x[0-9a-f]+ \(correct\)/g) ?? []).length, packets);
    });
  });
});
