// SPDX-License-Identifier: MIT
/**
 * The Guide's chapter 3 broker peering (examples/ch3/peering1.ts, peering2.ts, peering3.ts):
 * each broker runs as a subprocess on the runtime running the tests, in a fresh temporary
 * directory, since the programs name their ipc endpoints relative to it (<name>-state.ipc,
 * <name>-cloud.ipc…). Brokers with clients end by themselves once their clients are done; those
 * that only serve their peers are stopped at the end. A libzmq broker (zeromq.js in a Node
 * child) stands in for a peer on the state and cloud links, so the flows between brokers are
 * shown to interoperate too.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Example, exampleIn, libzmqScope, lines, sleep, text, utf8, WAIT } from "./_run.ts";

describe("the Guide, chapter 3, broker peering", () => {
  const { libzmq, closeAll } = libzmqScope();
  /** Runs `body` in a fresh directory, then stops every example and removes the directory. */
  async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), "zmqkit-peering-"));
    try {
      await body(dir);
    } finally {
      await closeAll();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  describe("peering1.ts (the state flow)", () => {
    it("three brokers each print five states from each of the two others", () =>
      inTempDir(async (dir) => {
        const names = ["DC1", "DC2", "DC3"];
        const brokers = names.map((me) =>
          exampleIn(
            dir,
            "ch3/peering1.ts",
            me,
            ...names.filter((n) => n !== me),
            "--interval",
            "200",
            "--count",
            "5",
          )
        );
        for (const [i, broker] of brokers.entries()) {
          assert.equal(await broker.exit(), 0);
          const states = lines(broker.stdout, /workers free/);
          assert.equal(states.length, 10, broker.stdout);
          for (const peer of names.filter((n) => n !== names[i])) {
            const from = states.filter((l) => l.startsWith(`${peer} - `));
            assert.equal(from.length, 5, broker.stdout);
            for (const l of from) assert.match(l, /^DC\d - \d workers free$/);
          }
        }
      }));

    it("with a libzmq broker: its PUB's state is printed, ours reaches its SUB", () =>
      inTempDir(async (dir) => {
        const pub = await libzmq("PUB");
        await pub.bind(`ipc://${dir}/C-state.ipc`);
        const sub = await libzmq("SUB");
        await sub.subscribe(utf8(""));
        await sub.connect(`ipc://${dir}/A-state.ipc`); // libzmq retries until A has bound
        const received = sub.receive(WAIT);
        const a = exampleIn(dir, "ch3/peering1.ts", "A", "C", "--interval", "100", "--count", "3");
        const deadline = Date.now() + WAIT;
        while (!a.done && Date.now() < deadline) {
          await pub.send([utf8("C"), utf8("7")]);
          await sleep(50);
        }
        assert.equal(await a.exit(), 0);
        assert.deepEqual(lines(a.stdout, /workers free/), Array(3).fill("C - 7 workers free"));
        const [name, free, ...more] = (await received).map(text);
        assert.equal(name, "A");
        assert.match(free!, /^\d$/);
        assert.deepEqual(more, []);
      }));
  });

  describe("peering2.ts (the local and cloud flows)", () => {
    const broker = (dir: string, ...args: string[]) =>
      exampleIn(dir, "ch3/peering2.ts", ...args, "--pause", "0");

    it("peering moves requests to the other cluster when there are no local workers", () =>
      inTempDir(async (dir) => {
        const b = broker(dir, "B", "A", "--clients", "0", "--workers", "3");
        const a = broker(dir, "A", "B", "--clients", "3", "--workers", "0", "--requests", "4");
        assert.equal(await a.exit(), 0);
        // every request of A's clients was answered, each by one of B's workers
        assert.equal(lines(a.stdout, /^A-c\d: OK from B-w\d$/).length, 12, a.stdout);
        assert.equal(lines(a.stdout, /OK from/).length, 12, a.stdout);
        await b.waitFor((out) => lines(out, /^B-w\d: HELLO from A-c\d$/).length === 12);
      }));

    it("with free workers at home, every request is served locally", () =>
      inTempDir(async (dir) => {
        const b = broker(dir, "B", "A", "--clients", "0", "--workers", "2");
        const a = broker(dir, "A", "B", "--clients", "2", "--workers", "3", "--requests", "4");
        assert.equal(await a.exit(), 0);
        assert.equal(lines(a.stdout, /^A-c\d: OK from A-w\d$/).length, 8, a.stdout);
        assert.equal(lines(a.stdout, /OK from/).length, 8, a.stdout);
        assert.equal(lines(a.stdout, /^A-w\d: HELLO from A-c\d$/).length, 8, a.stdout);
        await b.stop();
        assert.deepEqual(lines(b.stdout, /HELLO/), []);
      }));

    it("a libzmq ROUTER as the peer's cloud frontend answers what our cloudbe routes to it", () =>
      inTempDir(async (dir) => {
        // a libzmq REQ client of A's too
        const req = await libzmq("REQ");
        const cloud = await libzmq("ROUTER", { routingId: utf8("B") });
        await cloud.bind(`ipc://${dir}/B-cloud.ipc`);
        const a = broker(dir, "A", "B", "--clients", "2", "--workers", "0", "--requests", "2");
        await req.connect(`ipc://${dir}/A-localfe.ipc`);
        await req.send([utf8("HELLO from libzmq")]);
        const answer = async (request: Uint8Array[]) => {
          // [A, client's address, "", body]: A's name first, as its cloudbe's routing id
          assert.equal(request.length, 4);
          assert.equal(text(request[0]), "A");
          assert.equal(text(request[2]), "");
          await cloud.send([...request.slice(0, -1), utf8("OK from libzmq")]);
        };
        // the first three are the libzmq client's and the first of each of A's two clients (the
        // second come after a reply). The libzmq client's is answered first: A ends once its
        // own clients are done, and would not route a later reply
        const first: Uint8Array[][] = [];
        for (let n = 0; n < 3; n++) first.push(await cloud.receive(WAIT));
        const ours = first.findIndex((r) => text(r.at(-1)) === "HELLO from libzmq");
        assert.notEqual(ours, -1);
        await answer(first.splice(ours, 1)[0]!);
        assert.deepEqual((await req.receive(WAIT)).map(text), ["OK from libzmq"]);
        for (const request of first) await answer(request);
        for (let n = 0; n < 2; n++) await answer(await cloud.receive(WAIT));
        assert.equal(await a.exit(), 0);
        assert.equal(lines(a.stdout, /^A-c\d: OK from libzmq$/).length, 4, a.stdout);
      }));
  });

  describe("peering3.ts (the whole cluster)", () => {
    const broker = (dir: string, ...args: string[]) =>
      exampleIn(dir, "ch3/peering3.ts", ...args, "--pause", "0", "--work", "100");
    const exits = (a: Example) => lines(a.stdout, /^I: CLIENT EXIT - A-c\d has had its \d tasks/);

    it("tasks move to the peer that says it has free workers, never to one that has none", () =>
      inTempDir(async (dir) => {
        broker(dir, "B", "A", "C", "--clients", "0", "--workers", "3");
        broker(dir, "C", "A", "B", "--clients", "0", "--workers", "0");
        const a = broker(dir, "A", "B", "C", "--clients", "3", "--workers", "0", "--requests", "4");
        assert.equal(await a.exit(), 0);
        const done = lines(a.stdout, /done by/);
        assert.equal(done.length, 12, a.stdout);
        for (const l of done) assert.match(l, /^A-c\d: task [0-9A-F]{4} done by B-w\d$/);
        assert.equal(exits(a).length, 3, a.stdout);
        assert.deepEqual(lines(a.stdout, /^E:/), []);
      }));

    it("with free workers at home, every task is done locally", () =>
      inTempDir(async (dir) => {
        broker(dir, "B", "A", "--clients", "0", "--workers", "2");
        const a = broker(dir, "A", "B", "--clients", "2", "--workers", "3", "--requests", "5");
        assert.equal(await a.exit(), 0);
        const done = lines(a.stdout, /done by/);
        assert.equal(done.length, 10, a.stdout);
        for (const l of done) assert.match(l, /^A-c\d: task [0-9A-F]{4} done by A-w\d$/);
        assert.equal(exits(a).length, 2, a.stdout);
      }));

    it("a client whose task is never answered reports it lost and exits", () =>
      inTempDir(async (dir) => {
        const a = broker(dir, "A", "--clients", "2", "--workers", "0", "--timeout", "300");
        assert.equal(await a.exit(), 0);
        const lost = lines(a.stdout, /^E: CLIENT EXIT - lost task [0-9A-F]{4} \(A-c\d\)$/);
        assert.equal(lost.length, 2, a.stdout);
        assert.deepEqual(lines(a.stdout, /done by/), []);
      }));

    it("a libzmq broker as the peer: state both ways, tasks through its cloud ROUTER", () =>
      inTempDir(async (dir) => {
        const pub = await libzmq("PUB");
        await pub.bind(`ipc://${dir}/C-state.ipc`);
        const cloud = await libzmq("ROUTER", { routingId: utf8("C") });
        await cloud.bind(`ipc://${dir}/C-cloud.ipc`);
        const sub = await libzmq("SUB");
        await sub.subscribe(utf8(""));
        await sub.connect(`ipc://${dir}/A-state.ipc`);
        const a = broker(dir, "A", "C", "--clients", "2", "--workers", "0", "--requests", "3");
        // A has no workers: it says so, once a second
        assert.deepEqual((await sub.receive(WAIT)).map(text), ["A", "0"]);
        let saying = true; // C says it has a free worker, until the test is over
        const says = (async () => {
          while (saying) {
            await pub.send([utf8("C"), utf8("1")]);
            await sleep(100);
          }
        })();
        try {
          for (let n = 0; n < 6; n++) {
            const request = await cloud.receive(WAIT); // [A, client's address, "", task]
            assert.equal(text(request[0]), "A");
            assert.match(text(request.at(-1)), /^[0-9A-F]{4}$/);
            await cloud.send([...request, utf8("libzmq")]); // the task back, and who did it
          }
          assert.equal(await a.exit(), 0);
        } finally {
          saying = false;
          await says;
        }
        const done = lines(a.stdout, /done by/);
        assert.equal(done.length, 6, a.stdout);
        for (const l of done) assert.match(l, /^A-c\d: task [0-9A-F]{4} done by libzmq$/);
      }));
  });
});
