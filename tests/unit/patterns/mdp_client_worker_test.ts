// SPDX-License-Identifier: MIT
/**
 * MajordomoClient and MajordomoWorker (MDP/0.1): against zmqkit's MajordomoBroker over
 * inproc (requests and replies, the asynchronous client, mmi.service, the Lazy Pirate retry,
 * a worker that goes quiet, close), and against a hand-driven ROUTER playing a broker that
 * goes silent, disconnects the worker, or sends malformed commands and replies. Every wait is
 * bounded (a receive timeout on the fake broker, withTimeout elsewhere).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  MajordomoBroker,
  MajordomoClient,
  type MajordomoRequest,
  MajordomoWorker,
  type Message,
  Router,
  ZmqError,
} from "../../../mod.ts";
import { withTimeout } from "../../_helpers/wait.ts";

const enc = new TextEncoder();
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const texts = (m: Message | undefined) => m?.map(text);
const E = new Uint8Array(0);
const W = enc.encode("MDPW01");
const C = enc.encode("MDPC01");
const cmd = (c: number) => new Uint8Array([c]);
const READY = 1, REQUEST = 2, REPLY = 3, HEARTBEAT = 4, DISCONNECT = 5;

let n = 0;
const endpoint = () => `inproc://mdp-unit-${Date.now().toString(36)}-${++n}`;

/** Resolves after `ms`: only to let time pass where nothing should happen. */
const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A MajordomoBroker on a bound ROUTER; `stop()` ends it and closes the socket. */
async function startBroker(heartbeatInterval = 2500, liveness = 3) {
  const ep = endpoint();
  const router = new Router();
  await router.bind(ep);
  const broker = new MajordomoBroker(router, { heartbeatInterval, liveness });
  const running = broker.run();
  return {
    ep,
    broker,
    stop: async () => {
      broker.terminate();
      await running;
      router.close();
    },
  };
}

/** A ROUTER playing the broker, whose every receive gives up after 5 s. */
async function fakeBroker() {
  const ep = endpoint();
  const router = new Router({ receiveTimeout: 5000 });
  await router.bind(ep);
  /** The next message from a worker that is not a HEARTBEAT, without its routing id. */
  const next = async (): Promise<{ id: Uint8Array; frames: Message }> => {
    for (;;) {
      const [id, ...frames] = await router.receive();
      if (frames.length === 3 && frames[2]![0] === HEARTBEAT) continue;
      return { id: id!, frames };
    }
  };
  const toWorker = (id: Uint8Array, ...frames: Uint8Array[]) => router.send([id, ...frames]);
  return { ep, router, next, toWorker };
}

function echo(worker: MajordomoWorker): Promise<void> {
  return (async () => {
    for await (const request of worker) await request.reply(request.body);
  })();
}

