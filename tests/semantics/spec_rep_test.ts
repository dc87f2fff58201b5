// SPDX-License-Identifier: MIT
/**
 * RFC 28 REP clauses (libzmq test_spec_rep): fair-queued requests, the envelope (every frame
 * up to the empty delimiter) kept and put back in front of the reply, lock-step EFSM.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer, Reply, Request } from "../../mod.ts";
import {
  bindAddress,
  closeAll,
  EventLog,
  queuedInbound,
  rejectsWith,
  text,
  texts,
  TRANSPORTS,
  until,
  withTimeout,
} from "./_util.ts";

const EMPTY = new Uint8Array(0);

for (const t of TRANSPORTS) {
  describe(`REP over ${t}`, () => {
    it("fair-queues 3 DEALERs x 10 requests in strict rotation; replies go to the sender", async () => {
      const rep = new Reply();
      await rep.bind(bindAddress(t));
      const dealers = [new Dealer(), new Dealer(), new Dealer()];
      try {
        for (const d of dealers) d.connect(rep.lastEndpoint!);
        for (let k = 0; k < 10; k++) {
          for (const [i, d] of dealers.entries()) await d.send([EMPTY, `d${i}-${k}`]);
        }
        await until(() => queuedInbound(rep) === 30, 5000, "all 30 requests queued at the REP");
        const senders: string[] = [];
        const perSender = new Map<string, number>();
        for (let j = 0; j < 30; j++) {
          const [body] = await withTimeout(rep.receive());
          const [who, seq] = text(body).split("-") as [string, string];
          senders.push(who);
          const expected = perSender.get(who) ?? 0;
          assert.equal(Number(seq), expected, `per-sender order for ${who}`);
          perSender.set(who, expected + 1);
          await rep.send(`re:${text(body)}`);
        }
        assert.equal(new Set(senders.slice(0, 3)).size, 3, "one from each in the first 3");
        for (let j = 3; j < 30; j++) assert.equal(senders[j], senders[j - 3], `rotation at ${j}`);
        for (const [i, d] of dealers.entries()) {
          for (let k = 0; k < 10; k++) {
            assert.deepEqual(texts(await withTimeout(d.receive())), ["", `re:d${i}-${k}`]);
          }
        }
      } finally {
        closeAll(rep, ...dealers);
      }
    });

    it("keeps the whole envelope and puts it in front of the reply", async () => {
      const rep = new Reply();
      await rep.bind(bindAddress(t));
      const dealer = new Dealer();
      try {
        dealer.connect(rep.lastEndpoint!);
        await dealer.send(["X", "Y", EMPTY, "body", "more"]);
        assert.deepEqual(texts(await withTimeout(rep.receive())), ["body", "more"]);
        await rep.send(["r1", "r2"]);
        assert.deepEqual(texts(await withTimeout(dealer.receive())), ["X", "Y", "", "r1", "r2"]);
        // an empty body after the delimiter is a valid (empty) request
        await dealer.send(["Z", EMPTY, EMPTY]);
        assert.deepEqual(texts(await withTimeout(rep.receive())), [""]);
        await rep.send("r3");
        assert.deepEqual(texts(await withTimeout(dealer.receive())), ["Z", "", "r3"]);
      } finally {
        closeAll(rep, dealer);
      }
    });

    it("drops requests without a delimiter, or with nothing after it", async () => {
      const rep = new Reply();
      await rep.bind(bindAddress(t));
      const dealer = new Dealer();
      try {
        dealer.connect(rep.lastEndpoint!);
        await dealer.send("no-delimiter");
        await dealer.send(["addr", "still-no-delimiter"]);
        await dealer.send(["addr", EMPTY]);
        await dealer.send([EMPTY, "ok"]);
        assert.deepEqual(texts(await withTimeout(rep.receive())), ["ok"]);
        await rep.send("fine");
        assert.deepEqual(texts(await withTimeout(dealer.receive())), ["", "fine"]);
      } finally {
        closeAll(rep, dealer);
      }
    });

    it("EFSM: send before receive, receive twice", async () => {
      const rep = new Reply();
      await rep.bind(bindAddress(t));
      const req = new Request();
      try {
        await rejectsWith(rep.send("unasked"), "EFSM");
        req.connect(rep.lastEndpoint!);
        await req.send("q");
        assert.deepEqual(texts(await withTimeout(rep.receive())), ["q"]);
        await rejectsWith(rep.receive(), "EFSM");
        await rep.send("a");
        await rejectsWith(rep.send("again"), "EFSM");
        assert.deepEqual(texts(await withTimeout(req.receive())), ["a"]);
      } finally {
        closeAll(rep, req);
      }
    });

    it("a reply to a departed requester is dropped without blocking", async () => {
      const rep = new Reply();
      const log = new EventLog(rep);
      await rep.bind(bindAddress(t));
      const gone = new Request();
      const next = new Request();
      try {
        gone.connect(rep.lastEndpoint!);
        await gone.send("q1");
        assert.deepEqual(texts(await withTimeout(rep.receive())), ["q1"]);
        gone.close();
        await log.waitFor("disconnect");
        await withTimeout(rep.send("nobody hears this"), 2000, "reply to a departed peer");
        next.connect(rep.lastEndpoint!);
        await next.send("q2");
        assert.deepEqual(texts(await withTimeout(rep.receive())), ["q2"]);
        await rep.send("a2");
        assert.deepEqual(texts(await withTimeout(next.receive())), ["a2"]);
      } finally {
        closeAll(rep, gone, next);
      }
    });
  });
}
