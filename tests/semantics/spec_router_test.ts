// SPDX-License-Identifier: MIT
/**
 * RFC 28 ROUTER clauses (libzmq test_spec_router): fair-queue in with the routing id first,
 * addressed sends, silent drop of unknown ids, generated ids, and the clause libzmq disables:
 * a departed peer's queues are destroyed, even when a new peer takes the same routing id.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, Router } from "../../mod.ts";
import {
  bindAddress,
  closeAll,
  EventLog,
  fillUntilEagain,
  queuedInbound,
  text,
  texts,
  TRANSPORTS,
  until,
  withTimeout,
} from "./_util.ts";

for (const t of TRANSPORTS) {
  describe(`ROUTER over ${t}`, () => {
    it("fair-queues 3 peers in strict rotation, routing id first", async () => {
      const router = new Router();
      await router.bind(bindAddress(t));
      const ids = ["A", "B", "C"];
      const dealers = ids.map((id) => new Dealer({ routingId: id }));
      try {
        for (const d of dealers) d.connect(router.lastEndpoint!);
        for (let k = 0; k < 10; k++) {
          for (const [i, d] of dealers.entries()) await d.send([`${ids[i]}${k}`, "tail"]);
        }
        await until(() => queuedInbound(router) === 30, 5000, "30 messages queued");
        const from: string[] = [];
        const next = new Map<string, number>();
        for (let j = 0; j < 30; j++) {
          const [id, body, tail] = texts(await router.receive());
          from.push(id!);
          const k = next.get(id!) ?? 0;
          assert.equal(body, `${id}${k}`, "per-peer order");
          assert.equal(tail, "tail");
          next.set(id!, k + 1);
        }
        assert.deepEqual([...from.slice(0, 3)].sort(), ids);
        for (let j = 3; j < 30; j++) assert.equal(from[j], from[j - 3]);
      } finally {
        closeAll(router, ...dealers);
      }
    });

    it("generates distinct 5-byte ids (first byte 0) for peers without one", async () => {
      const router = new Router();
      await router.bind(bindAddress(t));
      const d1 = new Dealer();
      const d2 = new Dealer();
      try {
        d1.connect(router.lastEndpoint!);
        d2.connect(router.lastEndpoint!);
        await d1.send("one");
        await d2.send("two");
        const seen = new Map<string, Uint8Array>();
        for (let j = 0; j < 2; j++) {
          const [id, body] = await withTimeout(router.receive());
          assert.equal(id!.length, 5);
          assert.equal(id![0], 0);
          seen.set(text(body), id!);
        }
        assert.notDeepEqual(seen.get("one"), seen.get("two"));
        // addressed replies reach the right dealer
        await router.send([seen.get("two")!, "for-two"]);
        await router.send([seen.get("one")!, "for-one"]);
        assert.deepEqual(texts(await withTimeout(d1.receive())), ["for-one"]);
        assert.deepEqual(texts(await withTimeout(d2.receive())), ["for-two"]);
      } finally {
        closeAll(router, d1, d2);
      }
    });

    it("routes to the named peer only, multipart intact", async () => {
      const router = new Router();
      const log = new EventLog(router);
      await router.bind(bindAddress(t));
      const a = new Dealer({ routingId: "A" });
      const b = new Dealer({ routingId: "B" });
      try {
        a.connect(router.lastEndpoint!);
        b.connect(router.lastEndpoint!);
        await log.waitFor("handshake", 2);
        await router.send(["B", "x", "y", "z"]);
        await router.send(["A", "only-a"]);
        assert.deepEqual(texts(await withTimeout(b.receive())), ["x", "y", "z"]);
        assert.deepEqual(
          texts(await withTimeout(a.receive())),
          ["only-a"],
          "B's message went to A",
        );
      } finally {
        closeAll(router, a, b);
      }
    });

    it("silently drops messages for unknown ids and never blocks without peers", async () => {
      const router = new Router();
      await router.bind(bindAddress(t));
      const d = new Dealer({ routingId: "D" });
      try {
        await withTimeout(router.send(["nobody", "lost"]), 1000, "send to unknown id");
        assert.equal(router.dropped, 1);
        d.connect(router.lastEndpoint!);
        await d.send("hi");
        await withTimeout(router.receive());
        await router.send(["nobody", "lost"]);
        await router.send(["D", "found"]);
        assert.deepEqual(texts(await withTimeout(d.receive())), ["found"]);
        assert.equal(router.dropped, 2);
      } finally {
        closeAll(router, d);
      }
    });

    it("a departed peer's queue is dropped; a new peer with its id gets none of it", async () => {
      const router = new Router({ mandatory: true, sendHighWaterMark: 5 });
      const log = new EventLog(router);
      await router.bind(bindAddress(t));
      const old = new Dealer({ routingId: "P", receiveHighWaterMark: 1 });
      const fresh = new Dealer({ routingId: "P" });
      try {
        old.connect(router.lastEndpoint!);
        await log.waitFor("handshake");
        await old.send("from-old"); // delivered to the router, read only after old has gone
        const big = new Uint8Array(t === "inproc" ? 1 : 64 * 1024);
        const n = await withTimeout(
          fillUntilEagain(router, () => ["P", "stale", big]),
          30000,
          "filling P",
        );
        assert.ok(n >= 6, `queued ${n}`);
        old.close();
        await log.waitFor("disconnect", 1, 10000);
        fresh.connect(router.lastEndpoint!);
        await log.waitFor("handshake", 2);
        await fresh.send("from-fresh");
        // what old delivered is still read, with the id it had (as libzmq); then fresh's
        assert.deepEqual(texts(await withTimeout(router.receive())), ["P", "from-old"]);
        assert.deepEqual(texts(await withTimeout(router.receive())), ["P", "from-fresh"]);
        await router.send(["P", "hello"]);
        assert.deepEqual(
          texts(await withTimeout(fresh.receive())),
          ["hello"],
          "stale must be gone",
        );
      } finally {
        closeAll(router, old, fresh);
      }
    });
  });
}
