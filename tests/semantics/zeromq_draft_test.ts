// SPDX-License-Identifier: MIT
/**
 * zeromq_draft.ts, the drop-in for zeromq.js's "zeromq/draft": the draft sockets hand out what
 * they receive as Node Buffers (`toString()`, `readUInt32BE()` work as with zeromq.js), with
 * the routing id or group beside the body as zeromq.js gives them; Radio and Scatter send.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { describe, it } from "node:test";
import { Client, Dish, Gather, Radio, Scatter, Server } from "../../zeromq_draft.ts";

describe("zmqkit/zeromq/draft", () => {
  it("SERVER and CLIENT: Buffer bodies, the routing id beside them", async () => {
    const server = new Server();
    await server.bind("tcp://127.0.0.1:*");
    const client = new Client();
    try {
      client.connect(server.lastEndpoint!);
      await client.send(Buffer.from([0, 0, 0, 42]));
      const [body, { routingId }] = await server.receive();
      assert.ok(Buffer.isBuffer(body));
      assert.equal(body.readUInt32BE(0), 42);
      await server.send("answer", { routingId });
      const [reply] = await client.receive();
      assert.ok(Buffer.isBuffer(reply));
      assert.equal(reply!.toString(), "answer");
    } finally {
      client.close();
      server.close();
    }
  });

  it("RADIO and DISH: a Buffer body and its group", async () => {
    const dish = new Dish();
    dish.join("news");
    await dish.bind("tcp://127.0.0.1:*");
    const radio = new Radio();
    try {
      radio.connect(dish.lastEndpoint!);
      const got = dish.receive();
      let done = false;
      void got.then(() => done = true);
      for (let i = 0; !done && i < 500; i++) { // a RADIO drops until the JOIN is in
        await radio.send("headline", { group: "news" });
        await new Promise((r) => setTimeout(r, 10));
      }
      const [body, { group }] = await got;
      assert.ok(Buffer.isBuffer(body));
      assert.equal(body.toString(), "headline");
      assert.equal(new TextDecoder().decode(group), "news");
    } finally {
      radio.close();
      dish.close();
    }
  });

  it("SCATTER and GATHER: Buffer frames, also from tryReceive and iteration", async () => {
    const gather = new Gather();
    await gather.bind("tcp://127.0.0.1:*");
    const scatter = new Scatter();
    try {
      scatter.connect(gather.lastEndpoint!);
      await scatter.send("one");
      await scatter.send("two");
      const [first] = await gather.receive();
      assert.ok(Buffer.isBuffer(first));
      for await (const [next] of gather) {
        assert.ok(Buffer.isBuffer(next));
        assert.equal(next!.toString(), "two");
        break;
      }
      assert.equal(gather.tryReceive(), undefined);
    } finally {
      scatter.close();
      gather.close();
    }
  });
});
