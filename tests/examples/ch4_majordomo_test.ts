// SPDX-License-Identifier: MIT
/**
 * The Guide's chapter 4 Majordomo and Titanic programs (examples/ch4: mdbroker, mdworker,
 * mdclient, mdclient2, mmiecho, titanic, ticlient), each run as a subprocess on the runtime
 * running the tests, on ports the OS hands out and in temporary directories. Each test brings
 * about the failure the pattern exists for: a worker killed while it holds a request (the
 * broker forgets it by heartbeat, the client's retry goes to another worker), a broker killed
 * and restarted under a worker (which registers again by itself), and, for Titanic, broker,
 * Titanic and one client all killed with requests pending and no worker yet, then restarted
 * on the same endpoint and directory, and a worker started only then: both requests are
 * answered, one to a client that lived through it all, one to a second run resuming the first
 * one's ticket. What is counted exactly is what the clients get; how many retries it took is
 * not, as a slow moment of the machine can cost one more. Heartbeats are shortened by
 * arguments (300 ms). libzmq (zeromq.js in a Node child) plays an MDP worker (DEALER) behind
 * mdbroker.ts for mdclient.ts, and MDP clients (REQ and DEALER) of mdworker.ts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Example,
  example,
  freeEndpoint,
  libzmqScope,
  lines,
  text,
  utf8,
  WAIT,
} from "./_run.ts";

const HB = "300"; // heartbeat interval, ms, everywhere: a silent peer is gone after 900 ms
const E = new Uint8Array(0);
const W = utf8("MDPW01");
const cmd = (c: number) => new Uint8Array([c]);

/** Kills an example outright (no chance to close anything) and waits for it to be gone. */
async function kill(e: Example): Promise<void> {
  e.child.kill("SIGKILL");
  await e.exited;
}

const broker = (ep: string) => example("ch4/mdbroker.ts", ep, "--heartbeat", HB);
const worker = (ep: string, ...args: string[]) =>
  example("ch4/mdworker.ts", ep, "--heartbeat", HB, "--reconnect", HB, "-v", ...args);
/** Resolves once the broker's books show `n` workers (it says so at each change). */
const workers = (b: Example, n: number) =>
  b.waitFor((out) => lines(out, /^I: \d+ worker\(s\) now$/).at(-1) === `I: ${n} worker(s) now`);

