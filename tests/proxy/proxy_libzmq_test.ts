// SPDX-License-Identifier: MIT
/**
 * zmqkit's proxy between libzmq peers on both sides, over tcp and ipc: the shared queue
 * (ROUTER/DEALER), the forwarder (XSUB/XPUB) and the streamer (PULL/PUSH). Every message
 * arrives once and whole, subscriptions reach the publisher, the capture socket sees every
 * message both ways, and statistics() counts what went through.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, Proxy, Pull, Push, Router, XPublisher, XSubscriber } from "../../mod.ts";
import { LibzmqPeer, type Side } from "../_helpers/peers.ts";
import { withTimeout } from "../_helpers/wait.ts";
import { bindEndpoint, bytes, payload, sameBytes, serve, text, TRANSPORTS } from "./_proxy.ts";

const DEADLINE = 20_000;

/** Drains `n` messages from a zmqkit capture PULL. */
async function collect(pull: Pull, n: number): Promise<Uint8Array[][]> {
  const out: Uint8Array[][] = [];
  while (out.length < n) out.push(await pull.receive());
  return out;
}

/** An inproc capture pair: the proxy sends on `push`, the test reads `pull`. */
async function capturePair(name: string): Promise<{ push: Push; pull: Pull }> {
  const pull = new Pull({ linger: 0, receiveTimeout: 5000 });
  const ep = `inproc://capture-${name}-${Math.random()}`;
  await pull.bind(ep);
  const push = new Push({ linger: 0 });
  push.connect(ep);
  return { push, pull };
}

