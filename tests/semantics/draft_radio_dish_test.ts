// SPDX-License-Identifier: MIT
/**
 * RADIO / DISH (RFC 48, draft): exact group matching, join/leave rules, group length, the
 * wire form (JOIN/LEAVE commands, group + body frames), joins re-sent on reconnection, and
 * hostile peers: JOIN storms bounded per peer, oversize groups and malformed messages.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dish, MAX_GROUPS_PER_PEER, Publisher, Radio, Subscriber, ZmqError } from "../../mod.ts";
import { socketCore } from "../../lib/internal.ts";
import type { RadioCore } from "../../lib/sockets/radio_dish.ts";
import { bindAddress, EventLog, TRANSPORTS, until, withTimeout } from "./_util.ts";
import { command, frame, RawPeer } from "./_raw.ts";
import { freePort } from "../_helpers/ports.ts";

const enc = new TextEncoder();
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const isCode = (code: string, re?: RegExp) => (e: unknown) =>
  e instanceof ZmqError && e.code === code && (re === undefined || re.test(e.message));

const cmdFrame = (name: string, data: Uint8Array) => frame(command(name, data), 0x04);

/** Fails a polling loop that runs past its deadline. */
function deadline(ms = 5000): () => void {
  const end = Date.now() + ms;
  return () => {
    if (Date.now() > end) throw new Error(`not done within ${ms} ms`);
  };
}

