// SPDX-License-Identifier: MIT
/**
 * What a peer may make a zmqkit socket hold (issue 11): the handshake command size, the number
 * of metadata properties, the Identity and Socket-Type lengths, the size and the frame count of
 * a whole message. Each limit refused with an event naming it; the listener keeps serving; what
 * is within the limits arrives intact.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, ProtocolErrorCode, Pull, Push, Router, XPublisher } from "../../mod.ts";
import { bytes, command, frame, greeting, MockPeer, ready } from "../_helpers/mock_peer.ts";
import { waitForEvent, withTimeout } from "../_helpers/wait.ts";

const P = ProtocolErrorCode;
const dec = new TextDecoder();

/** Binds a Router, lets `abuse` run from a mock peer, checks the event, then a good client. */
async function refused(
  abuse: (peer: MockPeer, router: Router) => Promise<void> | void,
  type: string,
  code: string,
  message: RegExp,
  options: Record<string, number> = {},
): Promise<void> {
  const router = new Router({ handshakeInterval: 30000, ...options });
  void router.events;
  await router.bind("tcp://127.0.0.1:*");
  const peer = await MockPeer.connect(router.lastEndpoint!);
  const dealer = new Dealer({ linger: 0, routingId: "good" });
  try {
    await abuse(peer, router);
    const ev = await waitForEvent(router, type, 5000);
    assert.equal(ev.error?.code, code, ev.error?.message ?? "no error");
    assert.match(ev.error?.message ?? "", message);
    await peer.waitClosed();
    dealer.connect(router.lastEndpoint!);
    await dealer.send("ping");
    // what the mock sent within the limits came first
    let msg = await withTimeout(router.receive(), 5000, "good request");
    while (dec.decode(msg[0]) !== "good") msg = await withTimeout(router.receive(), 5000, "good");
    assert.equal(dec.decode(msg[1]), "ping");
  } finally {
    peer.destroy();
    dealer.close();
    router.close();
  }
}

/** `n` empty properties with one-character names. */
function manyProperties(n: number): Uint8Array {
  const out = new Uint8Array(n * 6);
  for (let i = 0; i < n; i++) {
    out[i * 6] = 1;
    out[i * 6 + 1] = 0x61; // "a", value length 0
  }
  return out;
}

describe("peer limits: the handshake", () => {
  it("a READY larger than maxHandshakeSize is refused at its header, naming the limit", async () => {
    const big = "X".repeat(1_000_000);
    await refused(
      (peer) => peer.write(greeting(), ready(big).subarray(0, 100)),
      "handshake:error:protocol",
      P.MESSAGE_TOO_LARGE,
      /command of 1000\d\d\d bytes exceeds maxHandshakeSize 65536/,
    );
  });

  it("maxHandshakeSize can be raised, and a Socket-Type of 40 bytes is still no socket type", async () => {
    await refused(
      (peer) => peer.write(greeting(), ready("D".repeat(40))),
      "handshake:error:protocol",
      P.INVALID_METADATA,
      /Socket-Type of 40 bytes/,
      { maxHandshakeSize: 1 << 20 },
    );
  });

  it("a READY with more than 256 properties is refused", async () => {
    await refused(
      (peer) =>
        peer.write(
          greeting(),
          command("READY", bytes(ready("DEALER").subarray(8), manyProperties(300))),
        ),
      "handshake:error:protocol",
      P.INVALID_METADATA,
      /more than 256 properties/,
    );
  });

  it("an Identity of 256 bytes is refused; one of 255 becomes the routing id", async () => {
    await refused(
      (peer) => peer.write(greeting(), ready("DEALER", ["Identity", "i".repeat(256)])),
      "handshake:error:protocol",
      P.INVALID_METADATA,
      /Identity of 256 bytes exceeds 255/,
    );
    const router = new Router();
    await router.bind("tcp://127.0.0.1:*");
    const peer = await MockPeer.connect(router.lastEndpoint!);
    try {
      peer.write(greeting(), ready("DEALER", ["Identity", "i".repeat(255)]), frame(0, "hi"));
      const [id, body] = await withTimeout(router.receive(), 5000, "message");
      assert.equal(dec.decode(id), "i".repeat(255));
      assert.equal(dec.decode(body), "hi");
    } finally {
      peer.destroy();
      router.close();
    }
  });
});

