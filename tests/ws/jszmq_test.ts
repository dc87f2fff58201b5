// SPDX-License-Identifier: MIT
/**
 * zmqkit against jszmq over ws:// — an independent ZWS 2.0 implementation (on the `ws`
 * package) that speaks only the bare `ZWS2.0` subprotocol: no handshake, each side's first
 * message is its routing id. jszmq runs under Node in a child (tests/_helpers/jszmq_peer.mjs).
 * Both roles of REQ/REP (as a client zmqkit offers `ZWS2.0/NULL,ZWS2.0` and jszmq's server
 * picks the first but then speaks bare ZWS2.0; as a server zmqkit must pick `ZWS2.0`),
 * multipart messages with a frame over 65535 bytes and an empty frame, and PUB → SUB.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Publisher, Reply, Request, Router, type SocketEvent } from "../../mod.ts";
import { freePort } from "../_helpers/ports.ts";

const WAIT = 10_000;
const BIG = 70_000;

/** The peer script (tests/_helpers/, which the Node build copies beside the compiled tests). */
const PEER_SCRIPT = fileURLToPath(new URL("../_helpers/jszmq_peer.mjs", import.meta.url));

/** A jszmq child process and the lines it prints. */
class JsPeer {
  readonly lines: string[] = [];
  #child: ChildProcess;
  #exited: Promise<void>;
  #out = "";
  #err = "";

  constructor(...args: string[]) {
    const node = process.env.ZMQKIT_NODE ?? "node";
    this.#child = spawn(node, [PEER_SCRIPT, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    this.#exited = new Promise((resolve) => this.#child.once("exit", () => resolve()));
    this.#child.stdout!.setEncoding("utf8");
    this.#child.stdout!.on("data", (chunk: string) => {
      this.#out += chunk;
      let nl: number;
      while ((nl = this.#out.indexOf("\n")) >= 0) {
        this.lines.push(this.#out.slice(0, nl));
        this.#out = this.#out.slice(nl + 1);
      }
    });
    this.#child.stderr!.setEncoding("utf8");
    this.#child.stderr!.on("data", (chunk: string) => this.#err += chunk);
  }

