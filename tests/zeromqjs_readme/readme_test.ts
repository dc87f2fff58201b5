// SPDX-License-Identifier: MIT
/**
 * The zeromq.js v6 README's examples (push/pull, pub/sub, req/rep), run on zmqkit. The six .js
 * files beside this one are the README's code blocks with one change, the import line
 * (`"zeromq"` → `"zmqkit/zeromq"`, the drop-in entry whose frames are Buffers), which the first
 * test checks against node_modules/zeromq/README.md. It resolves to zeromq.ts on Deno
 * (deno.json `imports`) and Bun (package.json `exports`, condition `bun`), and to
 * build/zeromq.js on Node (`import`; scripts/test_node.mjs builds it).
 *
 * The examples loop forever on the README's fixed port 3000, so each pair runs as two child
 * processes of this runtime, killed once the expected lines have appeared (about a second).
 * The lines expected are zeromq.js's own output, recorded under Node; the last test checks
 * that client.js, as with zeromq.js, ends by itself once it has printed its answer.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";

const here = dirname(fileURLToPath(import.meta.url));
/** The checkout (this file also runs compiled, from build/.test/tests/zeromqjs_readme). */
const root = join(here, "..", "..").replace(/[\\/]build[\\/]\.test$/, "");
const dir = join(root, "tests", "zeromqjs_readme");
const PORT = 3000;
const WAIT_MS = 15_000;

const versions = process.versions as Record<string, string | undefined>;
const runtime = versions.deno ? "deno" : versions.bun ? "bun" : "node";

class Child {
  readonly proc: ChildProcess;
  out = "";
  exited: Promise<number | null>;
  constructor(name: string) {
    const file = join(dir, `${name}.js`);
    const args = runtime === "deno" ? ["run", "-A", file] : [file];
    this.proc = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    this.proc.stdout!.on("data", (b: Uint8Array) => this.out += new TextDecoder().decode(b));
    this.proc.stderr!.on("data", (b: Uint8Array) => this.out += new TextDecoder().decode(b));
    this.exited = new Promise((resolve) => this.proc.on("exit", (code) => resolve(code)));
  }
  /** Resolves once `done(output)` holds; rejects with the output so far after WAIT_MS. */
  async until(done: (out: string) => boolean, what: string): Promise<string> {
    const start = Date.now();
    while (!done(this.out)) {
      if (Date.now() - start > WAIT_MS || this.proc.exitCode !== null) {
        throw new Error(`no ${what} within ${WAIT_MS} ms; output:\n${this.out}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.out;
  }
  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
    await this.exited;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ host: "127.0.0.1", port }, () => srv.close(() => resolve(true)));
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Starts the bound side of a pair, then the connecting one, once port 3000 listens. */
async function pair(binder: string, connecter: string): Promise<[Child, Child]> {
  const start = Date.now();
  while (!(await portFree(PORT))) {
    if (Date.now() - start > 5000) throw new Error(`port ${PORT} (the README's) stays in use`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const a = new Child(binder);
  running.push(a);
  while (!(await listening(PORT))) {
    if (Date.now() - start > WAIT_MS || a.proc.exitCode !== null) {
      throw new Error(`${binder}.js did not bind port ${PORT}; output:\n${a.out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const b = new Child(connecter);
  running.push(b);
  return [a, b];
}

const running: Child[] = [];
async function stopAll(): Promise<void> {
  await Promise.all(running.splice(0).map((c) => c.stop()));
}

/** Bytes printed by console.log: a Buffer (`<Buffer 6b 69>`), a Uint8Array, or plain text. */
function printedText(s: string): string {
  const t = s.trim();
  const buf = /^<Buffer ([0-9a-f ]*)>$/.exec(t);
  if (buf) {
    return String.fromCharCode(...buf[1]!.split(" ").filter(Boolean).map((h) => parseInt(h, 16)));
  }
  const u8 = /^(?:Buffer|Uint8Array)\(\d+\)(?: \[Uint8Array\])? \[([\d,\s]*)\]$/.exec(t);
  if (u8) return String.fromCharCode(...u8[1]!.split(/[,\s]+/).filter(Boolean).map(Number));
  return t;
}

const count = (s: string, needle: string): number => s.split(needle).length - 1;

describe(`zeromq.js README examples on zmqkit (${runtime})`, () => {
  after(stopAll);

  it("each example is the README's code but for the import line", () => {
    const md = readFileSync(join(root, "node_modules", "zeromq", "README.md"), "utf8");
    for (const name of ["producer", "worker", "publisher", "subscriber", "client", "server"]) {
      const block = new RegExp("#### `" + name + "\\.js`[\\s\\S]*?```js\\n([\\s\\S]*?)```").exec(
        md,
      );
      assert.ok(block, `${name}.js is in the README`);
      const ours = readFileSync(join(dir, `${name}.js`), "utf8");
      assert.equal(
        ours.replace('import * as zmq from "zmqkit/zeromq"', 'import * as zmq from "zeromq"'),
        block[1],
        `${name}.js`,
      );
    }
  });

  it("push/pull: the worker prints the producer's work", async () => {
    try {
      const [producer, worker] = await pair("producer", "worker");
      const out = await worker.until((o) => count(o, "work: ") >= 3, "three work lines");
      assert.match(producer.out, /^Producer bound to port 3000\n/);
      const lines = out.trim().split("\n");
      assert.equal(lines[0], "Worker connected to port 3000");
      // as with zeromq.js: frames are Buffers, whose toString() is their text
      assert.deepEqual(lines.slice(1, 3), ["work: some work", "work: some work"]);
    } finally {
      await stopAll();
    }
  });

  it("pub/sub: the subscriber gets 'kitty cats' / 'meow!' messages", async () => {
    try {
      const [publisher, subscriber] = await pair("publisher", "subscriber");
      const out = await subscriber.until(
        (o) => count(o, "received a message related to:") >= 3,
        "three received messages",
      );
      assert.match(publisher.out, /^Publisher bound to port 3000\nsending a multipart/);
      assert.match(out, /^Subscriber connected to port 3000\n/);
      // the last one may still be printing: check the first two
      const messages = out.split("received a message related to:").slice(1, 3);
      for (const m of messages) {
        const [topic, body] = m.split("containing message:");
        assert.equal(printedText(topic!), "kitty cats");
        assert.equal(printedText(body!), "meow!");
      }
    } finally {
      await stopAll();
    }
  });

  it("req/rep: the client prints the server's answer", async () => {
    try {
      const [, client] = await pair("server", "client");
      const out = await client.until(
        (o) => o.endsWith("\n") && o.split("\n").length >= 3,
        "the answer",
      );
      const [first, ...rest] = out.split("\n");
      assert.equal(first, "Producer bound to port 3000"); // sic, the README's text
      // server.js answers 2 * parseInt(msg.toString(), 10): 8 for "4", as with zeromq.js
      assert.equal(printedText(rest.join("\n")), "8");
      assert.match(rest.join("\n"), /^<Buffer 38>/, "printed as zeromq.js prints a Buffer");
    } finally {
      await stopAll();
    }
  });

  it(
    "as with zeromq.js: client.js exits by itself once it has printed",
    async () => {
      try {
        const [, client] = await pair("server", "client");
        const code = await Promise.race([
          client.exited,
          new Promise((r) => setTimeout(() => r("still running"), 3000)),
        ]);
        assert.equal(code, 0);
      } finally {
        await stopAll();
      }
    },
  );
});