describe("the Guide, chapter 4, Majordomo and Titanic, as examples", () => {
  const { libzmq, closeAll } = libzmqScope();

  describe("Majordomo: mdbroker.ts, mdworker.ts, mdclient.ts, mdclient2.ts, mmiecho.ts", () => {
    it("synchronous and asynchronous clients get every reply; mmiecho finds the worker", async () => {
      try {
        const ep = await freeEndpoint();
        const b = broker(ep);
        await b.waitFor(/^I: MDP broker\/0\.1 is active at /m);
        const none = example("ch4/mmiecho.ts", ep);
        assert.equal(await none.exit(), 0);
        assert.equal(none.stdout, "Lookup echo service: 404\n");
        const w = worker(ep);
        await workers(b, 1);
        const found = example("ch4/mmiecho.ts", ep);
        assert.equal(await found.exit(), 0);
        assert.equal(found.stdout, "Lookup echo service: 200\n");
        const sync = example("ch4/mdclient.ts", ep, "50");
        assert.equal(await sync.exit(), 0);
        assert.equal(sync.stdout, "50 requests/replies processed\n");
        const async = example("ch4/mdclient2.ts", ep, "500");
        assert.equal(await async.exit(), 0);
        assert.equal(async.stdout, "500 replies received\n");
        assert.equal(lines(w.stdout, /^I: echo request \d+$/).length, 550);
        const lookup = example("ch4/mmiecho.ts", ep, "nothing");
        assert.equal(await lookup.exit(), 0);
        assert.equal(lookup.stdout, "Lookup nothing service: 404\n");
      } finally {
        await closeAll();
      }
    });

    it("a worker killed holding a request: the broker forgets it, another serves the retry", async () => {
      try {
        const ep = await freeEndpoint();
        const b = broker(ep);
        // worker A answers one request, then sits on its second for a minute: we kill it then
        const a = worker(ep, "--overload-after", "1", "--overload-ms", "60000");
        await workers(b, 1); // A, so that request 1 is not retried
        const client = example("ch4/mdclient.ts", ep, "6", "--timeout", "1000", "--retries", "10");
        await a.waitFor(/^I: echo request 1$/m);
        const bw = worker(ep);
        await a.waitFor(/^I: simulating CPU overload$/m); // holding request 2 (or 3)
        await kill(a);
        // its heartbeats stop: the broker finds it dead (B is there, or will be soon)
        await b.waitFor(/^W: 1 worker\(s\) expired, [01] left$/m);
        assert.equal(await client.exit(), 0);
        assert.equal(
          lines(client.stdout, /requests\/replies processed$/)[0],
          "6 requests/replies processed",
        );
        assert.ok(
          lines(client.stdout, /^W: no reply from echo, reconnecting and sending again…$/).length >=
            1,
          client.stdout,
        );
        assert.deepEqual(lines(client.stdout, /^E:/), []);
        // A served one request and sat on the next; B the five others, the held one among them
        assert.equal(lines(a.stdout, /^I: echo request \d+$/).length, 2, a.stdout);
        assert.ok(lines(bw.stdout, /^I: echo request \d+$/).length >= 5, bw.stdout);
      } finally {
        await closeAll();
      }
    });

    it("a broker killed and restarted: the worker registers again by itself and serves", async () => {
      try {
        const ep = await freeEndpoint();
        const first = broker(ep);
        const w = worker(ep);
        await workers(first, 1);
        await kill(first);
        const second = broker(ep);
        await workers(second, 1); // the worker's new socket, with a new READY
        const client = example("ch4/mdclient.ts", ep, "3");
        assert.equal(await client.exit(), 0);
        assert.equal(client.stdout, "3 requests/replies processed\n");
        // it found out by the silence, or by the new broker's DISCONNECT for its heartbeat
        assert.ok(
          lines(w.stdout, /^W: (nothing from the broker|the broker disconnected us)/).length >= 1,
          w.stdout,
        );
        assert.ok(lines(w.stdout, /^I: connecting to broker at /).length >= 2, w.stdout);
        assert.equal(lines(w.stdout, /^I: echo request \d+$/).length, 3);
      } finally {
        await closeAll();
      }
    });
  });

  describe("Titanic: titanic.ts and ticlient.ts", () => {
    it("requests on disk survive broker, Titanic and client restarts; a late worker answers them", async () => {
      const dir = mkdtempSync(join(tmpdir(), "zmqkit-titanic-"));
      const store = join(dir, ".titanic");
      try {
        const ep = await freeEndpoint();
        const titanic = () =>
          example(
            "ch4/titanic.ts",
            ep,
            "--dir",
            store,
            "--heartbeat",
            HB,
            "--reconnect",
            HB,
            "--poll",
            "200",
            "--timeout",
            "3000",
          );
        const ticlient = (...args: string[]) =>
          example("ch4/ticlient.ts", ep, "--poll", "200", "--timeout", "1000", ...args);
        const b1 = broker(ep);
        const t1 = titanic();
        await t1.waitFor(/^I: 0 pending request\(s\) in /m);
        // two clients hand a request to Titanic; there is no echo worker anywhere yet
        const doomed = ticlient();
        const survivor = ticlient("--retries", "60"); // a minute of retries: lives through it
        const uuid = /^I: request UUID ([0-9A-F]{32})$/m;
        await doomed.waitFor(/^I: no reply yet, trying again…$/m);
        await survivor.waitFor(/^I: no reply yet, trying again…$/m);
        const ticketA = doomed.stdout.match(uuid)![1]!;
        const ticketB = survivor.stdout.match(uuid)![1]!;
        // everything but the survivor dies at once
        await Promise.all([kill(doomed), kill(t1), kill(b1)]);
        for (const t of [ticketA, ticketB]) assert.ok(existsSync(join(store, `${t}.req`)), t);
        const b2 = broker(ep);
        const t2 = titanic();
        await t2.waitFor(/^I: 2 pending request\(s\) in /m); // read back from the disk
        await t2.waitFor((out) => lines(out, /waits for a worker of echo$/).length === 2);
        const w = worker(ep); // the first echo worker there has ever been
        const resumed = ticlient("--resume", ticketA, "--retries", "10");
        assert.equal(await resumed.exit(), 0);
        assert.equal(lines(resumed.stdout, /^Reply: /).join("\n"), "Reply: Hello world");
        assert.equal(await survivor.exit(WAIT * 2), 0);
        assert.equal(lines(survivor.stdout, /^Reply: /).join("\n"), "Reply: Hello world");
        assert.deepEqual(lines(survivor.stdout, /^E:/), []);
        for (const t of [ticketA, ticketB]) {
          assert.ok(t2.stdout.includes(`I: reply to ${t} stored\n`), t2.stdout);
          // closed by its client: nothing left of it on disk
          assert.ok(!existsSync(join(store, `${t}.req`)) && !existsSync(join(store, `${t}.rep`)));
        }
        const queue = readFileSync(join(store, "queue"), "utf8").split("\n").filter(Boolean);
        assert.deepEqual(queue.sort(), [`+${ticketA}`, `+${ticketB}`].sort());
        assert.ok(lines(w.stdout, /^I: echo request \d+$/).length >= 2, w.stdout);
        assert.deepEqual(lines(t2.stdout, /^E:/), []);
        assert.ok(b2.stdout.startsWith("I: MDP broker/0.1 is active at "));
      } finally {
        await closeAll();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("libzmq on the other side", () => {
    it("a libzmq DEALER speaking MDPW01 is the echo worker behind mdbroker.ts for mdclient.ts", async () => {
      try {
        const ep = await freeEndpoint();
        const b = broker(ep);
        await b.waitFor(/^I: MDP broker\/0\.1 is active at /m);
        const dealer = await libzmq("DEALER");
        await dealer.connect(ep);
        await dealer.send([E, W, cmd(1), utf8("echo")]); // READY
        await workers(b, 1);
        const client = example("ch4/mdclient.ts", ep, "3", "--timeout", "2000", "--retries", "5");
        // the worker's loop: a heartbeat each interval, requests echoed in a REPLY
        let heartbeats = 0;
        let answered = 0;
        let beatAt = 0;
        const deadline = Date.now() + WAIT;
        while (answered < 3 && Date.now() < deadline) {
          if (Date.now() >= beatAt) {
            await dealer.send([E, W, cmd(4)]);
            beatAt = Date.now() + Number(HB);
          }
          const got = await dealer.receive(Number(HB)).catch(() => undefined);
          if (got === undefined) continue;
          assert.deepEqual(got.slice(0, 2), [E, W]);
          if (got[2]![0] === 4) {
            assert.equal(got.length, 3);
            heartbeats++;
            continue;
          }
          // REQUEST: [""]["MDPW01"][0x02][client][""][body]
          assert.equal(got[2]![0], 2);
          assert.equal(got.length, 6);
          assert.equal(got[4]!.length, 0);
          assert.equal(text(got[5]), "Hello world");
          await dealer.send([E, W, cmd(3), got[3]!, E, got[5]!]);
          answered++;
        }
        assert.equal(await client.exit(), 0);
        assert.equal(client.stdout, "3 requests/replies processed\n");
        while (heartbeats === 0) { // the broker's, every 300 ms: at least one by now, or soon
          const got = await dealer.receive(WAIT);
          if (got.length === 3 && got[2]![0] === 4) heartbeats++;
        }
        await dealer.send([E, W, cmd(5)]); // DISCONNECT: the broker forgets it at once
        await workers(b, 0);
        assert.deepEqual(lines(b.stdout, /^W:/), []); // it never expired
      } finally {
        await closeAll();
      }
    });

    it("libzmq REQ and DEALER speaking MDPC01 get mdworker.ts's echo and mmi.service", async () => {
      try {
        const ep = await freeEndpoint();
        const b = broker(ep);
        const w = worker(ep);
        await workers(b, 1);
        const req = await libzmq("REQ");
        await req.connect(ep);
        await req.send([utf8("MDPC01"), utf8("echo"), utf8("Hello"), utf8("world")]);
        assert.deepEqual((await req.receive(WAIT)).map(text), ["MDPC01", "echo", "Hello", "world"]);
        await req.send([utf8("MDPC01"), utf8("mmi.service"), utf8("echo")]);
        assert.deepEqual((await req.receive(WAIT)).map(text), ["MDPC01", "mmi.service", "200"]);
        const dealer = await libzmq("DEALER");
        await dealer.connect(ep);
        // asynchronous: three in flight, the empty frame a REQ would add made by hand
        for (const n of ["1", "2", "3"]) {
          await dealer.send([E, utf8("MDPC01"), utf8("echo"), utf8(n)]);
        }
        const replies: string[][] = [];
        for (let i = 0; i < 3; i++) replies.push((await dealer.receive(WAIT)).map(text));
        assert.deepEqual(replies, [
          ["", "MDPC01", "echo", "1"],
          ["", "MDPC01", "echo", "2"],
          ["", "MDPC01", "echo", "3"],
        ]);
        await w.waitFor((out) => lines(out, /^I: echo request \d+$/).length === 4);
      } finally {
        await closeAll();
      }
    });
  });
});
