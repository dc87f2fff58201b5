// SPDX-License-Identifier: MIT
/**
 * PEER (RFC 51) and CHANNEL (RFC 52), draft: connectPeer's routing id usable at once, ids
 * both ways, unknown ids, immediate; CHANNEL's one peer and one frame.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Channel, Pair, Peer, Server, ZmqError } from "../../mod.ts";
import { bindAddress, EventLog, TRANSPORTS, withTimeout } from "./_util.ts";
import { RawPeer } from "./_raw.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const enc = new TextEncoder();
const isCode = (code: string) => (e: unknown) => e instanceof ZmqError && e.code === code;

describe("PEER", () => {
  for (const t of TRANSPORTS) {
    it(`${t}: connectPeer gives an id to speak with at once; replies carry ids both ways`, async () => {
      await using a = new Peer();
      await a.bind(bindAddress(t));
      await using b = new Peer();
      const toA = b.connectPeer(a.lastEndpoint!);
      assert.ok(Number.isInteger(toA) && toA > 0);
      await b.send("hello", { routingId: toA }); // before the connection exists
      const [body, { routingId: toB }] = await withTimeout(a.receive());
      assert.equal(text(body), "hello");
      await a.send("back", { routingId: toB });
      const [echo, { routingId }] = await withTimeout(b.receive());
      assert.equal(text(echo), "back");
      assert.equal(routingId, toA);
    });
  }

  it("one PEER connecting to two: one id each", async () => {
    await using x = new Peer();
    await using y = new Peer();
    await x.bind(bindAddress("tcp"));
    await y.bind(bindAddress("inproc"));
    await using p = new Peer();
    const toX = p.connectPeer(x.lastEndpoint!);
    const toY = p.connectPeer(y.lastEndpoint!);
    assert.notEqual(toX, toY);
    await p.send("x", { routingId: toX });
    await p.send("y", { routingId: toY });
    assert.equal(text((await withTimeout(x.receive()))[0]), "x");
    assert.equal(text((await withTimeout(y.receive()))[0]), "y");
  });

  it("errors: unknown id EHOSTUNREACH, multipart EINVAL, immediate ENOTSUP, twice EINVAL", async () => {
    await using p = new Peer();
    await assert.rejects(p.send("x", { routingId: 99 }), isCode("EHOSTUNREACH"));
    const id = p.connectPeer("tcp://127.0.0.1:1"); // never answers: the id is still valid
    await assert.rejects(p.send(["a", "b"], { routingId: id }), isCode("EINVAL"));
    assert.throws(() => p.connectPeer("tcp://127.0.0.1:1"), isCode("EINVAL"));
    await using q = new Peer({ immediate: true });
    assert.throws(() => q.connectPeer("tcp://127.0.0.1:1"), isCode("ENOTSUP"));
  });

  it("peer types: PEER talks to PEER only", async () => {
    await using server = new Server();
    await server.bind(bindAddress("tcp"));
    await using p = new Peer();
    const log = new EventLog(p);
    p.connectPeer(server.lastEndpoint!);
    await log.waitFor("handshake:error:protocol");
  });
});

describe("CHANNEL", () => {
  for (const t of TRANSPORTS) {
    it(`${t}: both ways, one frame`, async () => {
      await using a = new Channel();
      await a.bind(bindAddress(t));
      await using b = new Channel();
      b.connect(a.lastEndpoint!);
      await b.send("ping");
      assert.deepEqual((await withTimeout(a.receive())).map(text), ["ping"]);
      await a.send("pong");
      assert.deepEqual((await withTimeout(b.receive())).map(text), ["pong"]);
      await assert.rejects(a.send(["x", "y"]), isCode("EINVAL"));
    });
  }

  it("a second peer is refused", async () => {
    await using a = new Channel();
    await a.bind(bindAddress("tcp"));
    const log = new EventLog(a);
    await using b = new Channel();
    b.connect(a.lastEndpoint!);
    await log.waitFor("handshake");
    await using c = new Channel();
    c.connect(a.lastEndpoint!);
    await log.waitFor("handshake:error:protocol");
    await b.send("from b");
    assert.equal(text((await withTimeout(a.receive()))[0]!), "from b");
  });

  it("multipart from the peer is dropped whole; PAIR is not a CHANNEL", async () => {
    await using ch = new Channel();
    await ch.bind(bindAddress("tcp"));
    const raw = await RawPeer.connect(ch.lastEndpoint!);
    try {
      await raw.handshake("CHANNEL");
      raw.send([enc.encode("a"), enc.encode("b")]);
      raw.send([enc.encode("c")]);
      assert.equal(text((await withTimeout(ch.receive()))[0]!), "c");
      assert.equal(ch.dropped, 1);
    } finally {
      raw.destroy();
    }
    await using pair = new Pair();
    const log = new EventLog(pair);
    pair.connect(ch.lastEndpoint!);
    await log.waitFor("handshake:error:protocol");
  });
});
