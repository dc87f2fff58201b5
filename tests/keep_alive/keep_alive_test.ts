// SPDX-License-Identifier: MIT
/**
 * What keeps a zmqkit program alive, as with zeromq.js: an open socket alone does not (its
 * connections, listeners, heartbeat and reconnect timers), a send or receive waiting does,
 * and a closed socket does until what it queued is delivered (linger). Each case is a child
 * process of this runtime (_child.ts) that ends without process.exit.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Pull, Push, Reply } from "../../mod.ts";
import { withTimeout } from "../_helpers/wait.ts";

const child = join(dirname(fileURLToPath(import.meta.url)), "_child.ts");
const isDeno = (process.versions as Record<string, string | undefined>).deno !== undefined;

interface Run {
  proc: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function run(...args: string[]): Run {
  const argv = isDeno ? ["run", "-A", child, ...args] : [child, ...args];
  const proc = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (b: Uint8Array) => out += new TextDecoder().decode(b));
  proc.stderr!.on("data", (b: Uint8Array) => out += new TextDecoder().decode(b));
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  return { proc, out: () => out, exited };
}

/** Waits for the child to end by itself (killed, and failed, after 20 s). */
async function ends(r: Run): Promise<void> {
  try {
    const code = await withTimeout(r.exited, 20_000, "the child to end by itself");
    assert.equal(code, 0, r.out());
  } finally {
    if (r.proc.exitCode === null) r.proc.kill("SIGKILL");
  }
}

async function line(r: Run, re: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 2000; i++) {
    const m = re.exec(r.out());
    if (m) return m;
    if (r.proc.exitCode !== null) break;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`no ${re} in the child's output: ${r.out()}`);
}

describe("keeping the process alive", () => {
  it("an open socket with nothing waiting does not (nor heartbeats, nor reconnects)", async () => {
    const r = run("idle");
    await ends(r);
    assert.match(r.out(), /idle: done/);
  });

  it("a receive waiting does, until its message comes", async () => {
    const r = run("waiting");
    const [, endpoint] = await line(r, /bound (\S+)/);
    await using push = new Push();
    push.connect(endpoint!);
    await push.send("hello");
    await ends(r);
    assert.match(r.out(), /got hello/);
  });

  it("a request waiting for its reply does, and the reply ends it", async () => {
    await using rep = new Reply();
    await rep.bind("tcp://127.0.0.1:*");
    const r = run("request", rep.lastEndpoint!);
    const [req] = await withTimeout(rep.receive(), 20_000, "the request");
    assert.equal(new TextDecoder().decode(req), "ping");
    await rep.send("pong");
    await ends(r);
    assert.match(r.out(), /reply pong/);
  });

  it("an event listener does until the socket is closed, as zeromq.js's observer", async () => {
    await using pull = new Pull();
    await pull.bind("tcp://127.0.0.1:*");
    const r = run("events", pull.lastEndpoint!);
    await ends(r);
    assert.match(r.out(), /events: handshake/);
  });

  it("a closed socket does until what it queued is delivered (linger)", async () => {
    await using pull = new Pull();
    await pull.bind("tcp://127.0.0.1:*");
    const r = run("linger", pull.lastEndpoint!);
    for (let i = 0; i < 1000; i++) {
      const [m] = await withTimeout(pull.receive(), 20_000, `message ${i}`);
      assert.equal(new TextDecoder().decode(m), `m${i}`);
    }
    await ends(r);
  });
});
