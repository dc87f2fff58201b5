// SPDX-License-Identifier: MIT
/**
 * High-water marks (libzmq test_hwm, test_hwm_pubsub, test_xpub_nodrop). Over inproc the
 * counts are exact: a link holds the sender's SNDHWM plus the receiver's RCVHWM messages,
 * 0 on either side meaning unlimited. Over tcp/ipc kernel buffers add slack, so those tests
 * check the mute action (block or drop) and that nothing is lost or duplicated.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Publisher, Pull, Push, Subscriber } from "../../mod.ts";
import {
  bindAddress,
  closeAll,
  EventLog,
  fillUntilEagain,
  rejectsWith,
  STREAM_TRANSPORTS,
  text,
  withTimeout,
} from "./_util.ts";

const UNLIMITED = 10_000;

/** Sends with sendTimeout 0 until EAGAIN (or `max`) over an inproc PUSH→PULL; returns counts. */
async function inprocCount(sndhwm: number, rcvhwm: number, order: "bind" | "connect") {
  const ep = bindAddress("inproc");
  const pull = new Pull({ receiveHighWaterMark: rcvhwm });
  const push = new Push({ sendHighWaterMark: sndhwm, sendTimeout: 0 });
  try {
    if (order === "bind") {
      await pull.bind(ep);
      push.connect(ep);
    } else {
      push.connect(ep);
      await pull.bind(ep);
    }
    let sent = 0;
    for (; sent < UNLIMITED; sent++) {
      try {
        await push.send(`${sent}`);
      } catch (e) {
        assert.equal((e as { code?: string }).code, "EAGAIN");
        break;
      }
    }
    pull.receiveTimeout = 0;
    let received = 0;
    for (;;) {
      try {
        const [m] = await pull.receive();
        assert.equal(text(m), `${received}`, "in order");
        received++;
      } catch {
        break;
      }
    }
    return { sent, received };
  } finally {
    closeAll(push, pull);
  }
}

describe("HWM over inproc (exact)", () => {
  for (const order of ["bind", "connect"] as const) {
    it(`defaults: exactly 2000 messages accepted and all received (${order} first)`, async () => {
      assert.deepEqual(await inprocCount(1000, 1000, order), { sent: 2000, received: 2000 });
    });

    for (
      const [snd, rcv, want] of [
        [1, 1, 2],
        [3, 5, 8],
        [0, 1, UNLIMITED],
        [1, 0, UNLIMITED],
        [0, 0, UNLIMITED],
      ] as const
    ) {
      it(`SNDHWM ${snd} + RCVHWM ${rcv} → ${want === UNLIMITED ? "unlimited" : want} (${order} first)`, async () => {
        assert.deepEqual(await inprocCount(snd, rcv, order), { sent: want, received: want });
      });
    }
  }

  it("a blocked send completes once the receiver reads", async () => {
    const ep = bindAddress("inproc");
    const pull = new Pull({ receiveHighWaterMark: 1 });
    const push = new Push({ sendHighWaterMark: 1 });
    try {
      await pull.bind(ep);
      push.connect(ep);
      await push.send("0");
      await push.send("1");
      let done = false;
      const blocked = push.send("2").then(() => (done = true));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(done, false, "third send waits while the link holds 2");
      assert.equal(text((await pull.receive())[0]), "0");
      await withTimeout(blocked, 2000, "blocked send");
      for (const want of ["1", "2"]) {
        assert.equal(text((await withTimeout(pull.receive()))[0]), want);
      }
    } finally {
      closeAll(push, pull);
    }
  });

  it("PUB drops at HWM (counted in `dropped`) and never blocks", async () => {
    const ep = bindAddress("inproc");
    const pub = new Publisher({ sendHighWaterMark: 10 });
    const sub = new Subscriber({ receiveHighWaterMark: 10 });
    try {
      await pub.bind(ep);
      sub.connect(ep);
      sub.subscribe();
      for (let k = 0; k < 100; k++) await withTimeout(pub.send(`${k}`), 1000, "PUB send");
      assert.equal(pub.dropped, 80);
      sub.receiveTimeout = 0;
      for (let k = 0; k < 20; k++) assert.equal(text((await sub.receive())[0]), `${k}`);
      await rejectsWith(sub.receive(), "EAGAIN");
    } finally {
      closeAll(pub, sub);
    }
  });

  it("PUB with noDrop: EAGAIN at HWM, then resumes; nothing lost", async () => {
    const ep = bindAddress("inproc");
    const pub = new Publisher({ sendHighWaterMark: 4, noDrop: true });
    const sub = new Subscriber({ receiveHighWaterMark: 4 });
    try {
      await pub.bind(ep);
      sub.connect(ep);
      sub.subscribe();
      let next = 0;
      const n = await fillUntilEagain(pub, () => `${next++}`);
      assert.equal(n, 8);
      next = n;
      for (let k = 0; k < n; k++) assert.equal(text((await sub.receive())[0]), `${k}`);
      await pub.send(`${next}`);
      assert.equal(text((await withTimeout(sub.receive()))[0]), `${next}`);
      assert.equal(pub.dropped, 0);
    } finally {
      closeAll(pub, sub);
    }
  });
});