describe("MajordomoClient and MajordomoWorker, with MajordomoBroker", () => {
  it("carries requests and replies, synchronously and asynchronously, with exact counts", async () => {
    const { ep, broker, stop } = await startBroker();
    const worker = new MajordomoWorker(ep, "echo");
    const serving = echo(worker);
    const client = new MajordomoClient(ep, { timeout: 5000 });
    try {
      assert.deepEqual(texts(await client.request("echo", "one")), ["one"]);
      assert.deepEqual(texts(await client.request("echo", ["two", "", "frames"])), [
        "two",
        "",
        "frames",
      ]);
      for (let i = 0; i < 50; i++) await client.send("echo", String(i));
      const got: string[] = [];
      for (let i = 0; i < 50; i++) got.push(text((await client.receive())![0]));
      assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => String(i)));
      assert.deepEqual(client.statistics(), {
        requests: 52,
        replies: 52,
        timeouts: 0,
        reconnects: 0,
        invalid: 0,
      });
      const w = worker.statistics();
      assert.equal(w.requests, 52);
      assert.equal(w.replies, 52);
      assert.equal(w.invalid, 0);
      assert.equal(broker.statistics().replies, 52);
    } finally {
      client.close();
      worker.close();
      await serving;
      await stop();
    }
  });

  it("mmi.service: 200 for a service with a worker, 404 without, 404 again once it has left", async () => {
    const { ep, broker, stop } = await startBroker();
    const client = new MajordomoClient(ep, { timeout: 5000 });
    try {
      assert.deepEqual(texts(await client.request("mmi.service", "echo")), ["404"]);
      const worker = new MajordomoWorker(ep, "echo");
      const serving = echo(worker);
      assert.deepEqual(texts(await client.request("echo", "x")), ["x"]); // registered by now
      assert.deepEqual(texts(await client.request("mmi.service", "echo")), ["200"]);
      worker.close(); // says DISCONNECT
      await serving;
      await withTimeout(
        (async () => {
          while (broker.statistics().workers > 0) await pause(10);
        })(),
        5000,
        "the broker forgetting the worker",
      );
      assert.deepEqual(texts(await client.request("mmi.service", "echo")), ["404"]);
      assert.deepEqual(texts(await client.request("mmi.nothing", "echo")), ["501"]);
    } finally {
      client.close();
      await stop();
    }
  });

  it("request(): no reply, a new socket and the request again; undefined after its tries", async () => {
    const { ep, stop } = await startBroker();
    const lines: string[] = [];
    const client = new MajordomoClient(ep, { log: (l) => lines.push(l) });
    try {
      // nobody offers "nobody": each try times out
      assert.equal(await client.request("nobody", "x", { timeout: 50, retries: 3 }), undefined);
      assert.deepEqual(client.statistics(), {
        requests: 3,
        replies: 0,
        timeouts: 3,
        reconnects: 3, // after each try, the last included
        invalid: 0,
      });
      assert.deepEqual(lines, [
        "W: no reply from nobody, reconnecting and sending again…",
        "W: no reply from nobody, reconnecting and sending again…",
        "W: no reply from nobody after 3 tries, abandoning",
      ]);
      assert.equal(await client.receive(20), undefined); // and the async side times out too
    } finally {
      client.close();
      await stop();
    }
  });

  it("a worker sitting on a request: the client's retry is served by another worker", async () => {
    const { ep, stop } = await startBroker();
    const slow = new MajordomoWorker(ep, "echo");
    const client = new MajordomoClient(ep);
    let fast: MajordomoWorker | undefined;
    let serving: Promise<void> | undefined;
    try {
      const reply = client.request("echo", "hello", { timeout: 300, retries: 10 });
      const held = await withTimeout(slow.receive(), 5000, "the slow worker's request");
      fast = new MajordomoWorker(ep, "echo"); // only now: the retry can only go to it
      serving = echo(fast);
      assert.deepEqual(texts(await withTimeout(reply, 10_000, "the reply")), ["hello"]);
      assert.ok(client.statistics().reconnects >= 1);
      assert.equal(fast.statistics().replies, 1);
      assert.equal(await held.reply(held.body), true); // to a client socket long gone
    } finally {
      client.close();
      slow.close();
      fast?.close();
      await serving;
      await stop();
    }
  });

  it("close(): waiting calls reject with ETERM, for await ends, later calls reject", async () => {
    const { ep, stop } = await startBroker();
    const worker = new MajordomoWorker(ep, "echo");
    const client = new MajordomoClient(ep);
    try {
      const waiting = worker.receive();
      const loop = (async () => {
        let count = 0;
        for await (const _ of worker) count++;
        return count;
      })();
      worker.close();
      await assert.rejects(waiting, (e) => e instanceof ZmqError && e.code === "ETERM");
      assert.equal(await loop, 0);
      await assert.rejects(worker.receive(), { code: "ETERM" });
      const pending = client.receive(10_000);
      client.close();
      await assert.rejects(pending, { code: "ETERM" });
      await assert.rejects(client.send("echo", "x"), { code: "ETERM" });
      await assert.rejects(client.request("echo", "x"), { code: "ETERM" });
      worker.close(); // twice: nothing
      client.close();
    } finally {
      await stop();
    }
  });

  it("rejects settings out of range and services the broker would refuse", () => {
    assert.throws(() => new MajordomoWorker("inproc://x", ""), RangeError);
    assert.throws(() => new MajordomoWorker("inproc://x", "mmi.service"), RangeError);
    assert.throws(() => new MajordomoWorker("inproc://x", "a", { liveness: 0 }), RangeError);
    assert.throws(
      () => new MajordomoWorker("inproc://x", "a", { heartbeatInterval: 0 }),
      RangeError,
    );
    assert.throws(() => new MajordomoWorker("inproc://x", "a", { reconnectDelay: -1 }), RangeError);
    assert.throws(() => new MajordomoClient("inproc://x", { timeout: 0 }), RangeError);
    assert.throws(() => new MajordomoClient("inproc://x", { retries: 0 }), RangeError);
    assert.throws(() => new MajordomoClient("inproc://x", { retries: 1.5 }), RangeError);
    assert.throws(() => new MajordomoClient("nowhere://x"));
  });
});

