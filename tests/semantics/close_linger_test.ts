// SPDX-License-Identifier: MIT
/**
 * close() and linger (libzmq test_ctx_destroy, ZMQ_LINGER): pending sends and receives
 * reject with ETERM; with linger -1 queued messages are still delivered after close, with
 * linger 0 they are dropped, and a positive linger ends the socket by its deadline.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, Pull, Push, ZmqError } from "../../mod.ts";
import {
  bindAddress,
  closeAll,
  EventLog,
  freeTcpEndpoint,
  rejectsWith,
  text,
  TRANSPORTS,
  withTimeout,
} from "./_util.ts";

describe("close", () => {
  it("pending receive and send reject with ETERM; later calls too", async () => {
    const d = new Dealer();
    const receiving = d.receive();
    const sending = d.send("no peer, so this waits");
    d.close();
    await rejectsWith(receiving, "ETERM");
    await rejectsWith(sending, "ETERM");
    await rejectsWith(d.send("after"), "ETERM");
    await rejectsWith(d.receive(), "ETERM");
    assert.throws(
      () => d.connect("inproc://x"),
      (e: unknown) => e instanceof ZmqError && e.code === "ETERM",
    );
  });

  it("for-await over a socket ends when it is closed", async () => {
    const pull = new Pull();
    await pull.bind(bindAddress("inproc"));
    const done = (async () => {
      let n = 0;
      for await (const _ of pull) n++;
      return n;
    })();
    pull.close();
    assert.equal(await withTimeout(done, 2000, "iteration end"), 0);
  });
});

for (const t of TRANSPORTS) {
  describe(`linger over ${t}`, () => {
    const endpoint = () => (t === "tcp" ? freeTcpEndpoint() : Promise.resolve(bindAddress(t)));

    it("linger -1: messages queued before close are delivered once the peer appears", async () => {
      const ep = await endpoint();
      const push = new Push({ linger: -1, reconnectInterval: 20 });
      const log = new EventLog(push);
      const pull = new Pull();
      try {
        push.connect(ep);
        for (const m of ["1", "2", "3"]) await push.send(m);
        push.close();
        // receives already waiting before the peer exists are served as the messages arrive
        const receives = [pull.receive(), pull.receive(), pull.receive()];
        await pull.bind(ep);
        const got = await withTimeout(Promise.all(receives), 5000, "lingering messages");
        assert.deepEqual(got.map((m) => text(m[0])), ["1", "2", "3"]);
        await log.waitFor("end");
      } finally {
        closeAll(push, pull);
      }
    });

    it("linger 0: messages queued before close are dropped", async () => {
      const ep = await endpoint();
      const push = new Push({ linger: 0 });
      const pull = new Pull({ receiveTimeout: 300 });
      const witness = new Push();
      try {
        push.connect(ep);
        await push.send("dropped");
        push.close();
        await pull.bind(ep);
        witness.connect(pull.lastEndpoint ?? ep);
        await witness.send("witness");
        assert.equal(text((await withTimeout(pull.receive()))[0]), "witness");
        await rejectsWith(pull.receive(), "EAGAIN");
      } finally {
        closeAll(push, pull, witness);
      }
    });

    it("a positive linger ends the socket by its deadline when nobody takes the messages", async () => {
      const ep = await endpoint();
      const push = new Push({ linger: 100 });
      const log = new EventLog(push);
      try {
        push.connect(ep);
        await push.send("never delivered");
        push.close();
        await withTimeout(log.waitFor("end", 1, 3000), 3000, "end after linger");
      } finally {
        push.close();
      }
    });
  });
}
