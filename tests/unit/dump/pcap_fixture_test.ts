// SPDX-License-Identifier: MIT
/**
 * The recorded captures in tests/fixtures/pcap (a real zmqkit REQ/REP exchange taken by
 * tcpdump on lo as Ethernet/µs and on "any" as SLL2/ns) decode to the same two ZMTP byte
 * streams, with the timestamps tcpdump itself prints.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readCapture } from "../../../lib/internal.ts";
import { parseTcpPacket } from "../../../lib/internal.ts";
import { type StreamSide, TcpReassembler } from "../../../lib/internal.ts";
import { cat } from "../../fixtures/pcap/build.ts";

const dir = new URL("../../fixtures/pcap/", import.meta.url);
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, dir)));

function streams(file: Uint8Array): { events: string[]; data: Record<StreamSide, Uint8Array> } {
  const events: string[] = [];
  const parts: Record<StreamSide, Uint8Array[]> = { client: [], server: [] };
  const r = new TcpReassembler({
    onOpen: (id, client, server) => events.push(`open ${id} ${client} ${server}`),
    onData: (_id, from, bytes) => parts[from].push(bytes),
    onGap: (id, from, n) => events.push(`gap ${id} ${from} ${n}`),
    onClose: (id, _t, reason) => events.push(`close ${id} ${reason}`),
  });
  const cap = readCapture(file);
  assert.equal(cap.error, undefined);
  for (const p of cap.packets) {
    const s = parseTcpPacket(p.linkType, p.data);
    assert.ok(s, "every packet is TCP");
    r.push(s, p.time);
  }
  r.finish(0);
  return { events, data: { client: cat(...parts.client), server: cat(...parts.server) } };
}

const text = (b: Uint8Array): string => new TextDecoder("latin1").decode(b);

describe("recorded captures", () => {
  const lo = load("zmtp_req_rep_lo.pcap");
  const any = load("zmtp_req_rep_any_ns.pcap");

  it("reads the link types, packet counts and tcpdump's timestamps", () => {
    const a = readCapture(lo);
    const b = readCapture(any);
    assert.equal(a.packets.length, 16);
    assert.equal(b.packets.length, 16);
    assert.ok(a.packets.every((p) => p.linkType === 1));
    assert.ok(b.packets.every((p) => p.linkType === 276));
    // `tcpdump -tt` prints 1795574041.077042; `tcpdump --nano -tt` 1795574041.077040335
    assert.equal(a.packets[0]!.time, 1795574041077.042);
    assert.ok(Math.abs(b.packets[0]!.time - 1795574041077.040335) < 1e-3);
  });

  it("reassembles both captures to the same ZMTP streams", () => {
    const a = streams(lo);
    const b = streams(any);
    assert.deepEqual(a.events, [
      "open 1 127.0.0.1:57392 127.0.0.1:44425",
      "close 1 fin",
    ]);
    assert.deepEqual(b.events, a.events);
    assert.deepEqual(b.data, a.data);
    assert.equal(a.data.client.length, 113);
    assert.equal(a.data.server.length, 107);
    for (const side of [a.data.client, a.data.server]) {
      assert.equal(side[0], 0xff, "ZMTP signature");
      assert.equal(side[9], 0x7f);
      assert.equal(side[10], 3, "ZMTP 3.x");
      assert.equal(text(side.subarray(12, 16)), "NULL");
    }
    assert.ok(text(a.data.client).includes("hello"));
    assert.ok(text(a.data.server).includes("world"));
    assert.ok(text(a.data.client).includes("Socket-Type\x00\x00\x00\x03REQ"));
  });
});
