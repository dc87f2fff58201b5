// SPDX-License-Identifier: MIT
/**
 * The Guide's chapter 1 programs (examples/ch1) and chapter 2's kill-signal task pipeline
 * (examples/ch2/taskwork2.ts, tasksink2.ts), each run as a subprocess on the runtime running
 * the tests, with endpoints on ports the OS hands out. Each two-sided pattern is also run with
 * the other side played by libzmq (zeromq.js in a Node child), so the examples are shown to
 * interoperate, not only to work with each other.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  example,
  freeEndpoint,
  libzmqScope,
  lines,
  ROOT,
  sleep,
  text,
  utf8,
  WAIT,
} from "./_run.ts";

const count = (out: string, c: string) => out.split(c).length - 1;
/** The workloads a worker printed ("12.7.3."), summed. */
const workDone = (out: string) =>
  [...out.matchAll(/(\d+)\./g)].reduce((sum, m) => sum + Number(m[1]), 0);
/** Checks a sink's output: a colon every ten results, 100 in all, and the elapsed time. */
function assertSinkCounted(out: string): void {
  assert.match(out, /^(:\.{9}){10}\nTotal elapsed time: \d+ msec\n$/);
}

describe("the Guide, chapter 1, as examples", () => {
  const { libzmq, closeAll } = libzmqScope();

  describe("hwserver.ts / hwclient.ts (REQ-REP)", () => {
    it("the client gets a World for each Hello from the server", async () => {
      try {
        const ep = await freeEndpoint();
        const server = example("ch1/hwserver.ts", ep, "3", "10");
        const client = example("ch1/hwclient.ts", ep, "3");
        assert.equal(await client.exit(), 0);
        assert.deepEqual(lines(client.stdout, /^Received/), [
          "Received World 0",
          "Received World 1",
          "Received World 2",
        ]);
        assert.equal(await server.exit(), 0); // it served its 3 requests and ended
        assert.equal(server.stdout, "Received Hello\n".repeat(3));
      } finally {
        await closeAll();
      }
    });

    it("hwclient.ts against a libzmq REP", async () => {
      try {
        const rep = await libzmq("REP");
        const ep = await rep.bind("tcp://127.0.0.1:*");
        const client = example("ch1/hwclient.ts", ep, "3");
        for (let n = 0; n < 3; n++) {
          assert.deepEqual((await rep.receive(WAIT)).map(text), ["Hello"]);
          await rep.send([utf8("World")]);
        }
        assert.equal(await client.exit(), 0);
        assert.equal(lines(client.stdout, /^Received World \d$/).length, 3);
      } finally {
        await closeAll();
      }
    });

    it("hwserver.ts against a libzmq REQ", async () => {
      try {
        const ep = await freeEndpoint();
        const server = example("ch1/hwserver.ts", ep, "2", "0");
        const req = await libzmq("REQ");
        await req.connect(ep); // libzmq retries until the server has bound
        for (let n = 0; n < 2; n++) {
          await req.send([utf8("Hello")]);
          assert.deepEqual((await req.receive(WAIT)).map(text), ["World"]);
        }
        assert.equal(await server.exit(), 0);
        assert.equal(server.stdout, "Received Hello\n".repeat(2));
      } finally {
        await closeAll();
      }
    });
  });

  it("version.ts reports the package's version and ZMTP 3.1", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    const v = example("ch1/version.ts");
    assert.equal(await v.exit(), 0);
    assert.equal(
      v.stdout,
      `Current zmqkit version is ${version}, speaking ZMTP 3.1\n` +
        "(its greeting offers the NULL security mechanism)\n",
    );
  });

  describe("wuserver.ts / wuclient.ts (PUB-SUB)", () => {
    it("the client averages 100 updates of its prefix, within the server's range", async () => {
      try {
        const ep = await freeEndpoint();
        example("ch1/wuserver.ts", ep);
        // prefix "1": zipcodes 10000-19999, a tenth of the updates (one zipcode would take minutes)
        const client = example("ch1/wuclient.ts", ep, "1", "100");
        assert.equal(await client.exit(), 0);
        const m = client.stdout.match(/^Average temperature for zipcode '1' was (-?\d+)F$/m);
        assert.ok(m, client.stdout);
        const average = Number(m[1]);
        assert.ok(average >= -80 && average <= 134, `average ${average}`);
      } finally {
        await closeAll();
      }
    });

    it("wuclient.ts against a libzmq PUB: only its zipcode counts", async () => {
      try {
        const pub = await libzmq("PUB");
        const ep = await pub.bind("tcp://127.0.0.1:*");
        const client = example("ch1/wuclient.ts", ep, "10001 ", "100");
        // 20 and 30 alternate for 10001, so any 100 in a row average 25; the others would
        // pull it far off if the prefix let them through ("100010" shows why the space)
        const updates = ["10001 20 50", "10002 900 50", "10001 30 50", "100010 -500 50"];
        const deadline = Date.now() + WAIT;
        for (let i = 0; !client.done && Date.now() < deadline; i++) {
          await pub.send([utf8(updates[i % updates.length]!)]);
        }
        assert.equal(await client.exit(), 0);
        assert.match(client.stdout, /^Average temperature for zipcode '10001 ' was 25F$/m);
      } finally {
        await closeAll();
      }
    });

    it("wuserver.ts to a libzmq SUB: updates in the Guide's format and ranges", async () => {
      try {
        const ep = await freeEndpoint();
        example("ch1/wuserver.ts", ep);
        const sub = await libzmq("SUB");
        await sub.subscribe(utf8(""));
        await sub.connect(ep);
        for (let n = 0; n < 50; n++) {
          const update = text((await sub.receive(WAIT))[0]);
          const m = update.match(/^(\d{5}) (-?\d+) (\d+)$/);
          assert.ok(m, update);
          assert.ok(Number(m[2]) >= -80 && Number(m[2]) <= 134, update);
          assert.ok(Number(m[3]) >= 10 && Number(m[3]) <= 59, update);
        }
      } finally {
        await closeAll();
      }
    });
  });

  describe("taskvent.ts / taskwork.ts / tasksink.ts (PUSH-PULL)", () => {
    it("three workers do the 100 tasks and the sink counts every result", async () => {
      try {
        const [vent, sink] = [await freeEndpoint(), await freeEndpoint()];
        const sinkProc = example("ch1/tasksink.ts", sink);
        const ventProc = example("ch1/taskvent.ts", vent, sink, "10");
        await ventProc.waitFor(/Press Enter/);
        const workers = [1, 2, 3].map(() => example("ch1/taskwork.ts", vent, sink));
        await sleep(500); // let the workers connect, or the first one gets every task
        ventProc.write("\n");
        assert.equal(await ventProc.exit(), 0);
        const cost = Number(ventProc.stdout.match(/Total expected cost: (\d+) msec/)?.[1]);
        assert.equal(await sinkProc.exit(), 0);
        assertSinkCounted(sinkProc.stdout);
        // every task was done once, by some worker: their workloads add up to the cost
        const all = () => workers.map((w) => w.stdout).join("");
        await Promise.all(workers.map((w) => w.waitFor(() => count(all(), ".") === 100)));
        assert.equal(workDone(all()), cost);
      } finally {
        await closeAll();
      }
    });

    it("taskwork.ts between a libzmq PUSH and a libzmq PULL", async () => {
      try {
        const push = await libzmq("PUSH");
        const pull = await libzmq("PULL");
        const vent = await push.bind("tcp://127.0.0.1:*");
        const sink = await pull.bind("tcp://127.0.0.1:*");
        const worker = example("ch1/taskwork.ts", vent, sink);
        for (const ms of ["1", "2", "3", "4", "5"]) await push.send([utf8(ms)]);
        for (let n = 0; n < 5; n++) assert.deepEqual(await pull.receive(WAIT), [utf8("")]);
        await worker.waitFor(/^1\.2\.3\.4\.5\.$/);
      } finally {
        await closeAll();
      }
    });

    it("taskvent.ts to libzmq PULLs, as worker and as sink", async () => {
      try {
        const worker = await libzmq("PULL");
        const sink = await libzmq("PULL");
        const sinkEp = await sink.bind("tcp://127.0.0.1:*");
        const vent = await freeEndpoint();
        const ventProc = example("ch1/taskvent.ts", vent, sinkEp);
        await ventProc.waitFor(/Press Enter/);
        await worker.connect(vent);
        await worker.handshake(); // connected: the tasks cannot go anywhere else anyway
        ventProc.write("\n");
        assert.deepEqual((await sink.receive(WAIT)).map(text), ["0"]);
        let total = 0;
        for (let n = 0; n < 100; n++) {
          const workload = Number(text((await worker.receive(WAIT))[0]));
          assert.ok(workload >= 1 && workload <= 100, String(workload));
          total += workload;
        }
        assert.equal(await ventProc.exit(), 0);
        assert.match(ventProc.stdout, new RegExp(`Total expected cost: ${total} msec`));
      } finally {
        await closeAll();
      }
    });

    it("tasksink.ts counting results from a libzmq PUSH", async () => {
      try {
        const sink = await freeEndpoint();
        const sinkProc = example("ch1/tasksink.ts", sink);
        const push = await libzmq("PUSH");
        await push.connect(sink);
        await push.send([utf8("0")]);
        for (let n = 0; n < 100; n++) await push.send([utf8("")]);
        assert.equal(await sinkProc.exit(), 0);
        assertSinkCounted(sinkProc.stdout);
      } finally {
        await closeAll();
      }
    });
  });

  describe("chapter 2's kill signal: taskwork2.ts / tasksink2.ts (PUB-SUB control)", () => {
    it("the sink counts every result, then its KILL stops both workers", async () => {
      try {
        const [vent, sink, control] = await Promise.all([1, 2, 3].map(() => freeEndpoint()));
        const sinkProc = example("ch2/tasksink2.ts", sink!, control!);
        const ventProc = example("ch1/taskvent.ts", vent!, sink!, "10");
        await ventProc.waitFor(/Press Enter/);
        const workers = [1, 2].map(() => example("ch2/taskwork2.ts", vent!, sink!, control!));
        await sleep(500); // let the workers connect, or the first one gets every task
        ventProc.write("\n");
        assert.equal(await ventProc.exit(), 0);
        assert.equal(await sinkProc.exit(), 0);
        assertSinkCounted(sinkProc.stdout);
        for (const w of workers) {
          assert.equal(await w.exit(), 0); // ended by themselves: nobody killed them
          assert.match(w.stdout, /\nKilled by the sink\n$/);
        }
        assert.equal(count(workers.map((w) => w.stdout).join(""), "."), 100);
      } finally {
        await closeAll();
      }
    });

    it("taskwork2.ts with libzmq as ventilator, sink and controller", async () => {
      try {
        const push = await libzmq("PUSH");
        const pull = await libzmq("PULL");
        const pub = await libzmq("PUB");
        const [vent, sink, control] = [
          await push.bind("tcp://127.0.0.1:*"),
          await pull.bind("tcp://127.0.0.1:*"),
          await pub.bind("tcp://127.0.0.1:*"),
        ];
        const worker = example("ch2/taskwork2.ts", vent, sink, control);
        for (const ms of ["1", "2", "3"]) await push.send([utf8(ms)]);
        for (let n = 0; n < 3; n++) assert.deepEqual(await pull.receive(WAIT), [utf8("")]);
        // a subscriber may join after a message went out: send KILL until it is heard
        const deadline = Date.now() + WAIT;
        while (!worker.done && Date.now() < deadline) {
          await pub.send([utf8("KILL")]);
          await sleep(50);
        }
        assert.equal(await worker.exit(), 0);
        assert.equal(worker.stdout, "1.2.3.\nKilled by the sink\n");
      } finally {
        await closeAll();
      }
    });
  });
});
