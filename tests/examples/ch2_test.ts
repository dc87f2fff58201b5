// SPDX-License-Identifier: MIT
/**
 * The Guide's chapter 2 programs (examples/ch2): the request-reply broker and its built-in-proxy
 * version, the weather proxy, pub-sub envelopes and node coordination, each run as a subprocess
 * on the runtime running the tests, with endpoints on ports the OS hands out. Each two-sided
 * pattern is also run with the other side played by libzmq (zeromq.js in a Node child), so the
 * examples are shown to interoperate, not only to work with each other.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { example, freeEndpoint, libzmqScope, lines, sleep, text, utf8, WAIT } from "./_run.ts";

describe("the Guide, chapter 2, as examples", () => {
  const { libzmq, closeAll } = libzmqScope();

  for (const broker of ["rrbroker.ts", "msgqueue.ts"]) {
    describe(`rrclient.ts / ${broker} / rrworker.ts (REQ-ROUTER-DEALER-REP)`, () => {
      it("the client gets every reply; the requests are shared over two workers", async () => {
        try {
          const [front, back] = [await freeEndpoint(), await freeEndpoint()];
          example(`ch2/${broker}`, front, back);
          // 150 ms of work a request: the 20 requests take 3 s, in which a worker that started
          // late (a slow machine) still connects and gets its share of the round robin
          const workers = [1, 2].map(() => example("ch2/rrworker.ts", back, "150"));
          await sleep(500);
          const client = example("ch2/rrclient.ts", front, "20");
          assert.equal(await client.exit(), 0);
          assert.deepEqual(
            lines(client.stdout, /./),
            Array.from({ length: 20 }, (_, n) => `Received reply ${n} [World]`),
          );
          const served = workers.map((w) => lines(w.stdout, /./));
          for (const s of served) {
            assert.ok(s.length > 0, "a worker got no request"); // the DEALER round-robins
            for (const l of s) assert.equal(l, "Received request: [Hello]");
          }
          assert.equal(served[0]!.length + served[1]!.length, 20);
        } finally {
          await closeAll();
        }
      });

      it(`${broker} between a libzmq REQ client and a libzmq REP worker`, async () => {
        try {
          const [front, back] = [await freeEndpoint(), await freeEndpoint()];
          example(`ch2/${broker}`, front, back);
          const req = await libzmq("REQ");
          const rep = await libzmq("REP");
          await req.connect(front); // libzmq retries until the broker has bound
          await rep.connect(back);
          for (let n = 0; n < 3; n++) {
            await req.send([utf8(`Hello ${n}`)]);
            assert.deepEqual((await rep.receive(WAIT)).map(text), [`Hello ${n}`]);
            await rep.send([utf8(`World ${n}`)]);
            assert.deepEqual((await req.receive(WAIT)).map(text), [`World ${n}`]);
          }
        } finally {
          await closeAll();
        }
      });
    });
  }

  it("rrclient.ts and rrworker.ts through a libzmq ROUTER/DEALER broker", async () => {
    try {
      const router = await libzmq("ROUTER");
      const dealer = await libzmq("DEALER");
      const front = await router.bind("tcp://127.0.0.1:*");
      const back = await dealer.bind("tcp://127.0.0.1:*");
      const worker = example("ch2/rrworker.ts", back, "0", "3");
      const client = example("ch2/rrclient.ts", front, "3");
      // the broker's loop, one request at a time (a REQ client sends no more anyway)
      for (let n = 0; n < 3; n++) {
        const request = await router.receive(WAIT); // [identity, "", "Hello"]
        assert.deepEqual(request.slice(1).map(text), ["", "Hello"]);
        await dealer.send(request);
        const reply = await dealer.receive(WAIT);
        assert.deepEqual(reply.slice(1).map(text), ["", "World"]);
        await router.send(reply);
      }
      assert.equal(await client.exit(), 0);
      assert.equal(lines(client.stdout, /^Received reply \d \[World\]$/).length, 3);
      assert.equal(await worker.exit(), 0); // it served its 3 requests and ended
      assert.equal(worker.stdout, "Received request: [Hello]\n".repeat(3));
    } finally {
      await closeAll();
    }
  });

  describe("wuproxy.ts (XSUB-XPUB)", () => {
    it("wuserver.ts's updates reach wuclient.ts through the proxy", async () => {
      try {
        const [server, proxied] = [await freeEndpoint(), await freeEndpoint()];
        example("ch1/wuserver.ts", server);
        example("ch2/wuproxy.ts", server, proxied);
        const client = example("ch1/wuclient.ts", proxied, "1", "100");
        assert.equal(await client.exit(), 0);
        const m = client.stdout.match(/^Average temperature for zipcode '1' was (-?\d+)F$/m);
        assert.ok(m, client.stdout);
        assert.ok(Number(m[1]) >= -80 && Number(m[1]) <= 134, client.stdout);
      } finally {
        await closeAll();
      }
    });

    it("between a libzmq XPUB and a libzmq SUB: the subscription goes upstream", async () => {
      try {
        const xpub = await libzmq("XPUB");
        const server = await xpub.bind("tcp://127.0.0.1:*");
        const proxied = await freeEndpoint();
        example("ch2/wuproxy.ts", server, proxied);
        const sub = await libzmq("SUB");
        await sub.subscribe(utf8("10001 "));
        await sub.connect(proxied);
        // the SUB's subscription, passed on by the proxy's XPUB and XSUB, reaches the server
        assert.deepEqual(await xpub.receive(WAIT), [utf8("\x0110001 ")]);
        // updates flow down, filtered: only 10001's arrive
        let got: string | undefined;
        const deadline = Date.now() + WAIT;
        while (got === undefined && Date.now() < deadline) {
          await xpub.send([utf8("10002 90 50")]);
          await xpub.send([utf8("10001 20 50")]);
          got = await sub.receive(100).then((m) => text(m[0]), () => undefined);
        }
        assert.equal(got, "10001 20 50");
        await xpub.send([utf8("10002 90 50")]);
        await xpub.send([utf8("10001 30 50")]);
        for (;;) { // drain what the loop above left in flight: all of it 10001's
          const update = text((await sub.receive(WAIT))[0]);
          assert.match(update, /^10001 [23]0 50$/);
          if (update === "10001 30 50") break;
        }
      } finally {
        await closeAll();
      }
    });
  });

  describe("psenvpub.ts / psenvsub.ts (PUB-SUB envelopes)", () => {
    it("the subscriber prints only the B messages, with their address", async () => {
      try {
        const ep = await freeEndpoint();
        example("ch2/psenvpub.ts", ep, "20");
        const sub = example("ch2/psenvsub.ts", ep, "B", "5");
        assert.equal(await sub.exit(), 0);
        assert.equal(sub.stdout, "[B] We would like to see this\n".repeat(5));
      } finally {
        await closeAll();
      }
    });

    it("psenvsub.ts against a libzmq PUB", async () => {
      try {
        const pub = await libzmq("PUB");
        const ep = await pub.bind("tcp://127.0.0.1:*");
        const sub = example("ch2/psenvsub.ts", ep, "B", "3");
        const deadline = Date.now() + WAIT;
        for (let n = 0; !sub.done && Date.now() < deadline; n++) {
          await pub.send([utf8("A"), utf8(`not this ${n}`)]);
          await pub.send([utf8("B"), utf8(`this ${n}`)]);
          await sleep(10);
        }
        assert.equal(await sub.exit(), 0);
        assert.match(sub.stdout, /^(\[B\] this \d+\n){3}$/);
      } finally {
        await closeAll();
      }
    });

    it("psenvpub.ts to a libzmq SUB subscribed to B: two frames, key first", async () => {
      try {
        const ep = await freeEndpoint();
        example("ch2/psenvpub.ts", ep, "20");
        const sub = await libzmq("SUB");
        await sub.subscribe(utf8("B"));
        await sub.connect(ep);
        for (let n = 0; n < 3; n++) {
          assert.deepEqual((await sub.receive(WAIT)).map(text), ["B", "We would like to see this"]);
        }
      } finally {
        await closeAll();
      }
    });
  });

  describe("syncpub.ts / syncsub.ts (PUB-SUB synchronised over REQ-REP)", () => {
    it("two subscribers count every update; the publisher ends once both synced", async () => {
      try {
        const [pub, sync] = [await freeEndpoint(), await freeEndpoint()];
        const publisher = example("ch2/syncpub.ts", pub, sync, "2", "10000");
        const subs = [1, 2].map(() => example("ch2/syncsub.ts", pub, sync));
        for (const s of subs) {
          assert.equal(await s.exit(), 0);
          assert.equal(s.stdout, "Received 10000 updates\n");
        }
        assert.equal(await publisher.exit(), 0);
        assert.equal(publisher.stdout, "Waiting for subscribers\nBroadcasting messages\n");
      } finally {
        await closeAll();
      }
    });

    it("syncsub.ts against a libzmq PUB and REP", async () => {
      try {
        const pub = await libzmq("PUB");
        const rep = await libzmq("REP");
        const pubEp = await pub.bind("tcp://127.0.0.1:*");
        const syncEp = await rep.bind("tcp://127.0.0.1:*");
        const sub = example("ch2/syncsub.ts", pubEp, syncEp);
        await rep.receive(WAIT); // it has subscribed: it says so
        await rep.send([utf8("")]);
        for (let n = 0; n < 300; n++) await pub.send([utf8("Rhubarb")]);
        await pub.send([utf8("END")]);
        assert.equal(await sub.exit(), 0);
        assert.equal(sub.stdout, "Received 300 updates\n");
      } finally {
        await closeAll();
      }
    });

    it("syncpub.ts with two libzmq subscribers", async () => {
      try {
        const [pubEp, syncEp] = [await freeEndpoint(), await freeEndpoint()];
        const publisher = example("ch2/syncpub.ts", pubEp, syncEp, "2", "300");
        await publisher.waitFor(/Waiting for subscribers/);
        const subs = [await libzmq("SUB"), await libzmq("SUB")];
        for (const sub of subs) {
          await sub.subscribe(utf8(""));
          await sub.connect(pubEp);
          await sub.handshake(WAIT);
        }
        await sleep(200); // as syncsub does: let the subscriptions arrive before saying so
        for (let n = 0; n < 2; n++) {
          const req = await libzmq("REQ");
          await req.connect(syncEp);
          await req.send([utf8("")]);
          assert.deepEqual(await req.receive(WAIT), [utf8("")]);
        }
        for (const sub of subs) {
          for (let n = 0; n < 300; n++) assert.equal(text((await sub.receive(WAIT))[0]), "Rhubarb");
          assert.equal(text((await sub.receive(WAIT))[0]), "END");
        }
        assert.equal(await publisher.exit(), 0);
      } finally {
        await closeAll();
      }
    });
  });
});
