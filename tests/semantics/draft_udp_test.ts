// SPDX-License-Identifier: MIT
/**
 * RADIO / DISH over `udp://` (draft): endpoint rules (RADIO connects, DISH binds, other types
 * refused), the datagram layout byte for byte (read and written with plain UDP sockets),
 * every group sent and the DISH's own filter, unicast and multicast on loopback, and the
 * bounds: oversize messages not sent, malformed and oversize datagrams dropped and counted.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as dgram from "node:dgram";
import { Dish, Pair, Publisher, Radio, ZmqError } from "../../mod.ts";
import {
  decodeDatagram,
  encodeDatagram,
  MAX_DATAGRAM,
  parseUdpEndpoint,
} from "../../lib/transports/udp.ts";
import { freePort } from "../_helpers/ports.ts";

const enc = new TextEncoder();
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const isCode = (code: string) => (e: unknown) => e instanceof ZmqError && e.code === code;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `send` until `dish` has a message (UDP may lose one), returns it; 5 s at most. */
async function resendUntil(
  dish: Dish,
  send: () => Promise<void>,
): Promise<[Uint8Array, { group: Uint8Array }]> {
  const end = Date.now() + 5000;
  for (;;) {
    await send();
    await pause(10);
    const got = dish.tryReceive();
    if (got) return got;
    if (Date.now() > end) throw new Error("nothing received within 5000 ms");
  }
}

/** Waits until `check()` holds; 5 s at most. */
async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met within 5000 ms");
    await pause(10);
  }
}

/** A plain UDP socket bound on 127.0.0.1, collecting what it receives. */
function rawSocket(): Promise<{ sock: dgram.Socket; got: Uint8Array[]; port: number }> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket("udp4");
    const got: Uint8Array[] = [];
    sock.on("message", (m) => got.push(new Uint8Array(m)));
    sock.bind(0, "127.0.0.1", () => resolve({ sock, got, port: sock.address().port }));
  });
}

function sendRaw(sock: dgram.Socket, data: Uint8Array, port: number): Promise<void> {
  return new Promise((res, rej) => sock.send(data, port, "127.0.0.1", (e) => e ? rej(e) : res()));
}

const closeRaw = (sock: dgram.Socket) => new Promise<void>((r) => sock.close(() => r()));

