// SPDX-License-Identifier: MIT
/**
 * ZMTP heartbeats (libzmq test_heartbeats): a peer that stops answering is dropped with a
 * disconnect event; PINGs are answered (context echoed, at most 16 bytes) so a live
 * connection stays up; a remote PING's TTL is honoured even with our heartbeats off.
 * Silent and answering peers are raw node:net sockets that do the NULL handshake by hand.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, Router } from "../../mod.ts";
import { command, frame, RawPeer, rawServer } from "./_raw.ts";
import {
  bindAddress,
  bytes,
  closeAll,
  EventLog,
  STREAM_TRANSPORTS,
  text,
  texts,
  tick,
  until,
  withTimeout,
} from "./_util.ts";

const ping = (ttlDeciseconds: number, context: Uint8Array = new Uint8Array(0)) =>
  frame(
    command("PING", Uint8Array.from([ttlDeciseconds >> 8, ttlDeciseconds & 0xff, ...context])),
    0x04,
  );

/** Reads frames until the connection closes; counts PINGs; answers them when `answer`. */
async function readUntilClosed(
  raw: RawPeer,
  answer: boolean,
  stopAfterPings = Infinity,
): Promise<number> {
  let pings = 0;
  for (;;) {
    let f;
    try {
      f = await raw.readFrame(10000);
    } catch {
      return pings;
    }
    if (f.name === "PING") {
      pings++;
      if (answer) raw.write(frame(command("PONG", f.data!.subarray(2)), 0x04));
      if (pings >= stopAfterPings) return pings;
    }
  }
}

for (const t of STREAM_TRANSPORTS) {
  describe(`heartbeats over ${t}`, () => {
    it("a peer that stops answering PINGs is disconnected (accept, handshake, disconnect)", async () => {
      const router = new Router({ heartbeatInterval: 50, heartbeatTimeout: 200 });
      const log = new EventLog(router);
      await router.bind(bindAddress(t));
      const raw = await RawPeer.connect(router.lastEndpoint!);
      try {
        await raw.handshake("DEALER");
        const pings = await withTimeout(
          readUntilClosed(raw, false),
          10000,
          "server closing the silent peer",
        );
        assert.ok(pings >= 1, "PINGs were sent before giving up");
        await log.waitFor("disconnect");
        const types = log.types();
        assert.deepEqual(
          types.filter((x) => ["accept", "handshake", "disconnect"].includes(x)),
          ["accept", "handshake", "disconnect"],
        );
      } finally {
        raw.destroy();
        router.close();
      }
    });

    it("a peer that answers PINGs stays connected", async () => {
      const router = new Router({ heartbeatInterval: 30, heartbeatTimeout: 100 });
      const log = new EventLog(router);
      await router.bind(bindAddress(t));
      const raw = await RawPeer.connect(router.lastEndpoint!);
      try {
        await raw.handshake("DEALER", "RAW");
        const pings = await withTimeout(readUntilClosed(raw, true, 12), 10000, "12 PINGs");
        assert.equal(pings, 12, "connection still up after 12 heartbeat intervals");
        raw.send([bytes("alive")]);
        assert.deepEqual(texts(await withTimeout(router.receive())), ["RAW", "alive"]);
        assert.equal(log.count("disconnect"), 0);
      } finally {
        raw.destroy();
        router.close();
      }
    });

    it("answers a PING with a PONG echoing its context, cut to 16 bytes", async () => {
      const router = new Router();
      await router.bind(bindAddress(t));
      const raw = await RawPeer.connect(router.lastEndpoint!);
      try {
        await raw.handshake("DEALER");
        raw.write(ping(0, bytes("LOL")));
        let f = await raw.readFrame();
        assert.equal(f.name, "PONG");
        assert.equal(text(f.data), "LOL");
        raw.write(ping(0, bytes("0123456789abcdefXYZW")));
        f = await raw.readFrame();
        assert.equal(f.name, "PONG");
        assert.equal(text(f.data), "0123456789abcdef");
      } finally {
        raw.destroy();
        router.close();
      }
    });

    it("honours the TTL of a peer's PING even with our heartbeats off", async () => {
      const router = new Router();
      const log = new EventLog(router);
      await router.bind(bindAddress(t));
      const raw = await RawPeer.connect(router.lastEndpoint!);
      try {
        await raw.handshake("DEALER");
        raw.write(ping(2)); // TTL 200 ms, then silence
        assert.equal((await raw.readFrame()).name, "PONG");
        await withTimeout(raw.waitClosed(10000), 10000, "TTL expiry");
        await log.waitFor("disconnect");
      } finally {
        raw.destroy();
        router.close();
      }
    });

    it("two heartbeating zmqkit sockets stay connected", async () => {
      const router = new Router({ heartbeatInterval: 20, heartbeatTimeout: 60 });
      const rlog = new EventLog(router);
      await router.bind(bindAddress(t));
      const dealer = new Dealer({ routingId: "D", heartbeatInterval: 20, heartbeatTimeout: 60 });
      const dlog = new EventLog(dealer);
      try {
        dealer.connect(router.lastEndpoint!);
        await rlog.waitFor("handshake");
        await tick(400); // 20 intervals: an unanswered PING would have closed the link by now
        assert.equal(rlog.count("disconnect") + dlog.count("disconnect"), 0);
        await dealer.send("still here");
        assert.deepEqual(texts(await withTimeout(router.receive())), ["D", "still here"]);
      } finally {
        closeAll(dealer, router);
      }
    });
  });
}

describe("heartbeats on the connecting side (tcp)", () => {
  it("a silent server is dropped and the socket reconnects", async () => {
    const peers: RawPeer[] = [];
    const server = await rawServer((p) => peers.push(p));
    const dealer = new Dealer({
      heartbeatInterval: 50,
      heartbeatTimeout: 150,
      reconnectInterval: 20,
    });
    const log = new EventLog(dealer);
    try {
      dealer.connect(server.endpoint);
      await until(() => peers.length === 1);
      await peers[0]!.handshake("ROUTER");
      await withTimeout(
        readUntilClosed(peers[0]!, false),
        10000,
        "client dropping the silent server",
      );
      await log.waitFor("disconnect");
      await log.waitFor("connect:retry");
      await until(() => peers.length === 2, 5000, "reconnection");
    } finally {
      dealer.close();
      server.close();
    }
  });
});
