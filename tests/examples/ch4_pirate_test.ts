// SPDX-License-Identifier: MIT
/**
 * The Guide's chapter 4 Pirate patterns (examples/ch4: lpclient, lpserver, spqueue, spworker,
 * ppqueue, ppworker), each run as a subprocess on the runtime running the tests, with endpoints
 * on ports the OS hands out. Each test brings about the failure its pattern exists for (a
 * server or a worker killed while it holds a request, a queue killed and restarted, a server
 * that never comes back) and checks that the pattern survives it. The faults are exact: the
 * examples' own, chosen by their flags (--crash-after, --overload-after), or a SIGKILL once an
 * example says it holds a request. What is counted exactly is what the client gets (every
 * reply, once, in order) and what each side did before and after the fault; how many resends
 * it took is not, as a slow moment of the machine can cost one more. Timeouts and heartbeat
 * intervals are shortened by arguments, with room to spare. libzmq (zeromq.js in a Node child)
 * plays a Lazy Pirate client against lpserver and a Paranoid Pirate worker behind ppqueue.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect as tcpConnect } from "node:net";
import {
  type Example,
  example,
  freeEndpoint,
  libzmqScope,
  lines,
  oneTo,
  pirateReplies as replies,
  sleep,
  text,
  utf8,
  WAIT,
} from "./_run.ts";

/** The requests a server printed, a repeat in a row (a resend it had already seen) once. */
const served = (out: string) =>
  [...out.matchAll(/^I: normal request \((\d+)\)$/gm)].map((m) => Number(m[1]))
    .filter((n, i, all) => i === 0 || all[i - 1] !== n);
/** The ids a worker printed ("I: (1A2B-3C4D) worker ready"), one per socket it made. */
const ids = (out: string) =>
  [...out.matchAll(/^I: \(([0-9A-F]{4}-[0-9A-F]{4})\) worker ready$/gm)].map((m) => m[1]!);

