// SPDX-License-Identifier: MIT
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DirectionDecoder, type GreetingInfo } from "../../../lib/internal.ts";
import { encodeGreeting } from "../../../lib/internal.ts";
import { encodeReady } from "../../../lib/internal.ts";
import { encodeFrame } from "../../../lib/internal.ts";
import { concatBytes } from "../../../lib/internal.ts";
import { mutationsOf } from "../../_helpers/mutations.ts";

type Item =
  | { k: "greeting"; g: GreetingInfo; offset: number }
  | { k: "frame"; more: boolean; command: boolean; body: string; size: number; offset: number }
  | { k: "problem"; offset: number; reason: string };

function run(chunks: Uint8Array[], hold = 1 << 20, peer?: "unversioned" | 0 | 1): Item[] {
  const items: Item[] = [];
  const d = new DirectionDecoder({
    greeting: (g, offset) => items.push({ k: "greeting", g, offset }),
    frame: (more, command, body, size, offset) =>
      items.push({ k: "frame", more, command, body: hex(body), size, offset }),
    problem: (offset, reason) => items.push({ k: "problem", offset, reason }),
  }, hold);
  if (peer !== undefined) d.setPeerVersion(peer);
  for (const c of chunks) d.push(c);
  return items;
}

/** Feeds `bytes` whole, byte by byte and split at every index: all give the same items. */
function threeWays(bytes: Uint8Array, hold?: number, peer?: "unversioned" | 0 | 1): Item[] {
  const whole = run([bytes], hold, peer);
  assert.deepEqual(run([...bytes].map((b) => Uint8Array.of(b)), hold, peer), whole);
  for (let i = 0; i <= bytes.length; i++) {
    assert.deepEqual(
      run([bytes.subarray(0, i), bytes.subarray(i)], hold, peer),
      whole,
      `split ${i}`,
    );
  }
  return whole;
}

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}
function bytes(h: string): Uint8Array {
  return Uint8Array.from(h.replace(/\s/g, "").match(/../g)?.map((x) => parseInt(x, 16)) ?? []);
}
const cat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts).slice();
const frame = (body: Uint8Array, more = false) => {
  return encodeFrame(more ? 1 : 0, body);
};

describe("DirectionDecoder", () => {
  it("reads a 3.1 NULL greeting, READY and a two-frame message", () => {
    const ready = encodeReady([["Socket-Type", new TextEncoder().encode("DEALER")]]);
    const stream = cat(
      encodeGreeting("NULL"),
      bytes("04"),
      Uint8Array.of(ready.length),
      ready,
      frame(new TextEncoder().encode("hi"), true),
      frame(new Uint8Array(300)),
    );
    const items = threeWays(stream);
    assert.equal(items.length, 4);
    assert.deepEqual(items[0], {
      k: "greeting",
      g: { version: "3.1", major: 3, minor: 1, mechanism: "NULL", asServer: false },
      offset: 0,
    });
    assert.equal(items[1]!.k, "frame");
    assert.deepEqual({ ...items[1]!, body: undefined }, {
      k: "frame",
      more: false,
      command: true,
      body: undefined,
      size: ready.length,
      offset: 64,
    });
    assert.deepEqual(items[2], {
      k: "frame",
      more: true,
      command: false,
      body: "6869",
      size: 2,
      offset: 66 + ready.length,
    });
    const third = items[3] as Item & { k: "frame" };
    assert.equal(third.size, 300);
    assert.equal(third.offset, 66 + ready.length + 4);
  });

  it("keeps only holdLimit bytes of a big frame but reports its size", () => {
    const stream = cat(encodeGreeting("NULL"), frame(new Uint8Array(1000).fill(7)));
    const items = threeWays(stream, 16);
    const f = items[1] as Item & { k: "frame" };
    assert.equal(f.size, 1000);
    assert.equal(f.body, "07".repeat(16));
  });

  it("stops with the offset on a command frame with MORE set", () => {
    const stream = cat(encodeGreeting("NULL"), bytes("05 01 00"));
    const items = threeWays(stream);
    assert.deepEqual(items[1], {
      k: "problem",
      offset: 64,
      reason: "command frame with the MORE flag (flags 0x05)",
    });
  });

  it("refuses an absurd long size without allocating it", () => {
    const items = threeWays(cat(encodeGreeting("NULL"), bytes("02 7f ff ff ff ff ff ff ff")));
    assert.equal(items[1]!.k, "problem");
    assert.equal((items[1] as { offset: number }).offset, 64);
  });

  it("reads a ZMTP 2.0 peer: revision, socket type, identity frame", () => {
    // DEALER (5), identity "ID", then message "yo"
    const items = threeWays(bytes("ff 00000000 00000003 7f 01 05 00 02 4944 00 02 796f"));
    assert.deepEqual(items[0], {
      k: "greeting",
      g: { version: "2.0", major: 2, minor: 0, socketType: "DEALER" },
      offset: 0,
    });
    assert.deepEqual(items.slice(1).map((i) => (i as { body: string }).body), ["4944", "796f"]);
  });

  it("shows libzmq's downgrade to a 2.0 peer (major 3, then its socket type)", () => {
    const items = threeWays(
      bytes("ff 00000000 00000001 7f 03 06 00 00 00 03 616263"),
      undefined,
      1,
    );
    const g = items[0] as Item & { k: "greeting" };
    assert.equal(g.g.version, "2.0");
    assert.equal(g.g.socketType, "ROUTER");
    assert.match(g.g.note!, /downgraded/);
    assert.deepEqual(items.slice(1).map((i) => (i as { body: string }).body), ["", "616263"]);
  });

  it("reads an unversioned ZMTP 1.0 peer as 1.0 frames", () => {
    // identity frame: length 1 (flags only), then "yo" = 03 00 79 6f
    const items = threeWays(bytes("01 00 03 00 796f"));
    assert.equal((items[0] as Item & { k: "greeting" }).offset, 0);
    assert.equal((items[0] as Item & { k: "greeting" }).g.version, "1.0");
    assert.deepEqual(items.slice(1).map((i) => (i as { body: string }).body), ["", "796f"]);
  });

  it("reads libzmq's side towards a 1.0 peer from offset 0 as a 1.0 identity frame", () => {
    // FF + 8-byte length 1 (flags 7F, empty identity), then "yo"
    const items = threeWays(bytes("ff 00000000 00000001 7f 03 00 796f"), undefined, "unversioned");
    assert.equal((items[0] as Item & { k: "greeting" }).g.version, "1.0");
    assert.deepEqual(items.slice(1).map((i) => (i as { body: string }).body), ["", "796f"]);
  });

  it("notes an odd greeting filler and a major other than 3", () => {
    const g = encodeGreeting("NULL");
    g[10] = 4;
    g[40] = 9;
    const items = run([g]);
    const info = (items[0] as Item & { k: "greeting" }).g;
    assert.equal(info.version, "4.1");
    assert.match(info.note!, /filler/);
    assert.match(info.note!, /major 4/);
  });

  it("never throws on random or mutated input", () => {
    const valid = cat(
      encodeGreeting("NULL"),
      bytes("04 06 05 5245414459"),
      frame(Uint8Array.of(1, 2, 3)),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          mutationsOf(valid),
        ),
        fc.nat(20),
        fc.constantFrom<"unversioned" | 0 | 1 | undefined>(undefined, "unversioned", 0, 1),
        (b, cut, peer) => {
          const at = Math.min(cut, b.length);
          run([b.subarray(0, at), b.subarray(at)], 64, peer);
        },
      ),
      { seed: 4242, numRuns: 500 },
    );
  });
});
