// SPDX-License-Identifier: MIT
/**
 * CURVE (RFC 25/26) against libzmq (zeromq.js in a Node child): zmqkit as the CURVE server
 * and as the client, each binding and connecting, over tcp, ipc and ws, with multipart messages
 * both ways (empty and 70 KB frames among them); subscriptions under CURVE (sealed commands);
 * a wrong server key and a client key the ZAP handler does not allow fail on both sides with
 * the expected events while the server goes on serving good clients.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AuthError, Dealer, ProtocolError, Publisher, Subscriber, zapPolicy } from "../../mod.ts";
import { curveKeyPair } from "../../lib/mechanisms/curve_keys.ts";
import { z85Decode } from "../../lib/mechanisms/z85.ts";
import { libReceive, nextEvent, text, wire } from "./_security.ts";
import { withDeadline } from "../_helpers/cases.ts";
import { LibzmqPeer, type LibzmqSide } from "../_helpers/peers.ts";

const enc = new TextEncoder();
const DEADLINE = 15_000;
const SERVER = curveKeyPair();
const CLIENT = curveKeyPair();
const STRANGER = curveKeyPair();

const serverOptions = { curveServer: true, curveSecretKey: SERVER.secretKey };
const clientOptions = (pair = CLIENT, serverKey = SERVER.publicKey) => ({
  curveServerKey: serverKey,
  curvePublicKey: pair.publicKey,
  curveSecretKey: pair.secretKey,
});

/** A Z85 key as hex, as the libzmq peer's ZAP handler takes allowed keys. */
function hexOf(z85: string): string {
  return Array.from(z85Decode(z85), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Multipart messages each way, an empty frame and a 70 KB one among them. */
async function exchange(zmqkit: Dealer, lib: LibzmqSide): Promise<void> {
  const big = "x".repeat(70_000);
  await zmqkit.send(["from", "zmqkit", "", big]);
  assert.deepEqual(text(await libReceive(lib, DEADLINE)), ["from", "zmqkit", "", big]);
  await lib.send([enc.encode("from"), enc.encode("libzmq"), new Uint8Array(0)]);
  assert.deepEqual(text(await zmqkit.receive()), ["from", "libzmq", ""]);
  for (let i = 0; i < 50; i++) await zmqkit.send(`n${i}`); // nonces keep increasing
  for (let i = 0; i < 50; i++) assert.deepEqual(text(await libReceive(lib, DEADLINE)), [`n${i}`]);
}

describe("CURVE with libzmq", () => {
  let peer: LibzmqPeer;
  before(async () => {
    peer = await LibzmqPeer.start();
  });
  after(async () => {
    await peer?.stop();
  });

  for (const transport of ["tcp", "ipc", "ws"] as const) {
    for (const binder of ["server", "client"] as const) {
      it(`zmqkit server, libzmq client, ${transport}, ${binder} binds`, async () => {
        const server = new Dealer(serverOptions);
        const client = await peer.socket("DEALER", { options: clientOptions() }) as LibzmqSide;
        try {
          await wire(binder, transport, server, "server", client);
          await withDeadline(exchange(server, client), DEADLINE, "exchange");
        } finally {
          server.close();
          await client.close();
        }
      });

      it(`libzmq server, zmqkit client, ${transport}, ${binder} binds`, async () => {
        const server = await peer.socket("DEALER", { options: serverOptions }) as LibzmqSide;
        const client = new Dealer(clientOptions());
        try {
          await wire(binder, transport, client, "client", server);
          await withDeadline(exchange(client, server), DEADLINE, "exchange");
        } finally {
          client.close();
          await server.close();
        }
      });
    }
  }

  it("subscriptions travel sealed: zmqkit SUB of a libzmq PUB, and the reverse", async () => {
    const pub = await peer.socket("PUB", { options: serverOptions }) as LibzmqSide;
    const sub = new Subscriber(clientOptions());
    const zpub = new Publisher(serverOptions);
    const lsub = await peer.socket("SUB", { options: clientOptions() }) as LibzmqSide;
    try {
      sub.subscribe("wx.");
      sub.connect(await pub.bind("tcp://127.0.0.1:*"));
      let done = false;
      const got = sub.receive().then((m) => (done = true, text(m)));
      // until the subscription has arrived what is published is dropped: publish until seen
      for (let i = 0; i < 200 && !done; i++) {
        await pub.send([enc.encode("sport.x")]);
        await pub.send([enc.encode("wx.rain")]);
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(await withDeadline(got, DEADLINE, "subscribed message"), ["wx.rain"]);

      await zpub.bind("tcp://127.0.0.1:*");
      await lsub.subscribe(enc.encode("wx."));
      await lsub.connect(zpub.lastEndpoint!);
      let ldone = false;
      const lgot = lsub.receive(DEADLINE).finally(() => ldone = true);
      for (let i = 0; i < 200 && !ldone; i++) {
        await zpub.send("sport.y");
        await zpub.send("wx.sun");
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(text(await lgot), ["wx.sun"]);
    } finally {
      sub.close();
      zpub.close();
      await pub.close();
      await lsub.close();
    }
  });

  it("a libzmq client with the wrong server key: protocol error here, the server serves on", async () => {
    const server = new Dealer(serverOptions);
    const failed = nextEvent(server, "handshake:error:protocol");
    const bad = await peer.socket("DEALER", {
      options: clientOptions(CLIENT, STRANGER.publicKey),
    }) as LibzmqSide;
    const good = await peer.socket("DEALER", { options: clientOptions() }) as LibzmqSide;
    try {
      await server.bind("tcp://127.0.0.1:*");
      await bad.connect(server.lastEndpoint!);
      const e = await withDeadline(failed, DEADLINE, "server protocol event");
      assert.ok(e.error instanceof ProtocolError);
      assert.equal(e.error.code, "ERR_ZMTP_CRYPTOGRAPHIC");
      assert.match(e.error.message, /different server key/);
      await good.connect(server.lastEndpoint!);
      await withDeadline(exchange(server, good), DEADLINE, "exchange after a bad client");
    } finally {
      server.close();
      await bad.close();
      await good.close();
    }
  });

  it("a zmqkit client with the wrong server key is told so; libzmq reports a protocol error", async () => {
    const server = await peer.socket("DEALER", { options: serverOptions }) as LibzmqSide;
    const client = new Dealer(clientOptions(CLIENT, STRANGER.publicKey));
    const failed = nextEvent(client, "handshake:error:other");
    try {
      client.connect(await server.bind("tcp://127.0.0.1:*"));
      const e = await withDeadline(failed, DEADLINE, "client event");
      assert.match(e.error.message, /server key \(curveServerKey\) is probably wrong/);
      await server.event("handshake:error:protocol", 5000);
    } finally {
      client.close();
      await server.close();
    }
  });

  it("a client key the zmqkit ZAP policy does not allow: auth error on both sides", async () => {
    const server = new Dealer({
      ...serverOptions,
      zapHandler: zapPolicy({ curveKeys: [CLIENT.publicKey] }),
    });
    const refused = nextEvent(server, "handshake:error:auth");
    const stranger = await peer.socket("DEALER", {
      options: clientOptions(STRANGER),
    }) as LibzmqSide;
    const good = await peer.socket("DEALER", { options: clientOptions() }) as LibzmqSide;
    try {
      await server.bind("tcp://127.0.0.1:*");
      await stranger.connect(server.lastEndpoint!);
      const e = await withDeadline(refused, DEADLINE, "server auth event");
      assert.ok(e.error instanceof AuthError);
      assert.match(e.error.message, /client key not allowed/);
      await stranger.event("handshake:error:auth", 5000); // libzmq read our ERROR 400
      await good.connect(server.lastEndpoint!);
      await withDeadline(exchange(server, good), DEADLINE, "exchange after a refusal");
    } finally {
      server.close();
      await stranger.close();
      await good.close();
    }
  });

  it("a libzmq server whose ZAP handler refuses our key: AuthError 400 here", async () => {
    await peer.request("zap", { keys: [hexOf(CLIENT.publicKey)] });
    const server = await peer.socket("DEALER", { options: serverOptions }) as LibzmqSide;
    const stranger = new Dealer(clientOptions(STRANGER));
    const refused = nextEvent(stranger, "handshake:error:auth");
    const good = new Dealer(clientOptions());
    try {
      const ep = await server.bind("tcp://127.0.0.1:*");
      stranger.connect(ep);
      const e = await withDeadline(refused, DEADLINE, "client auth event");
      assert.equal(e.error.status, 400);
      good.connect(ep);
      await withDeadline(exchange(good, server), DEADLINE, "exchange for an allowed key");
    } finally {
      stranger.close();
      good.close();
      await server.close();
      await peer.request("zap", { status: "200" });
    }
  });
});
