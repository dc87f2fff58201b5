// SPDX-License-Identifier: MIT
/**
 * Reconnection (libzmq test_reconnect_ivl, test_reconnect_options, test_bind_after_connect_tcp):
 * connect:retry events with the configured interval and backoff, -1 disabling it, and a
 * connected socket surviving its peer's restart on the same endpoint: SUB keeps its
 * subscriptions, PUSH delivers what it queued while the peer was away.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, Pull, Push, Router, Subscriber, XPublisher } from "../../mod.ts";
import {
  bindAddress,
  closeAll,
  EventLog,
  freeTcpEndpoint,
  STREAM_TRANSPORTS,
  text,
  texts,
  withTimeout,
} from "./_util.ts";

describe("reconnect timing (tcp)", () => {
  it("retries a refused endpoint every reconnectInterval (+ jitter below one interval)", async () => {
    const ep = await freeTcpEndpoint();
    const dealer = new Dealer({ reconnectInterval: 30 });
    const log = new EventLog(dealer);
    try {
      dealer.connect(ep);
      await log.waitFor("connect:retry", 3);
      for (const e of log.events.filter((x) => x.type === "connect:retry")) {
        assert.equal(e.address, ep);
        assert.ok(e.interval! >= 30 && e.interval! < 60, `interval ${e.interval}`);
      }
      assert.ok(log.count("connect:delay") >= 3);
      assert.equal(log.count("connect"), 0);
    } finally {
      dealer.close();
    }
  });

  it("backs off by doubling up to reconnectMaxInterval", async () => {
    const ep = await freeTcpEndpoint();
    const dealer = new Dealer({ reconnectInterval: 10, reconnectMaxInterval: 40 });
    const log = new EventLog(dealer);
    try {
      dealer.connect(ep);
      await log.waitFor("connect:retry", 5);
      const ivls = log.events.filter((x) => x.type === "connect:retry").map((e) => e.interval!);
      const base = [10, 20, 40, 40, 40];
      base.forEach((b, i) =>
        assert.ok(ivls[i]! >= b && ivls[i]! < b + 10, `retry ${i}: ${ivls[i]} vs ${b}`)
      );
    } finally {
      dealer.close();
    }
  });
});

for (const t of STREAM_TRANSPORTS) {
  describe(`reconnect over ${t}`, () => {
    it("reconnectInterval -1: no reconnection after the peer goes, even when it returns", async () => {
      const first = new Router();
      await first.bind(bindAddress(t));
      const ep = first.lastEndpoint!;
      const never = new Dealer({ reconnectInterval: -1 });
      const witness = new Dealer({ reconnectInterval: 20 });
      const nlog = new EventLog(never);
      const wlog = new EventLog(witness);
      const second = new Router();
      const slog = new EventLog(second);
      try {
        never.connect(ep);
        witness.connect(ep);
        await nlog.waitFor("handshake");
        await wlog.waitFor("handshake");
        first.close();
        await nlog.waitFor("disconnect");
        await wlog.waitFor("disconnect");
        await second.bind(ep);
        await wlog.waitFor("handshake", 2); // the witness came back…
        assert.equal(slog.count("accept"), 1, "…and only the witness");
        assert.equal(nlog.count("connect:retry"), 0);
        assert.equal(nlog.count("handshake"), 1);
      } finally {
        closeAll(first, second, never, witness);
      }
    });

    it("SUB keeps its subscriptions when its publisher restarts", async () => {
      const pub1 = new XPublisher();
      await pub1.bind(bindAddress(t));
      const ep = pub1.lastEndpoint!;
      const sub = new Subscriber({ reconnectInterval: 20 });
      const log = new EventLog(sub);
      const pub2 = new XPublisher();
      try {
        sub.connect(ep);
        sub.subscribe("a");
        assert.deepEqual([...(await withTimeout(pub1.receive()))[0]!], [1, 0x61]);
        pub1.close();
        await log.waitFor("disconnect");
        await pub2.bind(ep);
        // the subscription comes back on its own
        assert.deepEqual([...(await withTimeout(pub2.receive(), 5000, "resubscription"))[0]!], [
          1,
          0x61,
        ]);
        await pub2.send("b-2");
        await pub2.send("a-2");
        await pub2.send("a-3");
        assert.deepEqual(texts(await withTimeout(sub.receive())), ["a-2"]);
        assert.deepEqual(texts(await withTimeout(sub.receive())), ["a-3"]);
      } finally {
        closeAll(pub1, pub2, sub);
      }
    });

    it("PUSH delivers messages queued while its PULL was away", async () => {
      const pull1 = new Pull();
      await pull1.bind(bindAddress(t));
      const ep = pull1.lastEndpoint!;
      const push = new Push({ reconnectInterval: 20 });
      const log = new EventLog(push);
      const pull2 = new Pull();
      try {
        push.connect(ep);
        await push.send("before");
        assert.deepEqual(texts(await withTimeout(pull1.receive())), ["before"]);
        pull1.close();
        await log.waitFor("disconnect");
        for (const m of ["q1", "q2", "q3"]) {
          await withTimeout(push.send(m), 1000, "queueing while away");
        }
        await pull2.bind(ep);
        for (const m of ["q1", "q2", "q3"]) {
          assert.equal(text((await withTimeout(pull2.receive()))[0]), m);
        }
        await log.waitFor("handshake", 2);
      } finally {
        closeAll(pull1, pull2, push);
      }
    });

    it("connect before bind: messages sent early arrive in order once the peer binds", async () => {
      const ep = t === "tcp" ? await freeTcpEndpoint() : bindAddress(t);
      const early = new Dealer({ reconnectInterval: 20 });
      const late = new Dealer();
      try {
        early.connect(ep);
        for (const m of ["1", "2", "3"]) await early.send(m);
        await late.bind(ep);
        for (const m of ["1", "2", "3"]) {
          assert.equal(text((await withTimeout(late.receive()))[0]), m);
        }
      } finally {
        closeAll(early, late);
      }
    });
  });
}
