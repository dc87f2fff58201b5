// SPDX-License-Identifier: MIT
/**
 * The Guide's chapter 3 programs (examples/ch3, but the peering ones): identities, ROUTER
 * error handling, the request-reply combinations, the load-balancing programs and the
 * asynchronous server, each run as a subprocess on the runtime running the tests, with
 * endpoints on ports the OS hands out. Where a program has two sides, one side is also played
 * by libzmq (zeromq.js in a Node child), so the examples are shown to interoperate.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  example,
  exampleIn,
  freeEndpoint,
  libzmqScope,
  lines,
  sleep,
  text,
  utf8,
  WAIT,
} from "./_run.ts";
import type { Side } from "../_helpers/peers.ts";

/** The n of each "Completed: n tasks" line. */
const completed = (out: string) =>
  [...out.matchAll(/^Completed: (\d+) tasks$/gm)].map((m) => Number(m[1]));
const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
/** Rejects after `ms`: a bound on the loops a test drives itself. */
function deadline(ms = WAIT): () => void {
  const end = Date.now() + ms;
  return () => {
    if (Date.now() > end) throw new Error(`not done within ${ms} ms`);
  };
}

/**
 * A load-balancing worker played by a libzmq socket (REQ, or DEALER adding and removing the
 * delimiter itself): asks for work until fired; resolves with the number of tasks it did.
 */
async function libzmqWorker(socket: Side, endpoint: string): Promise<number> {
  const dealer = socket.type === "DEALER";
  const envelope = dealer ? [utf8("")] : [];
  await socket.connect(endpoint);
  let tasks = 0;
  for (;;) {
    await socket.send([...envelope, utf8("Hi Boss")]);
    const reply = (await socket.receive(WAIT)).map(text);
    if (dealer) assert.equal(reply.shift(), "", "the broker's reply starts with the delimiter");
    assert.equal(reply.length, 1);
    if (reply[0] === "Fired!") return tasks;
    assert.equal(reply[0], "Work harder");
    tasks++;
    await sleep(Math.random() * 20); // some work, so that the others get their turns
  }
}

