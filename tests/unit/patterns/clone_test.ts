// SPDX-License-Identifier: MIT
/**
 * CloneServer and CloneClient in one process over inproc: clients converging through a
 * server, a late joiner (snapshot, then the later changes), subtrees, values that expire, a
 * passive server that holds client changes and publishes the rest when it takes over (and
 * expires what it learnt from a snapshot), and the client against a hand-driven fake server
 * that answers, leaves a gap in its numbers, sends malformed messages and falls silent. Every
 * wait is bounded (`eventually`, `withTimeout`, receive timeouts on the fake sockets).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CloneClient,
  type CloneClientEvent,
  type CloneEndpoints,
  cloneEndpoints,
  CloneServer,
  type CloneServerEvent,
  createKvmsg,
  Dealer,
  decodeKvmsg,
  encodeKvmsg,
  type Message,
  Publisher,
  Push,
  Router,
  Subscriber,
  ZmqError,
} from "../../../mod.ts";
import { withTimeout } from "../../_helpers/wait.ts";

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
let serial = 0;
/** Fresh inproc endpoints for one server. */
function endpoints(): CloneEndpoints {
  const n = `clone-test-${serial++}`;
  return {
    snapshot: `inproc://${n}-snapshot`,
    publisher: `inproc://${n}-publisher`,
    collector: `inproc://${n}-collector`,
  };
}
/** Resolves once `test()` holds (checked every 5 ms); rejects after `ms`. */
async function eventually(test: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms}ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
/** A server bound and running, with its events recorded. */
async function server(
  ep: CloneEndpoints,
  options: ConstructorParameters<typeof CloneServer>[0] = {},
) {
  const events: CloneServerEvent[] = [];
  const s = new CloneServer({
    heartbeat: 50,
    ttlInterval: 20,
    ...options,
    onEvent: (e) => events.push(e),
  });
  await s.bind(ep);
  const running = s.run();
  return { server: s, events, running };
}
/** A client with its events recorded. */
function client(options: { subtree?: string; timeout?: number } = {}) {
  const events: CloneClientEvent[] = [];
  const c = new CloneClient({ timeout: 2000, ...options, onEvent: (e) => events.push(e) });
  return { client: c, events };
}

