// SPDX-License-Identifier: MIT
/**
 * RADIO–DISH over `udp://` against libzmq 4.3.5 (zeromq.js's draft build), both ways, unicast
 * and multicast on loopback: the DISH binds, the RADIO connects (as libzmq requires). No JOIN
 * travels over UDP: the RADIO sends every group and the DISH filters; a message is resent
 * until it is seen (UDP may lose one, and a datagram sent before the bind is lost).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { text, utf8, withDeadline } from "../_helpers/cases.ts";
import { freePort } from "../_helpers/ports.ts";
import { type DraftMessage, LibzmqPeer, WAIT_MS } from "../_helpers/peers.ts";
import { Dish, Radio } from "../../mod.ts";

const CASE_DEADLINE_MS = 30_000;
const LONG_GROUP = new Uint8Array(255).fill(0x67);
/**
 * libzmq 4.3.5's DISH reads the group length as a signed char (udp_engine.cpp, fixed after
 * 4.3.5): a datagram with a group of 128 bytes or more aborts its process. So the longest
 * group zmqkit's RADIO sends it here is 127 bytes; its RADIO sends 255 fine.
 */
const LONGEST_FOR_LIBZMQ_DISH = new Uint8Array(127).fill(0x67);

/** Sends with `send` until `receive` gets something, returns it. */
async function probe<T>(send: () => Promise<void>, receive: () => Promise<T>): Promise<T> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    await send();
    try {
      return await receive();
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN" || Date.now() > until) throw e;
    }
  }
}

/** A unicast endpoint, and a multicast one on loopback (port-specific group). */
async function endpoints(): Promise<Array<{ name: string; ep: string }>> {
  const p1 = await freePort(), p2 = await freePort();
  return [
    { name: "unicast", ep: `udp://127.0.0.1:${p1}` },
    { name: "multicast", ep: `udp://127.0.0.1;239.192.9.${1 + (p2 % 250)}:${p2}` },
  ];
}

describe("interop with libzmq: RADIO/DISH over udp://", () => {
  let peer: LibzmqPeer;
  before(async () => {
    peer = await LibzmqPeer.start();
  });
  after(async () => {
    await peer?.stop();
  });
  const test = (name: string, fn: () => Promise<void>) =>
    it(name, () => withDeadline(fn(), CASE_DEADLINE_MS, name));

  for (const kind of ["unicast", "multicast"]) {
    test(`zmqkit RADIO connects, libzmq DISH binds, ${kind}`, async () => {
      const { ep } = (await endpoints()).find((e) => e.name === kind)!;
      await using radio = new Radio({ linger: 0 });
      const dish = await peer.draftSocket("DISH");
      try {
        await dish.join(utf8("weather"), LONGEST_FOR_LIBZMQ_DISH);
        await dish.bind(ep);
        radio.connect(ep);
        const m = await probe(
          async () => {
            await radio.send("1-0", { group: "sports" }); // sent, filtered by the DISH
            await radio.send("sunny", { group: "weather" });
          },
          () => dish.receive(100),
        );
        assert.deepEqual(m.frames.map(text), ["sunny"]);
        assert.equal(text(m.group!), "weather");
        const long = await probe(
          () => radio.send("long", { group: LONGEST_FOR_LIBZMQ_DISH }),
          async () => {
            let r: DraftMessage;
            do r = await dish.receive(100); while (text(r.group!) === "weather");
            return r;
          },
        );
        assert.deepEqual(long.group, LONGEST_FOR_LIBZMQ_DISH);
        assert.deepEqual(long.frames.map(text), ["long"]);
        const empty = await probe(
          () => radio.send(new Uint8Array(0), { group: "weather" }),
          async () => {
            let r: DraftMessage;
            do r = await dish.receive(100); while (r.frames[0]!.length !== 0);
            return r;
          },
        );
        assert.equal(text(empty.group!), "weather");
        assert.equal(radio.udpCounters.sendErrors, 0);
      } finally {
        await dish.close();
      }
    });

    test(`libzmq RADIO connects, zmqkit DISH binds, ${kind}`, async () => {
      const { ep } = (await endpoints()).find((e) => e.name === kind)!;
      await using dish = new Dish({ receiveTimeout: 100 });
      dish.join("weather", LONG_GROUP);
      await dish.bind(ep);
      const radio = await peer.draftSocket("RADIO");
      try {
        await radio.connect(ep);
        const [body, { group }] = await probe(
          async () => {
            await radio.send([utf8("1-0")], { group: utf8("sports") });
            await radio.send([utf8("sunny")], { group: utf8("weather") });
          },
          () => dish.receive(),
        );
        assert.equal(text(body), "sunny");
        assert.equal(text(group), "weather");
        const [longBody, { group: longGroup }] = await probe(
          () => radio.send([utf8("long")], { group: LONG_GROUP }),
          async () => {
            let r = await dish.receive();
            while (text(r[1].group) === "weather") r = await dish.receive();
            return r;
          },
        );
        assert.deepEqual(longGroup, LONG_GROUP);
        assert.equal(text(longBody), "long");
        // the DISH filters by itself: after leave(), a later marker, and no "weather" after it
        dish.leave("weather");
        const marker = await probe(
          async () => {
            await radio.send([utf8("rain")], { group: utf8("weather") });
            await radio.send([utf8("marker")], { group: LONG_GROUP });
          },
          async () => {
            let r = await dish.receive();
            while (text(r[0]) !== "marker") r = await dish.receive();
            return r;
          },
        );
        assert.equal(text(marker[0]), "marker");
        assert.equal(dish.udpCounters.malformed, 0);
      } finally {
        await radio.close();
      }
    });
  }
});
