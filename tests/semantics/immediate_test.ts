// SPDX-License-Identifier: MIT
/**
 * ZMQ_IMMEDIATE (libzmq test_immediate): without it a connecting socket queues to peers that
 * are not there yet; with it, messages go only to completed connections, and a connection
 * that drops takes its queue with it (send blocks / EAGAIN until a peer is back).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, Pull, Push } from "../../mod.ts";
import {
  bindAddress,
  closeAll,
  EventLog,
  freeTcpEndpoint,
  rejectsWith,
  STREAM_TRANSPORTS,
  text,
  texts,
  TRANSPORTS,
  withTimeout,
} from "./_util.ts";

/** An endpoint nothing is bound to. */
async function deadEndpoint(t: "tcp" | "ipc" | "inproc"): Promise<string> {
  return t === "tcp" ? await freeTcpEndpoint() : bindAddress(t);
}

for (const t of TRANSPORTS) {
  describe(`immediate over ${t}`, () => {
    it("with immediate, nothing is queued to a peer that is not there: EAGAIN", async () => {
      const ep = await deadEndpoint(t);
      const dealer = new Dealer({ immediate: true, sendTimeout: 150 });
      const log = new EventLog(dealer);
      const peer = new Dealer();
      try {
        dealer.connect(ep);
        await rejectsWith(dealer.send("lost?"), "EAGAIN");
        await peer.bind(ep);
        await log.waitFor("handshake", 1, 10000);
        await dealer.send("after");
        assert.deepEqual(
          texts(await withTimeout(peer.receive())),
          ["after"],
          "nothing queued earlier",
        );
      } finally {
        closeAll(dealer, peer);
      }
    });

    it("without immediate, messages are queued to a peer that is not there yet", async () => {
      const ep = await deadEndpoint(t);
      const dealer = new Dealer({ sendTimeout: 150, reconnectInterval: 20 });
      const peer = new Dealer();
      try {
        dealer.connect(ep);
        await dealer.send("early");
        await peer.bind(ep);
        assert.deepEqual(texts(await withTimeout(peer.receive())), ["early"]);
      } finally {
        closeAll(dealer, peer);
      }
    });

    it("one live and one dead endpoint: half the messages wait for the dead one, unless immediate", async () => {
      for (const immediate of [false, true]) {
        const pull = new Pull();
        await pull.bind(bindAddress(t));
        const dead = await deadEndpoint(t);
        // linger 0: the message queued for the dead peer must not keep the process alive (Node)
        const push = new Push({ immediate, linger: 0 });
        const log = new EventLog(push);
        try {
          push.connect(dead);
          push.connect(pull.lastEndpoint!);
          await log.waitFor("handshake");
          for (let k = 0; k < 10; k++) await withTimeout(push.send(`${k}`), 1000, "send");
          if (!immediate) await push.send("for the dead one"); // keeps the rotation on the live one
          await push.send("marker");
          const got: string[] = [];
          for (;;) {
            const s = text((await withTimeout(pull.receive()))[0]);
            if (s === "marker") break;
            got.push(s);
          }
          if (immediate) assert.deepEqual(got, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
          else {assert.deepEqual(
              got,
              ["1", "3", "5", "7", "9"],
              "the even ones are queued for the dead peer",
            );}
        } finally {
          closeAll(push, pull);
        }
      }
    });
  });
}

for (const t of STREAM_TRANSPORTS) {
  describe(`immediate when the peer goes, over ${t}`, () => {
    it("send blocks (EAGAIN) while the only peer is away, and works again once it is back", async () => {
      const pull1 = new Pull();
      await pull1.bind(bindAddress(t));
      const ep = pull1.lastEndpoint!;
      const push = new Push({ immediate: true, reconnectInterval: 20 });
      const log = new EventLog(push);
      const pull2 = new Pull();
      try {
        push.connect(ep);
        await log.waitFor("handshake");
        await push.send("one");
        assert.deepEqual(texts(await withTimeout(pull1.receive())), ["one"]);
        pull1.close();
        await log.waitFor("disconnect");
        push.sendTimeout = 150;
        await rejectsWith(push.send("nobody"), "EAGAIN");
        push.sendTimeout = -1;
        await pull2.bind(ep);
        await log.waitFor("handshake", 2);
        await push.send("two");
        assert.deepEqual(
          texts(await withTimeout(pull2.receive())),
          ["two"],
          "nothing stale queued",
        );
      } finally {
        closeAll(push, pull1, pull2);
      }
    });
  });
}
