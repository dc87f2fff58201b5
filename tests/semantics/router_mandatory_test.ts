// SPDX-License-Identifier: MIT
/**
 * ROUTER options (libzmq test_router_mandatory, test_router_mandatory_hwm,
 * test_router_handover, test_connect_rid): EHOSTUNREACH for unknown ids, EAGAIN when the
 * peer is full, handover of a duplicate routing id, and connectRoutingId.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, Router } from "../../mod.ts";
import {
  bindAddress,
  closeAll,
  EventLog,
  fillUntilEagain,
  rejectsWith,
  STREAM_TRANSPORTS,
  text,
  texts,
  TRANSPORTS,
  withTimeout,
} from "./_util.ts";

for (const t of TRANSPORTS) {
  describe(`ROUTER mandatory over ${t}`, () => {
    it("EHOSTUNREACH for an unknown id; delivered once the peer is there; again after it leaves", async () => {
      const router = new Router({ mandatory: true });
      const log = new EventLog(router);
      await router.bind(bindAddress(t));
      const dealer = new Dealer({ routingId: "D" });
      try {
        await rejectsWith(router.send(["D", "too early"]), "EHOSTUNREACH");
        dealer.connect(router.lastEndpoint!);
        await log.waitFor("handshake");
        await router.send(["D", "hello"]);
        assert.deepEqual(texts(await withTimeout(dealer.receive())), ["hello"]);
        dealer.close();
        await log.waitFor("disconnect");
        await rejectsWith(router.send(["D", "gone"]), "EHOSTUNREACH");
        assert.equal(router.dropped, 0);
      } finally {
        closeAll(router, dealer);
      }
    });

    it("EAGAIN when the peer is full; a blocking send completes when it reads", async () => {
      const router = new Router({ mandatory: true, sendHighWaterMark: 1 });
      const log = new EventLog(router);
      await router.bind(bindAddress(t));
      const dealer = new Dealer({ routingId: "D", receiveHighWaterMark: 1 });
      try {
        dealer.connect(router.lastEndpoint!);
        await log.waitFor("handshake");
        const body = new Uint8Array(t === "inproc" ? 1 : 64 * 1024);
        const n = await withTimeout(
          fillUntilEagain(router, (k) => ["D", `${k}`, body]),
          30000,
          "filling",
        );
        if (t === "inproc") assert.equal(n, 2, "inproc: SNDHWM 1 + RCVHWM 1");
        else assert.ok(n >= 2, `accepted ${n}`);
        const blocked = router.send(["D", "last", body]);
        for (let k = 0; k < n; k++) {
          assert.equal(text((await withTimeout(dealer.receive()))[0]), `${k}`);
        }
        await withTimeout(blocked, 5000, "blocked mandatory send");
        assert.equal(text((await withTimeout(dealer.receive()))[0]), "last");
        assert.equal(router.dropped, 0);
      } finally {
        closeAll(router, dealer);
      }
    });

    it("without mandatory a full peer's messages are dropped and counted", async () => {
      const router = new Router({ sendHighWaterMark: 1 });
      const log = new EventLog(router);
      await router.bind(bindAddress("inproc"));
      const dealer = new Dealer({ routingId: "D", receiveHighWaterMark: 1 });
      try {
        dealer.connect(router.lastEndpoint!);
        await log.waitFor("handshake");
        for (let k = 0; k < 10; k++) {
          await withTimeout(router.send(["D", `${k}`]), 1000, "never blocks");
        }
        assert.equal(router.dropped, 8);
        for (const want of ["0", "1"]) assert.equal(text((await dealer.receive())[0]), want);
      } finally {
        closeAll(router, dealer);
      }
    });

    it("handover: a new peer with a known id takes it over", async () => {
      const router = new Router({ mandatory: true, handover: true });
      const log = new EventLog(router);
      await router.bind(bindAddress(t));
      const first = new Dealer({ routingId: "X", reconnectInterval: -1 });
      const second = new Dealer({ routingId: "X" });
      try {
        first.connect(router.lastEndpoint!);
        await log.waitFor("handshake");
        await router.send(["X", "to-first"]);
        assert.deepEqual(texts(await withTimeout(first.receive())), ["to-first"]);
        second.connect(router.lastEndpoint!);
        await log.waitFor("handshake", 2);
        await log.waitFor("disconnect"); // the old connection is dropped
        await router.send(["X", "to-second"]);
        assert.deepEqual(texts(await withTimeout(second.receive())), ["to-second"]);
        await second.send("from-second");
        assert.deepEqual(texts(await withTimeout(router.receive())), ["X", "from-second"]);
      } finally {
        closeAll(router, first, second);
      }
    });

    it("no handover: a second peer with a taken id is refused, the first keeps it", async () => {
      const router = new Router({ mandatory: true });
      const log = new EventLog(router);
      await router.bind(bindAddress(t));
      const first = new Dealer({ routingId: "X" });
      const second = new Dealer({ routingId: "X" });
      try {
        first.connect(router.lastEndpoint!);
        await log.waitFor("handshake");
        second.connect(router.lastEndpoint!);
        if (t === "inproc") {
          assert.equal(log.count("handshake"), 1); // refused at once: second has no pipe left
        } else {
          await withTimeout(second.send("from-second"), 1000, "queueing on second"); // never read
          await log.waitFor("handshake:error:protocol");
        }
        await first.send("from-first");
        assert.deepEqual(texts(await withTimeout(router.receive())), ["X", "from-first"]);
        await router.send(["X", "reply"]);
        assert.deepEqual(texts(await withTimeout(first.receive())), ["reply"]);
      } finally {
        closeAll(router, first, second);
      }
    });
  });
}

for (const t of [...STREAM_TRANSPORTS, "inproc" as const]) {
  describe(`ROUTER to ROUTER over ${t}`, () => {
    it("connectRoutingId names the peer of our next connect", async () => {
      const server = new Router({ routingId: "SERVER" });
      const slog = new EventLog(server);
      await server.bind(bindAddress(t));
      const client = new Router({ routingId: "CLIENT", mandatory: true, connectRoutingId: "srv" });
      const clog = new EventLog(client);
      try {
        client.connect(server.lastEndpoint!);
        await clog.waitFor("handshake");
        await slog.waitFor("handshake");
        await client.send(["srv", "hi"]);
        assert.deepEqual(texts(await withTimeout(server.receive())), ["CLIENT", "hi"]);
        await server.send(["CLIENT", "hello back"]);
        assert.deepEqual(texts(await withTimeout(client.receive())), ["srv", "hello back"]);
        await rejectsWith(client.send(["SERVER", "not its name here"]), "EHOSTUNREACH");
      } finally {
        closeAll(server, client);
      }
    });
  });
}
