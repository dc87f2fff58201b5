// SPDX-License-Identifier: MIT
/**
 * ZMTP ⇄ ZWS: what the session writes, turned into WebSocket frames (masked as a client's,
 * or not as a server's) and read back, is the same ZMTP frame stream, however the bytes are
 * cut on either side; a bare ZWS2.0 peer's routing id comes out as a READY; endpoints parse.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeReady } from "../../../lib/wire/command.ts";
import { encodeFrame } from "../../../lib/wire/frame_encoder.ts";
import { encodeGreeting } from "../../../lib/wire/greeting.ts";
import { getProperty } from "../../../lib/wire/metadata.ts";
import { FrameDecoder } from "../../../lib/wire/frame_decoder.ts";
import { decodeReady } from "../../../lib/wire/command.ts";
import { ZwsReader } from "../../../lib/transports/ws_inbound.ts";
import { ZwsWriter } from "../../../lib/transports/ws_outbound.ts";
import { parseEndpoint } from "../../../lib/transports/endpoint.ts";

/** A deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 0x1_0000_0000);
}

/** `bytes` cut into pieces of random sizes (1 to max). */
function cut(bytes: Uint8Array, rand: () => number, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length;) {
    const n = 1 + Math.floor(rand() * max);
    out.push(bytes.slice(i, i + n));
    i += n;
  }
  return out;
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

type Frame = [flags: number, body: Uint8Array];

function decodeAll(bytes: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  const d = new FrameDecoder((f, b) => frames.push([f & ~2, b.slice()])); // without LONG
  d.push(bytes);
  return frames;
}

describe("ZWS translation", () => {
  const ready = encodeReady([["Socket-Type", new TextEncoder().encode("DEALER")]]);
  const sizes = [0, 1, 125, 126, 255, 256, 65535, 65536, 70_000];

  for (const client of [true, false]) {
    it(`round-trips frames written by a ${client ? "client (masked)" : "server"}`, () => {
      const rand = rng(client ? 7 : 11);
      for (let round = 0; round < 20; round++) {
        const frames: Frame[] = [[4, ready]];
        for (const n of sizes) {
          const body = new Uint8Array(n).map(() => Math.floor(rand() * 256));
          frames.push([rand() < 0.5 ? 1 : 0, body]);
        }
        frames.push([0, new Uint8Array([9])]);
        const zmtp = join([encodeGreeting("NULL"), ...frames.map(([f, b]) => encodeFrame(f, b))]);
        const writer = new ZwsWriter(client, false);
        const ws = join(cut(zmtp, rand, 3000).flatMap((c) => writer.translate([c])));
        const out: Uint8Array[] = [];
        const reader = new ZwsReader({ data: (b) => out.push(b.slice()), control: () => {} }, {
          masked: client,
          opening: "handshake",
          peerType: "ROUTER",
        });
        for (const c of cut(ws, rand, 5000)) reader.push(c);
        assert.deepEqual(decodeAll(join(out)), frames);
      }
    });
  }

  it("masks with a fresh key per frame, the flags byte included", () => {
    const w = new ZwsWriter(true, false);
    const bytes = join(w.translate([encodeGreeting("NULL"), encodeFrame(0, new Uint8Array(3))]));
    assert.equal(bytes[0], 0x82);
    assert.equal(bytes[1], 0x80 | 4);
    const mask = bytes.subarray(2, 6);
    assert.deepEqual([...bytes.subarray(6)], [0, 0, 0, 0].map((b, i) => b ^ mask[i]!));
  });

  it("bare ZWS2.0: our READY goes out as our routing id, the peer's id comes in as READY", () => {
    const id = new TextEncoder().encode("me");
    const ours = encodeReady([["Socket-Type", new TextEncoder().encode("REQ")], ["Identity", id]]);
    const w = new ZwsWriter(false, true);
    const sent = join(
      w.translate([encodeGreeting("NULL"), encodeFrame(4, ours), encodeFrame(0, id)]),
    );
    // two messages: 00 "me" (the id), then the data frame
    assert.deepEqual([...sent.subarray(0, 5)], [0x82, 3, 0, 109, 101]);
    const got: Uint8Array[] = [];
    const r = new ZwsReader({ data: (b) => got.push(b.slice()), control: () => {} }, {
      masked: false,
      opening: "bare",
      peerType: "REP",
    });
    r.push(sent);
    const [[flags, body], [, data]] = decodeAll(join(got)) as [Frame, Frame];
    assert.equal(flags, 4);
    const props = decodeReady(body.subarray(6));
    assert.equal(new TextDecoder().decode(getProperty(props, "Socket-Type")), "REP");
    assert.equal(new TextDecoder().decode(getProperty(props, "Identity")), "me");
    assert.equal(new TextDecoder().decode(data), "me");
  });

  it("either: a READY command opens a handshake, a first data message a bare peer", () => {
    for (const [first, bare] of [[2, false], [0, true]] as const) {
      const got: Uint8Array[] = [];
      const r = new ZwsReader({ data: (b) => got.push(b.slice()), control: () => {} }, {
        masked: false,
        opening: "either",
        peerType: "ROUTER",
      });
      r.push(new Uint8Array([0x82, 4, first, 0x61, 0x62, 0x63]));
      const [[flags, body]] = decodeAll(join(got)) as [Frame];
      assert.equal(flags, 4); // a READY either way: passed on, or made of the routing id
      assert.equal(body.length === 3, !bare);
    }
  });
});

describe("ws endpoints", () => {
  it("parses host, port, path and wss", () => {
    assert.deepEqual(parseEndpoint("ws://127.0.0.1:5555", "connect"), {
      transport: "ws",
      secure: false,
      host: "127.0.0.1",
      port: 5555,
      path: "/",
    });
    assert.deepEqual(parseEndpoint("wss://[::1]:443/zmq?x=1", "connect"), {
      transport: "ws",
      secure: true,
      host: "::1",
      port: 443,
      path: "/zmq?x=1",
    });
    assert.equal((parseEndpoint("ws://*:*/a", "bind") as { host: string }).host, "0.0.0.0");
  });

  it("refuses bad ones with EINVAL", () => {
    for (const ep of ["ws://host", "ws://:1/", "ws://h:1/a b", "ws://h:99999", "ws://*:1"]) {
      assert.throws(
        () => parseEndpoint(ep, "connect"),
        (e: unknown) => (e as { code?: string }).code === "EINVAL",
        ep,
      );
    }
  });
});