describe("MajordomoWorker, with a hand-driven broker", () => {
  it("says READY, heartbeats, and answers a REQUEST with a REPLY, frame for frame", async () => {
    const fake = await fakeBroker();
    // heartbeats every 50 ms, and never a reconnect for the broker's silence here
    const worker = new MajordomoWorker(fake.ep, "echo", { heartbeatInterval: 50, liveness: 1e6 });
    try {
      const ready = await fake.next();
      assert.deepEqual(ready.frames, [E, W, cmd(READY), enc.encode("echo")]);
      const [id, ...beat] = await fake.router.receive(); // the next one is a heartbeat
      assert.deepEqual(id, ready.id);
      assert.deepEqual(beat, [E, W, cmd(HEARTBEAT)]);
      const client = enc.encode("client-1");
      await fake.toWorker(ready.id, E, W, cmd(REQUEST), client, E, enc.encode("a"), E);
      const request = await withTimeout(worker.receive(), 5000, "the request");
      assert.equal(request.service, "echo");
      assert.deepEqual(request.client, client);
      assert.deepEqual(texts(request.body), ["a", ""]);
      assert.equal(await request.reply(["b", "c"]), true);
      const reply = await fake.next();
      assert.deepEqual(texts(reply.frames), ["", "MDPW01", "\x03", "client-1", "", "b", "c"]);
      await assert.rejects(request.reply("again"), /already answered/);
    } finally {
      worker.close();
      fake.router.close();
    }
  });

  it("ignores and counts malformed commands, then serves a good REQUEST", async () => {
    const fake = await fakeBroker();
    const lines: string[] = [];
    const worker = new MajordomoWorker(fake.ep, "echo", { log: (l) => lines.push(l) });
    try {
      const { id } = await fake.next(); // READY
      const bad: Uint8Array[][] = [
        [E],
        [E, W],
        [enc.encode("x"), W, cmd(HEARTBEAT)], // not the empty first frame
        [E, enc.encode("MDPW02"), cmd(HEARTBEAT)], // another protocol
        [E, W, new Uint8Array([REQUEST, 0])], // a command of two bytes
        [E, W, cmd(9)], // no such command
        [E, W, cmd(READY), enc.encode("echo")], // the worker's to send
        [E, W, cmd(REPLY), enc.encode("c"), E, enc.encode("x")], // the worker's to send
        [E, W, cmd(HEARTBEAT), enc.encode("extra")],
        [E, W, cmd(DISCONNECT), enc.encode("extra")],
        [E, W, cmd(REQUEST), enc.encode("c")], // no delimiter
        [E, W, cmd(REQUEST), enc.encode("c"), enc.encode("x"), enc.encode("body")], // not empty
        [E, W, cmd(REQUEST), E, E, enc.encode("body")], // an empty client address
      ];
      for (const frames of bad) await fake.toWorker(id, ...frames);
      await fake.toWorker(id, E, W, cmd(REQUEST), enc.encode("c"), E, enc.encode("good"));
      const request = await withTimeout(worker.receive(), 5000, "the good request");
      assert.deepEqual(texts(request.body), ["good"]);
      const stats = worker.statistics();
      assert.equal(stats.invalid, bad.length);
      assert.equal(stats.requests, 1);
      assert.equal(stats.reconnects, 0); // the malformed DISCONNECT did nothing
      assert.equal(lines.filter((l) => l.startsWith("E: invalid message")).length, bad.length);
    } finally {
      worker.close();
      fake.router.close();
    }
  });

  it("a silent broker: after `liveness` intervals, a new socket and a new READY", async () => {
    const fake = await fakeBroker();
    const worker = new MajordomoWorker(fake.ep, "echo", {
      heartbeatInterval: 30,
      liveness: 3,
      reconnectDelay: 30,
    });
    try {
      const first = await fake.next();
      const second = await fake.next(); // the broker said nothing: the worker starts over
      assert.deepEqual(second.frames, [E, W, cmd(READY), enc.encode("echo")]);
      assert.notDeepEqual(second.id, first.id);
      assert.ok(worker.statistics().reconnects >= 1);
    } finally {
      worker.close();
      fake.router.close();
    }
  });

  it("DISCONNECT: registers again at once on a new socket; replies due on the old one are dropped", async () => {
    const fake = await fakeBroker();
    const lines: string[] = [];
    const worker = new MajordomoWorker(fake.ep, "echo", { log: (l) => lines.push(l) });
    try {
      const first = await fake.next();
      await fake.toWorker(first.id, E, W, cmd(REQUEST), enc.encode("c"), E, enc.encode("old"));
      const old: MajordomoRequest = await withTimeout(worker.receive(), 5000, "the request");
      await fake.toWorker(first.id, E, W, cmd(DISCONNECT));
      const second = await fake.next();
      assert.deepEqual(second.frames, [E, W, cmd(READY), enc.encode("echo")]);
      assert.notDeepEqual(second.id, first.id);
      assert.equal(await old.reply("late"), false); // that connection is gone
      await fake.toWorker(second.id, E, W, cmd(REQUEST), enc.encode("c"), E, enc.encode("new"));
      const request = await withTimeout(worker.receive(), 5000, "the second request");
      assert.equal(await request.reply("fresh"), true);
      const reply = await fake.next();
      assert.deepEqual(reply.id, second.id);
      assert.deepEqual(texts(reply.frames), ["", "MDPW01", "\x03", "c", "", "fresh"]);
      const stats = worker.statistics();
      assert.equal(stats.reconnects, 1);
      assert.equal(stats.dropped, 1);
      assert.equal(stats.replies, 1);
      assert.ok(lines.includes("W: the broker disconnected us, reconnecting…"), lines.join("\n"));
    } finally {
      worker.close();
      fake.router.close();
    }
  });

  it("does not count the broker's silence while a request is being worked on", async () => {
    const fake = await fakeBroker();
    const worker = new MajordomoWorker(fake.ep, "echo", {
      heartbeatInterval: 100,
      liveness: 3, // the request comes at once, well within these 300 ms
      reconnectDelay: 20,
    });
    try {
      const first = await fake.next();
      await fake.toWorker(first.id, E, W, cmd(REQUEST), enc.encode("c"), E, enc.encode("x"));
      const request = await withTimeout(worker.receive(), 5000, "the request");
      await pause(1000); // 10 intervals of silence, but busy: the broker may not heartbeat us
      assert.equal(worker.statistics().reconnects, 0);
      assert.equal(await request.reply("done"), true);
      await fake.next(); // the REPLY
      const again = await fake.next(); // idle and still silent: now it starts over
      assert.deepEqual(again.frames, [E, W, cmd(READY), enc.encode("echo")]);
    } finally {
      worker.close();
      fake.router.close();
    }
  });

  it("close() tells the broker DISCONNECT", async () => {
    const fake = await fakeBroker();
    const worker = new MajordomoWorker(fake.ep, "echo");
    try {
      const { id } = await fake.next();
      worker.close();
      const bye = await fake.next();
      assert.deepEqual(bye.id, id);
      assert.deepEqual(bye.frames, [E, W, cmd(DISCONNECT)]);
    } finally {
      fake.router.close();
    }
  });
});

