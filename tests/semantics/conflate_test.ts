// SPDX-License-Identifier: MIT
/**
 * ZMQ_CONFLATE (libzmq test_conflate): each queue keeps only the last message; HWMs do not
 * apply, so a conflating sender never blocks. Receive-side checks run over inproc, where
 * delivery is synchronous and all 20 messages are known to have arrived before reading.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Publisher, Pull, Push, Subscriber } from "../../mod.ts";
import { bindAddress, closeAll, freeTcpEndpoint, text, TRANSPORTS, withTimeout } from "./_util.ts";

describe("conflate on the receiving side (inproc)", () => {
  it("PULL keeps only the last of 20 messages", async () => {
    const pull = new Pull({ conflate: true });
    await pull.bind(bindAddress("inproc"));
    const push = new Push();
    try {
      push.connect(pull.lastEndpoint!);
      for (let k = 0; k < 20; k++) await push.send(`${k}`);
      assert.equal(text((await withTimeout(pull.receive()))[0]), "19");
      await push.send("next");
      assert.equal(text((await withTimeout(pull.receive()))[0]), "next");
    } finally {
      closeAll(push, pull);
    }
  });

  it("SUB keeps only the latest value", async () => {
    const pub = new Publisher();
    await pub.bind(bindAddress("inproc"));
    const sub = new Subscriber({ conflate: true });
    try {
      sub.connect(pub.lastEndpoint!);
      sub.subscribe("price");
      for (let k = 0; k < 20; k++) await pub.send(["price", `${k}`]);
      const [topic, value] = await withTimeout(sub.receive());
      assert.deepEqual([text(topic), text(value)], ["price", "19"]);
    } finally {
      closeAll(pub, sub);
    }
  });
});

for (const t of TRANSPORTS) {
  describe(`conflate on the sending side over ${t}`, () => {
    it("a PUSH connected before its peer exists keeps only the last message; never blocks", async () => {
      const ep = t === "tcp" ? await freeTcpEndpoint() : bindAddress(t);
      const push = new Push({
        conflate: true,
        sendHighWaterMark: 1,
        sendTimeout: 0,
        reconnectInterval: 20,
      });
      const pull = new Pull();
      try {
        push.connect(ep);
        for (let k = 0; k < 20; k++) await push.send(`${k}`); // sendTimeout 0: would reject if full
        await pull.bind(ep);
        assert.equal(text((await withTimeout(pull.receive()))[0]), "19");
        await push.send("next");
        assert.equal(text((await withTimeout(pull.receive()))[0]), "next");
      } finally {
        closeAll(push, pull);
      }
    });
  });
}