describe("proxy with libzmq peers", () => {
  let peer: LibzmqPeer;
  before(async () => {
    peer = await LibzmqPeer.start();
  });
  after(async () => {
    await peer.stop();
  });

  for (const t of TRANSPORTS) {
    it(`queue (ROUTER/DEALER) over ${t}: REQ clients, REP workers, every reply once and whole`, async () => {
      const front = new Router({ linger: 0 });
      const back = new Dealer({ linger: 0 });
      await front.bind(bindEndpoint(t, "front"));
      await back.bind(bindEndpoint(t, "back"));
      const cap = await capturePair("queue");
      const p = new Proxy(front, back, { capture: cap.push });
      const running = p.run();
      const sides: Side[] = [];
      try {
        for (const tag of ["w1", "w2"]) {
          const w = await peer.socket("REP");
          sides.push(w);
          await w.connect(back.lastEndpoint!);
          await serve(peer, w, tag);
        }
        const clients: Side[] = [];
        for (let c = 0; c < 2; c++) {
          const s = await peer.socket("REQ");
          sides.push(s);
          clients.push(s);
          await s.connect(front.lastEndpoint!);
        }
        const PER = 10;
        await withTimeout(
          Promise.all(clients.map(async (s, c) => {
            for (let i = 0; i < PER; i++) {
              const body = payload(c * 100 + i, 1000 + i * 997);
              await s.send([bytes(`c${c}-${i}`), body]);
              const reply = await s.receive();
              assert.equal(reply.length, 3);
              assert.equal(text(reply[0]!), `c${c}-${i}`);
              assert.ok(sameBytes(reply[1]!, body), "body arrives whole");
              assert.match(text(reply[2]!), /^w[12]$/);
            }
          })),
          DEADLINE,
          "request-reply through the queue",
        );
        const captured = await withTimeout(collect(cap.pull, 4 * PER), DEADLINE, "capture");
        const requests = captured.filter((m) => m.length === 4); // id, empty, name, body
        const replies = captured.filter((m) => m.length === 5); // ...and the worker's tag
        assert.equal(requests.length, 2 * PER);
        assert.equal(replies.length, 2 * PER);
        const s = p.statistics();
        assert.equal(s.frontend.received.messages, 2 * PER);
        assert.equal(s.backend.sent.messages, 2 * PER);
        assert.equal(s.backend.received.messages, 2 * PER);
        assert.equal(s.frontend.sent.messages, 2 * PER);
        assert.equal(s.frontend.received.frames, 4 * 2 * PER);
        assert.equal(s.frontend.sent.frames, 5 * 2 * PER);
      } finally {
        p.terminate();
        await running;
        for (const s of sides) await s.close();
        for (const s of [front, back, cap.push, cap.pull]) s.close();
      }
    });

    it(`forwarder (XSUB/XPUB) over ${t}: subscriptions reach the publisher, data the subscriber`, async () => {
      const front = new XSubscriber({ linger: 0 });
      const back = new XPublisher({ linger: 0 });
      await front.bind(bindEndpoint(t, "xsub"));
      await back.bind(bindEndpoint(t, "xpub"));
      const cap = await capturePair("fwd");
      const p = new Proxy(front, back, { capture: cap.push });
      const running = p.run();
      const pub = await peer.socket("XPUB");
      const sub = await peer.socket("SUB");
      try {
        await pub.connect(front.lastEndpoint!);
        await pub.handshake();
        await sub.connect(back.lastEndpoint!);
        await sub.subscribe(bytes("A"));
        // the subscription travels SUB -> XPUB (zmqkit) -> proxy -> XSUB (zmqkit) -> XPUB
        const subMsg = await pub.receive(DEADLINE);
        assert.deepEqual([...subMsg[0]!], [1, 65]);
        const big = payload(7, 200_000);
        await pub.send([bytes("B-skip"), bytes("x")]);
        await pub.send([bytes("A-1"), big]);
        await pub.send([bytes("A-2"), bytes("two")]);
        const m1 = await sub.receive(DEADLINE);
        assert.equal(text(m1[0]!), "A-1");
        assert.ok(sameBytes(m1[1]!, big), "a 200 kB frame arrives whole");
        const m2 = await sub.receive(DEADLINE);
        assert.deepEqual(m2.map(text), ["A-2", "two"]);
        await sub.unsubscribe(bytes("A"));
        const unsub = await pub.receive(DEADLINE);
        assert.deepEqual([...unsub[0]!], [0, 65]);
        // capture: the subscription, the two "A" messages (the libzmq XPUB filters "B" out
        // itself, since the proxy's XSUB forwarded only "A"), the unsubscription
        const captured = await withTimeout(collect(cap.pull, 4), DEADLINE, "capture");
        assert.deepEqual(captured.map((m) => m.length), [1, 2, 2, 1]);
        assert.deepEqual([...captured[0]![0]!], [1, 65]);
        assert.deepEqual(text(captured[1]![0]!), "A-1");
        assert.deepEqual([...captured[3]![0]!], [0, 65]);
        const s = p.statistics();
        assert.equal(s.backend.received.messages, 2);
        assert.equal(s.frontend.sent.messages, 2);
        assert.equal(s.frontend.received.messages, 2);
        assert.equal(s.backend.sent.messages, 2);
      } finally {
        p.terminate();
        await running;
        await pub.close();
        await sub.close();
        for (const s of [front, back, cap.push, cap.pull]) s.close();
      }
    });

    it(`streamer (PULL/PUSH) over ${t}: every message once, whole and in order`, async () => {
      const front = new Pull({ linger: 0 });
      const back = new Push({ linger: 0 });
      await front.bind(bindEndpoint(t, "pull"));
      await back.bind(bindEndpoint(t, "push"));
      const cap = await capturePair("stream");
      const p = new Proxy(front, back, { capture: cap.push });
      const running = p.run();
      const producer = await peer.socket("PUSH");
      const consumer = await peer.socket("PULL");
      try {
        await consumer.connect(back.lastEndpoint!);
        await producer.connect(front.lastEndpoint!);
        const N = 60;
        for (let i = 0; i < N; i++) {
          await producer.send([bytes(`m${i}`), payload(i, i * 301), new Uint8Array(0)]);
        }
        for (let i = 0; i < N; i++) {
          const m = await consumer.receive(DEADLINE);
          assert.equal(m.length, 3);
          assert.equal(text(m[0]!), `m${i}`);
          assert.ok(sameBytes(m[1]!, payload(i, i * 301)));
          assert.equal(m[2]!.length, 0);
        }
        await assert.rejects(consumer.receive(200), { code: "EAGAIN" }); // nothing twice
        const captured = await withTimeout(collect(cap.pull, N), DEADLINE, "capture");
        assert.deepEqual(captured.map((m) => text(m[0]!)), [...Array(N)].map((_, i) => `m${i}`));
        assert.equal(p.statistics().backend.sent.messages, N);
      } finally {
        p.terminate();
        await running;
        await producer.close();
        await consumer.close();
        for (const s of [front, back, cap.push, cap.pull]) s.close();
      }
    });
  }
});
