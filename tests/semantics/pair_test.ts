// SPDX-License-Identifier: MIT
/**
 * PAIR (RFC 31, libzmq test_pair_*): exactly one peer; a second one is refused while the
 * first is connected; once the first leaves a new peer may connect. Blocks (EAGAIN) without
 * a peer or when the peer is full.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Pair } from "../../mod.ts";
import {
  bindAddress,
  closeAll,
  EventLog,
  rejectsWith,
  texts,
  TRANSPORTS,
  withTimeout,
} from "./_util.ts";

for (const t of TRANSPORTS) {
  describe(`PAIR over ${t}`, () => {
    it("talks both ways with its one peer", async () => {
      const a = new Pair();
      await a.bind(bindAddress(t));
      const b = new Pair();
      try {
        b.connect(a.lastEndpoint!);
        await b.send(["ping", "1"]);
        assert.deepEqual(texts(await withTimeout(a.receive())), ["ping", "1"]);
        await a.send("pong");
        assert.deepEqual(texts(await withTimeout(b.receive())), ["pong"]);
      } finally {
        closeAll(a, b);
      }
    });

    it("refuses a second peer; the first keeps working; a new peer may come once it leaves", async () => {
      const a = new Pair();
      const log = new EventLog(a);
      await a.bind(bindAddress(t));
      const b = new Pair();
      const c = new Pair({ sendTimeout: 200 });
      const d = new Pair();
      try {
        b.connect(a.lastEndpoint!);
        await log.waitFor("handshake");
        c.connect(a.lastEndpoint!);
        if (t === "inproc") {
          await rejectsWith(c.send("intruder"), "EAGAIN"); // refused at once: c has no pipe
        } else {
          await withTimeout(c.send("intruder"), 1000, "queueing on c"); // queued, never read
          await log.waitFor("handshake:error:protocol");
        }
        assert.equal(log.count("handshake"), 1);
        await b.send("from-b");
        assert.deepEqual(texts(await withTimeout(a.receive())), ["from-b"]);
        await a.send("to-b");
        assert.deepEqual(texts(await withTimeout(b.receive())), ["to-b"]);
        c.close();
        b.close();
        await log.waitFor("disconnect");
        d.connect(a.lastEndpoint!);
        await d.send("from-d");
        assert.deepEqual(texts(await withTimeout(a.receive())), ["from-d"]);
        await a.send("to-d");
        assert.deepEqual(texts(await withTimeout(d.receive())), ["to-d"]);
      } finally {
        closeAll(a, b, c, d);
      }
    });

    it("blocks without a peer and when the peer is full (EAGAIN under sendTimeout)", async () => {
      const a = new Pair({ sendTimeout: 100, sendHighWaterMark: 2 });
      const log = new EventLog(a);
      await a.bind(bindAddress(t));
      const b = new Pair({ receiveHighWaterMark: 2 });
      try {
        await rejectsWith(a.send("nobody"), "EAGAIN");
        b.connect(a.lastEndpoint!);
        await log.waitFor("handshake");
        const big = new Uint8Array(t === "inproc" ? 1 : 64 * 1024);
        let n = 0;
        for (;;) {
          try {
            await withTimeout(a.send([`${n}`, big]), 5000, "send");
            n++;
          } catch (e) {
            assert.equal((e as { code?: string }).code, "EAGAIN");
            break;
          }
          assert.ok(n < 10000, "never blocked");
        }
        if (t === "inproc") assert.equal(n, 4, "SNDHWM 2 + RCVHWM 2");
        for (let k = 0; k < n; k++) assert.equal(texts(await withTimeout(b.receive()))[0], `${k}`);
      } finally {
        closeAll(a, b);
      }
    });
  });
}
