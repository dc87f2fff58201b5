// SPDX-License-Identifier: MIT
/**
 * RFC 28 DEALER clauses (libzmq test_spec_dealer): round-robin out, fair-queue in, blocking
 * (EAGAIN) without peers, whole multipart messages, and the clause libzmq disables: when a
 * peer disconnects, the queue both ways is destroyed and nothing of it reaches a new peer.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, Reply, Router } from "../../mod.ts";
import {
  bindAddress,
  closeAll,
  EventLog,
  fillUntilEagain,
  queuedInbound,
  rejectsWith,
  text,
  texts,
  TRANSPORTS,
  until,
  withTimeout,
} from "./_util.ts";

const EMPTY = new Uint8Array(0);

for (const t of TRANSPORTS) {
  describe(`DEALER over ${t}`, () => {
    it("round-robins 6 messages over 3 REPs (message k and k+3 to the same REP)", async () => {
      const dealer = new Dealer();
      const log = new EventLog(dealer);
      await dealer.bind(bindAddress(t));
      const reps = [new Reply(), new Reply(), new Reply()];
      try {
        for (const r of reps) r.connect(dealer.lastEndpoint!);
        await log.waitFor("handshake", 3);
        for (let k = 0; k < 6; k++) await dealer.send([EMPTY, `m${k}`]);
        const got = await withTimeout(Promise.all(reps.map(async (rep) => {
          const seen: number[] = [];
          for (let j = 0; j < 2; j++) {
            seen.push(Number(text((await rep.receive())[0]).slice(1)));
            await rep.send("ok");
          }
          return seen;
        })));
        for (const seen of got) assert.equal(seen[1], seen[0]! + 3, `one REP got ${seen}`);
        assert.deepEqual(got.map((s) => s[0]).sort(), [0, 1, 2]);
      } finally {
        closeAll(dealer, ...reps);
      }
    });

    it("fair-queues 3 senders in strict rotation", async () => {
      const dealer = new Dealer();
      await dealer.bind(bindAddress(t));
      const peers = [new Dealer(), new Dealer(), new Dealer()];
      try {
        for (const p of peers) p.connect(dealer.lastEndpoint!);
        for (let k = 0; k < 10; k++) {
          for (const [i, p] of peers.entries()) await p.send(`p${i}:${k}`);
        }
        await until(() => queuedInbound(dealer) === 30, 5000, "30 messages queued");
        const from: string[] = [];
        for (let j = 0; j < 30; j++) from.push(text((await dealer.receive())[0]).split(":")[0]!);
        assert.equal(new Set(from.slice(0, 3)).size, 3);
        for (let j = 3; j < 30; j++) assert.equal(from[j], from[j - 3]);
      } finally {
        closeAll(dealer, ...peers);
      }
    });

    it("blocks without peers: EAGAIN after sendTimeout", async () => {
      const bound = new Dealer({ sendTimeout: 200 });
      const lonely = new Dealer({ sendTimeout: 200 });
      try {
        await bound.bind(bindAddress(t));
        await rejectsWith(bound.send("x"), "EAGAIN");
        await rejectsWith(lonely.send("x"), "EAGAIN");
      } finally {
        closeAll(bound, lonely);
      }
    });

    it("delivers multipart messages whole, to one peer each", async () => {
      const dealer = new Dealer();
      const log = new EventLog(dealer);
      await dealer.bind(bindAddress(t));
      const routers = [new Router(), new Router()];
      try {
        for (const r of routers) r.connect(dealer.lastEndpoint!);
        await log.waitFor("handshake", 2);
        for (let k = 0; k < 50; k++) await dealer.send([`a${k}`, `b${k}`, EMPTY, `c${k}`]);
        for (const r of routers) {
          for (let j = 0; j < 25; j++) {
            const [, a, b, e, c] = texts(await withTimeout(r.receive()));
            const k = a!.slice(1);
            assert.deepEqual([b, e, c], [`b${k}`, "", `c${k}`]);
          }
        }
      } finally {
        closeAll(dealer, ...routers);
      }
    });

    it("a peer's disconnect drops what was queued for it; what it delivered stays readable", async () => {
      const a = new Dealer();
      const log = new EventLog(a);
      await a.bind(bindAddress(t));
      const b = new Dealer();
      const blog = new EventLog(b);
      try {
        b.connect(a.lastEndpoint!);
        await log.waitFor("handshake");
        await blog.waitFor("handshake"); // else DEF could still sit in B's queue at disconnect
        await a.send("ABC"); // towards B
        await b.send("DEF"); // towards A
        b.disconnect(a.lastEndpoint!); // an explicit disconnect drops B's side both ways
        await log.waitFor("disconnect");
        // A still reads what B delivered before leaving (as libzmq), then nothing is left
        assert.deepEqual(texts(await withTimeout(a.receive())), ["DEF"]);
        a.receiveTimeout = 0;
        await rejectsWith(a.receive(), "EAGAIN");
        a.receiveTimeout = -1;
        a.sendTimeout = 0;
        await rejectsWith(a.send("x"), "EAGAIN"); // no peer left to queue for
        a.sendTimeout = -1;
        b.connect(a.lastEndpoint!);
        await log.waitFor("handshake", 2);
        await b.send("GHI");
        assert.deepEqual(texts(await withTimeout(a.receive())), ["GHI"]);
        await a.send("JKL");
        assert.deepEqual(texts(await withTimeout(b.receive())), ["JKL"], "ABC must be gone");
      } finally {
        closeAll(a, b);
      }
    });

    it("messages queued for a departed peer never reach the next peer", async () => {
      const a = new Dealer({ sendHighWaterMark: 5 });
      const log = new EventLog(a);
      await a.bind(bindAddress(t));
      const slow = new Dealer({ receiveHighWaterMark: 1 });
      const next = new Dealer();
      try {
        slow.connect(a.lastEndpoint!);
        await log.waitFor("handshake");
        const big = new Uint8Array(t === "inproc" ? 1 : 64 * 1024);
        const n = await withTimeout(
          fillUntilEagain(a, () => ["old", big]),
          30000,
          "filling the slow peer",
        );
        assert.ok(n >= 6, `queued ${n}`);
        slow.close();
        await log.waitFor("disconnect", 1, 10000);
        next.connect(a.lastEndpoint!);
        await a.send("fresh"); // waits for the new peer
        assert.deepEqual(texts(await withTimeout(next.receive())), ["fresh"]);
      } finally {
        closeAll(a, slow, next);
      }
    });
  });
}