/** Sends `probe` until the DISH has something (the JOIN travels first), returns it. */
async function firstReceived(
  dish: Dish,
  probe: () => Promise<void>,
): Promise<[Uint8Array, { group: Uint8Array }]> {
  const end = Date.now() + 5000;
  for (;;) {
    await probe();
    const got = dish.tryReceive();
    if (got) return got;
    if (Date.now() > end) throw new Error("nothing received within 5000 ms");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("RADIO / DISH", () => {
  for (const t of TRANSPORTS) {
    it(`${t}: groups match exactly, not by prefix; leave stops a group`, async () => {
      await using radio = new Radio();
      await radio.bind(bindAddress(t));
      await using dish = new Dish();
      dish.join("ab", "");
      dish.connect(radio.lastEndpoint!);
      const first = await firstReceived(dish, async () => {
        await radio.send("prefix", { group: "a" });
        await radio.send("longer", { group: "abc" });
        await radio.send("exact", { group: "ab" });
      });
      assert.equal(text(first[0]), "exact");
      assert.equal(text(first[1].group), "ab");
      await radio.send("empty group", { group: "" });
      let m = await withTimeout(dish.receive());
      while (text(m[1].group) === "ab") m = await withTimeout(dish.receive()); // more probes
      assert.equal(text(m[0]), "empty group");
      assert.equal(m[1].group.length, 0);

      dish.leave("ab");
      // once the LEAVE is in, "ab" is no longer sent: a marker in "" arrives with no "ab" after
      for (const check = deadline();;) {
        check();
        await radio.send("after leave", { group: "ab" });
        await radio.send("marker", { group: "" });
        const r = await withTimeout(dish.receive());
        if (text(r[0]) === "marker" && dish.tryReceive() === undefined) break;
      }
      await radio.send("after leave", { group: "ab" });
      await radio.send("last", { group: "" });
      assert.equal(text((await withTimeout(dish.receive()))[0]), "last");
    });
  }

  it("noDrop: a RADIO waits (EAGAIN after sendTimeout) for a full DISH instead of dropping", async () => {
    await using radio = new Radio({ noDrop: true, sendHighWaterMark: 10, sendTimeout: 200 });
    await radio.bind("inproc://radio-nodrop");
    await using dish = new Dish({ receiveHighWaterMark: 10 });
    dish.join("g");
    dish.connect("inproc://radio-nodrop");
    await firstReceived(dish, () => radio.send("probe", { group: "g" }));
    while (dish.tryReceive() !== undefined) { /* drained */ }
    let sent = 0;
    let refused: unknown;
    for (; sent < 1000; sent++) { // the DISH reads nothing: its queue and the pipe fill
      try {
        await radio.send(`m${sent}`, { group: "g" });
      } catch (e) {
        refused = e;
        break;
      }
    }
    assert.ok(refused instanceof ZmqError && refused.code === "EAGAIN", String(refused));
    assert.equal(socketCore<RadioCore>(radio).dropped, 0);
    // every message sent is there, in order, and sending resumes once the DISH reads
    for (let i = 0; i < sent; i++) {
      assert.equal(text((await withTimeout(dish.receive()))[0]), `m${i}`);
    }
    await radio.send("after", { group: "g" });
    assert.equal(text((await withTimeout(dish.receive()))[0]), "after");
  });

  it("noDrop over udp://: a tight send loop hands every message to the kernel", async () => {
    await using radio = new Radio({ noDrop: true });
    radio.connect(`udp://127.0.0.1:${await freePort()}`); // nobody listens: UDP does not care
    for (let i = 0; i < 20_000; i++) await radio.send("x".repeat(64), { group: "g" });
    const end = Date.now() + 10_000;
    while (radio.udpCounters.sent + radio.udpCounters.sendErrors < 20_000 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(socketCore<RadioCore>(radio).dropped, 0);
    assert.equal(radio.udpCounters.sent + radio.udpCounters.sendErrors, 20_000);
  });

  it("join twice, leave what is not joined, groups over 255 bytes: EINVAL", async () => {
    await using dish = new Dish();
    dish.join("g");
    assert.throws(() => dish.join("g"), isCode("EINVAL", /Already joined/));
    assert.throws(() => dish.leave("h"), isCode("EINVAL", /Not joined/));
    const g255 = new Uint8Array(255).fill(1);
    dish.join(g255);
    dish.leave(g255);
    assert.throws(() => dish.join(new Uint8Array(256)), isCode("EINVAL", /256 bytes/));
    await using radio = new Radio();
    await assert.rejects(radio.send("x", { group: "é".repeat(128) }), isCode("EINVAL"));
    await assert.rejects(radio.send(["a", "b"], { group: "g" }), isCode("EINVAL", /single/));
    await assert.rejects(
      radio.send("x", undefined as unknown as { group: string }),
      isCode("EINVAL"),
    );
    radio.send("nobody listens", { group: g255 }); // fine: dropped
  });

  it("DISH has linger 0 by default, as libzmq's; RADIO has no receive, DISH no send", () => {
    const dish = new Dish();
    const radio = new Radio();
    assert.equal(dish.linger, 0);
    assert.equal(radio.linger, new Publisher().linger);
    assert.equal("receive" in radio, false);
    assert.equal("send" in dish, false);
    dish.close();
    radio.close();
  });

  it("wire: a DISH sends JOIN/LEAVE commands, joins again on each connection", async () => {
    await using dish = new Dish();
    dish.join("weather");
    const seen: RawPeer[] = [];
    const { rawServer } = await import("./_raw.ts");
    const srv = await rawServer((p) => seen.push(p));
    try {
      dish.connect(srv.endpoint);
      await until(() => seen.length === 1);
      const raw = seen[0]!;
      await raw.handshake("RADIO");
      let f = await raw.readFrame();
      assert.equal(f.name, "JOIN");
      assert.equal(text(f.data!), "weather");
      dish.join("news");
      dish.leave("weather");
      f = await raw.readFrame();
      assert.deepEqual([f.name, text(f.data!)], ["JOIN", "news"]);
      f = await raw.readFrame();
      assert.deepEqual([f.name, text(f.data!)], ["LEAVE", "weather"]);
      // a RADIO message is two frames: group (MORE), body
      raw.send([enc.encode("news"), enc.encode("headline")]);
      const [body, { group }] = await withTimeout(dish.receive());
      assert.deepEqual([text(body), text(group)], ["headline", "news"]);
      raw.destroy(); // the DISH reconnects and joins again
      await until(() => seen.length === 2, 10_000);
      const again = seen[1]!;
      await again.handshake("RADIO");
      f = await again.readFrame();
      assert.deepEqual([f.name, text(f.data!)], ["JOIN", "news"]);
    } finally {
      srv.close();
    }
  });

  it("wire: a RADIO sends group then body, to the DISHes that joined only", async () => {
    await using radio = new Radio();
    await radio.bind(bindAddress("tcp"));
    const raw = await RawPeer.connect(radio.lastEndpoint!);
    try {
      await raw.handshake("DISH");
      raw.write(cmdFrame("JOIN", enc.encode("g")));
      for (const check = deadline();;) {
        check();
        await radio.send("other", { group: "h" });
        await radio.send("body", { group: "g" });
        const f = await raw.readFrame(200).catch(() => undefined);
        if (f === undefined) continue;
        assert.equal(f.flags, 0x01);
        assert.equal(text(f.body), "g");
        const b = await raw.readFrame();
        assert.equal(b.flags, 0);
        assert.equal(text(b.body), "body");
        break;
      }
    } finally {
      raw.destroy();
    }
  });

  it("hostile: a JOIN storm is bounded per peer; a JOIN over 255 bytes drops the peer", async () => {
    await using radio = new Radio();
    await radio.bind(bindAddress("tcp"));
    const log = new EventLog(radio);
    const raw = await RawPeer.connect(radio.lastEndpoint!);
    try {
      await raw.handshake("DISH");
      const n = MAX_GROUPS_PER_PEER + 500;
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        chunks.push(cmdFrame("JOIN", enc.encode(`g${i}`)));
      }
      raw.write(...chunks);
      const core = socketCore<RadioCore>(radio);
      await until(() => core.ignoredJoins === 500, 10_000, "joins beyond the bound ignored");
      const [pipe] = core.pipes;
      assert.equal((pipe!.state as Set<string>).size, MAX_GROUPS_PER_PEER);
      raw.write(cmdFrame("JOIN", new Uint8Array(256)));
      await raw.waitClosed();
      await log.waitFor("disconnect");
    } finally {
      raw.destroy();
    }
  });

  it("hostile: data from a DISH is read and dropped; the RADIO keeps serving", async () => {
    await using radio = new Radio({ receiveHighWaterMark: 2 });
    await radio.bind(bindAddress("tcp"));
    const raw = await RawPeer.connect(radio.lastEndpoint!);
    try {
      await raw.handshake("DISH");
      for (let i = 0; i < 100; i++) raw.send([enc.encode(`junk ${i}`)]);
      raw.write(cmdFrame("JOIN", enc.encode("g")));
      for (const check = deadline();;) {
        check();
        await radio.send("still here", { group: "g" });
        const f = await raw.readFrame(200).catch(() => undefined);
        if (f !== undefined) break;
      }
      assert.equal(raw.closed, false);
    } finally {
      raw.destroy();
    }
  });

  it("hostile: a malformed RADIO message (one frame, or a 256-byte group) drops the peer", async () => {
    for (const bad of [[enc.encode("lonely")], [new Uint8Array(256), enc.encode("body")]]) {
      await using dish = new Dish();
      dish.join("g");
      await dish.bind(bindAddress("tcp"));
      const log = new EventLog(dish);
      const raw = await RawPeer.connect(dish.lastEndpoint!);
      try {
        await raw.handshake("RADIO");
        raw.send(bad);
        raw.send([enc.encode("g"), enc.encode("never read")]);
        const e = dish.receive();
        const settled = e.then(() => "received", () => "rejected");
        await raw.waitClosed();
        await log.waitFor("disconnect");
        dish.close();
        assert.equal(await settled, "rejected", "nothing after the malformed message");
      } finally {
        raw.destroy();
      }
    }
  });

  it("hostile: JOIN/LEAVE sent to a PUB are ignored (no subscription changes)", async () => {
    await using pub = new Publisher();
    await pub.bind(bindAddress("tcp"));
    const raw = await RawPeer.connect(pub.lastEndpoint!);
    try {
      await raw.handshake("SUB");
      raw.write(cmdFrame("SUBSCRIBE", enc.encode("t")));
      raw.write(cmdFrame("LEAVE", enc.encode("t")));
      raw.write(cmdFrame("JOIN", new Uint8Array(300)));
      for (const check = deadline();;) {
        check();
        await pub.send(["t", "still subscribed"]);
        const f = await raw.readFrame(200).catch(() => undefined);
        if (f !== undefined) {
          assert.equal(text(f.body), "t");
          break;
        }
      }
      assert.equal(raw.closed, false);
    } finally {
      raw.destroy();
    }
  });

  it("peer types: DISH talks to RADIO only", async () => {
    await using pub = new Publisher();
    await pub.bind(bindAddress("inproc"));
    await using dish = new Dish();
    const log = new EventLog(dish);
    dish.connect(pub.lastEndpoint!);
    await log.waitFor("handshake:error:protocol");
    await using radio = new Radio();
    await radio.bind(bindAddress("tcp"));
    await using sub = new Subscriber();
    const subLog = new EventLog(sub);
    sub.connect(radio.lastEndpoint!);
    await subLog.waitFor("handshake:error:protocol");
  });
});
