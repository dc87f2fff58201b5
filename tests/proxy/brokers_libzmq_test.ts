// SPDX-License-Identifier: MIT
/**
 * zmqkit's brokers with libzmq peers: the load-balancing broker between REQ clients and REQ
 * workers, and the Majordomo broker with MDP/0.1 clients and workers written on zeromq.js
 * (tests/proxy/mdp_peer.mjs): service dispatch, mmi.service, and a worker killed
 * mid-request that heartbeating detects, after which the client's retry is served by
 * another worker.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { LoadBalancingBroker, MajordomoBroker, Router } from "../../mod.ts";
import { LibzmqPeer, type Side } from "../_helpers/peers.ts";
import { withTimeout } from "../_helpers/wait.ts";
import { bindEndpoint, bytes, serve, text, TRANSPORTS } from "./_proxy.ts";

const W = 15_000;
const SCRIPT = fileURLToPath(new URL("./mdp_peer.mjs", import.meta.url));

/** A node process running mdp_peer.mjs, its stdout as JSON lines. */
class Node {
  child: ChildProcess;
  lines: Record<string, unknown>[] = [];
  #waiters: (() => void)[] = [];
  exited: Promise<number | null>;
  constructor(args: string[]) {
    this.child = spawn(process.env.ZMQKIT_NODE ?? "node", [SCRIPT, ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let buf = "";
    this.child.stdout!.setEncoding("utf8");
    this.child.stdout!.on("data", (chunk: string) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        this.lines.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
        for (const w of this.#waiters.splice(0)) w();
      }
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }
  /** The first line (past or future) for which `pred` holds. */
  async line(pred: (l: Record<string, unknown>) => boolean, what: string) {
    const find = async () => {
      for (;;) {
        const l = this.lines.find(pred);
        if (l) return l;
        await new Promise<void>((r) => this.#waiters.push(r));
      }
    };
    return await withTimeout(find(), W, what);
  }
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
    this.child.stdout!.destroy();
  }
}

/** Polls `cond` every 20 ms until it holds, for at most W ms. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const poll = async () => {
    while (!cond()) await new Promise((r) => setTimeout(r, 20));
  };
  await withTimeout(poll(), W, what);
}

describe("brokers with libzmq peers", () => {
  let peer: LibzmqPeer;
  before(async () => {
    peer = await LibzmqPeer.start();
  });
  after(async () => {
    await peer.stop();
  });

  for (const t of TRANSPORTS) {
    it(`load-balancing broker over ${t}: REQ clients, REQ workers announcing READY`, async () => {
      const front = new Router({ linger: 0 });
      const back = new Router({ linger: 0 });
      await front.bind(bindEndpoint(t, "lbf"));
      await back.bind(bindEndpoint(t, "lbb"));
      const broker = new LoadBalancingBroker(front, back);
      const running = broker.run();
      const sides: Side[] = [];
      try {
        for (const tag of ["w1", "w2", "w3"]) {
          const w = await peer.socket("REQ");
          sides.push(w);
          await w.connect(back.lastEndpoint!);
          await w.send([bytes("READY")]);
          await serve(peer, w, tag);
        }
        const clients: Side[] = [];
        for (let c = 0; c < 3; c++) {
          const s = await peer.socket("REQ");
          sides.push(s);
          clients.push(s);
          await s.connect(front.lastEndpoint!);
        }
        const tags = new Set<string>();
        await withTimeout(
          Promise.all(clients.map(async (s, c) => {
            for (let i = 0; i < 8; i++) {
              await s.send([bytes(`c${c}-${i}`)]);
              const reply = await s.receive(W);
              assert.equal(text(reply[0]!), `c${c}-${i}`);
              assert.equal(reply.length, 2);
              tags.add(text(reply[1]!));
            }
          })),
          W,
          "requests through the broker",
        );
        const st = broker.statistics();
        assert.equal(st.requests, 24);
        assert.equal(st.replies, 24);
        assert.equal(st.workersSeen, 3);
        assert.ok(tags.size >= 1);
      } finally {
        broker.terminate();
        await running;
        for (const s of sides) await s.close();
        front.close();
        back.close();
      }
    });
  }

  for (const t of TRANSPORTS) {
    it(`majordomo over ${t}: dispatch, mmi.service, a dead worker's request retried elsewhere`, async () => {
      const router = new Router({ linger: 0 });
      await router.bind(bindEndpoint(t, "mdp"));
      const ep = router.lastEndpoint!;
      const broker = new MajordomoBroker(router, { heartbeatInterval: 100, liveness: 3 });
      const running = broker.run();
      const procs: Node[] = [];
      const start = (args: string[]) => {
        const n = new Node(args);
        procs.push(n);
        return n;
      };
      const echoWorkers = () =>
        broker.statistics().services.find((s) => s.name === "echo")?.workers;
      try {
        const a = start(["worker", ep, "echo", "A", "100", "hang"]);
        await a.line((l) => l.event === "ready", "worker A ready");
        await until(() => echoWorkers() === 1, "broker registers worker A");

        const mmi = start(["client", ep, "mmi.service", "2000", "3", "echo"]);
        assert.deepEqual((await mmi.line((l) => "reply" in l, "mmi reply")).reply, [
          "MDPC01",
          "mmi.service",
          "200",
        ]);
        const other = start(["client", ep, "mmi.nothing", "2000", "3", "x"]);
        assert.deepEqual((await other.line((l) => "reply" in l, "mmi 501")).reply, [
          "MDPC01",
          "mmi.nothing",
          "501",
        ]);

        const client = start(["client", ep, "echo", "500", "40", "hello", "world"]);
        const req = await a.line((l) => l.event === "request", "worker A takes the request");
        assert.deepEqual(req.body, ["hello", "world"]);
        await a.kill(); // mid-request: no reply, no more heartbeats

        await until(() => echoWorkers() === 0, "heartbeat expiry forgets worker A");
        assert.ok(broker.statistics().expired >= 1);
        const gone = start(["client", ep, "mmi.service", "2000", "3", "echo"]);
        assert.deepEqual((await gone.line((l) => "reply" in l, "mmi 404")).reply, [
          "MDPC01",
          "mmi.service",
          "404",
        ]);

        const b = start(["worker", ep, "echo", "B", "100"]);
        await b.line((l) => l.event === "ready", "worker B ready");
        const done = await client.line((l) => "reply" in l, "the client's retry is served");
        assert.deepEqual(done.reply, ["MDPC01", "echo", "hello", "world", "B"]);
        assert.ok((done.attempts as number) >= 2, "served on a retry");
        assert.equal(await withTimeout(client.exited, W, "client exit"), 0);
      } finally {
        for (const p of procs) await p.kill();
        broker.terminate();
        await running;
        router.close();
      }
    });
  }
});
