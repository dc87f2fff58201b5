// SPDX-License-Identifier: MIT
/**
 * Hostile ws:// input (reliability.md item 28): upgrades that are not, wrong or missing
 * subprotocols, heads repeated or too long or never finished, and after the upgrade frames
 * ZWS does not allow — unmasked, text, fragmented, 2^63 long, over maxMessageSize, oversize
 * control frames, empty. Each is refused with an event naming why (and an HTTP status while
 * still in HTTP), and the server goes on serving a good client.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import * as net from "node:net";
import { Dealer, Router, type SocketEvent } from "../../mod.ts";
import { RawClient, ready, upgradeRequest, wsFrame, zws } from "./_raw.ts";
import { until } from "../_helpers/wait.ts";

describe("ws:// refuses hostile input and keeps serving", () => {
  let router: Router;
  let good: Dealer;
  let port: number;
  const events: SocketEvent[] = [];

  before(async () => {
    router = new Router({ handshakeInterval: 1000, maxMessageSize: 10_000 });
    router.events.on("handshake:error:protocol", (e) => events.push(e));
    router.events.on("disconnect", (e) => events.push(e));
    await router.bind("ws://127.0.0.1:0/zmq");
    port = Number(/:(\d+)\//.exec(router.lastEndpoint!)![1]);
    good = new Dealer({ routingId: "good" });
    good.connect(router.lastEndpoint!);
  });
  after(() => {
    good.close();
    router.close();
  });

  /** The good client still gets through. */
  async function serving(n: number): Promise<void> {
    await good.send(`ping ${n}`);
    const [id, body] = await router.receive();
    assert.equal(new TextDecoder().decode(id), "good");
    assert.equal(new TextDecoder().decode(body), `ping ${n}`);
  }

  /** Writes `bytes`, waits for the server to close, returns the event error and the answer. */
  async function attack(
    ...parts: (Uint8Array | string)[]
  ): Promise<{ error: Error; http: string }> {
    const seen = events.length;
    const c = new RawClient(port);
    for (const p of parts) c.write(p);
    await until(
      "the server to close the connection",
      () => c.sock.destroyed || c.sock.readableEnded,
    );
    await until("an event", () => events.length > seen);
    c.destroy();
    const e = events[events.length - 1]!;
    assert.ok(e.error, `event ${e.type} without an error`);
    return { error: e.error, http: c.text() };
  }

  const upgraded = (extra?: string) =>
    upgradeRequest({ path: "/zmq", ...(extra ? { extra } : {}) });

  const httpCases: Array<[string, () => (Uint8Array | string)[], number, RegExp]> = [
    ["a plain HTTP GET", () => ["GET /zmq HTTP/1.1\r\nHost: x\r\n\r\n"], 426, /Upgrade: websocket/],
    [
      "no subprotocol",
      () => [upgradeRequest({ path: "/zmq", protocol: undefined })],
      400,
      /subprotocol/,
    ],
    [
      "a wrong subprotocol",
      () => [upgradeRequest({ path: "/zmq", protocol: "chat, ZWS1.0" })],
      400,
      /chat/,
    ],
    ["another path", () => [upgradeRequest({ path: "/other" })], 404, /\/other/],
    [
      "a header repeated 1000 times",
      () => [upgraded("Sec-WebSocket-Protocol: ZWS2.0\r\n".repeat(1000))],
      431,
      /over 8192 bytes/,
    ],
    [
      "a 64 KiB header line",
      () => [upgraded(`X-Big: ${"a".repeat(65536)}\r\n`)],
      431,
      /over 8192 bytes/,
    ],
    ["a head never finished", () => ["GET /zmq HTTP/1.1\r\nHost: x\r\n"], 408, /within 1000 ms/],
    [
      "not HTTP at all",
      () => ["\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f\r\n\r\n"],
      400,
      /not a WebSocket upgrade/,
    ],
    [
      "WebSocket version 8",
      () => [upgraded().replace("Version: 13", "Version: 8")],
      426,
      /version/,
    ],
  ];
  httpCases.forEach(([name, parts, status, why], n) => {
    it(`refuses ${name} with HTTP ${status}`, async () => {
      const { error, http } = await attack(...parts());
      assert.equal((error as { code?: string }).code, "ERR_WS_UPGRADE");
      assert.match(error.message, why);
      assert.match(http, new RegExp(`^HTTP/1\\.1 ${status} `));
      await serving(n);
    });
  });

  const frameCases: Array<[string, () => Uint8Array[], string, RegExp]> = [
    [
      "an unmasked client frame",
      () => [ready("DEALER", { mask: undefined })],
      "ERR_WS_FRAME",
      /unmasked/,
    ],
    ["a text frame", () => [ready("DEALER", { opcode: 1 })], "ERR_WS_FRAME", /text/],
    ["a fragmented message", () => [ready("DEALER", { fin: false })], "ERR_WS_FRAME", /fragmented/],
    [
      "a continuation frame",
      () => [ready("DEALER"), zws(0, "x", { opcode: 0 })],
      "ERR_WS_FRAME",
      /fragmented/,
    ],
    ["reserved bits", () => [ready("DEALER", { rsv: 4 })], "ERR_WS_FRAME", /reserved/],
    [
      "a 2^63-byte frame",
      () => [ready("DEALER"), wsFrame(new Uint8Array([0]), { claim: 1n << 63n })],
      "ERR_ZMTP_MESSAGE_TOO_LARGE",
      /2\^53/,
    ],
    [
      "a frame over maxMessageSize",
      () => [ready("DEALER"), zws(0, new Uint8Array(20_000))],
      "ERR_ZMTP_MESSAGE_TOO_LARGE",
      /maxMessageSize/,
    ],
    [
      "a 200-byte ping",
      () => [ready("DEALER"), wsFrame(new Uint8Array(200), { opcode: 9 })],
      "ERR_WS_FRAME",
      /control frame/,
    ],
    [
      "an empty binary message",
      () => [ready("DEALER"), wsFrame(new Uint8Array(0))],
      "ERR_WS_FRAME",
      /empty/,
    ],
    [
      "an unknown opcode",
      () => [wsFrame(new Uint8Array(1), { opcode: 3 })],
      "ERR_WS_FRAME",
      /opcode 3/,
    ],
    [
      "a data frame before READY",
      () => [zws(0, "hello")],
      "ERR_ZMTP_UNEXPECTED_COMMAND",
      /before the handshake/,
    ],
  ];
  frameCases.forEach(([name, frames, code, why], n) => {
    it(`ends a connection that sends ${name}`, async () => {
      const { error, http } = await attack(upgraded(), ...frames());
      assert.equal((error as { code?: string }).code, code, error.message);
      assert.match(error.message, why);
      assert.match(http, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
      await serving(100 + n);
    });
  });

  it("reads frames glued to the upgrade request, and answers pings", async () => {
    const c = new RawClient(port);
    c.write(
      new Uint8Array([
        ...new TextEncoder().encode(upgraded()),
        ...ready("DEALER"),
        ...wsFrame(new Uint8Array([1, 2, 3]), { opcode: 9 }),
        ...zws(1, "raw"),
        ...zws(0, "hello"),
      ]),
    );
    const [id, a, b] = await router.receive();
    assert.equal(new TextDecoder().decode(a), "raw");
    assert.equal(new TextDecoder().decode(b), "hello");
    await router.send([id!, "back"]);
    // the server's READY, the pong (0x8a, echoing the ping's payload), then the message
    await until("the reply", () => c.text().includes("back"));
    const upTo = c.received.indexOf("\r\n\r\n") + 4;
    const frames = c.received.subarray(upTo);
    assert.equal(frames[0], 0x82); // a final binary frame, unmasked from the server
    assert.equal(frames[2], 0x02); // the READY command
    assert.ok(c.received.includes(Buffer.from([0x8a, 0x03, 1, 2, 3])), "the pong");
    c.destroy();
    await serving(200);
  });
});