describe("CloneServer and CloneClient", () => {
  it("clients converge through the server; a late joiner gets the snapshot, then the later changes", async () => {
    const ep = endpoints();
    const { server: s, running } = await server(ep);
    const { client: a } = client();
    const { client: b } = client();
    try {
      a.connect(ep);
      b.connect(ep);
      await withTimeout(Promise.all([a.ready(), b.ready()]), 5000, "first snapshots");
      for (let i = 1; i <= 5; i++) {
        await a.set(`a${i}`, `from a ${i}`);
        await b.set(`b${i}`, `from b ${i}`);
      }
      await eventually(() => a.sequence === 10 && b.sequence === 10, "10 changes at both");
      assert.equal(s.sequence, 10);
      assert.equal(s.size, 10);
      assert.equal(a.digest(), s.digest());
      assert.equal(b.digest(), s.digest());
      assert.equal(text(b.get("a3")), "from a 3");

      const { client: late, events } = client();
      try {
        late.connect(ep);
        await withTimeout(late.ready(), 5000, "the late joiner's snapshot");
        assert.deepEqual(events.map((e) => e.type), ["syncing", "snapshot"]);
        assert.deepEqual(events[1], {
          type: "snapshot",
          server: ep.snapshot,
          sequence: 10,
          entries: 10,
        });
        assert.equal(late.digest(), s.digest());
        await a.set("a1", "changed");
        await a.set("b2", ""); // a deletion
        await eventually(() => late.sequence === 12, "two changes after the snapshot");
        assert.equal(text(late.get("a1")), "changed");
        assert.equal(late.get("b2"), undefined);
        assert.equal(late.size, 9);
        assert.deepEqual(
          events.slice(2).map((e) => e.type === "update" && [e.sequence, e.key, e.deleted]),
          [
            [11, "a1", false],
            [12, "b2", true],
          ],
        );
        await eventually(() => a.sequence === 12 && b.sequence === 12, "12 at a and b");
        assert.deepEqual(new Set([a.digest(), b.digest(), late.digest()]), new Set([s.digest()]));
        assert.deepEqual([...late.entries()].length, 9);
      } finally {
        late.close();
      }
    } finally {
      a.close();
      b.close();
      s.close();
      await running;
    }
  });

  it("subtrees: a client keeps only its subtree, from the snapshot and from the changes", async () => {
    const ep = endpoints();
    const { server: s, running, events: serverEvents } = await server(ep);
    const { client: a } = client({ subtree: "/a/" });
    const { client: b } = client({ subtree: "/b/" });
    const { client: all } = client();
    try {
      for (const c of [a, b, all]) c.connect(ep);
      await withTimeout(Promise.all([a.ready(), b.ready(), all.ready()]), 5000, "snapshots");
      await a.set("/a/1", "x");
      await a.set("/a/2", "y");
      await b.set("/b/1", "z");
      await a.set("/b/2", "from a"); // outside a's subtree: sent, not kept
      await eventually(() => all.sequence === 4, "4 changes at the whole-map client");
      await eventually(() => b.get("/b/2") !== undefined, "/b/2 at b");
      assert.equal(a.get("/b/2"), undefined);
      assert.equal(a.size, 2);
      assert.equal(b.size, 2);
      assert.equal(all.size, 4);
      assert.equal(all.digest(), s.digest());

      const { client: a2, events } = client({ subtree: "/a/" });
      try {
        a2.connect(ep);
        await withTimeout(a2.ready(), 5000, "a2's snapshot");
        assert.deepEqual(events[1], {
          type: "snapshot",
          server: ep.snapshot,
          sequence: 4,
          entries: 2,
        });
        assert.equal(a2.digest(), a.digest());
        const snapshots = serverEvents.filter((e) => e.type === "snapshot");
        assert.deepEqual(snapshots.at(-1), {
          type: "snapshot",
          sequence: 4,
          subtree: "/a/",
          entries: 2,
        });
      } finally {
        a2.close();
      }
    } finally {
      for (const c of [a, b, all]) c.close();
      s.close();
      await running;
    }
  });

  it("ephemeral values: the server deletes a key when its ttl runs out, and so does every client", async () => {
    const ep = endpoints();
    const { server: s, running, events } = await server(ep);
    const { client: a } = client();
    const { client: b } = client();
    try {
      a.connect(ep);
      b.connect(ep);
      await withTimeout(Promise.all([a.ready(), b.ready()]), 5000, "snapshots");
      await a.set("eph", "soon gone", { ttl: 0.2 });
      await a.set("keep", "here to stay");
      await b.set("eph2", "gone too", { ttl: 0.1 });
      await eventually(() => s.sequence === 5, "3 changes and 2 expiries");
      await eventually(() => a.sequence === 5 && b.sequence === 5, "5 at both clients");
      assert.equal(s.size, 1);
      for (const c of [a, b]) {
        assert.deepEqual([...c.entries()].map(([k]) => k), ["keep"]);
        assert.equal(c.digest(), s.digest());
      }
      const expiries = events.filter((e) => e.type === "publish" && e.cause === "expiry");
      assert.deepEqual(expiries.map((e) => e.type === "publish" && [e.key, e.deleted]).sort(), [
        ["eph", true],
        ["eph2", true],
      ]);
    } finally {
      a.close();
      b.close();
      s.close();
      await running;
    }
  });

  it("server: malformed requests and changes are reported and ignored", async () => {
    const ep = endpoints();
    const { server: s, running, events } = await server(ep, { collector: "PULL" });
    const dealer = new Dealer({ receiveTimeout: 5000 });
    const push = new Push();
    try {
      dealer.connect(ep.snapshot);
      push.connect(ep.collector);
      const bad: Message[] = [
        [new TextEncoder().encode("GIMME")],
        [new TextEncoder().encode("ICANHAZ?"), new Uint8Array(256).fill(0x61)],
        [new TextEncoder().encode("ICANHAZ?"), new Uint8Array([0xff, 0xfe])],
        [new TextEncoder().encode("ICANHAZ?"), new Uint8Array(0), new Uint8Array(0)],
      ];
      for (const m of bad) await dealer.send(m);
      await push.send(["key", "too", "few"]);
      await push.send(["key", new Uint8Array(3), "", "", "bad sequence"]);
      await push.send(["key", new Uint8Array(8), "", "no newline", "value"]);
      await push.send(encodeKvmsg(createKvmsg("good", "value")));
      // a request of one frame (models two and three) is served: the whole map
      await dealer.send("ICANHAZ?");
      const replies: string[] = [];
      for (;;) {
        const msg = decodeKvmsg(await dealer.receive());
        replies.push(`${msg.key}@${msg.sequence}`);
        if (msg.key === "KTHXBAI") break;
        if (replies.length > 5) break;
      }
      // the collector and the snapshot socket are read by separate loops: "good" may or may
      // not have been published when the request was read
      assert.ok(
        ["KTHXBAI@0", "good@1,KTHXBAI@1"].includes(replies.join()),
        replies.join(),
      );
      await eventually(() => s.sequence === 1, "the good change");
      const malformed = events.filter((e) => e.type === "malformed");
      assert.equal(
        malformed.filter((e) => e.type === "malformed" && e.source === "snapshot").length,
        4,
      );
      assert.deepEqual(
        malformed.filter((e) => e.type === "malformed" && e.source === "collector")
          .map((e) => e.type === "malformed" && e.reason),
        [
          "3 frames, a kvmsg has 5",
          "sequence of 3 bytes, not 8",
          "properties do not end with a newline",
        ],
      );
    } finally {
      dealer.close();
      push.close();
      s.close();
      await running;
    }
  });

  it("a passive server holds client changes until the active one publishes them, and publishes the rest when it takes over", async () => {
    const [ep1, ep2] = [endpoints(), endpoints()];
    const one = await server(ep1);
    let takeOver = false;
    // the vote: accepted once the test says the first server is gone (Binary Star's job)
    const two: { server: CloneServer; events: CloneServerEvent[]; running: Promise<void> } =
      await server(ep2, {
        active: false,
        vote: () => {
          if (takeOver) two.server.activate();
          return takeOver;
        },
      });
    two.server.follow(ep1);
    const { client: x, events } = client({ timeout: 1000 });
    try {
      await eventually(() => two.events.some((e) => e.type === "synced"), "the passive's snapshot");
      assert.equal(two.server.state, "passive");
      x.connect(ep1);
      x.connect(ep2);
      await withTimeout(x.ready(), 5000, "x's snapshot");
      for (let i = 1; i <= 5; i++) await x.set(`k${i}`, `v${i}`, { ttl: i === 5 ? 60 : 0 });
      await eventually(() => one.server.sequence === 5 && two.server.sequence === 5, "5 at both");
      // every change came twice to the passive (from the client, and published): matched
      await eventually(() => two.server.pending === 0, "nothing held");
      assert.equal(two.server.digest(), one.server.digest());
      assert.equal(two.events.filter((e) => e.type === "follow").length, 5);

      // the active server goes; a change made now reaches the passive one only
      one.server.close();
      await one.running;
      await x.set("k6", "while the first server is down");
      await eventually(() => two.server.pending === 1, "k6 held");
      takeOver = true;
      await eventually(
        () => x.server === ep2.snapshot && x.synced,
        "x following the second server",
      );
      assert.equal(two.server.state, "active");
      assert.deepEqual(
        two.events.filter((e) => e.type === "publish").map((e) =>
          e.type === "publish" && [e.sequence, e.key, e.cause]
        ),
        [[6, "k6", "pending"]],
      );
      assert.equal(x.sequence, 6);
      assert.equal(x.size, 6);
      assert.equal(x.digest(), two.server.digest());
      const types = events.map((e) => e.type);
      assert.ok(types.includes("silence"), types.join());
      assert.deepEqual(
        events.filter((e) => e.type === "snapshot").map((e) =>
          e.type === "snapshot" && [e.server, e.sequence]
        ),
        [
          [ep1.snapshot, 0],
          [ep2.snapshot, 6],
        ],
      );
      // the second server goes on as the first did
      await x.set("k7", "after the takeover");
      await eventually(() => x.sequence === 7, "k7 back at x");
      assert.equal(x.digest(), two.server.digest());
    } finally {
      x.close();
      one.server.close();
      two.server.close();
      await Promise.all([one.running, two.running]);
    }
  });

  it("a passive server expires what its snapshot said would expire, once it is active", async () => {
    const [ep1, ep2] = [endpoints(), endpoints()];
    const one = await server(ep1);
    const two = await server(ep2, { active: false });
    const { client: x } = client();
    try {
      x.connect(ep1);
      await withTimeout(x.ready(), 5000, "x's snapshot");
      await x.set("brief", "1", { ttl: 0.6 });
      await x.set("lasting", "2");
      await eventually(() => one.server.sequence === 2, "2 at the first server");
      two.server.follow(ep1); // syncs now, by snapshot: "brief" comes with the time it has left
      await eventually(() => two.events.some((e) => e.type === "synced"), "the passive's snapshot");
      assert.equal(two.server.size, 2);
      one.server.close();
      two.server.activate();
      await eventually(() => two.server.size === 1, "brief expired at the second server");
      const expiry = two.events.find((e) => e.type === "publish");
      assert.deepEqual(expiry, {
        type: "publish",
        sequence: 3,
        key: "brief",
        deleted: true,
        cause: "expiry",
      });
    } finally {
      x.close();
      one.server.close();
      two.server.close();
      await Promise.all([one.running, two.running]);
    }
  });
});