for (const t of STREAM_TRANSPORTS) {
  describe(`HWM over ${t}`, () => {
    it("PUSH blocks (EAGAIN) against a slow PULL; nothing lost or duplicated after it drains", async () => {
      const pull = new Pull({ receiveHighWaterMark: 5 });
      await pull.bind(bindAddress(t));
      const push = new Push({ sendHighWaterMark: 5 });
      try {
        push.connect(pull.lastEndpoint!);
        const body = new Uint8Array(64 * 1024);
        const n = await withTimeout(fillUntilEagain(push, (k) => [`${k}`, body]), 30000, "filling");
        assert.ok(n >= 10 && n < 5000, `accepted ${n} before blocking`);
        for (let k = 0; k < n; k++) {
          assert.equal(text((await withTimeout(pull.receive()))[0]), `${k}`);
        }
        await push.send("after");
        assert.equal(text((await withTimeout(pull.receive()))[0]), "after");
      } finally {
        closeAll(push, pull);
      }
    });

    it("no send HWM: a backlog far beyond the socket buffers arrives whole and in order", async () => {
      // the session encodes at once for such pipes (lib/engine/session.ts): the backlog waits
      // as bytes in the connection, which must keep order across back-pressure
      const pull = new Pull({ receiveHighWaterMark: 10 });
      await pull.bind(bindAddress(t));
      const push = new Push({ sendHighWaterMark: 0, sendTimeout: 0 });
      try {
        push.connect(pull.lastEndpoint!);
        await push.send("first");
        assert.equal(text((await withTimeout(pull.receive()))[0]), "first");
        const body = new Uint8Array(1000).fill(0x61);
        const n = 20_000; // 20 MB while the reader holds back: never EAGAIN
        for (let k = 0; k < n; k++) await push.send([`${k}`, body]);
        for (let k = 0; k < n; k++) {
          const [id, b] = await withTimeout(pull.receive());
          assert.equal(text(id), `${k}`);
          assert.equal(b!.length, 1000);
        }
        await push.send("after");
        assert.equal(text((await withTimeout(pull.receive()))[0]), "after");
      } finally {
        closeAll(push, pull);
      }
    });

    it("PUB drops for a slow subscriber without blocking; what arrives is in order", async () => {
      const pub = new Publisher({ sendHighWaterMark: 2 });
      const log = new EventLog(pub);
      await pub.bind(bindAddress(t));
      const sub = new Subscriber({ receiveHighWaterMark: 2 });
      try {
        sub.connect(pub.lastEndpoint!);
        sub.subscribe("d", "s");
        await log.waitFor("handshake");
        // wait until the subscription is in place: a probe gets through
        sub.receiveTimeout = 50;
        for (;;) {
          await pub.send("s-probe");
          try {
            await sub.receive();
            break;
          } catch { /* not subscribed yet */ }
        }
        sub.receiveTimeout = -1;
        const body = new Uint8Array(256 * 1024);
        const before = pub.dropped;
        for (let k = 0; k < 200; k++) {
          await withTimeout(pub.send([`d${k}`, body]), 1000, "PUB send");
        }
        const dropped = pub.dropped - before;
        assert.ok(dropped > 0, "a subscriber that does not read makes PUB drop");
        // drain: data first, then a sentinel sent after all data marks the end
        const got: number[] = [];
        let sentinel = false;
        const drain = (async () => {
          for (;;) {
            const [f] = await sub.receive();
            const s = text(f);
            if (s.startsWith("s")) {
              if (s === "s-end") return;
              continue; // a leftover probe
            }
            got.push(Number(s.slice(1)));
          }
        })();
        while (!sentinel) {
          await pub.send("s-end");
          sentinel = await Promise.race([
            drain.then(() => true),
            new Promise<boolean>((r) => setTimeout(() => r(false), 50)),
          ]);
        }
        assert.equal(got.length + dropped, 200, `received ${got.length}, dropped ${dropped}`);
        for (let j = 1; j < got.length; j++) {
          assert.ok(got[j]! > got[j - 1]!, "in order, no duplicate");
        }
      } finally {
        closeAll(pub, sub);
      }
    });
  });
}
