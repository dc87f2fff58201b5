// SPDX-License-Identifier: MIT
/**
 * The Guide's chapter 5 pub-sub patterns before Clone (examples/ch5: espresso, lvcache with
 * pathopub and pathosub, suisnail, blackbox), each run as a subprocess on the runtime running
 * the tests, with endpoints on ports the OS hands out. Each test makes happen what its
 * pattern is for: a subscriber that comes and goes under a tracing proxy (Espresso), late
 * joiners after the last publish (the last value cache: they get the cached value with
 * nothing more published), a subscriber too slow to keep up (Suicidal Snail: it must die, and
 * one that keeps up must not), a stream fanned out to worker threads (Black Box: each message
 * counted once). libzmq (zeromq.js in a Node child) plays the cache's late joiners and, in one
 * test, its publisher. What is counted is exact; how fast anything went is not checked.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { example, freeEndpoint, libzmqScope, lines, text, utf8, WAIT } from "./_run.ts";

describe("the Guide, chapter 5, advanced pub-sub, as examples", () => {
  const { libzmq, closeAll } = libzmqScope();

  describe("espresso.ts (a proxy's capture socket traced)", () => {
    it("prints the two subscriptions, the updates, then the two cancellations", async () => {
      try {
        const [pub, proxy] = [await freeEndpoint(), await freeEndpoint()];
        const espresso = example("ch5/espresso.ts", pub, proxy, "5", "10");
        assert.equal(await espresso.exit(), 0);
        const all = espresso.stdout.trimEnd().split("\n");
        const subscribes = lines(espresso.stdout, /^\[002\] 01/);
        const cancels = lines(espresso.stdout, /^\[002\] 00/);
        const updates = lines(espresso.stdout, /^\[007\] /);
        assert.deepEqual(subscribes, ["[002] 0141", "[002] 0142"]); // "A", then "B"
        assert.deepEqual(cancels.sort(), ["[002] 0041", "[002] 0042"]);
        assert.equal(all[0], "[002] 0141"); // nothing comes down before a subscription went up
        assert.match(all.at(-1)!, /^\[002\] 004[12]$/); // it ends on the last cancellation
        // the subscriber read 5; one or two more may have been on their way when it left
        assert.ok(updates.length >= 5, espresso.stdout);
        for (const u of updates) assert.match(u, /^\[007\] [AB]-\d{5}$/); // only what it wanted
        assert.equal(subscribes.length + cancels.length + updates.length, all.length);
      } finally {
        await closeAll();
      }
    });
  });

  describe("lvcache.ts (last value cache) with pathopub.ts and pathosub.ts", () => {
    it("late joiners, pathosub.ts and libzmq SUBs, get their topic's last value at once", async () => {
      try {
        const [pubEp, subEp] = [await freeEndpoint(), await freeEndpoint()];
        const cache = example("ch5/lvcache.ts", pubEp, subEp);
        // one random update in ten minutes: within the test, nothing but the first burst
        example("ch5/pathopub.ts", pubEp, "600000");
        // "999" is the burst's last topic: once a subscriber has it, the cache holds all 1,000
        const watcher = await libzmq("SUB");
        await watcher.subscribe(utf8("999"));
        await watcher.connect(subEp);
        assert.deepEqual((await watcher.receive(WAIT)).map(text), ["999", "Save Roger"]);

        // Late joiners: nothing is published any more, so what they get is the cache's
        for (const n of [1, 2]) { // a second subscriber to the same topic: the XPUB is verbose
          const late = example("ch5/pathosub.ts", subEp, "042", "1");
          assert.equal(await late.exit(), 0, `pathosub ${n}`);
          assert.equal(late.stdout, "Save Roger\n");
        }
        const libzmqLate = await libzmq("SUB");
        await libzmqLate.subscribe(utf8("123"));
        await libzmqLate.connect(subEp);
        assert.deepEqual((await libzmqLate.receive(WAIT)).map(text), ["123", "Save Roger"]);
        await cache.waitFor(/^Sending cached topic 123$/m);
        assert.equal(lines(cache.stdout, /^Sending cached topic 042$/).length, 2);
        assert.deepEqual(lines(cache.stdout, /^(?!Sending cached topic (042|123|999)$)/), [""]);
      } finally {
        await closeAll();
      }
    });

    it("behind a libzmq PUB: the last message of each topic, whole, for late joiners", async () => {
      try {
        const pub = await libzmq("PUB");
        const pubEp = await pub.bind("tcp://127.0.0.1:*");
        const subEp = await freeEndpoint();
        const cache = example("ch5/lvcache.ts", pubEp, subEp);
        const watcher = await libzmq("SUB");
        await watcher.subscribe(utf8(""));
        await watcher.connect(subEp);
        // the cache joins when it joins: publish until something comes through it
        const deadline = Date.now() + WAIT;
        for (;;) {
          await pub.send([utf8("A"), utf8("probe")]);
          const got = await watcher.receive(50).catch(() => undefined);
          if (got) break;
          if (Date.now() > deadline || cache.done) throw new Error("nothing through the cache");
        }
        await pub.send([utf8("A"), utf8("first A")]);
        await pub.send([utf8("B"), utf8("B, frame 1"), utf8("B, frame 2")]);
        await pub.send([utf8("A"), utf8("last A")]);
        await pub.send([utf8("Z"), utf8("sync")]);
        // in order through one connection: once "Z" is through, the cache has all of them
        for (;;) if (text((await watcher.receive(WAIT))[0]) === "Z") break;

        const late = example("ch5/pathosub.ts", subEp, "A", "1");
        assert.equal(await late.exit(), 0);
        assert.equal(late.stdout, "last A\n");
        const libzmqLate = await libzmq("SUB");
        await libzmqLate.subscribe(utf8("B"));
        await libzmqLate.connect(subEp);
        assert.deepEqual((await libzmqLate.receive(WAIT)).map(text), [
          "B",
          "B, frame 1",
          "B, frame 2",
        ]);
        await cache.waitFor(/^Sending cached topic B$/m);
        assert.equal(cache.stdout, "Sending cached topic A\nSending cached topic B\n");
      } finally {
        await closeAll();
      }
    });
  });

  describe("suisnail.ts (slow subscriber detection)", () => {
    it("a subscriber 20 ms a message behind a publisher at 1 ms a message aborts", async () => {
      try {
        const snail = example("ch5/suisnail.ts", await freeEndpoint(), "--work-ms", "20");
        assert.equal(await snail.exit(), 1);
        assert.equal(snail.stderr, "E: subscriber cannot keep up, aborting\n");
        const all = snail.stdout.trimEnd().split("\n");
        assert.ok(all.length > 1, snail.stdout);
        for (const l of all) assert.match(l, /^\d{13}$/); // timestamps, and no "kept up"
      } finally {
        await closeAll();
      }
    });

    it("a subscriber that does no work keeps up, and stops after its 1000 messages", async () => {
      try {
        const fast = example(
          "ch5/suisnail.ts",
          await freeEndpoint(),
          "--work-ms",
          "0",
          "--messages",
          "1000",
        );
        assert.equal(await fast.exit(), 0);
        assert.equal(fast.stderr, "");
        const all = fast.stdout.trimEnd().split("\n");
        assert.equal(all.length, 1001);
        for (const l of all.slice(0, 1000)) assert.match(l, /^\d{13}$/);
        assert.match(all[1000]!, /^I: subscriber kept up: 1000 messages, at most \d+ ms late$/);
      } finally {
        await closeAll();
      }
    });
  });

  describe("blackbox.ts (a subscriber thread fanning out to worker threads)", () => {
    it("every message reaches exactly one of three workers, once", async () => {
      try {
        const box = example("ch5/blackbox.ts", await freeEndpoint(), "3", "20000", "100");
        assert.equal(await box.exit(WAIT * 2), 0);
        const out = box.stdout;
        assert.match(out, /^Publisher: 20000 messages in \d+ ms$/m);
        assert.match(out, /^Subscriber: 20000 messages in \d+ ms, \d+ msg\/s$/m);
        const shares = [...out.matchAll(/^Worker (\d): (\d+) messages in \d+ ms, \d+ msg\/s$/gm)];
        assert.deepEqual(shares.map((m) => m[1]), ["1", "2", "3"]);
        assert.equal(shares.reduce((sum, m) => sum + Number(m[2]), 0), 20000);
        assert.match(out, /\nAll 20000 messages were counted, each by exactly one worker\n$/);
        assert.equal(box.stderr, "");
      } finally {
        await closeAll();
      }
    });
  });
});
