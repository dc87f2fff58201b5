// SPDX-License-Identifier: MIT
/**
 * How duplicate subscriptions travel, as libzmq 4.3.5 does it (checked against the zeromq
 * npm package): SUB and XSUB count subscriptions locally, forward every subscribe but a
 * CANCEL only when a topic's last reference goes; PUB/XPUB hold a *set* of topics per peer,
 * so a repeated SUBSCRIBE adds nothing and one CANCEL ends the subscription. Raw peers on
 * node:net look at the wire.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Subscriber, XPublisher, XSubscriber } from "../../mod.ts";
import { command, frame, RawPeer, rawServer } from "./_raw.ts";
import {
  bindAddress,
  bytes,
  closeAll,
  EventLog,
  text,
  texts,
  until,
  withTimeout,
} from "./_util.ts";

/** Reads frames until `n` subscription-ish frames are collected, as "+A" / "-A" strings. */
async function readSubs(raw: RawPeer, n: number): Promise<string[]> {
  const out: string[] = [];
  while (out.length < n) {
    const f = await raw.readFrame();
    if (f.name === "SUBSCRIBE") out.push("+" + text(f.data));
    else if (f.name === "CANCEL") out.push("-" + text(f.data));
    else if (!(f.flags & 0x04)) {
      out.push((f.body[0] === 1 ? "+" : "-") + text(f.body.subarray(1)) + " (data)");
    }
  }
  return out;
}

async function rawPublisher() {
  const peers: RawPeer[] = [];
  const server = await rawServer((p) => peers.push(p));
  return {
    endpoint: server.endpoint,
    close: server.close,
    async accept(type: string): Promise<RawPeer> {
      await until(() => peers.length > 0, 5000, "connection");
      const raw = peers[0]!;
      await raw.handshake(type);
      return raw;
    },
  };
}

describe("subscription counting on the wire (tcp)", () => {
  it("SUB: subscribing twice sends two SUBSCRIBEs; only the last unsubscribe sends CANCEL", async () => {
    const pub = await rawPublisher();
    const sub = new Subscriber();
    const log = new EventLog(sub);
    try {
      sub.connect(pub.endpoint);
      const raw = await pub.accept("PUB");
      await log.waitFor("handshake");
      sub.subscribe("A");
      sub.subscribe("A");
      sub.unsubscribe("A"); // still one reference: nothing on the wire
      sub.subscribe("B");
      sub.unsubscribe("A");
      assert.deepEqual(await withTimeout(readSubs(raw, 4)), ["+A", "+A", "+B", "-A"]);
      // still subscribed to B only
      raw.send([bytes("A1")]);
      raw.send([bytes("B1")]);
      assert.deepEqual(texts(await withTimeout(sub.receive())), ["B1"]);
    } finally {
      sub.close();
      pub.close();
    }
  });

  it("XSUB: forwards every subscribe, but an unsubscribe only for the last reference", async () => {
    const pub = await rawPublisher();
    const xsub = new XSubscriber();
    const log = new EventLog(xsub);
    try {
      xsub.connect(pub.endpoint);
      const raw = await pub.accept("PUB");
      await log.waitFor("handshake");
      for (const m of [[1, 0x41], [1, 0x41], [0, 0x41], [1, 0x42], [0, 0x41], [0, 0x43]]) {
        await xsub.send(Uint8Array.from(m));
      }
      raw.write(frame(command("PING", Uint8Array.of(0, 0)), 0x04)); // then wait for its PONG
      const seen: string[] = [];
      for (;;) {
        const f = await withTimeout(raw.readFrame());
        if (f.name === "PONG") break;
        seen.push((f.body[0] === 1 ? "+" : "-") + text(f.body.subarray(1)));
      }
      // -C was never subscribed: not forwarded either
      assert.deepEqual(seen, ["+A", "+A", "+B", "-A"]);
    } finally {
      xsub.close();
      pub.close();
    }
  });

  it("XPUB: a repeated SUBSCRIBE from one peer adds nothing; one CANCEL ends it", async () => {
    const xpub = new XPublisher();
    await xpub.bind(bindAddress("tcp"));
    const raw = await RawPeer.connect(xpub.lastEndpoint!);
    try {
      await raw.handshake("SUB");
      const sub = (t: string) => raw.write(frame(command("SUBSCRIBE", bytes(t)), 0x04));
      const cancel = (t: string) => raw.write(frame(command("CANCEL", bytes(t)), 0x04));
      sub("A");
      sub("A");
      cancel("A");
      const events: string[] = [];
      for (let i = 0; i < 2; i++) {
        const [f] = await withTimeout(xpub.receive());
        events.push((f![0] === 1 ? "+" : "-") + text(f!.subarray(1)));
      }
      assert.deepEqual(events, ["+A", "-A"]);
      // and nothing is published to it any more
      sub("Z");
      assert.deepEqual(texts(await withTimeout(xpub.receive())), ["\u0001Z"]);
      await xpub.send("A1");
      await xpub.send("Z1");
      const f = await withTimeout(raw.readFrame());
      assert.equal(text(f.body), "Z1");
    } finally {
      raw.destroy();
      closeAll(xpub);
    }
  });
});
