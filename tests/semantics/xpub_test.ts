// SPDX-License-Identifier: MIT
/**
 * XPUB (libzmq test_xpub_verbose, test_xpub_manual, test_xpub_welcome_msg,
 * test_pub_invert_matching, test_xpub_nodrop): subscription events de-duplicated across peers
 * by default, every subscribe (allSubs) or every subscribe and unsubscribe (allSubsUnsubs),
 * manual mode applying subscriptions to the peer whose event was read last, the welcome
 * message, unsubscribes on disconnect, inverted matching and noDrop.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Subscriber, XPublisher, XSubscriber } from "../../mod.ts";
import {
  bindAddress,
  closeAll,
  EventLog,
  fillUntilEagain,
  text,
  texts,
  TRANSPORTS,
  withTimeout,
} from "./_util.ts";

/** The next subscription event as "+topic" / "-topic". */
async function nextEvent(xpub: XPublisher): Promise<string> {
  const [f] = await withTimeout(xpub.receive(), 5000, "subscription event");
  return (f![0] === 1 ? "+" : f![0] === 0 ? "-" : "?") + text(f!.subarray(1));
}

for (const t of TRANSPORTS) {
  describe(`XPUB over ${t}`, () => {
    async function setup(options: ConstructorParameters<typeof XPublisher>[0] = {}) {
      const xpub = new XPublisher(options);
      await xpub.bind(bindAddress(t));
      const s1 = new Subscriber();
      const s2 = new Subscriber();
      s1.connect(xpub.lastEndpoint!);
      s2.connect(xpub.lastEndpoint!);
      return { xpub, s1, s2 };
    }

    it("default: subscribe reported on the first subscriber, unsubscribe on the last", async () => {
      const { xpub, s1, s2 } = await setup();
      try {
        s1.subscribe("A");
        assert.equal(await nextEvent(xpub), "+A");
        s2.subscribe("A");
        s2.subscribe("B");
        assert.equal(await nextEvent(xpub), "+B", "the second +A is not reported");
        s1.unsubscribe("A");
        s1.subscribe("C");
        assert.equal(await nextEvent(xpub), "+C", "-A is not reported while s2 holds A");
        s2.unsubscribe("A");
        assert.equal(await nextEvent(xpub), "-A");
      } finally {
        closeAll(xpub, s1, s2);
      }
    });

    it("allSubs: every subscribe reported, unsubscribes still de-duplicated", async () => {
      const { xpub, s1, s2 } = await setup({ verbosity: "allSubs" });
      try {
        s1.subscribe("A");
        assert.equal(await nextEvent(xpub), "+A");
        s2.subscribe("A");
        assert.equal(await nextEvent(xpub), "+A");
        s1.unsubscribe("A");
        s1.subscribe("C");
        assert.equal(await nextEvent(xpub), "+C");
        s2.unsubscribe("A");
        assert.equal(await nextEvent(xpub), "-A");
      } finally {
        closeAll(xpub, s1, s2);
      }
    });

    it("allSubsUnsubs: every subscribe and unsubscribe reported", async () => {
      const { xpub, s1, s2 } = await setup({ verbosity: "allSubsUnsubs" });
      try {
        s1.subscribe("A");
        assert.equal(await nextEvent(xpub), "+A");
        s2.subscribe("A");
        assert.equal(await nextEvent(xpub), "+A");
        s1.unsubscribe("A");
        assert.equal(await nextEvent(xpub), "-A");
        s2.unsubscribe("A");
        assert.equal(await nextEvent(xpub), "-A");
      } finally {
        closeAll(xpub, s1, s2);
      }
    });

    it("a SUB that subscribed twice needs two unsubscribes", async () => {
      const { xpub, s1, s2 } = await setup();
      try {
        s1.subscribe("A");
        s1.subscribe("A");
        assert.equal(await nextEvent(xpub), "+A");
        s1.unsubscribe("A");
        s1.subscribe("Z"); // marks that the first unsubscribe was handled
        assert.equal(await nextEvent(xpub), "+Z");
        await xpub.send("A still");
        assert.deepEqual(texts(await withTimeout(s1.receive())), ["A still"]);
        s1.unsubscribe("A");
        assert.equal(await nextEvent(xpub), "-A");
        await xpub.send("A gone");
        await xpub.send("Z marker");
        assert.deepEqual(texts(await withTimeout(s1.receive())), ["Z marker"]);
      } finally {
        closeAll(xpub, s1, s2);
      }
    });

    it("reports the unsubscribes of a subscriber that disconnects", async () => {
      const { xpub, s1, s2 } = await setup();
      try {
        s1.subscribe("A", "B");
        s2.subscribe("B");
        assert.deepEqual([await nextEvent(xpub), await nextEvent(xpub)], ["+A", "+B"]);
        s1.close();
        assert.equal(await nextEvent(xpub), "-A", "B is still held by s2");
        s2.close();
        assert.equal(await nextEvent(xpub), "-B");
      } finally {
        closeAll(xpub, s1, s2);
      }
    });

    it("manual: subscriptions apply only when the application sets them, per reading peer", async () => {
      const { xpub, s1, s2 } = await setup({ manual: true });
      try {
        s1.subscribe("A");
        s2.subscribe("B");
        const first = await nextEvent(xpub);
        const second = await nextEvent(xpub);
        assert.deepEqual([first, second].sort(), ["+A", "+B"]);
        // nothing applied yet: these go nowhere
        await xpub.send("A0");
        await xpub.send("B0");
        if (t === "inproc") {
          // both events were queued before the first read: each read selects its own peer
          const x2 = new XPublisher({ manual: true });
          await x2.bind(bindAddress(t));
          const a = new Subscriber();
          const b = new Subscriber();
          try {
            a.connect(x2.lastEndpoint!);
            b.connect(x2.lastEndpoint!);
            a.subscribe("A");
            b.subscribe("B");
            assert.equal(await nextEvent(x2), "+A");
            x2.subscribe("A"); // for a, whose event was read
            assert.equal(await nextEvent(x2), "+B");
            x2.subscribe("B"); // for b
            await x2.send("A1");
            await x2.send("B1");
            assert.deepEqual(texts(await withTimeout(a.receive())), ["A1"]);
            assert.deepEqual(texts(await withTimeout(b.receive())), ["B1"]);
          } finally {
            closeAll(x2, a, b);
          }
        }
        // apply for the peer read last, then publish
        xpub.subscribe(second.slice(1));
        await xpub.send(`${second.slice(1)}1`);
        const reader = second === "+A" ? s1 : s2;
        assert.deepEqual(texts(await withTimeout(reader.receive())), [`${second.slice(1)}1`]);
      } finally {
        closeAll(xpub, s1, s2);
      }
    });

    it("manual: a departing peer's applied subscriptions are reported as unsubscribes", async () => {
      const xpub = new XPublisher({ manual: true });
      await xpub.bind(bindAddress(t));
      const xsub = new XSubscriber();
      try {
        xsub.connect(xpub.lastEndpoint!);
        await xsub.send(Uint8Array.of(1, 0x41)); // +A (replayed at the handshake)
        assert.equal(await nextEvent(xpub), "+A");
        xpub.subscribe("XA"); // the application decides what A means
        await xpub.send("XA");
        await xpub.send("XB");
        assert.deepEqual(texts(await withTimeout(xsub.receive())), ["XA"]);
        xsub.close();
        assert.equal(await nextEvent(xpub), "-XA");
      } finally {
        closeAll(xpub, xsub);
      }
    });

    it("sends the welcome message to each new subscriber", async () => {
      const xpub = new XPublisher({ welcomeMessage: "WELCOME" });
      await xpub.bind(bindAddress(t));
      const sub = new Subscriber();
      try {
        sub.subscribe("W");
        sub.connect(xpub.lastEndpoint!);
        assert.deepEqual(texts(await withTimeout(sub.receive())), ["WELCOME"]);
        assert.equal(await nextEvent(xpub), "+W");
      } finally {
        closeAll(xpub, sub);
      }
    });

    it("invertMatching: sends to subscribers whose subscriptions do not match", async () => {
      const xpub = new XPublisher({ invertMatching: true });
      await xpub.bind(bindAddress(t));
      const sub = new Subscriber({ invertMatching: true });
      try {
        sub.connect(xpub.lastEndpoint!);
        sub.subscribe("A");
        assert.equal(await nextEvent(xpub), "+A");
        for (const m of ["A1", "B1", "A2", "C2"]) await xpub.send(m);
        assert.deepEqual(texts(await withTimeout(sub.receive())), ["B1"]);
        assert.deepEqual(texts(await withTimeout(sub.receive())), ["C2"]);
      } finally {
        closeAll(xpub, sub);
      }
    });

    it("passes data messages from XSUB peers to the application", async () => {
      const xpub = new XPublisher();
      await xpub.bind(bindAddress(t));
      const xsub = new XSubscriber();
      const log = new EventLog(xsub);
      try {
        xsub.connect(xpub.lastEndpoint!);
        // XSUB sends to connected publishers only: data sent before the handshake is dropped
        await log.waitFor("handshake");
        await xsub.send(["upstream", "data"]);
        assert.deepEqual(texts(await withTimeout(xpub.receive())), ["upstream", "data"]);
      } finally {
        closeAll(xpub, xsub);
      }
    });
  });
}

describe("XPUB noDrop over inproc", () => {
  it("EAGAIN at the high-water mark, resumes after the subscriber drains, nothing dropped", async () => {
    const xpub = new XPublisher({ noDrop: true, sendHighWaterMark: 3 });
    const log = new EventLog(xpub);
    await xpub.bind(bindAddress("inproc"));
    const sub = new Subscriber({ receiveHighWaterMark: 3 });
    try {
      sub.connect(xpub.lastEndpoint!);
      sub.subscribe("");
      await log.waitFor("handshake");
      assert.equal(await nextEvent(xpub), "+");
      const n = await fillUntilEagain(xpub, (k) => `${k}`);
      assert.equal(n, 6);
      for (let k = 0; k < n; k++) assert.equal(text((await sub.receive())[0]), `${k}`);
      await xpub.send("again");
      assert.deepEqual(texts(await withTimeout(sub.receive())), ["again"]);
      assert.equal(xpub.dropped, 0);
    } finally {
      closeAll(xpub, sub);
    }
  });
});
