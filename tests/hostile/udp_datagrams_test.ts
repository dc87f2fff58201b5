// SPDX-License-Identifier: MIT
/**
 * Hostile datagrams at a DISH bound on `udp://` (in this process: UDP needs no connection to
 * attack). A flood of random datagrams (empty, group lengths past the end, over 8192 bytes,
 * well-formed ones for groups joined and not) must neither throw nor grow the DISH's queue
 * past its high-water mark; each is delivered, dropped as malformed, or dropped on a full
 * queue (the kernel may drop some too), and the DISH still receives afterwards.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as dgram from "node:dgram";
import { Dish, Radio } from "../../mod.ts";
import { socketCore } from "../../lib/internal.ts";
import { MAX_DATAGRAM } from "../../lib/transports/udp.ts";
import { freePort } from "../_helpers/ports.ts";

const COUNT = 3000;
const HWM = 100;

function send(sock: dgram.Socket, data: Uint8Array, port: number): Promise<void> {
  return new Promise((res) => sock.send(data, port, "127.0.0.1", () => res()));
}

/** A random hostile or benign datagram; `seed` picks the kind. */
function datagram(i: number): Uint8Array {
  switch (i % 6) {
    case 0:
      return new Uint8Array(0);
    case 1: // group length past the end
      return Uint8Array.of(200, 1, 2, 3);
    case 2: // over 8192 bytes, a well-formed head
      return Uint8Array.of(1, 0x61, ...new Uint8Array(MAX_DATAGRAM));
    case 3: // random bytes of a random length
      return crypto.getRandomValues(new Uint8Array(1 + Math.floor(Math.random() * 2000)));
    case 4: // a group not joined
      return Uint8Array.of(3, 0x7a, 0x7a, 0x7a, 0x21);
    default: // group "a", joined
      return Uint8Array.of(1, 0x61, i & 255);
  }
}

describe("hostile: datagrams at a udp:// DISH", () => {
  it("a flood of malformed, oversize and unjoined datagrams stays bounded", async () => {
    await using dish = new Dish({ receiveHighWaterMark: HWM, receiveTimeout: 5000 });
    dish.join("a");
    const port = await freePort();
    await dish.bind(`udp://127.0.0.1:${port}`);
    const sock = dgram.createSocket("udp4");
    try {
      for (let i = 0; i < COUNT; i++) {
        await send(sock, datagram(i), port);
        if (i % 200 === 0) {
          const queued = socketCore(dish).gauges().queued;
          assert.ok(queued <= HWM, `queue ${queued} within the high-water mark`);
        }
      }
      // wait (bounded) until what arrived is accounted for
      const end = Date.now() + 5000;
      let c = dish.udpCounters;
      while (Date.now() < end) {
        await new Promise((r) => setTimeout(r, 50));
        const now = dish.udpCounters;
        if (now.received + now.malformed + now.overflow === c.received + c.malformed + c.overflow) {
          c = now;
          break;
        }
        c = now;
      }
      assert.ok(c.received + c.malformed + c.overflow <= COUNT);
      assert.ok(c.malformed >= 1, "malformed datagrams counted");
      assert.ok(socketCore(dish).gauges().queued <= HWM);
      // drain, then a good message still arrives
      while (dish.tryReceive() !== undefined) { /* drained */ }
      await using radio = new Radio({ linger: 0 });
      radio.connect(`udp://127.0.0.1:${port}`);
      let got: [Uint8Array, { group: Uint8Array }] | undefined;
      const until = Date.now() + 5000;
      while (got === undefined && Date.now() < until) {
        await radio.send("still here", { group: "a" });
        await new Promise((r) => setTimeout(r, 10));
        got = dish.tryReceive();
      }
      assert.ok(got, "the DISH still receives");
      assert.equal(new TextDecoder().decode(got[0]), "still here");
    } finally {
      await new Promise<void>((r) => sock.close(() => r()));
    }
  });

  it("a RADIO refuses oversize messages without sending or throwing", async () => {
    await using radio = new Radio({ linger: 0 });
    radio.connect(`udp://127.0.0.1:${await freePort()}`);
    for (let i = 0; i < 200; i++) {
      await radio.send(new Uint8Array(MAX_DATAGRAM + i * 100), { group: "g" });
    }
    const end = Date.now() + 5000;
    while (radio.udpCounters.oversize < 200 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(radio.udpCounters.oversize, 200);
    assert.equal(radio.udpCounters.sent, 0);
  });
});
