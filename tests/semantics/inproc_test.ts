// SPDX-License-Identifier: MIT
/**
 * inproc:// (libzmq test_inproc_connect): connect before bind, several early connectors,
 * EADDRINUSE for a second binder, names freed by unbind and close, routing ids, and closed
 * connectors never joining a later binder.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, Pair, Pull, Push, Router, ZmqError } from "../../mod.ts";
import { bindAddress, closeAll, EventLog, rejectsWith, text, texts, withTimeout } from "./_util.ts";

describe("inproc", () => {
  it("connect before bind: messages sent early arrive in order", async () => {
    const ep = bindAddress("inproc");
    const push = new Push();
    const pull = new Pull();
    try {
      push.connect(ep);
      for (const m of ["1", "2", "3"]) {
        await withTimeout(push.send(m), 1000, "queueing before bind");
      }
      await pull.bind(ep);
      for (const m of ["1", "2", "3"]) {
        assert.equal(text((await withTimeout(pull.receive()))[0]), m);
      }
    } finally {
      closeAll(push, pull);
    }
  });

  it("several sockets connecting before bind all join", async () => {
    const ep = bindAddress("inproc");
    const pushes = [new Push(), new Push(), new Push()];
    const pull = new Pull();
    const log = new EventLog(pull);
    try {
      for (const [i, p] of pushes.entries()) {
        p.connect(ep);
        await p.send(`from ${i}`);
      }
      await pull.bind(ep);
      await log.waitFor("handshake", 3);
      const got = [];
      for (let i = 0; i < 3; i++) got.push(text((await withTimeout(pull.receive()))[0]));
      assert.deepEqual(got.sort(), ["from 0", "from 1", "from 2"]);
    } finally {
      closeAll(pull, ...pushes);
    }
  });

  it("a second bind to a bound name fails with EADDRINUSE", async () => {
    const ep = bindAddress("inproc");
    const a = new Pair();
    const b = new Pair();
    try {
      await a.bind(ep);
      await assert.rejects(
        b.bind(ep),
        (e: unknown) => e instanceof ZmqError && e.code === "EADDRINUSE",
      );
    } finally {
      closeAll(a, b);
    }
  });

  it("unbind frees the name for another socket (libzmq test_unbind)", async () => {
    const ep = bindAddress("inproc");
    const first = new Pair();
    const second = new Pair();
    const client = new Pair();
    try {
      await first.bind(ep);
      await first.unbind(ep);
      await second.bind(ep);
      client.connect(ep);
      await client.send("foobar");
      assert.deepEqual(texts(await withTimeout(second.receive())), ["foobar"]);
      await rejectsWith(first.unbind(ep), "ENOENT");
    } finally {
      closeAll(first, second, client);
    }
  });

  it("close frees the name", async () => {
    const ep = bindAddress("inproc");
    const first = new Pull();
    await first.bind(ep);
    first.close();
    const second = new Pull();
    const push = new Push();
    try {
      await second.bind(ep);
      push.connect(ep);
      await push.send("to second");
      assert.deepEqual(texts(await withTimeout(second.receive())), ["to second"]);
    } finally {
      closeAll(second, push);
    }
  });

  it("a connector closed before the bind never joins", async () => {
    const ep = bindAddress("inproc");
    const gone = new Push();
    gone.connect(ep);
    gone.close();
    const pull = new Pull();
    const log = new EventLog(pull);
    const push = new Push();
    try {
      await pull.bind(ep);
      assert.equal(log.count("handshake"), 0);
      push.connect(ep);
      await push.send("live");
      assert.deepEqual(texts(await withTimeout(pull.receive())), ["live"]);
      assert.equal(log.count("handshake"), 1);
    } finally {
      closeAll(pull, push);
    }
  });

  it("carries routing ids; a second connect to the same name is a no-op", async () => {
    const ep = bindAddress("inproc");
    const router = new Router();
    const log = new EventLog(router);
    await router.bind(ep);
    const dealer = new Dealer({ routingId: "D1" });
    try {
      dealer.connect(ep);
      dealer.connect(ep);
      await dealer.send("hi");
      assert.deepEqual(texts(await withTimeout(router.receive())), ["D1", "hi"]);
      assert.equal(log.count("handshake"), 1);
      await router.send(["D1", "back"]);
      assert.deepEqual(texts(await withTimeout(dealer.receive())), ["back"]);
    } finally {
      closeAll(router, dealer);
    }
  });

  it("the binder closing disconnects its peers", async () => {
    const ep = bindAddress("inproc");
    const pull = new Pull();
    await pull.bind(ep);
    const push = new Push({ sendTimeout: 100 });
    const log = new EventLog(push);
    try {
      push.connect(ep);
      await log.waitFor("handshake");
      pull.close();
      await log.waitFor("disconnect");
      await rejectsWith(push.send("nobody"), "EAGAIN");
    } finally {
      closeAll(push, pull);
    }
  });
});
