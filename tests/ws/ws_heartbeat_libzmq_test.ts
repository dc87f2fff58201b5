// SPDX-License-Identifier: MIT
/**
 * Heartbeats over ws://, which are WebSocket pings and pongs (not ZMTP PING/PONG): against
 * libzmq (zeromq.js in a Node child) each way round — libzmq pings and zmqkit must pong, then
 * zmqkit pings and libzmq must pong; with heartbeatInterval 200 and heartbeatTimeout 1000 both
 * stay connected through 2.5 s of silence — and against a hand-made server (node:net) that
 * completes the upgrade and READY and then never answers: zmqkit gives it up (`disconnect`).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as net from "node:net";
import { createHash } from "node:crypto";
import { Buffer } from "node:buffer";
import { Dealer, Router, type SocketEvent, type SocketEventType } from "../../mod.ts";
import { LibzmqPeer, type LibzmqSide, PeerError } from "../_helpers/peers.ts";
import { ready } from "./_raw.ts";

const WAIT = 10_000;
const IDLE = 2500;
const beats = { heartbeatInterval: 200, heartbeatTimeout: 1000 };
const opts = { receiveTimeout: WAIT, sendTimeout: WAIT, linger: 0 };
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const utf8 = (s: string) => new TextEncoder().encode(s);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Events of `types` on a zmqkit socket, as they come. */
function record(sock: Dealer | Router, ...types: SocketEventType[]): SocketEvent[] {
  const seen: SocketEvent[] = [];
  for (const t of types) sock.events.on(t, (e: SocketEvent) => seen.push(e));
  return seen;
}

/** Asserts libzmq's socket reported no `disconnect` (its events are kept from creation on). */
async function noLibzmqDisconnect(side: LibzmqSide): Promise<void> {
  await assert.rejects(side.event("disconnect", 200), (e: unknown) => {
    assert.ok(e instanceof PeerError && e.code === "EAGAIN", String(e));
    return true;
  });
}

let peer: LibzmqPeer;
before(async () => {
  peer = await LibzmqPeer.start();
});
after(async () => {
  await peer?.stop();
});

describe("ws:// heartbeats against libzmq", () => {
  it("libzmq DEALER pings a zmqkit ROUTER, which pongs: still connected after idling", async () => {
    const router = new Router(opts);
    const events = record(router, "disconnect", "accept");
    const dealer = await peer.socket("DEALER", { options: { ...beats } }) as LibzmqSide;
    try {
      await router.bind("ws://127.0.0.1:0");
      await dealer.connect(router.lastEndpoint!);
      await dealer.send([utf8("hi")]);
      const [id, hi] = await router.receive();
      assert.equal(text(hi), "hi");
      await sleep(IDLE); // libzmq pings every 200 ms and gives up after 1 s without a pong
      await dealer.send([utf8("again")]);
      const [id2, again] = await router.receive();
      assert.equal(text(again), "again");
      assert.deepEqual(id2, id, "the same connection (a reconnect would bring a new id)");
      await router.send([id!, "back"]);
      assert.deepEqual((await dealer.receive()).map(text), ["back"]);
      assert.deepEqual(events.map((e) => e.type), ["accept"]);
      await noLibzmqDisconnect(dealer);
    } finally {
      await dealer.close();
      router.close();
    }
  });

  it("a zmqkit DEALER pings a libzmq ROUTER, which pongs: still connected after idling", async () => {
    const router = await peer.socket("ROUTER") as LibzmqSide;
    const dealer = new Dealer({ ...opts, ...beats });
    const events = record(dealer, "disconnect", "handshake");
    try {
      const ep = await router.bind("ws://127.0.0.1:0");
      dealer.connect(ep);
      await dealer.send("hi");
      const [id, hi] = await router.receive();
      assert.equal(text(hi), "hi");
      await sleep(IDLE); // zmqkit pings every 200 ms and gives up after 1 s without a pong
      await dealer.send("again");
      const [id2, again] = await router.receive();
      assert.equal(text(again), "again");
      assert.deepEqual(id2, id, "the same connection (a reconnect would bring a new id)");
      await router.send([id!, utf8("back")]);
      assert.deepEqual((await dealer.receive()).map(text), ["back"]);
      assert.deepEqual(events.map((e) => e.type), ["handshake"]);
      await noLibzmqDisconnect(router);
    } finally {
      dealer.close();
      await router.close();
    }
  });
});

describe("ws:// heartbeats against a peer that stops answering", () => {
  let server: net.Server;
  let port: number;
  const conns: net.Socket[] = [];
  /** What the client sent after its upgrade request, per connection. */
  const frames: Buffer[] = [];

  before(async () => {
    // upgrades by hand, sends READY (unmasked, server to client), then reads and never answers
    server = net.createServer((sock) => {
      conns.push(sock);
      sock.on("error", () => {});
      let head = Buffer.alloc(0);
      let upgraded = false;
      const at = frames.push(Buffer.alloc(0)) - 1;
      sock.on("data", (d: Buffer) => {
        if (upgraded) {
          frames[at] = Buffer.concat([frames[at]!, d]);
          return;
        }
        head = Buffer.concat([head, d]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        upgraded = true;
        frames[at] = head.subarray(end + 4);
        const key = /^Sec-WebSocket-Key: *(\S+)\r$/im.exec(head.subarray(0, end).toString())![1];
        const accept = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
          .digest("base64");
        sock.write(
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n`,
        );
        sock.write(ready("ROUTER", { mask: undefined }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  after(async () => {
    for (const c of conns) c.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it("zmqkit pings, gets no pong, and reports disconnect", async () => {
    const dealer = new Dealer({ ...opts, ...beats, reconnectInterval: 1000 });
    const events = record(dealer, "handshake", "disconnect");
    try {
      dealer.connect(`ws://127.0.0.1:${port}`);
      const end = Date.now() + WAIT;
      while (!events.some((e) => e.type === "disconnect")) {
        if (Date.now() > end) {
          throw new Error(`no disconnect within ${WAIT} ms; saw ${events.map((e) => e.type)}`);
        }
        await sleep(20);
      }
      assert.equal(events[0]!.type, "handshake");
      const gone = events.find((e) => e.type === "disconnect")!;
      assert.equal(gone.error?.code, "ETIMEDOUT");
      assert.match(gone.error.message, /heartbeat/i);
      // the client's READY (masked command), then at least one masked, empty ping: 89 80 <mask>
      const sent = frames[0]!;
      assert.equal(sent[0], 0x82);
      let pings = 0;
      for (let i = sent.indexOf(0x89); i >= 0; i = sent.indexOf(0x89, i + 1)) {
        if (sent[i + 1] === 0x80) pings++;
      }
      assert.ok(pings >= 1, `pings sent: ${sent.toString("hex")}`);
    } finally {
      dealer.close();
    }
  });

  it("(the premise of the libzmq cases) libzmq pings over ws:// too, masked and empty", async () => {
    const dealer = await peer.socket("DEALER", { options: { ...beats } }) as LibzmqSide;
    const first = frames.length;
    try {
      await dealer.connect(`ws://127.0.0.1:${port}`);
      await dealer.event("disconnect", WAIT); // it gives up on this server as zmqkit did
      const sent = frames[first]!;
      assert.equal(sent[0], 0x82); // its READY
      assert.ok(sent.includes(Buffer.from([0x89, 0x80])), `pings sent: ${sent.toString("hex")}`);
    } finally {
      await dealer.close();
    }
  });
});