describe("CloneClient against a fake server", () => {
  /** A server's sockets, driven by hand. */
  async function fake(ep: CloneEndpoints) {
    const router = new Router({ receiveTimeout: 5000 });
    const pub = new Publisher();
    const collector = new Subscriber();
    collector.subscribe();
    await router.bind(ep.snapshot);
    await pub.bind(ep.publisher);
    await collector.bind(ep.collector);
    const send = (key: string, body: string, sequence: number) =>
      pub.send(encodeKvmsg(createKvmsg(key, body, { sequence })));
    /** Answers the next ICANHAZ with the entries given and KTHXBAI. */
    async function answer(entries: [string, string][], sequence: number): Promise<string> {
      const [id, request, subtree] = await router.receive();
      assert.equal(text(request), "ICANHAZ?");
      for (const [k, v] of entries) await router.send([id!, ...encodeKvmsg(createKvmsg(k, v))]);
      await router.send([id!, ...encodeKvmsg(createKvmsg("KTHXBAI", text(subtree), { sequence }))]);
      return text(subtree);
    }
    const close = () => [router, pub, collector].forEach((s) => s.close());
    return { router, pub, send, answer, close };
  }

  it("applies changes in order, resyncs after a gap, ignores malformed ones, and fails over on silence", async () => {
    const [ep1, ep2] = [endpoints(), endpoints()];
    const f1 = await fake(ep1);
    const f2 = await fake(ep2);
    const { client: c, events } = client({ timeout: 1000 });
    try {
      c.connect(ep1);
      c.connect(ep2);
      assert.equal(await f1.answer([["k1", "a"]], 5), "");
      await withTimeout(c.ready(), 5000, "the snapshot");
      assert.deepEqual([c.sequence, c.size], [5, 1]);
      await f1.send("k2", "b", 6);
      await f1.send("k0", "old", 4); // at or below the client's number: dropped
      await f1.pub.send(["k3", "not a kvmsg"]); // reported, ignored
      await f1.send("HUGZ", "", 6);
      await f1.send("k3", "c", 8); // 7 is missing: a new snapshot
      assert.equal(await f1.answer([["k1", "a"], ["k2", "b"], ["k3", "c"], ["k7", "d"]], 8), "");
      await eventually(() => c.size === 4 && c.sequence === 8, "the second snapshot");
      await f1.send("k9", "e", 9);
      await eventually(() => c.sequence === 9, "change 9");
      // now silence: after a second the client asks the other server
      assert.equal(await f2.answer([["x", "y"]], 20), "");
      await eventually(() => c.server === ep2.snapshot && c.synced, "following the second server");
      assert.deepEqual([...c.entries()], [["x", new TextEncoder().encode("y")]]);
      assert.equal(c.sequence, 20);
      assert.deepEqual(events.map((e) => e.type), [
        "syncing",
        "snapshot",
        "update",
        "malformed",
        "gap",
        "syncing",
        "snapshot",
        "update",
        "silence",
        "syncing",
        "snapshot",
      ]);
      assert.deepEqual(events[4], { type: "gap", server: ep1.snapshot, expected: 7, got: 8 });
      assert.deepEqual(events[3], {
        type: "malformed",
        server: ep1.snapshot,
        reason: "2 frames, a kvmsg has 5",
      });
    } finally {
      c.close();
      f1.close();
      f2.close();
    }
  });

  it("with a subtree: asks for it, and numbers may skip (other subtrees' changes)", async () => {
    const ep = endpoints();
    const f = await fake(ep);
    const { client: c, events } = client({ subtree: "/mine/" });
    try {
      c.connect(ep);
      assert.equal(await f.answer([["/mine/1", "a"], ["/other/1", "b"]], 3), "/mine/");
      await withTimeout(c.ready(), 5000, "the snapshot");
      assert.equal(c.size, 1); // /other/1 not kept
      await f.send("/mine/2", "c", 7);
      await f.send("HUGZ", "", 9);
      await f.send("/mine/3", "d", 12);
      await eventually(() => c.sequence === 12, "change 12");
      assert.equal(c.size, 3);
      assert.ok(!events.some((e) => e.type === "gap"));
    } finally {
      c.close();
      f.close();
    }
  });

  it("a server that never answers: the client tries the next one, and again", async () => {
    const [ep1, ep2] = [endpoints(), endpoints()];
    const f2 = await fake(ep2);
    const { client: c, events } = client({ timeout: 400 });
    try {
      c.connect(ep1); // nobody there
      c.connect(ep2);
      // the first server's SUB never connects: silence, then the second one
      await f2.router.receive(); // its first request, unanswered: silence again
      assert.equal(await f2.answer([], 1), ""); // the second time round it answers
      await withTimeout(c.ready(), 5000, "the snapshot");
      assert.equal(c.server, ep2.snapshot);
      const types = events.map((e) => e.type);
      assert.deepEqual(types.slice(0, 4), ["syncing", "silence", "syncing", "silence"]);
      assert.equal(types.at(-1), "snapshot");
    } finally {
      c.close();
      f2.close();
    }
  });

  it("bounds: arguments, two servers at most, and a closed client", async () => {
    assert.throws(() => new CloneClient({ timeout: 0 }), RangeError);
    assert.throws(() => new CloneServer({ heartbeat: -1 }), RangeError);
    assert.throws(() => new CloneServer({ ttlInterval: 0 }), RangeError);
    new CloneServer({ heartbeat: 0 }).close(); // no heartbeat: allowed
    assert.deepEqual(cloneEndpoints("tcp://127.0.0.1:6000"), {
      snapshot: "tcp://127.0.0.1:6000",
      publisher: "tcp://127.0.0.1:6001",
      collector: "tcp://127.0.0.1:6002",
    });
    for (const bad of ["inproc://x", "tcp://host", "tcp://host:65534", "tcp://host:0"]) {
      assert.throws(() => cloneEndpoints(bad), TypeError, bad);
    }
    const c = new CloneClient();
    const [ep1, ep2, ep3] = [endpoints(), endpoints(), endpoints()];
    c.connect(ep1);
    c.connect(ep2);
    assert.throws(() => c.connect(ep3), RangeError);
    await assert.rejects(c.set("k".repeat(256), "v"), RangeError);
    await assert.rejects(c.set("k", "v", { ttl: -1 }), RangeError);
    c.close();
    await assert.rejects(c.ready(), (e) => e instanceof ZmqError && e.code === "ETERM");
    await assert.rejects(c.set("k", "v"), (e) => e instanceof ZmqError && e.code === "ETERM");
    assert.throws(() => c.connect(ep3), (e) => e instanceof ZmqError && e.code === "ETERM");
    await c[Symbol.asyncDispose]();
    const s = new CloneServer();
    await assert.rejects(s.run(), /bind\(\) first/);
    await assert.rejects(s.bind(endpoints()), (e) => e instanceof ZmqError && e.code === "ETERM");
  });
});
