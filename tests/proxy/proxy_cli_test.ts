// SPDX-License-Identifier: MIT
/**
 * `zmqkit proxy` and `zmqkit broker` as processes: usage errors exit 2, an address in use
 * exits 1, a streamer steered over its control socket answers STATISTICS and ends with 0 on
 * TERMINATE after printing NDJSON statistics, and the Majordomo broker answers mmi.service.
 * They run the built binary (dist/zmqkit, built once if missing), as the cat tests do.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { decodeStatistics, Pull, Push, Request } from "../../mod.ts";
import { withTimeout } from "../_helpers/wait.ts";
import { bindEndpoint, text } from "./_proxy.ts";

import { BIN, ensureBinary, killAll, ROOT, statusAfterSignal } from "../cli/_cli.ts";
const W = 15_000;

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  code: Promise<number | null>;
}

describe("zmqkit proxy / broker commands", () => {
  before(() => ensureBinary());
  after(() => killAll());

  function run(args: string[]): Run {
    const child = spawn(BIN, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const r: Run = {
      child,
      stdout: "",
      stderr: "",
      code: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
    };
    child.stdout!.on("data", (d) => r.stdout += d);
    child.stderr!.on("data", (d) => r.stderr += d);
    return r;
  }

  async function waitFor(r: Run, re: RegExp): Promise<void> {
    const poll = async () => {
      while (!re.test(r.stderr)) {
        if (r.child.exitCode !== null) throw new Error(`exited early: ${r.stderr}`);
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    await withTimeout(poll(), W, `stderr matching ${re}`);
  }

  it("usage errors exit 2 with one line", async () => {
    for (
      const args of [
        ["proxy", "tunnel", "tcp://*:1", "tcp://*:2"],
        ["proxy", "queue", "nowhere", "tcp://*:2"],
        ["proxy", "--frontend", "zork@tcp://*:1", "--backend", "pull@tcp://*:2"],
        ["proxy", "--frontend", "router@tcp://*:1"],
        ["broker", "mdp", "tcp://*:1", "tcp://*:2"],
      ]
    ) {
      const r = run(args);
      assert.equal(await withTimeout(r.code, W, args.join(" ")), 2, args.join(" "));
      assert.match(r.stderr, /^zmqkit: .+\n$/);
    }
  });

  it("an address in use exits 1", async () => {
    const holder = new Pull({ linger: 0 });
    await holder.bind("tcp://127.0.0.1:*");
    try {
      const r = run(["proxy", "streamer", holder.lastEndpoint!, "tcp://127.0.0.1:*"]);
      assert.equal(await withTimeout(r.code, W, "exit"), 1);
      assert.match(r.stderr, /EADDRINUSE/);
    } finally {
      holder.close();
    }
  });

  it("streamer with --control and --stats --json: STATISTICS, then TERMINATE exits 0", async () => {
    const front = bindEndpoint("ipc", "cli-front"), back = bindEndpoint("ipc", "cli-back");
    const control = bindEndpoint("ipc", "cli-control");
    const r = run([
      "proxy",
      "streamer",
      front,
      back,
      "--control",
      control,
      "--stats",
      "60",
      "--json",
    ]);
    const push = new Push({ linger: 0 }), pull = new Pull({ linger: 0, receiveTimeout: W });
    const req = new Request({ linger: 0, receiveTimeout: W });
    try {
      await waitFor(r, /control: rep bound/);
      push.connect(front);
      pull.connect(back);
      req.connect(control);
      for (let i = 0; i < 5; i++) await push.send([`m${i}`, "x"]);
      for (let i = 0; i < 5; i++) assert.equal(text((await pull.receive())[0]!), `m${i}`);
      await req.send("STATISTICS");
      const stats = decodeStatistics(await req.receive());
      assert.deepEqual(stats, [10, 15, 0, 0, 0, 0, 10, 15]);
      await req.send("TERMINATE");
      assert.equal((await req.receive())[0]!.length, 0);
      assert.equal(await withTimeout(r.code, W, "exit after TERMINATE"), 0);
      const last = JSON.parse(r.stdout.trim().split("\n").pop()!);
      assert.equal(last.frontend.received.messages, 5);
      assert.equal(last.backend.sent.bytes, 15);
    } finally {
      r.child.kill("SIGKILL");
      for (const s of [push, pull, req]) s.close();
    }
  });

  it("broker mdp answers mmi.service", async () => {
    const ep = bindEndpoint("ipc", "cli-mdp");
    const r = run(["broker", "mdp", ep, "--heartbeat", "200"]);
    const req = new Request({ linger: 0, receiveTimeout: W });
    try {
      await waitFor(r, /broker: router bound/);
      req.connect(ep);
      await req.send(["MDPC01", "mmi.service", "echo"]);
      assert.deepEqual((await req.receive()).map(text), ["MDPC01", "mmi.service", "404"]);
    } finally {
      r.child.kill("SIGKILL");
      req.close();
    }
  });

  it("ends on SIGINT with 130 and on SIGTERM with 143, even right after binding", async () => {
    for (const [signal, code] of [["INT", 130], ["TERM", 143]] as const) {
      const path = bindEndpoint("ipc", "cli-sig").slice("ipc://".length);
      const proxy = ["proxy", "streamer", `ipc://${path}-a`, `ipc://${path}`];
      assert.equal(await statusAfterSignal(proxy, path, signal), `status=${code}`, "proxy");
      const broker = ["broker", "mdp", `ipc://${path}-m`];
      assert.equal(await statusAfterSignal(broker, `${path}-m`, signal), `status=${code}`);
    }
  });
});