describe("peer limits: messages", () => {
  it("a message that never ends is cut at maxMessageFrames, naming it", async () => {
    await refused(
      (peer) => {
        peer.handshake("DEALER");
        peer.write(new Uint8Array(2 * 70_000).fill(0).map((_, i) => i % 2 === 0 ? 1 : 0));
      },
      "disconnect",
      P.MESSAGE_TOO_LARGE,
      /message of more than 65536 frames exceeds maxMessageFrames 65536/,
    );
  });

  it("maxMessageSize counts the whole message, every frame of it", async () => {
    await refused(
      (peer) => {
        peer.handshake("DEALER");
        peer.write(frame(1, "a".repeat(60)), frame(0, "b".repeat(40))); // 100: fits
        peer.write(frame(1, "a".repeat(60)), frame(0, "b".repeat(41)));
      },
      "disconnect",
      P.MESSAGE_TOO_LARGE,
      /message of 2 frames and 101 bytes exceeds maxMessageSize 100/,
      { maxMessageSize: 100 },
    );
  });

  it("many-frame messages of every size arrive whole, also past the inbound frame budget", async () => {
    const pull = new Pull({ maxMessageFrames: 5000 });
    await pull.bind("tcp://127.0.0.1:*");
    const push = new Push({ linger: 1000 });
    push.connect(pull.lastEndpoint!);
    try {
      const sizes = [0, 1, 7, 127, 128, 300, 0, 2];
      const make = (m: number) =>
        Array.from(
          { length: 3000 + m },
          (_, i) => new Uint8Array(sizes[(i + m) % sizes.length]!).fill((i + m) & 0xff),
        );
      // 40 messages of ~3000 frames: more than the 65536 frames an inbound queue holds
      // before its connection stops reading; reading resumes as they are taken, none is lost
      const sending = (async () => {
        for (let m = 0; m < 40; m++) await push.send(make(m));
      })();
      for (let m = 0; m < 40; m++) {
        const got = await withTimeout(pull.receive(), 10000, `message ${m}`);
        assert.deepEqual(got, make(m), `message ${m}`);
      }
      await sending;
    } finally {
      push.close();
      pull.close();
    }
  });
});

describe("peer limits: subscriptions", () => {
  it("XPUB: 20,000 subscriptions wait unread, then come out in order; a 100 KB topic's leave is told", async () => {
    const xpub = new XPublisher();
    await xpub.bind("tcp://127.0.0.1:*");
    const peer = await MockPeer.connect(xpub.lastEndpoint!);
    try {
      const topic = (i: number) => `t${i}`;
      const long = new Uint8Array(100_000).fill(0x6c);
      const subs: Uint8Array[] = [];
      for (let i = 0; i < 20_000; i++) subs.push(command("SUBSCRIBE", bytes(topic(i))));
      subs.push(command("SUBSCRIBE", long));
      peer.write(greeting(), ready("SUB"), ...subs);
      for (let i = 0; i < 20_000; i++) {
        const [m] = await withTimeout(xpub.receive(), 5000, `subscription ${i}`);
        assert.equal(m![0], 1);
        assert.equal(dec.decode(m!.subarray(1)), topic(i));
      }
      const [l] = await withTimeout(xpub.receive(), 5000, "the long subscription");
      assert.equal(l!.length, 100_001);
      peer.destroy(); // the subscriber leaves: each of its topics is unsubscribed
      let sawLong = false;
      for (let i = 0; i < 20_001; i++) {
        const [m] = await withTimeout(xpub.receive(), 5000, `unsubscription ${i}`);
        assert.equal(m![0], 0);
        if (m!.length === 100_001) sawLong = m!.subarray(1).every((b) => b === 0x6c);
      }
      assert.ok(sawLong, "the 100 KB topic's unsubscription arrived whole");
    } finally {
      peer.destroy();
      xpub.close();
    }
  });
});
