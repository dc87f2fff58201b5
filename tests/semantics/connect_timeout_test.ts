// SPDX-License-Identifier: MIT
/**
 * connectTimeout (ZMQ_CONNECT_TIMEOUT): a TCP connect that does not complete in time is
 * abandoned and counts as a failed attempt (`close` with ETIMEDOUT, then `connect:retry`).
 *
 * The peer that never answers is a listener whose accept queue is full: a `node` child
 * listens with backlog 1 and then blocks its event loop, so it never accepts; two connections
 * fill its queue, and Linux then drops further SYNs, which leaves a connect pending (no root,
 * no route needed). The abandoned-attempt bookkeeping is tested in unit/sockets/connecter_test.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { type ChildProcess, spawn } from "node:child_process";
import { Dealer, Pull, Push } from "../../mod.ts";
import { EventLog, withTimeout } from "./_util.ts";

const BLOCKED_LISTENER = `
const net = require("node:net");
const s = net.createServer();
s.listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => {
  process.stdout.write(s.address().port + "\\n");
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // never accepts
});`;

/** A tcp endpoint whose SYNs go unanswered, and what to close when done. */
async function hangingEndpoint(): Promise<{ endpoint: string; close(): void }> {
  const child: ChildProcess = spawn("node", ["-e", BLOCKED_LISTENER], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await withTimeout(
    new Promise<number>((resolve) => child.stdout!.once("data", (d) => resolve(Number(`${d}`)))),
    10000,
    "blocked listener",
  );
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 2; i++) {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        const s = net.connect({ host: "127.0.0.1", port }, resolve);
        s.on("error", reject);
        fillers.push(s);
      }),
      5000,
      "filling the accept queue",
    );
  }
  return {
    endpoint: `tcp://127.0.0.1:${port}`,
    close() {
      for (const s of fillers) s.destroy();
      child.kill("SIGKILL");
    },
  };
}

describe("connectTimeout", () => {
  let hang: { endpoint: string; close(): void };
  before(async () => {
    hang = await hangingEndpoint();
  });
  after(() => hang?.close());

  it("abandons a hanging connect: close (ETIMEDOUT), connect:retry, and again", async () => {
    const d = new Dealer({ connectTimeout: 100, reconnectInterval: 20 });
    const log = new EventLog(d);
    try {
      d.connect(hang.endpoint);
      await log.waitFor("close", 2);
      const closes = log.events.filter((e) => e.type === "close");
      for (const e of closes) {
        assert.equal(e.address, hang.endpoint);
        assert.equal(e.error?.code, "ETIMEDOUT");
        assert.match(e.error!.message, /timed out after 100 ms/);
      }
      assert.deepEqual(log.types().slice(0, 4), [
        "connect:delay",
        "close",
        "connect:retry",
        "connect:delay",
      ]);
      assert.equal(log.count("connect"), 0);
    } finally {
      d.close();
    }
  });

  it("without it (0, the OS's), the same connect is still pending meanwhile", async () => {
    const timed = new Dealer({ connectTimeout: 50, reconnectInterval: 10 });
    const untimed = new Dealer();
    const timedLog = new EventLog(timed);
    const untimedLog = new EventLog(untimed);
    try {
      untimed.connect(hang.endpoint);
      timed.connect(hang.endpoint);
      await timedLog.waitFor("close", 3);
      assert.deepEqual(untimedLog.types(), ["connect:delay"]);
    } finally {
      timed.close();
      untimed.close();
    }
  });

  it("can be set after connect: attempts that start afterwards use it", async () => {
    const d = new Dealer({ reconnectInterval: 10 });
    const log = new EventLog(d);
    try {
      d.connect(hang.endpoint); // no timeout: pending
      await log.waitFor("connect:delay");
      d.connectTimeout = 50;
      d.disconnect(hang.endpoint); // cancels the pending attempt
      d.connect(hang.endpoint);
      const e = await log.waitFor("close");
      assert.equal(e.error?.code, "ETIMEDOUT");
      assert.equal(log.count("connect:delay"), 2);
    } finally {
      d.close();
    }
  });

  it("a connect that completes in time is not disturbed", async () => {
    const pull = new Pull();
    const push = new Push({ connectTimeout: 1000 });
    const log = new EventLog(push);
    try {
      await pull.bind("tcp://127.0.0.1:*");
      push.connect(pull.lastEndpoint!);
      await push.send("hello");
      const [m] = await withTimeout(pull.receive());
      assert.equal(new TextDecoder().decode(m), "hello");
      await log.waitFor("handshake");
      assert.equal(log.count("close"), 0);
    } finally {
      push.close();
      pull.close();
    }
  });
});