/** Resolves once something accepts TCP connections on `endpoint` (bounded by WAIT). */
async function listening(endpoint: string): Promise<void> {
  const { hostname, port } = new URL(endpoint.replace("tcp://", "http://"));
  const deadline = Date.now() + WAIT;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcpConnect(Number(port), hostname, () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${endpoint}`);
    await sleep(50);
  }
}

/** Kills an example outright (no chance to close anything) and waits for it to be gone. */
async function kill(e: Example): Promise<void> {
  e.child.kill("SIGKILL");
  await e.exited;
}

describe("the Guide, chapter 4, the Pirate patterns, as examples", () => {
  const { libzmq, closeAll } = libzmqScope();

  describe("Lazy Pirate: lpclient.ts / lpserver.ts", () => {
    it("a server killed holding a request: the client resends until its restart answers", async () => {
      try {
        const ep = await freeEndpoint();
        // the 4th request makes the server sit on it for a minute: we kill it then
        const first = example(
          "ch4/lpserver.ts",
          ep,
          "--work-ms",
          "0",
          "--overload-after",
          "3",
          "--overload-ms",
          "60000",
        );
        await listening(ep); // so that no request of the first three is resent
        // 1 s for each reply, 10 tries: time enough for a restart on a slow machine
        const client = example("ch4/lpclient.ts", ep, "6", "1000", "10");
        await first.waitFor(/^I: simulating CPU overload$/m);
        await kill(first);
        const second = example("ch4/lpserver.ts", ep, "--work-ms", "0", "--no-random");
        assert.equal(await client.exit(), 0);
        assert.deepEqual(replies(client.stdout), oneTo(6)); // all of them, each once, in order
        assert.ok(lines(client.stdout, /^W: no response from server, retrying…$/).length >= 1);
        assert.deepEqual(lines(client.stdout, /^E:/), []);
        assert.deepEqual(served(first.stdout), [1, 2, 3]);
        assert.match(first.stdout, /I: simulating CPU overload\n$/);
        assert.deepEqual(served(second.stdout), [4, 5, 6]); // the one the first took, and on
      } finally {
        await closeAll();
      }
    });

    it("a server that crashes and never comes back: the client abandons after its tries", async () => {
      try {
        const ep = await freeEndpoint();
        const server = example("ch4/lpserver.ts", ep, "--work-ms", "0", "--crash-after", "2");
        await listening(ep); // so the first requests are answered well within the timeout
        const client = example("ch4/lpclient.ts", ep, "0", "1500", "3");
        assert.equal(await client.exit(), 1);
        assert.equal(await server.exit(), 0); // it "crashed": ended, leaving request 3 unanswered
        assert.equal(
          server.stdout,
          "I: normal request (1)\nI: normal request (2)\nI: simulating a crash\n",
        );
        assert.deepEqual(replies(client.stdout), [1, 2]);
        // after the last reply: request 3, tried three times on three sockets, then abandoned
        const after = client.stdout.slice(client.stdout.indexOf("I: server replied OK (2)\n"));
        assert.deepEqual(after.split("\n").slice(1), [
          "W: no response from server, retrying…",
          "I: reconnecting to server…",
          "W: no response from server, retrying…",
          "I: reconnecting to server…",
          "E: server seems to be offline, abandoning",
          "",
        ]);
      } finally {
        await closeAll();
      }
    });

    it("a libzmq REQ client, retrying the Lazy Pirate way, survives lpserver.ts's crash", async () => {
      try {
        const ep = await freeEndpoint();
        const first = example("ch4/lpserver.ts", ep, "--work-ms", "0", "--crash-after", "2");
        let req = await libzmq("REQ");
        await req.connect(ep); // libzmq retries until the server has bound
        for (const n of ["1", "2"]) {
          await req.send([utf8(n)]);
          assert.deepEqual((await req.receive(WAIT)).map(text), [n]);
        }
        await req.send([utf8("3")]); // the one it crashes on
        assert.equal(await first.exit(), 0);
        await assert.rejects(req.receive(300), { code: "EAGAIN" }); // no reply will ever come
        await req.close(); // a REQ waiting for a reply cannot send again: a new socket
        const second = example("ch4/lpserver.ts", ep, "--work-ms", "0", "--no-random");
        req = await libzmq("REQ");
        await req.connect(ep);
        await req.send([utf8("3")]);
        assert.deepEqual((await req.receive(WAIT)).map(text), ["3"]);
        await second.waitFor(/^I: normal request \(3\)$/m);
        assert.equal(second.stdout, "I: normal request (3)\n");
      } finally {
        await closeAll();
      }
    });
  });

  describe("Simple Pirate: spqueue.ts / spworker.ts, with lpclient.ts", () => {
    it("a worker killed holding a request: the client's resend is served by another", async () => {
      try {
        const [front, back] = [await freeEndpoint(), await freeEndpoint()];
        example("ch4/spqueue.ts", front, back);
        // worker A answers one request, then sits on its second for a minute: we kill it then
        const a = example(
          "ch4/spworker.ts",
          back,
          "--work-ms",
          "0",
          "--overload-after",
          "1",
          "--overload-ms",
          "60000",
        );
        await a.waitFor(/worker ready$/m); // up, so that request 1 is not resent
        const client = example("ch4/lpclient.ts", front, "6", "1000", "10");
        await client.waitFor(/^I: server replied OK \(1\)$/m); // A's: the only worker so far
        const b = example("ch4/spworker.ts", back, "--work-ms", "0", "--no-random");
        await a.waitFor(/simulating CPU overload$/m); // A's second: 2, or 3 if B was first for 2
        await kill(a);
        assert.equal(await client.exit(), 0);
        assert.deepEqual(replies(client.stdout), oneTo(6));
        assert.ok(lines(client.stdout, /^W: no response from server, retrying…$/).length >= 1);
        const [idA] = ids(a.stdout);
        assert.equal(
          a.stdout,
          `I: (${idA}) worker ready\nI: (${idA}) normal reply\n` +
            `I: (${idA}) simulating CPU overload\n`,
        );
        // the five other requests, the one A held among them, were B's
        const [idB] = ids(b.stdout);
        assert.ok(
          lines(b.stdout, new RegExp(`^I: \\(${idB}\\) normal reply$`)).length >= 5,
          b.stdout,
        );
      } finally {
        await closeAll();
      }
    });
  });

  describe("Paranoid Pirate: ppqueue.ts / ppworker.ts, with lpclient.ts", () => {
    const HB = "300"; // heartbeat interval, ms: a silent worker is dead after 900 ms

    it("a worker killed holding a request expires in the queue; another serves the resend", async () => {
      try {
        const [front, back] = [await freeEndpoint(), await freeEndpoint()];
        const queue = example("ch4/ppqueue.ts", front, back, HB);
        const worker = (...args: string[]) =>
          example("ch4/ppworker.ts", back, "--interval", HB, "--work-ms", "0", ...args);
        const a = worker("--overload-after", "1", "--overload-ms", "60000");
        await queue.waitFor(/^I: worker \(.+\) ready$/m); // A, so that request 1 is not resent
        const client = example("ch4/lpclient.ts", front, "6", "1000", "10");
        await client.waitFor(/^I: server replied OK \(1\)$/m); // A's
        const b = worker("--no-random");
        await a.waitFor(/^I: simulating CPU overload$/m); // holding its second request
        const idA = ids(a.stdout).at(-1)!; // the socket it had then
        await kill(a);
        // no more heartbeats from A: the queue finds it dead
        await queue.waitFor((out) => out.includes(`W: worker (${idA}) expired\n`));
        assert.equal(await client.exit(), 0);
        assert.deepEqual(replies(client.stdout), oneTo(6));
        assert.ok(lines(client.stdout, /^W: no response from server, retrying…$/).length >= 1);
        assert.equal(lines(a.stdout, /^I: normal reply$/).length, 1);
        assert.ok(lines(b.stdout, /^I: normal reply$/).length >= 5, b.stdout);
        assert.deepEqual(lines(queue.stdout, /^E:/), []);
      } finally {
        await closeAll();
      }
    });

    it("a queue killed and restarted: the worker backs off, reconnects, and serves", async () => {
      try {
        const [front, back] = [await freeEndpoint(), await freeEndpoint()];
        const first = example("ch4/ppqueue.ts", front, back, HB);
        const w = example(
          "ch4/ppworker.ts",
          back,
          "--interval",
          HB,
          "--reconnect",
          "400",
          "--work-ms",
          "0",
          "--no-random",
        );
        await first.waitFor(/^I: worker \(.+\) ready$/m);
        await kill(first);
        // heartbeats lost: a new socket after 400 ms; still nothing, so the next wait doubles
        await w.waitFor(/^W: reconnecting in 800 msec…$/m);
        const second = example("ch4/ppqueue.ts", front, back, HB);
        await second.waitFor(/^I: worker \(.+\) ready$/m);
        const client = example("ch4/lpclient.ts", front, "3", "1000", "10");
        assert.equal(await client.exit(), 0);
        assert.deepEqual(replies(client.stdout), oneTo(3));
        assert.ok(lines(w.stdout, /^W: heartbeat failure, can't reach queue$/).length >= 2);
        // the back-off: 400 ms, then twice that (a false alarm before may have added a 400)
        const waits = lines(w.stdout, /^W: reconnecting in/).map((l) => Number(l.split(" ")[3]));
        assert.equal(waits[waits.indexOf(800) - 1], 400, w.stdout);
        assert.ok(lines(w.stdout, /^I: normal reply$/).length >= 3, w.stdout);
      } finally {
        await closeAll();
      }
    });

    it("a libzmq DEALER worker speaking the protocol to ppqueue.ts", async () => {
      try {
        const [front, back] = [await freeEndpoint(), await freeEndpoint()];
        const queue = example("ch4/ppqueue.ts", front, back, HB);
        const dealer = await libzmq("DEALER");
        await dealer.connect(back);
        await dealer.send([new Uint8Array([1])]); // READY
        const ready = await queue.waitFor(/^I: worker \(.+\) ready$/m);
        const id = ready.match(/^I: worker \((.+)\) ready$/m)![1]!;
        const client = example("ch4/lpclient.ts", front, "2", "2000", "5");
        // the worker's loop: a heartbeat each interval, requests answered with themselves
        let heartbeats = 0;
        let answered = 0;
        let beatAt = Date.now();
        const deadline = Date.now() + WAIT;
        while (answered < 2 && Date.now() < deadline) {
          if (Date.now() >= beatAt) {
            await dealer.send([new Uint8Array([2])]);
            beatAt = Date.now() + Number(HB);
          }
          const got = await dealer.receive(Number(HB)).catch(() => undefined);
          if (got?.length === 1) {
            assert.deepEqual([...got[0]!], [2]); // the queue's heartbeat
            heartbeats++;
          } else if (got !== undefined) {
            assert.equal(got.length, 3); // [client][""][body]
            assert.equal(got[1]!.length, 0);
            assert.equal(text(got[2]), String(++answered));
            await dealer.send(got);
          }
        }
        assert.equal(await client.exit(), 0);
        assert.deepEqual(replies(client.stdout), [1, 2]);
        // heartbeats came at least while the client was starting; then the worker falls silent
        while (heartbeats === 0) {
          const got = await dealer.receive(WAIT);
          if (got.length === 1 && got[0]![0] === 2) heartbeats++;
        }
        await dealer.close();
        await queue.waitFor((out) => out.includes(`W: worker (${id}) expired\n`));
        assert.deepEqual(lines(queue.stdout, /^E:/), []);
      } finally {
        await closeAll();
      }
    });
  });
});
