// `zmqkit bench thr|lat` halves against libzmq's perf tools, with zeromq.js (libzmq 4.3.5
// under Node, bench/peers/zmqjs_perf.mjs) playing local_thr/remote_thr/local_lat/remote_lat.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { withTimeout } from "../_helpers/wait.ts";
import { openLatClient, openLatServer } from "../../lib/internal.ts";
import { openThrReceiver, openThrSender } from "../../lib/internal.ts";
import { thrLines } from "../../lib/internal.ts";

const SCRIPT = fileURLToPath(new URL("../../bench/peers/zmqjs_perf.mjs", import.meta.url));
const DEADLINE = 30_000;

interface Peer {
  child: ChildProcess;
  /** Resolves with everything printed on stdout once the process has exited with code 0. */
  done: Promise<string>;
  /** The endpoint a bound half prints as "bound <endpoint>" on stderr. */
  bound: Promise<string>;
}

function peer(tool: string, endpoint: string, size: number, count: number): Peer {
  const node = process.env.ZMQKIT_NODE ?? "node";
  const child = spawn(node, [SCRIPT, tool, endpoint, String(size), String(count)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "", err = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (s: string) => (out += s));
  let onBound: (ep: string) => void = () => {};
  const bound = new Promise<string>((resolve) => (onBound = resolve));
  child.stderr!.on("data", (s: string) => {
    err += s;
    const m = /bound (\S+)/.exec(err);
    if (m) onBound(m[1]!);
  });
  const done = new Promise<string>((resolve, reject) => {
    child.once(
      "exit",
      (code) =>
        code === 0 ? resolve(out) : reject(new Error(`${tool} exited ${code}: ${err}${out}`)),
    );
  });
  return { child, done, bound };
}

async function finish(p: Peer, what: string): Promise<string> {
  try {
    return await withTimeout(p.done, DEADLINE, what);
  } finally {
    if (p.child.exitCode === null) p.child.kill("SIGKILL");
  }
}

describe("bench halves interoperate with libzmq's perf tools (zeromq.js)", () => {
  it("our thr --bind half (local_thr) counts a libzmq remote_thr PUSH", async () => {
    const rx = await openThrReceiver({
      endpoint: "tcp://127.0.0.1:*",
      bind: true,
      size: 100,
      count: 20_000,
    });
    const tx = peer("remote_thr", rx.endpoint, 100, 20_000);
    const r = await withTimeout(rx.run(), DEADLINE, "receiving 20000 messages");
    await finish(tx, "remote_thr exit");
    assert.equal(r.count, 20_000);
    assert.equal(r.size, 100);
    assert.ok(r.msgsPerSec > 0 && r.elapsedUs > 0);
    const lines = thrLines(r);
    assert.equal(lines[0], "message size: 100 [B]");
    assert.equal(lines[1], "message count: 20000");
    assert.match(lines[2]!, /^mean throughput: \d+ \[msg\/s\]$/);
    assert.match(lines[3]!, /^mean throughput: \d+\.\d{3} \[Mb\/s\]$/);
  });

  it("our thr --connect half (remote_thr) feeds a libzmq local_thr PULL", async () => {
    const rx = peer("local_thr", "tcp://127.0.0.1:*", 300, 20_000);
    const ep = await withTimeout(rx.bound, DEADLINE, "local_thr bind");
    const tx = await openThrSender({ endpoint: ep, bind: false, size: 300, count: 20_000 });
    const sent = await withTimeout(tx.run(), DEADLINE, "sending 20000 messages");
    assert.equal(sent.sent, 20_000);
    const out = await finish(rx, "local_thr result");
    assert.match(out, /^message size: 300 \[B\]$/m);
    assert.match(out, /^message count: 20000$/m);
    assert.match(out, /^mean throughput: \d+ \[msg\/s\]$/m);
    assert.doesNotMatch(out, /incorrect size/);
  });

  it("our lat --connect half (remote_lat) times a libzmq local_lat REP", async () => {
    const server = peer("local_lat", "tcp://127.0.0.1:*", 1, 500);
    const ep = await withTimeout(server.bound, DEADLINE, "local_lat bind");
    const client = await openLatClient({ endpoint: ep, bind: false, size: 1, count: 500 });
    const r = await withTimeout(client.run(), DEADLINE, "500 round trips");
    await finish(server, "local_lat exit");
    assert.equal(r.roundTrips, 500);
    assert.equal(r.samplesUs.length, 500);
    assert.ok(r.averageUs > 0);
  });

  it("our lat --bind half (local_lat) echoes for a libzmq remote_lat REQ", async () => {
    const server = await openLatServer({
      endpoint: "tcp://127.0.0.1:*",
      bind: true,
      size: 64,
      count: 500,
    });
    const client = peer("remote_lat", server.endpoint, 64, 500);
    const served = await withTimeout(server.run(), DEADLINE, "echoing 500 round trips");
    assert.equal(served.roundTrips, 500);
    const out = await finish(client, "remote_lat result");
    assert.match(out, /^message size: 64 \[B\]$/m);
    assert.match(out, /^roundtrip count: 500$/m);
    assert.match(out, /^average latency: \d+\.\d{3} \[us\]$/m);
  });
});