describe("MajordomoClient, with a hand-driven broker", () => {
  it("skips and counts malformed replies and replies from another service", async () => {
    const fake = await fakeBroker();
    const client = new MajordomoClient(fake.ep, { timeout: 5000 });
    try {
      const reply = client.request("echo", ["hi", "there"]);
      const [id, ...frames] = await fake.router.receive();
      assert.deepEqual(texts(frames), ["", "MDPC01", "echo", "hi", "there"]);
      const bad: Uint8Array[][] = [
        [enc.encode("x")],
        [E, C], // no service
        [enc.encode("x"), C, enc.encode("echo"), enc.encode("a")], // no empty first frame
        [E, enc.encode("MDPC02"), enc.encode("echo"), enc.encode("a")],
        [E, C, enc.encode("other"), enc.encode("b")], // not what request() waits for
      ];
      for (const f of bad) await fake.router.send([id!, ...f]);
      await fake.router.send([id!, E, C, enc.encode("echo"), enc.encode("ok")]);
      assert.deepEqual(texts(await withTimeout(reply, 5000, "the reply")), ["ok"]);
      assert.equal(client.statistics().invalid, bad.length);
      // receive() takes any service's reply; an empty body is a reply too
      await fake.router.send([id!, E, C, enc.encode("other")]);
      assert.deepEqual(await client.receive(), []);
    } finally {
      client.close();
      fake.router.close();
    }
  });
});