  /** The first line matching `re`, waiting up to WAIT ms for it. */
  async line(re: RegExp, what: string): Promise<string> {
    const end = Date.now() + WAIT;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit !== undefined) return hit;
      if (Date.now() > end) {
        throw new Error(
          `jszmq peer: no ${what} within ${WAIT} ms; printed ${
            JSON.stringify(this.lines)
          }, stderr ${JSON.stringify(this.#err)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    this.#child.stdin!.end();
    this.#child.kill();
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 3000);
    await this.#exited;
    clearTimeout(timer);
  }
}

/** 70000 bytes, byte i = (i * step) % 251 (step 1 is what the jszmq dealer sends). */
function big(n: number, step = 1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * step) % 251;
  return b;
}

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

/** Records the events that mean something went wrong with a peer. */
function failures(sock: { events: { on(t: string, l: (e: SocketEvent) => void): void } }) {
  const seen: SocketEvent[] = [];
  for (const t of ["handshake:error:protocol", "handshake:error:other", "disconnect"]) {
    sock.events.on(t, (e) => seen.push(e));
  }
  return seen;
}

const opts = { receiveTimeout: WAIT, sendTimeout: WAIT, linger: 0 };

describe("interop with jszmq over ws:// (bare ZWS2.0)", () => {
  it("jszmq REP binds, zmqkit REQ connects: 3 round trips", async () => {
    const port = await freePort();
    const peer = new JsPeer("rep-bind", String(port));
    const req = new Request(opts);
    const bad = failures(req);
    try {
      await peer.line(/^ready$/, "ready line");
      // zmqkit offers ZWS2.0/NULL,ZWS2.0; `ws` picks the first, jszmq then speaks bare ZWS2.0
      req.connect(`ws://127.0.0.1:${port}`);
      for (let i = 0; i < 3; i++) {
        await req.send(`hello ${i}`);
        const reply = await req.receive();
        assert.deepEqual(reply.map(text), [`jszmq:hello ${i}`]);
      }
      assert.deepEqual(bad, []);
    } finally {
      req.close();
      await peer.stop();
    }
  });

  it("zmqkit REP binds, jszmq REQ connects (offering only ZWS2.0): 3 round trips", async () => {
    const rep = new Reply(opts);
    const bad = failures(rep);
    let peer: JsPeer | undefined;
    try {
      await rep.bind("ws://127.0.0.1:0");
      peer = new JsPeer("req-connect", rep.lastEndpoint!, "3");
      for (let i = 0; i < 3; i++) {
        const [request] = await rep.receive();
        assert.equal(text(request), `req ${i}`);
        await rep.send(`zmqkit:${text(request)}`);
      }
      await peer.line(/^done$/, "the third reply");
      assert.deepEqual(peer.lines.filter((l) => l.startsWith("reply ")), [
        "reply zmqkit:req 0",
        "reply zmqkit:req 1",
        "reply zmqkit:req 2",
      ]);
      assert.deepEqual(bad, []);
    } finally {
      await peer?.stop();
      rep.close();
    }
  });

  it("jszmq DEALER ↔ zmqkit ROUTER: multipart with a 70000-byte frame and an empty one", async () => {
    const router = new Router(opts);
    const bad = failures(router);
    let peer: JsPeer | undefined;
    try {
      await router.bind("ws://127.0.0.1:0");
      peer = new JsPeer("dealer-connect", router.lastEndpoint!);
      // jszmq → zmqkit: a 64-bit WebSocket length, masked (client to server)
      const [id, a, empty, hello, ...rest] = await router.receive();
      assert.equal(rest.length, 0);
      assert.ok(id && id.length > 0, "a generated routing id");
      assert.equal(a!.length, BIG);
      assert.deepEqual(a, big(BIG));
      assert.equal(empty!.length, 0);
      assert.equal(text(hello), "hello");
      // zmqkit → jszmq (unmasked) and back: jszmq echoes with "jszmq" appended
      const out = big(BIG + 1, 7);
      await router.send([id!, out, new Uint8Array(0), "x"]);
      const echo = await router.receive();
      assert.equal(echo.length, 5);
      assert.deepEqual(echo[0], id);
      assert.deepEqual(echo[1], out);
      assert.equal(echo[2]!.length, 0);
      assert.deepEqual(echo.slice(3).map(text), ["x", "jszmq"]);
      await peer.line(new RegExp(`^got 3 ${BIG + 1},0,1$`), "jszmq's report of what it got");
      assert.deepEqual(bad, []);
    } finally {
      await peer?.stop();
      router.close();
    }
  });

  it("jszmq SUB ↔ zmqkit PUB: the subscription travels as a message, filtering holds", async () => {
    const pub = new Publisher(opts);
    const bad = failures(pub);
    let peer: JsPeer | undefined;
    try {
      await pub.bind("ws://127.0.0.1:0");
      peer = new JsPeer("sub-connect", pub.lastEndpoint!, "news");
      await peer.line(/^ready$/, "ready line");
      // publish until the subscription (a `\x01news` message) has reached us and takes effect
      const end = Date.now() + WAIT;
      let n = 0;
      while (!peer.lines.some((l) => l.startsWith("got "))) {
        if (Date.now() > end) throw new Error(`no message reached jszmq: ${peer.lines}`);
        await pub.send(["other", `o${n}`]);
        await pub.send(["news", `n${n}`, big(BIG)]);
        n++;
        await new Promise((r) => setTimeout(r, 50));
      }
      await pub.send(["other", "last"]);
      await pub.send(["news", "last", new Uint8Array(0)]);
      await peer.line(/^got 3 4,4,0 news$/, "the last news");
      const got = peer.lines.filter((l) => l.startsWith("got "));
      assert.ok(got.every((l) => / news$/.test(l)), JSON.stringify(got));
      assert.match(got[0]!, new RegExp(`^got 3 4,\\d+,${BIG} news$`));
      assert.deepEqual(bad, []);
    } finally {
      await peer?.stop();
      pub.close();
    }
  });
});
