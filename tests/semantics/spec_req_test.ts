// SPDX-License-Identifier: MIT
/**
 * RFC 28 REQ clauses (libzmq test_spec_req, test_req_correlate, test_req_relaxed,
 * test_invalid_rep), including the clause libzmq disables: a REQ accepts a reply only from
 * the peer it sent the request to. ROUTERs stand in for REPs where a test must inject replies.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Reply, Request, Router } from "../../mod.ts";
import {
  bindAddress,
  closeAll,
  EventLog,
  rejectsWith,
  text,
  texts,
  TRANSPORTS,
  withTimeout,
} from "./_util.ts";

const EMPTY = new Uint8Array(0);

for (const t of TRANSPORTS) {
  describe(`REQ over ${t}`, () => {
    it("round-robins requests over 3 REPs (each gets 2 of 6, in rotation)", async () => {
      const req = new Request();
      const log = new EventLog(req);
      await req.bind(bindAddress(t));
      const reps = [new Reply(), new Reply(), new Reply()];
      try {
        reps.forEach((r) => r.connect(req.lastEndpoint!));
        await log.waitFor("handshake", 3);
        // every REP answers with its own index
        const serve = reps.map(async (rep, i) => {
          const got: string[] = [];
          for (let k = 0; k < 2; k++) {
            const [body] = await rep.receive();
            got.push(text(body));
            await rep.send(`rep${i}`);
          }
          return got;
        });
        const order: string[] = [];
        for (let k = 0; k < 6; k++) {
          await req.send(`req${k}`);
          order.push(text((await withTimeout(req.receive(), 5000, `reply ${k}`))[0]));
        }
        assert.equal(
          new Set(order.slice(0, 3)).size,
          3,
          `first 3 replies from distinct REPs: ${order}`,
        );
        assert.deepEqual(order.slice(3), order.slice(0, 3), "rotation repeats");
        const got = await withTimeout(Promise.all(serve));
        for (const g of got) assert.equal(g.length, 2);
      } finally {
        closeAll(req, ...reps);
      }
    });

    it("sends requests as [empty delimiter, body...] as seen by a ROUTER", async () => {
      const router = new Router();
      await router.bind(bindAddress(t));
      const req = new Request();
      try {
        req.connect(router.lastEndpoint!);
        await req.send(["ABC", "DEF"]);
        const msg = await withTimeout(router.receive());
        assert.equal(msg.length, 4);
        assert.deepEqual(texts(msg.slice(1)), ["", "ABC", "DEF"]);
        await router.send([msg[0]!, EMPTY, "GHI", "JKL"]);
        assert.deepEqual(texts(await withTimeout(req.receive())), ["GHI", "JKL"]);
      } finally {
        closeAll(req, router);
      }
    });

    it("blocks on send without peers: EAGAIN after sendTimeout", async () => {
      const req = new Request({ sendTimeout: 250 });
      try {
        await req.bind(bindAddress(t));
        await rejectsWith(req.send("nobody"), "EAGAIN");
      } finally {
        req.close();
      }
    });

    it("EFSM on send-send and on receive before send", async () => {
      const router = new Router();
      await router.bind(bindAddress(t));
      const req = new Request();
      const fresh = new Request();
      try {
        await rejectsWith(fresh.receive(), "EFSM");
        req.connect(router.lastEndpoint!);
        await req.send("one");
        await rejectsWith(req.send("two"), "EFSM");
        const [id] = await withTimeout(router.receive());
        await router.send([id!, EMPTY, "reply"]);
        assert.deepEqual(texts(await withTimeout(req.receive())), ["reply"]);
        // back to ready-to-send: a second receive is EFSM, a send is fine
        await rejectsWith(req.receive(), "EFSM");
        await req.send("three");
      } finally {
        closeAll(req, fresh, router);
      }
    });

    it("accepts a reply only from the peer it sent the request to", async () => {
      const a = new Router({ mandatory: true });
      const b = new Router({ mandatory: true });
      const logB = new EventLog(b);
      await a.bind(bindAddress(t));
      await b.bind(bindAddress(t));
      const req = new Request({ routingId: "REQ1" });
      try {
        req.connect(a.lastEndpoint!); // first in the rotation
        req.connect(b.lastEndpoint!);
        await req.send("first");
        const [idA, , bodyA] = await withTimeout(a.receive());
        assert.equal(text(idA), "REQ1");
        assert.equal(text(bodyA), "first");
        await logB.waitFor("handshake");
        // B was never asked: its "reply" must be discarded, A's delivered
        await b.send(["REQ1", EMPTY, "from-the-wrong-peer"]);
        await a.send(["REQ1", EMPTY, "from-a"]);
        assert.deepEqual(texts(await withTimeout(req.receive())), ["from-a"]);
        if (t === "inproc") {
          // inproc delivery is synchronous, so B's stray reply is already queued at the REQ:
          // the next request goes to B and must get B's real answer, not the stray one
          await req.send("second");
          const [, , bodyB] = await withTimeout(b.receive());
          assert.equal(text(bodyB), "second");
          await b.send(["REQ1", EMPTY, "from-b"]);
          assert.deepEqual(texts(await withTimeout(req.receive())), ["from-b"]);
        }
      } finally {
        closeAll(req, a, b);
      }
    });

    it("discards a reply without the empty delimiter", async () => {
      const router = new Router();
      await router.bind(bindAddress(t));
      const req = new Request();
      try {
        req.connect(router.lastEndpoint!);
        await req.send("q");
        const [id] = await withTimeout(router.receive());
        await router.send([id!, "no-delimiter"]);
        await router.send([id!, EMPTY, "good"]);
        assert.deepEqual(texts(await withTimeout(req.receive())), ["good"]);
      } finally {
        closeAll(req, router);
      }
    });

    it("correlate: request id frame, replies with another id are dropped", async () => {
      const router = new Router();
      await router.bind(bindAddress(t));
      const req = new Request({ correlate: true });
      try {
        req.connect(router.lastEndpoint!);
        await req.send("q1");
        const m1 = await withTimeout(router.receive());
        assert.equal(m1.length, 4, "[routing id, request id, delimiter, body]");
        const [id, rid1, delim, body] = m1;
        assert.equal(rid1!.length, 4);
        assert.equal(delim!.length, 0);
        assert.equal(text(body), "q1");
        const wrong = Uint8Array.from(rid1!);
        wrong[0] = wrong[0]! ^ 0xff;
        await router.send([id!, wrong, EMPTY, "stale"]);
        await router.send([id!, rid1!, EMPTY, "fresh"]);
        assert.deepEqual(texts(await withTimeout(req.receive())), ["fresh"]);
        // the id goes up by one per request (a uint32 in little-endian, libzmq's native order)
        await req.send("q2");
        const [, rid2] = await withTimeout(router.receive());
        const n1 = new DataView(rid1!.buffer, rid1!.byteOffset, 4).getUint32(0, true);
        const n2 = new DataView(rid2!.buffer, rid2!.byteOffset, 4).getUint32(0, true);
        assert.equal(n2, (n1 + 1) >>> 0);
      } finally {
        closeAll(req, router);
      }
    });

    it("relaxed + correlate: a new request may be sent; the late reply is dropped", async () => {
      const router = new Router();
      await router.bind(bindAddress(t));
      const req = new Request({ relaxed: true, correlate: true });
      try {
        req.connect(router.lastEndpoint!);
        await req.send("old");
        await req.send("new"); // no EFSM
        const [id, ridOld, , bOld] = await withTimeout(router.receive());
        const [, ridNew, , bNew] = await withTimeout(router.receive());
        assert.equal(text(bOld), "old");
        assert.equal(text(bNew), "new");
        await router.send([id!, ridOld!, EMPTY, "late answer to old"]);
        await router.send([id!, ridNew!, EMPTY, "answer to new"]);
        assert.deepEqual(texts(await withTimeout(req.receive())), ["answer to new"]);
      } finally {
        closeAll(req, router);
      }
    });

    it("relaxed: with two peers the abandoned peer's reply is dropped", async () => {
      const a = new Router();
      const b = new Router();
      await a.bind(bindAddress(t));
      await b.bind(bindAddress(t));
      const req = new Request({ relaxed: true, correlate: true });
      try {
        req.connect(a.lastEndpoint!);
        req.connect(b.lastEndpoint!);
        await req.send("to-a");
        await req.send("to-b");
        const [idA, ridA] = await withTimeout(a.receive());
        const [idB, ridB] = await withTimeout(b.receive());
        await a.send([idA!, ridA!, EMPTY, "from-a"]);
        await b.send([idB!, ridB!, EMPTY, "from-b"]);
        assert.deepEqual(texts(await withTimeout(req.receive())), ["from-b"]);
      } finally {
        closeAll(req, a, b);
      }
    });
  });
}