describe("udp:// endpoints", () => {
  it("parses as libzmq's udp_address", () => {
    assert.deepEqual(parseUdpEndpoint("udp://*:5556", "bind"), {
      host: "0.0.0.0",
      port: 5556,
      group: undefined,
      iface: undefined,
    });
    assert.deepEqual(parseUdpEndpoint("udp://239.0.0.1:5556", "bind"), {
      host: "0.0.0.0",
      port: 5556,
      group: "239.0.0.1",
      iface: undefined,
    });
    assert.deepEqual(parseUdpEndpoint("udp://127.0.0.1;239.0.0.1:5556", "connect"), {
      host: "239.0.0.1",
      port: 5556,
      group: "239.0.0.1",
      iface: "127.0.0.1",
    });
    assert.equal(parseUdpEndpoint("udp://127.0.0.1:5556", "connect").group, undefined);
    for (
      const [ep, mode] of [
        ["udp://", "bind"],
        ["udp://127.0.0.1", "bind"],
        ["udp://*:5556", "connect"],
        ["udp://127.0.0.1:*", "connect"],
        ["udp://127.0.0.1:0", "connect"],
        ["udp://127.0.0.1:65536", "bind"],
        ["udp://127.0.0.1;127.0.0.2:5556", "bind"], // interface without a multicast group
        ["udp://239.0.0.2;239.0.0.1:5556", "bind"], // a multicast interface
        ["udp://[::1]:5556", "connect"],
        ["udp://no-such-nic-zz;239.0.0.1:5556", "bind"],
      ] as const
    ) {
      assert.throws(() => parseUdpEndpoint(ep, mode), isCode("EINVAL"), `${mode} ${ep}`);
    }
  });

  it("a RADIO connects and a DISH binds; the other ways and other types are refused", async () => {
    await using radio = new Radio({ linger: 0 });
    await using dish = new Dish();
    await using pub = new Publisher({ linger: 0 });
    await using pair = new Pair({ linger: 0 });
    await assert.rejects(radio.bind("udp://127.0.0.1:*"), isCode("EPROTONOSUPPORT"));
    assert.throws(() => dish.connect("udp://127.0.0.1:5556"), isCode("EPROTONOSUPPORT"));
    await assert.rejects(pub.bind("udp://127.0.0.1:*"), isCode("EPROTONOSUPPORT"));
    assert.throws(() => pair.connect("udp://127.0.0.1:5556"), isCode("EPROTONOSUPPORT"));
    await assert.rejects(dish.bind("udp://127.0.0.1:x"), isCode("EINVAL"));
  });

  it("a DISH's wildcard port is resolved in lastEndpoint; unbind stops it", async () => {
    await using dish = new Dish({ receiveTimeout: 2000 });
    dish.join("g");
    await dish.bind("udp://127.0.0.1:*");
    const ep = dish.lastEndpoint!;
    assert.match(ep, /^udp:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(ep, "udp://127.0.0.1:0");
    await using radio = new Radio({ linger: 0 });
    radio.connect(ep);
    await resendUntil(dish, () => radio.send("x", { group: "g" }));
    await dish.unbind(ep);
    await assert.rejects(dish.unbind(ep), isCode("ENOENT"));
    // the port is free again (libzmq sets SO_REUSEADDR, so a second DISH could share it anyway)
    await using again = new Dish();
    await again.bind(ep);
  });
});

describe("udp:// datagrams", () => {
  it("a RADIO sends one datagram per message: length, group, body; every group", async () => {
    const raw = await rawSocket();
    try {
      await using radio = new Radio({ linger: 0 });
      radio.connect(`udp://127.0.0.1:${raw.port}`);
      const long = new Uint8Array(255).fill(0x67);
      await radio.send("sunny", { group: "weather" }); // no JOIN over UDP: every group goes
      await radio.send(new Uint8Array(0), { group: "" });
      await radio.send("long", { group: long });
      await until(() => raw.got.length >= 3);
      assert.deepEqual(raw.got[0], Uint8Array.of(7, ...enc.encode("weathersunny")));
      assert.deepEqual(raw.got[1], Uint8Array.of(0));
      assert.deepEqual(raw.got[2], Uint8Array.of(255, ...long, ...enc.encode("long")));
      assert.equal(radio.udpCounters.sent, 3);
    } finally {
      await closeRaw(raw.sock);
    }
  });

  it("a RADIO does not send a message whose datagram would exceed 8192 bytes", async () => {
    const raw = await rawSocket();
    try {
      await using radio = new Radio({ linger: 0 });
      radio.connect(`udp://127.0.0.1:${raw.port}`);
      await radio.send(new Uint8Array(MAX_DATAGRAM - 2), { group: "g" }); // exactly 8192: sent
      await radio.send(new Uint8Array(MAX_DATAGRAM - 1), { group: "g" }); // 8193: not sent
      await radio.send("after", { group: "g" });
      await until(() => raw.got.length >= 2);
      assert.equal(raw.got[0]!.length, MAX_DATAGRAM);
      assert.deepEqual(raw.got[1], Uint8Array.of(1, ...enc.encode("gafter")));
      assert.equal(radio.udpCounters.oversize, 1);
    } finally {
      await closeRaw(raw.sock);
    }
  });

  it("a DISH reads datagrams, filters by its groups, drops and counts malformed ones", async () => {
    const raw = await rawSocket();
    try {
      await using dish = new Dish({ receiveTimeout: 2000 });
      dish.join("a", "");
      const port = await freePort();
      await dish.bind(`udp://127.0.0.1:${port}`);
      const hostile = [
        new Uint8Array(0), // empty
        Uint8Array.of(5, 0x61, 0x61), // group length past the end
        Uint8Array.of(255), // the same, at most
        new Uint8Array(MAX_DATAGRAM + 1), // over 8192 bytes
      ];
      const good = [
        Uint8Array.of(1, 0x62, 0x31), // group "b": not joined, filtered
        Uint8Array.of(1, 0x61), // group "a", empty body
        Uint8Array.of(0, 0x7a), // group "", body "z"
        Uint8Array.of(1, 0x61, ...enc.encode("last")),
      ];
      for (const d of [...hostile, ...good]) await sendRaw(raw.sock, d, port);
      const got: string[] = [];
      for (let i = 0; i < 3; i++) {
        const [body, { group }] = await dish.receive();
        got.push(`${text(group)}:${text(body)}`);
      }
      assert.deepEqual(got, ["a:", ":z", "a:last"]);
      await until(() => dish.udpCounters.malformed === 4);
      assert.equal(dish.udpCounters.received, 4);
    } finally {
      await closeRaw(raw.sock);
    }
  });

  it("the codec: at most 8192 bytes, the group length checked", () => {
    assert.equal(encodeDatagram(new Uint8Array(1), new Uint8Array(MAX_DATAGRAM - 1)), undefined);
    assert.equal(encodeDatagram(new Uint8Array(256), new Uint8Array(0)), undefined);
    assert.deepEqual(decodeDatagram(Uint8Array.of(0)), [new Uint8Array(0), new Uint8Array(0)]);
    assert.equal(decodeDatagram(Uint8Array.of(1)), undefined);
  });

  it("a full DISH drops datagrams (counted) and stays usable", async () => {
    const raw = await rawSocket();
    try {
      await using dish = new Dish({ receiveHighWaterMark: 2, receiveTimeout: 2000 });
      dish.join("a");
      const port = await freePort();
      await dish.bind(`udp://127.0.0.1:${port}`);
      for (let i = 0; i < 10; i++) {
        await sendRaw(raw.sock, Uint8Array.of(1, 0x61, 0x30 + i), port);
      }
      await until(() => dish.udpCounters.received + dish.udpCounters.overflow >= 10);
      assert.ok(dish.udpCounters.overflow > 0);
      const first = await dish.receive();
      assert.equal(text(first[0]), "0");
    } finally {
      await closeRaw(raw.sock);
    }
  });
});

describe("RADIO to DISH over udp://", () => {
  it("unicast: the DISH gets the groups it joined, and stops at leave()", async () => {
    await using dish = new Dish({ receiveTimeout: 2000 });
    dish.join("weather");
    await dish.bind(`udp://127.0.0.1:${await freePort()}`);
    await using radio = new Radio({ linger: 0 });
    radio.connect(dish.lastEndpoint!);
    const [body, { group }] = await resendUntil(dish, async () => {
      await radio.send("1-0", { group: "sports" });
      await radio.send("sunny", { group: "weather" });
    });
    assert.equal(text(body), "sunny");
    assert.equal(text(group), "weather");
    dish.leave("weather");
    dish.join("marker");
    for (;;) {
      const [b, { group: g }] = await resendUntil(dish, async () => {
        await radio.send("rain", { group: "weather" });
        await radio.send("m", { group: "marker" });
      });
      if (text(g) === "marker") {
        assert.equal(text(b), "m");
        break;
      }
      assert.equal(text(g), "weather"); // sent before the leave, only
    }
  });

  it("a RADIO's messages wait for its socket to open, then go", async () => {
    await using dish = new Dish({ receiveTimeout: 5000 });
    dish.join("g");
    await dish.bind(`udp://127.0.0.1:${await freePort()}`);
    await using radio = new Radio({ linger: 0 });
    radio.connect(dish.lastEndpoint!);
    await radio.send("early", { group: "g" }); // before the connect's socket is open
    const [body] = await dish.receive();
    assert.equal(text(body), "early");
  });

  it("disconnect stops a RADIO's udp endpoint", async () => {
    await using radio = new Radio({ linger: 0 });
    const ep = `udp://127.0.0.1:${await freePort()}`;
    radio.connect(ep);
    radio.disconnect(ep);
    assert.throws(() => radio.disconnect(ep), isCode("ENOENT"));
    await radio.send("nobody", { group: "g" }); // no pipe: dropped, no error
  });

  it("multicast on loopback: two DISHes on one port both receive", async () => {
    const port = await freePort();
    const ep = `udp://127.0.0.1;239.192.7.${1 + (port % 250)}:${port}`;
    await using a = new Dish({ receiveTimeout: 2000 });
    await using b = new Dish({ receiveTimeout: 2000 });
    a.join("m");
    b.join("m");
    await a.bind(ep);
    await b.bind(ep); // multicast: several sockets share the port (SO_REUSEADDR)
    await using radio = new Radio({ linger: 0 });
    radio.connect(ep);
    const [body] = await resendUntil(a, () => radio.send("hello", { group: "m" }));
    assert.equal(text(body), "hello");
    const [bodyB] = await resendUntil(b, () => radio.send("hello", { group: "m" }));
    assert.equal(text(bodyB), "hello");
  });
});
