// SPDX-License-Identifier: MIT
/**
 * CLIENT / SERVER (RFC 41, draft): routing ids, the single-frame rule both ways, unknown ids,
 * a full peer, and which peer types they accept.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client, Dealer, Pull, Server, ZmqError } from "../../mod.ts";
import { bindAddress, EventLog, TRANSPORTS, until, withTimeout } from "./_util.ts";
import { RawPeer } from "./_raw.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const isCode = (code: string, re?: RegExp) => (e: unknown) =>
  e instanceof ZmqError && e.code === code && (re === undefined || re.test(e.message));

describe("CLIENT / SERVER", () => {
  for (const t of TRANSPORTS) {
    it(`${t}: each client gets its own routing id and its own replies`, async () => {
      await using server = new Server({ linger: 0 });
      await server.bind(bindAddress(t));
      await using a = new Client({ linger: 0 });
      await using b = new Client({ linger: 0 });
      a.connect(server.lastEndpoint!);
      b.connect(server.lastEndpoint!);
      await a.send("from a");
      await b.send("from b");
      const ids = new Map<string, number>();
      for (let i = 0; i < 2; i++) {
        const [body, { routingId }] = await withTimeout(server.receive());
        assert.ok(Number.isInteger(routingId) && routingId > 0 && routingId <= 0xffff_ffff);
        ids.set(text(body), routingId);
      }
      assert.notEqual(ids.get("from a"), ids.get("from b"));
      await server.send("to b", { routingId: ids.get("from b")! });
      await server.send("to a", { routingId: ids.get("from a")! });
      assert.deepEqual((await withTimeout(a.receive())).map(text), ["to a"]);
      assert.deepEqual((await withTimeout(b.receive())).map(text), ["to b"]);
    });
  }

  it("the single-frame rule: more than one frame is EINVAL, on every send path", async () => {
    await using server = new Server();
    await using client = new Client();
    await server.bind(bindAddress("inproc"));
    client.connect(server.lastEndpoint!);
    await assert.rejects(client.send(["a", "b"]), isCode("EINVAL", /single frame.*2 frames/));
    await assert.rejects(client.send([]), TypeError); // as for every type
    await assert.rejects(server.send([], { routingId: 1 }), TypeError);
    assert.throws(() => client.trySend([new Uint8Array(1), new Uint8Array(1)]), isCode("EINVAL"));
    await assert.rejects(server.send(["a", "b"], { routingId: 1 }), isCode("EINVAL"));
    assert.throws(() => server.trySend(["a", "b"], { routingId: 1 }), isCode("EINVAL"));
  });

  it("SERVER: a routing id that is not a connection's is EHOSTUNREACH; a bad one EINVAL", async () => {
    await using server = new Server();
    await server.bind(bindAddress("inproc"));
    await assert.rejects(server.send("x", { routingId: 12345 }), isCode("EHOSTUNREACH"));
    for (const bad of [0, -1, 1.5, 2 ** 32, "7" as unknown as number]) {
      await assert.rejects(server.send("x", { routingId: bad }), isCode("EINVAL"));
    }
    await assert.rejects(
      server.send("x", undefined as unknown as { routingId: number }),
      isCode("EINVAL"),
    );
  });

  it("SERVER: a client that left is EHOSTUNREACH", async () => {
    await using server = new Server({ linger: 0 });
    await server.bind(bindAddress("tcp"));
    const client = new Client({ linger: 0 });
    client.connect(server.lastEndpoint!);
    await client.send("hi");
    const [, { routingId }] = await withTimeout(server.receive());
    const log = new EventLog(server);
    client.close();
    await log.waitFor("disconnect");
    await assert.rejects(server.send("gone?", { routingId }), isCode("EHOSTUNREACH"));
  });

  it("SERVER: a full client makes send wait (EAGAIN with sendTimeout 0), not drop", async () => {
    await using server = new Server({ sendHighWaterMark: 1, sendTimeout: 0 });
    await server.bind(bindAddress("inproc"));
    await using client = new Client({ receiveHighWaterMark: 1 });
    client.connect(server.lastEndpoint!);
    await client.send("hi");
    const [, { routingId }] = await withTimeout(server.receive());
    let sent = 0;
    let error: unknown;
    for (; sent < 100; sent++) {
      try {
        await server.send(`m${sent}`, { routingId });
      } catch (e) {
        error = e;
        break;
      }
    }
    assert.ok(isCode("EAGAIN")(error), `EAGAIN after ${sent} sends`);
    for (let i = 0; i < sent; i++) {
      assert.deepEqual((await withTimeout(client.receive())).map(text), [`m${i}`]);
    }
  });

  it("multipart messages from a peer are dropped whole; the connection stays", async () => {
    for (const type of ["CLIENT", "SERVER"] as const) {
      await using sock = type === "CLIENT" ? new Client() : new Server();
      await sock.bind(bindAddress("tcp"));
      const raw = await RawPeer.connect(sock.lastEndpoint!);
      try {
        await raw.handshake(type === "CLIENT" ? "SERVER" : "CLIENT");
        raw.send([new TextEncoder().encode("part 1"), new TextEncoder().encode("part 2")]);
        raw.send([new TextEncoder().encode("single")]);
        const got = await withTimeout(sock.receive() as Promise<unknown>);
        const body = type === "CLIENT"
          ? (got as Uint8Array[])[0]!
          : (got as [Uint8Array, unknown])[0];
        assert.equal(text(body), "single");
        assert.equal((sock as { dropped: number }).dropped, 1);
        assert.equal(raw.closed, false);
      } finally {
        raw.destroy();
      }
    }
  });

  it("peer types: CLIENT talks to SERVER only; SERVER to CLIENT only", async () => {
    await using pull = new Pull();
    await pull.bind(bindAddress("tcp"));
    await using client = new Client();
    const log = new EventLog(client);
    client.connect(pull.lastEndpoint!);
    const e = await log.waitFor("handshake:error:protocol");
    assert.match(String((e as { error?: Error }).error?.message), /CLIENT cannot talk to a PULL/);

    await using server = new Server();
    const serverLog = new EventLog(server);
    await server.bind(bindAddress("inproc"));
    await using dealer = new Dealer();
    dealer.connect(server.lastEndpoint!);
    await serverLog.waitFor("handshake:error:protocol");
    await until(() => server.gauges().peers === 0);
  });
});