describe("a ws:// client facing a hostile server", () => {
  it("reports a bad frame glued to the server's 101 as a protocol error", async () => {
    // a server that upgrades properly, then sends a text frame in the same write
    const server = net.createServer((sock) => {
      let head = "";
      sock.on("data", (d: Buffer) => {
        head += d.toString("latin1");
        const key = /Sec-WebSocket-Key: (\S+)\r\n/i.exec(head)?.[1];
        if (key === undefined || !head.includes("\r\n\r\n")) return;
        const accept = createHash("sha1")
          .update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
          .digest("base64");
        sock.write(
          Buffer.concat([
            Buffer.from(
              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n\r\n`,
            ),
            Buffer.from(wsFrame(new Uint8Array([2, 5]), { mask: undefined, opcode: 1 })),
          ]),
        );
      });
      sock.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    const dealer = new Dealer({ reconnectInterval: -1 });
    try {
      const failed = new Promise<SocketEvent>((resolve) =>
        dealer.events.on("handshake:error:protocol", resolve)
      );
      dealer.connect(`ws://127.0.0.1:${port}`);
      const e = await failed;
      assert.equal((e.error as { code?: string }).code, "ERR_WS_FRAME");
      assert.match(e.error!.message, /text/);
    } finally {
      dealer.close();
      server.close();
    }
  });
});