describe("the Guide, chapter 3, as examples", () => {
  const { libzmq, closeAll } = libzmqScope();

  describe("identity.ts (ROUTER ids)", () => {
    for (const transport of ["inproc", "tcp"]) {
      it(`shows a generated 5-byte id, then "PEER2", and the delimiter (${transport})`, async () => {
        const args = transport === "tcp" ? [await freeEndpoint()] : [];
        const run = example("ch3/identity.ts", ...args);
        assert.equal(await run.exit(), 0);
        const rule = "-".repeat(40);
        assert.match(
          run.stdout,
          new RegExp(
            `^${rule}\n\\[005\\] 00[0-9A-F]{8}\n\\[000\\]\n` +
              `\\[039\\] ROUTER uses a generated 5 byte identity\n` +
              `${rule}\n\\[005\\] PEER2\n\\[000\\]\n\\[033\\] ROUTER uses REQ's socket identity\n$`,
          ),
        );
      });
    }
  });

  describe("mandatory.ts (ROUTER_MANDATORY)", () => {
    const expected = (peer: string) => [
      'ROUTER: send to "NOBODY" returned, message dropped',
      'ROUTER (mandatory): send to "NOBODY" failed: EHOSTUNREACH (No peer with that routing id)',
      `ROUTER (mandatory): ${peer} says "Hello"`,
      `ROUTER (mandatory): send to ${peer} ok`,
      `ROUTER (mandatory): send to ${peer} failed: EHOSTUNREACH (No peer with that routing id)`,
    ];

    it("drops quietly, then fails with EHOSTUNREACH, then reaches its peer", async () => {
      const run = example("ch3/mandatory.ts");
      assert.equal(await run.exit(), 0);
      assert.deepEqual(lines(run.stdout, /^ROUTER/), expected('"PEER1"'));
      assert.deepEqual(lines(run.stdout, /^PEER1/), ['PEER1: got "Welcome"']);
    });

    it("with a libzmq DEALER as the peer", async () => {
      try {
        const ep = await freeEndpoint();
        const run = example("ch3/mandatory.ts", ep, "0");
        await run.waitFor(/EHOSTUNREACH/); // bound: the peer connects now
        const dealer = await libzmq("DEALER");
        await dealer.connect(ep);
        await dealer.send([utf8("Hello")]);
        assert.deepEqual((await dealer.receive(WAIT)).map(text), ["Welcome"]);
        await dealer.close(); // gone: its id is unknown again
        assert.equal(await run.exit(), 0);
        const id = run.stdout.match(/^ROUTER \(mandatory\): (0x00[0-9a-f]{8}) says/m)?.[1];
        assert.ok(id, run.stdout); // libzmq's DEALER has no id of its own: a generated one
        assert.deepEqual(lines(run.stdout, /^ROUTER/), expected(id));
      } finally {
        await closeAll();
      }
    });
  });

  it("rrcombos.ts: six round trips, four refused pairs", async () => {
    const run = example("ch3/rrcombos.ts");
    assert.equal(await run.exit(), 0);
    const id = "0x00[0-9a-f]{8}";
    const refused = (a: string, b: string) =>
      new RegExp(
        `^${a} to ${b}: refused \\(ERR_ZMTP_INCOMPATIBLE_SOCKET_TYPE: ` +
          `${a} cannot talk to a ${b} peer\\); .+$`,
      );
    const want = [
      /^REQ to REP: REP got \["Hello"\], REQ got \["World"\]$/,
      /^DEALER to REP: REP got \["Hello"\], DEALER got \["", "World"\]$/,
      new RegExp(`^REQ to ROUTER: ROUTER got \\[${id}, "", "Hello"\\], REQ got \\["World"\\]$`),
      new RegExp(`^DEALER to ROUTER: ROUTER got \\[${id}, "Hello"\\], DEALER got \\["World"\\]$`),
      /^DEALER to DEALER: DEALER got \["Hello"\], DEALER got \["World"\]$/,
      new RegExp(
        `^ROUTER to ROUTER: ROUTER got \\[${id}, "Hello"\\], ROUTER got \\["SERVER", "World"\\]$`,
      ),
      refused("REQ", "REQ"),
      refused("REQ", "DEALER"),
      refused("REP", "REP"),
      refused("REP", "ROUTER"),
    ];
    const got = lines(run.stdout, /./);
    assert.equal(got.length, want.length, run.stdout);
    want.forEach((re, i) => assert.match(got[i]!, re));
  });

  describe("rtreq.ts (ROUTER broker, REQ workers)", () => {
    it("deals every task, over all three workers, then fires them", async () => {
      const run = example("ch3/rtreq.ts", await freeEndpoint(), "3", "30");
      assert.equal(await run.exit(), 0);
      const done = completed(run.stdout);
      assert.equal(done.length, 3, run.stdout);
      assert.equal(sum(done), 30);
      assert.ok(done.filter((n) => n > 0).length > 1, `one worker did it all: ${done}`);
    });

    it("with three libzmq REQ workers", async () => {
      try {
        const ep = await freeEndpoint();
        const run = example("ch3/rtreq.ts", ep, "3", "30", "0");
        const workers = [await libzmq("REQ"), await libzmq("REQ"), await libzmq("REQ")];
        const done = await Promise.all(workers.map((w) => libzmqWorker(w, ep)));
        assert.equal(sum(done), 30);
        assert.ok(done.filter((n) => n > 0).length > 1, `one worker did it all: ${done}`);
        assert.equal(await run.exit(), 0);
        assert.equal(run.stdout, "");
      } finally {
        await closeAll();
      }
    });
  });

  describe("rtdealer.ts (ROUTER broker, DEALER workers)", () => {
    it("deals every task, over all three workers, then fires them", async () => {
      const run = example("ch3/rtdealer.ts", await freeEndpoint(), "3", "30");
      assert.equal(await run.exit(), 0);
      const done = completed(run.stdout);
      assert.equal(done.length, 3, run.stdout);
      assert.equal(sum(done), 30);
      assert.ok(done.filter((n) => n > 0).length > 1, `one worker did it all: ${done}`);
    });

    it("one of its own workers and two libzmq DEALER workers share the tasks", async () => {
      try {
        const ep = await freeEndpoint();
        const run = example("ch3/rtdealer.ts", ep, "3", "30", "1");
        const workers = [await libzmq("DEALER"), await libzmq("DEALER")];
        const done = await Promise.all(workers.map((w) => libzmqWorker(w, ep)));
        assert.equal(await run.exit(), 0);
        const own = completed(run.stdout);
        assert.equal(own.length, 1, run.stdout);
        assert.equal(sum(done) + own[0]!, 30);
        assert.ok(sum(done) > 0, "the libzmq workers got no task");
      } finally {
        await closeAll();
      }
    });
  });

  describe("lbbroker.ts (load-balancing broker)", () => {
    /** Checks the clients' and workers' lines: one request per client, each served once. */
    function assertServed(out: string, clients: number): Set<string> {
      const replies = lines(out, /^Client /).sort();
      const want = Array.from({ length: clients }, (_, n) => `Client client-${n + 1}: OK`);
      assert.deepEqual(replies, want.sort());
      const served = lines(out, /^Worker /).map((l) => {
        const m = l.match(/^Worker (worker-\d+): HELLO \(for (client-\d+)\)$/);
        assert.ok(m, l);
        return [m[1]!, m[2]!] as const;
      });
      assert.deepEqual(
        served.map(([, c]) => c).sort(),
        Array.from({ length: clients }, (_, n) => `client-${n + 1}`).sort(),
      );
      return new Set(served.map(([w]) => w));
    }

    it("six clients, three workers: every request served once, by more than one", async () => {
      const run = example("ch3/lbbroker.ts", await freeEndpoint(), await freeEndpoint(), "6", "3");
      assert.equal(await run.exit(), 0);
      const workers = assertServed(run.stdout, 6);
      assert.ok(workers.size > 1, `one worker did it all: ${[...workers]}`);
    });

    it("its default ipc endpoints, in the working directory", async () => {
      const dir = mkdtempSync(join(tmpdir(), "zmqkit-lbbroker-"));
      try {
        const run = exampleIn(dir, "ch3/lbbroker.ts");
        assert.equal(await run.exit(), 0);
        assertServed(run.stdout, 10);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("the broker alone, between libzmq REQ clients and libzmq REQ workers", async () => {
      try {
        const [front, back] = [await freeEndpoint(), await freeEndpoint()];
        example("ch3/lbbroker.ts", front, back, "0", "0");
        const workers = [await libzmq("REQ"), await libzmq("REQ")];
        for (const w of workers) {
          await w.connect(back);
          await w.send([utf8("READY")]);
        }
        const clients = [await libzmq("REQ"), await libzmq("REQ"), await libzmq("REQ")];
        for (const [n, c] of clients.entries()) {
          await c.connect(front);
          await c.send([utf8(`HELLO ${n}`)]);
        }
        // the workers answer whatever comes, until the three requests are served
        const served: string[] = [];
        const check = deadline();
        await Promise.all(workers.map(async (w) => {
          while (served.length < clients.length) {
            check();
            const request = await w.receive(200).catch(() => undefined);
            if (request === undefined) continue;
            const [client, empty, body] = request; // the worker's REQ took its own envelope off
            assert.equal(empty!.length, 0);
            served.push(text(body));
            await w.send([client!, empty!, utf8(`OK ${text(body)}`)]);
          }
        }));
        assert.deepEqual(served.sort(), ["HELLO 0", "HELLO 1", "HELLO 2"]);
        for (const [n, c] of clients.entries()) {
          assert.deepEqual((await c.receive(WAIT)).map(text), [`OK HELLO ${n}`]);
        }
      } finally {
        await closeAll();
      }
    });
  });

  describe("asyncsrv.ts (DEALER clients, ROUTER-DEALER server)", () => {
    it("three clients, each getting replies to its own requests only", async () => {
      const run = example("ch3/asyncsrv.ts", await freeEndpoint(), "3", "10", "100");
      assert.equal(await run.exit(), 0);
      const received = new Map<string, number>();
      for (const l of lines(run.stdout, / received: /)) {
        const m = l.match(/^([0-9A-F]{4}-[0-9A-F]{4}) received: request #(\d+) from (\S+)$/);
        assert.ok(m, l);
        assert.equal(m[3], m[1], `${m[1]} got ${m[3]}'s reply`);
        assert.ok(Number(m[2]) >= 1 && Number(m[2]) <= 10, l);
        received.set(m[1]!, (received.get(m[1]!) ?? 0) + 1);
      }
      const summaries = lines(run.stdout, /^Client /);
      assert.equal(summaries.length, 3, run.stdout);
      for (const s of summaries) {
        const m = s.match(/^Client (\S+): 10 requests, (\d+) replies$/);
        assert.ok(m, s);
        // 0 to 4 replies a request: none at all for 10 requests is a 1 in 10^7 chance
        assert.ok(Number(m[2]) > 0 && Number(m[2]) <= 40, s);
        assert.equal(received.get(m[1]!) ?? 0, Number(m[2]), s);
      }
    });

    it("the server alone, with two libzmq DEALER clients", async () => {
      try {
        const ep = await freeEndpoint();
        example("ch3/asyncsrv.ts", ep, "0", "0", "100");
        const clients = [await libzmq("DEALER"), await libzmq("DEALER")];
        for (const c of clients) await c.connect(ep);
        const check = deadline();
        await Promise.all(clients.map(async (c, k) => {
          const sent = new Set<string>();
          let replies = 0;
          for (let n = 1; replies < 5; n++) { // a request a tick, until five replies are in
            check();
            const request = `request #${n} from libzmq ${k}`;
            sent.add(request);
            await c.send([utf8(request)]);
            for (;;) {
              const reply = await c.receive(100).catch(() => undefined);
              if (reply === undefined) break;
              assert.equal(reply.length, 1);
              assert.ok(sent.has(text(reply[0])), `libzmq ${k} got "${text(reply[0])}"`);
              replies++;
            }
          }
        }));
      } finally {
        await closeAll();
      }
    });
  });
});
