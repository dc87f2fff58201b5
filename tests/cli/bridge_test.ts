// SPDX-License-Identifier: MIT
/**
 * `zmqkit bridge` (issue 17 item 4): a tcp service reached over ws:// through the bridge — a
 * REP whose type the bridge asks of it, a PUB given with --type (subscriptions travel up from
 * the WebSocket side), statistics as NDJSON; usage errors exit 2, an unreachable service for
 * type detection exits 1 with a one-line error.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Publisher, Reply, Request, Subscriber } from "../../mod.ts";
import { freePort } from "../_helpers/ports.ts";
import { RawClient, upgradeRequest } from "../ws/_raw.ts";
import { closedPort, ensureBinary, killAll, lines, startZmqkit, zmqkit } from "./_cli.ts";

before(() => ensureBinary());
after(() => killAll());

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

describe("zmqkit bridge", () => {
  it("fronts a REP it asks the type of; --stats --json counts both ways", async () => {
    const rep = new Reply();
    await rep.bind("tcp://127.0.0.1:*");
    const serving = (async () => {
      for await (const [m] of rep) await rep.send(`reply:${text(m)}`);
    })();
    const port = await freePort();
    const bridge = startZmqkit([
      "bridge",
      `ws://127.0.0.1:${port}/zmq`,
      rep.lastEndpoint!,
      "--stats",
      "0.2",
      "--json",
    ]);
    const req = new Request();
    try {
      await bridge.waitStderr(/frontend: router bound to ws:\/\/127\.0\.0\.1:\d+\/zmq/);
      assert.match(bridge.stderr, /service: tcp:\/\/127\.0\.0\.1:\d+ is a REP/);
      req.connect(`ws://127.0.0.1:${port}/zmq`);
      for (let i = 0; i < 3; i++) {
        await req.send(`hello ${i}`);
        assert.equal(text((await req.receive())[0]), `reply:hello ${i}`);
      }
      await bridge.waitFor(
        () =>
          lines(bridge.stdout).some((l) =>
            (JSON.parse(l) as { frontend: { received: { messages: number } } }).frontend.received
              .messages === 3
          ),
        "a statistics line with the 3 requests",
      );
    } finally {
      req.close();
      bridge.kill("SIGINT");
      await bridge.done;
      rep.close();
      await serving.catch(() => {});
    }
  });

  it("--origin admits pages of that origin only (403 for others)", async () => {
    const rep = new Reply();
    await rep.bind("tcp://127.0.0.1:*");
    const port = await freePort();
    const bridge = startZmqkit([
      "bridge",
      `ws://127.0.0.1:${port}`,
      rep.lastEndpoint!,
      "--type",
      "rep",
      "--origin",
      "https://app.example",
    ]);
    try {
      await bridge.waitStderr(/frontend: router bound/);
      const ask = async (origin: string) => {
        const c = new RawClient(port);
        c.write(upgradeRequest({ extra: `Origin: ${origin}\r\n` }));
        const end = Date.now() + 10_000;
        while (!c.text().includes("\r\n\r\n") && Date.now() < end) {
          await new Promise((r) => setTimeout(r, 10));
        }
        c.destroy();
        return c.text().split("\r\n")[0];
      };
      assert.equal(await ask("https://evil.example"), "HTTP/1.1 403 Forbidden");
      assert.equal(await ask("https://app.example"), "HTTP/1.1 101 Switching Protocols");
    } finally {
      bridge.kill("SIGINT");
      await bridge.done;
      rep.close();
    }
  });

  it("fronts a PUB given with --type: a subscriber over ws gets what it subscribed to", async () => {
    const pub = new Publisher();
    await pub.bind("tcp://127.0.0.1:*");
    const port = await freePort();
    const bridge = startZmqkit([
      "bridge",
      `ws://127.0.0.1:${port}`,
      pub.lastEndpoint!,
      "--type",
      "pub",
    ]);
    const sub = new Subscriber();
    try {
      await bridge.waitStderr(/backend: xsub connected to/);
      sub.subscribe("news");
      sub.connect(`ws://127.0.0.1:${port}`);
      const got = sub.receive();
      let done = false;
      void got.then(() => done = true);
      // until the subscription has travelled browser → bridge → publisher
      for (let i = 0; !done && i < 500; i++) {
        await pub.send(["sport", "no"]);
        await pub.send(["news", `yes ${i}`]);
        await new Promise((r) => setTimeout(r, 20));
      }
      const [topic, body] = await got;
      assert.equal(text(topic), "news");
      assert.match(text(body), /^yes \d+$/);
    } finally {
      sub.close();
      bridge.kill("SIGINT");
      await bridge.done;
      pub.close();
    }
  });

  it("refuses bad arguments with exit 2 and one line", async () => {
    for (
      const [args, why] of [
        [["bridge", "tcp://127.0.0.1:1", "tcp://127.0.0.1:2"], /WS: expected ws:/],
        [["bridge", "ws://127.0.0.1:1", "ws://127.0.0.1:2"], /SERVICE: expected tcp:/],
        [["bridge", "wss://127.0.0.1:1", "tcp://127.0.0.1:2"], /wss:\/\/ needs --cert/],
        [
          ["bridge", "ws://127.0.0.1:1", "tcp://127.0.0.1:2", "--type", "stream"],
          /cannot be bridged/,
        ],
        [
          ["bridge", "ws://127.0.0.1:1", "tcp://127.0.0.1:2", "--origin", "example.com"],
          /--origin: expected http/,
        ],
      ] as const
    ) {
      const r = await zmqkit([...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, why);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  });

  it("exits 1 when it cannot ask an unreachable service its type", async () => {
    const r = await zmqkit([
      "bridge",
      `ws://127.0.0.1:${await freePort()}`,
      `tcp://127.0.0.1:${await closedPort()}`,
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cannot reach/);
  });
});
