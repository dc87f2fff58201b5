// SPDX-License-Identifier: MIT
/**
 * The rest of the Guide's chapter 2 (examples/ch2): several sockets at once (msreader,
 * mspoller), signals (interrupt), threads (mtserver, mtrelay), multipart messages, high-water
 * marks and the slow joiner, each run as a subprocess on the runtime running the tests, with
 * endpoints on ports the OS hands out. Where a pattern has two sides, one test plays the other
 * side with libzmq (zeromq.js in a Node child). hwm.ts and slowjoiner.ts keep both sides in
 * one process (their numbers need both ends' counts), so they are checked with themselves.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { example, freeEndpoint, libzmqScope, lines, sleep, text, utf8, WAIT } from "./_run.ts";

/** What multipart.ts sends, and what its receiving side prints for it. */
const big = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
const multipartMessages: Uint8Array[][] = [
  ["Hello"],
  ["address", "", "body"],
  ["", "", ""],
  ["header", big, "trailer"],
].map((m) => m.map((f) => typeof f === "string" ? utf8(f) : f));
const multipartPrinted = '1 frame: "Hello"\n3 frames: "address", "", "body"\n' +
  '3 frames: "", "", ""\n3 frames: "header", <100000 bytes>, "trailer"\n';

describe("the Guide, chapter 2, more examples", () => {
  const { libzmq, closeAll } = libzmqScope();

  for (const file of ["msreader.ts", "mspoller.ts"]) {
    describe(`${file} (a PULL and a SUB read together)`, () => {
      /** Checks the output: only tasks and updates, at least `n` of each, and the totals. */
      function assertRead(out: string, n: number, update: RegExp): string[] {
        const all = out.trimEnd().split("\n");
        const tasks = lines(out, /^task /);
        const updates = lines(out, /^weather update /);
        assert.ok(tasks.length >= n && updates.length >= n, out.slice(-500));
        for (const u of updates) assert.match(u, update);
        assert.equal(all.at(-1), `Got ${tasks.length} tasks and ${updates.length} weather updates`);
        assert.equal(tasks.length + updates.length, all.length - 1); // nothing else
        return tasks;
      }

      it("gets tasks from taskvent.ts and updates from wuserver.ts", async () => {
        try {
          const [vent, sink, weather] = [
            await freeEndpoint(),
            await freeEndpoint(),
            await freeEndpoint(),
          ];
          example("ch1/wuserver.ts", weather);
          const ventProc = example("ch1/taskvent.ts", vent, sink, "10");
          // prefix "10": zipcodes 10000-10999, a hundredth of the updates
          const reader = example(`ch2/${file}`, vent, weather, "10", "5");
          await ventProc.waitFor(/Press Enter/);
          ventProc.write("\n"); // its PUSH waits for the reader, its only worker
          assert.equal(await reader.exit(), 0);
          const tasks = assertRead(reader.stdout, 5, /^weather update \[10\d{3} -?\d+ \d+\]$/);
          for (const t of tasks) assert.match(t, /^task \[([1-9]|10)\]$/);
        } finally {
          await closeAll();
        }
      });

      it(`${file} against a libzmq PUSH and a libzmq PUB`, async () => {
        try {
          const push = await libzmq("PUSH");
          const pub = await libzmq("PUB");
          const vent = await push.bind("tcp://127.0.0.1:*");
          const weather = await pub.bind("tcp://127.0.0.1:*");
          const reader = example(`ch2/${file}`, vent, weather, "10001 ", "3");
          for (const ms of ["1", "2", "3"]) await push.send([utf8(ms)]);
          // the subscriber joins when it joins: publish until it has heard enough
          const deadline = Date.now() + WAIT;
          while (!reader.done && Date.now() < deadline) {
            await pub.send([utf8("10002 90 50")]);
            await pub.send([utf8("10001 20 50")]);
            await sleep(10);
          }
          assert.equal(await reader.exit(), 0);
          const tasks = assertRead(reader.stdout, 3, /^weather update \[10001 20 50\]$/);
          assert.deepEqual(tasks, ["task [1]", "task [2]", "task [3]"]);
        } finally {
          await closeAll();
        }
      });
    });
  }

  describe("interrupt.ts (REP, stopped by a signal)", () => {
    it("answers hwclient.ts, then SIGINT ends it cleanly", async () => {
      try {
        const ep = await freeEndpoint();
        const server = example("ch2/interrupt.ts", ep);
        const client = example("ch1/hwclient.ts", ep, "1");
        assert.equal(await client.exit(), 0);
        assert.match(client.stdout, /^Received World 0$/m);
        await server.waitFor(/^Received Hello\n/); // its handler is installed: it bound first
        server.signal("SIGINT");
        assert.equal(await server.exit(), 0);
        assert.equal(server.stdout, "Received Hello\nW: interrupt received, killing server…\n");
      } finally {
        await closeAll();
      }
    });

    it("answers a libzmq REQ, then SIGTERM ends it cleanly", async () => {
      try {
        const ep = await freeEndpoint();
        const server = example("ch2/interrupt.ts", ep);
        const req = await libzmq("REQ");
        await req.connect(ep); // libzmq retries until the server has bound
        for (let n = 0; n < 2; n++) {
          await req.send([utf8(`Hello ${n}`)]);
          assert.deepEqual((await req.receive(WAIT)).map(text), ["World"]);
        }
        server.signal("SIGTERM");
        assert.equal(await server.exit(), 0);
        assert.equal(
          server.stdout,
          "Received Hello 0\nReceived Hello 1\nW: interrupt received, killing server…\n",
        );
      } finally {
        await closeAll();
      }
    });
  });

  describe("mtserver.ts (ROUTER, proxy, DEALER, REP worker threads)", () => {
    /** Starts it; resolves once every worker has connected, with its ipc directory. */
    async function mtserver(ep: string, workers: number, workMs: number) {
      const server = example("ch2/mtserver.ts", ep, String(workers), String(workMs));
      const out = await server.waitFor(/workers connected over ipc:\/\/\S+\n/);
      const m = out.match(/^(\d+) workers connected over ipc:\/\/(\S+)$/m)!;
      const path = m[2]!;
      assert.equal(Number(m[1]), workers);
      assert.ok(existsSync(path), path);
      return { server, dir: dirname(path) };
    }
    /** The worker numbers that served, one per request, from its output. */
    const servedBy = (out: string) =>
      lines(out, /^Worker /).map((l) => {
        const m = l.match(/^Worker (\d+): Received request: \[(.*)\]$/);
        assert.ok(m, l);
        return Number(m[1]);
      });

    it("serves five hwclient.ts at once over all five workers; SIGINT cleans up", async () => {
      try {
        const ep = await freeEndpoint();
        const { server, dir } = await mtserver(ep, 5, 200);
        const clients = [1, 2, 3, 4, 5].map(() => example("ch1/hwclient.ts", ep, "2"));
        for (const c of clients) {
          assert.equal(await c.exit(), 0);
          assert.deepEqual(lines(c.stdout, /^Received/), ["Received World 0", "Received World 1"]);
        }
        // every worker had connected before the first request, and the DEALER deals in turn
        const served = servedBy(server.stdout);
        assert.equal(served.length, 10);
        assert.deepEqual([...new Set(served)].sort(), [1, 2, 3, 4, 5]);
        server.signal("SIGINT");
        assert.equal(await server.exit(), 0);
        assert.match(server.stdout, /Stopping the workers\n$/);
        assert.ok(!existsSync(dir), `${dir} is left behind`);
      } finally {
        await closeAll();
      }
    });

    it("serves three libzmq REQ clients at once, one worker each; SIGTERM cleans up", async () => {
      try {
        const ep = await freeEndpoint();
        const { server, dir } = await mtserver(ep, 3, 100);
        const reqs = [await libzmq("REQ"), await libzmq("REQ"), await libzmq("REQ")];
        for (const req of reqs) await req.connect(ep);
        await Promise.all(reqs.map((req, n) => req.send([utf8(`Hello ${n}`)])));
        for (const req of reqs) assert.deepEqual((await req.receive(WAIT)).map(text), ["World"]);
        assert.deepEqual([...new Set(servedBy(server.stdout))].sort(), [1, 2, 3]);
        server.signal("SIGTERM");
        assert.equal(await server.exit(), 0);
        assert.ok(!existsSync(dir), `${dir} is left behind`);
      } finally {
        await closeAll();
      }
    });
  });

  it("mtrelay.ts: three threads signal each other in turn over PAIR", async () => {
    const relay = example("ch2/mtrelay.ts");
    assert.equal(await relay.exit(), 0);
    assert.equal(
      relay.stdout,
      "Step 1 ready, signaling step 2\nStep 2 ready, signaling step 3\nTest successful!\n",
    );
  });

  describe("multipart.ts (PUSH-PULL, messages of several frames)", () => {
    it("both sides in one process: every frame arrives, empty ones too", async () => {
      const m = example("ch2/multipart.ts");
      assert.equal(await m.exit(), 0);
      assert.equal(m.stdout, multipartPrinted);
    });

    it("push and pull as two processes", async () => {
      try {
        const ep = await freeEndpoint();
        const pull = example("ch2/multipart.ts", "pull", ep);
        const push = example("ch2/multipart.ts", "push", ep);
        assert.equal(await pull.exit(), 0);
        assert.equal(pull.stdout, multipartPrinted);
        assert.equal(await push.exit(), 0);
        assert.equal(push.stdout, "Sent 4 messages\n");
      } finally {
        await closeAll();
      }
    });

    it("push to a libzmq PULL: the frames intact, byte for byte", async () => {
      try {
        const ep = await freeEndpoint();
        const push = example("ch2/multipart.ts", "push", ep);
        const pull = await libzmq("PULL");
        await pull.connect(ep);
        for (const expected of multipartMessages) {
          assert.deepEqual(await pull.receive(WAIT), expected);
        }
        assert.equal(await push.exit(), 0);
      } finally {
        await closeAll();
      }
    });

    it("pull from a libzmq PUSH", async () => {
      try {
        const push = await libzmq("PUSH");
        const ep = await push.bind("tcp://127.0.0.1:*");
        const pull = example("ch2/multipart.ts", "pull", ep);
        for (const message of multipartMessages) await push.send(message);
        assert.equal(await pull.exit(), 0);
        assert.equal(pull.stdout, multipartPrinted);
      } finally {
        await closeAll();
      }
    });
  });

  it("hwm.ts: received + dropped = sent, and no more than the buffers hold", async () => {
    const runs = ["inproc://hwm", "tcp://127.0.0.1:*"].map((ep) =>
      example("ch2/hwm.ts", ep, "50", "5000", "1000")
    );
    const results = [];
    for (const run of runs) {
      assert.equal(await run.exit(), 0);
      const r = run.stdout.match(
        /^(\S+): sent (\d+), received (\d+), dropped (\d+) \(high-water marks 50 \+ 50\)\n {2}received: (.*)\n$/,
      );
      assert.ok(r, run.stdout);
      const [sent, received, dropped] = [r[2], r[3], r[4]].map(Number) as [number, number, number];
      results.push({ endpoint: r[1]!, sent, received, dropped, ranges: r[5]! });
    }
    for (const { endpoint, sent, received, dropped, ranges } of results) {
      assert.equal(sent, 5000);
      assert.equal(received + dropped, sent, endpoint);
      assert.ok(received >= 1, endpoint); // the first messages always fit
      // the ranges printed cover exactly the messages received, from 0 on
      assert.match(ranges, /^0(-|,|$)/);
      if (!ranges.endsWith("…")) {
        const covered = ranges.split(", ").reduce((sum, range) => {
          const [a = 0, b = a] = range.split("-").map(Number);
          return sum + b - a + 1;
        }, 0);
        assert.equal(covered, received, endpoint);
      }
    }
    // inproc: nothing between the two queues, which hold 50 each
    const inproc = results[0]!;
    assert.equal(inproc.endpoint, "inproc://hwm");
    assert.ok(inproc.received <= 100 && inproc.dropped >= 4900, `inproc: ${inproc.received}`);
  });

  it("slowjoiner.ts: publishing at once loses the first messages; waiting loses none", async () => {
    const s = example("ch2/slowjoiner.ts");
    assert.equal(await s.exit(), 0);
    const m = s.stdout.match(
      /^Publishing at once: the subscriber missed the first (\d+) messages\nWaiting for the subscription first: the subscriber missed 0\n$/,
    );
    assert.ok(m, s.stdout);
    assert.ok(Number(m[1]) >= 1, s.stdout); // message 0 goes out before any connection can exist
  });
});
