// SPDX-License-Identifier: MIT
/**
 * PLAIN and CURVE handshake decoding for `zmqkit dump`: against real libzmq bytes (a
 * zeromq.js client and server under Node, talking through a node:net relay in this test
 * that records both directions). The §8.2 vectors, malformed bodies and fuzzing are in
 * security_vectors_test.ts.
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { connect, createServer, type Server, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { z85Decode, z85Encode } from "../../../lib/internal.ts";
import { curvePublicKey } from "../../../lib/internal.ts";
import { CurveDecoder, isCurveMessage } from "../../../lib/internal.ts";
import { describePlain, libzmqPlainError } from "../../../lib/internal.ts";
import type { JsonValue, Side } from "../../../lib/internal.ts";
import { withTimeout } from "../../_helpers/wait.ts";

const PEER = fileURLToPath(new URL("../../_helpers/capture_peer.mjs", import.meta.url));
const dec = new TextDecoder();
const unhex = (s: string) =>
  new Uint8Array((s.replace(/\s+/g, "").match(/../g) ?? []).map((b) => parseInt(b, 16)));
const randomKey = () => crypto.getRandomValues(new Uint8Array(32));

// ---------------------------------------------------------------- capture through a relay

interface Capture {
  /** Bytes the client sent (towards the server), and the server's. */
  c2s: Uint8Array;
  s2c: Uint8Array;
  result: Record<string, JsonValue>;
  keyPair: { publicKey: string; secretKey: string };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) out.set(c, (o += c.length) - c.length);
  return out;
}

/** Runs capture_peer.mjs with `config`, its client reaching its server through a relay. */
async function capture(config: Record<string, string>): Promise<Capture> {
  const child: ChildProcess = spawn("node", [PEER, JSON.stringify(config)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  let wake: (() => void) | null = null;
  lines.on("line", (l) => {
    queue.push(l);
    wake?.();
  });
  const nextLine = async (): Promise<Record<string, JsonValue>> => {
    while (queue.length === 0) await new Promise<void>((r) => wake = r);
    return JSON.parse(queue.shift()!);
  };
  const c2s: Uint8Array[] = [];
  const s2c: Uint8Array[] = [];
  const open: Socket[] = [];
  let relay: Server | null = null;
  try {
    const first = await withTimeout(nextLine(), 15000, "capture_peer endpoint");
    const port = Number(String(first.endpoint).split(":").pop());
    relay = createServer((down) => {
      const up = connect(port, "127.0.0.1");
      open.push(down, up);
      down.on("data", (d: Uint8Array) => {
        c2s.push(new Uint8Array(d));
        up.write(d);
      });
      up.on("data", (d: Uint8Array) => {
        s2c.push(new Uint8Array(d));
        down.write(d);
      });
      const end = () => {
        down.destroy();
        up.destroy();
      };
      down.on("close", end).on("error", end);
      up.on("close", end).on("error", end);
    });
    await new Promise<void>((r) => relay!.listen(0, "127.0.0.1", r));
    const address = relay.address();
    const relayPort = typeof address === "object" && address !== null ? address.port : 0;
    child.stdin!.write(`tcp://127.0.0.1:${relayPort}\n`);
    const result = await withTimeout(nextLine(), 20000, "capture_peer result");
    assert.equal(result.done, true, JSON.stringify(result));
    await withTimeout(exited, 10000, "capture_peer exit");
    return {
      c2s: concat(c2s),
      s2c: concat(s2c),
      result,
      keyPair: first.keyPair as Capture["keyPair"],
    };
  } finally {
    child.stdin!.end();
    lines.close();
    if (child.exitCode === null) child.kill();
    for (const s of open) s.destroy();
    if (relay) await new Promise<void>((r) => relay!.close(() => r()));
  }
}

interface Frame {
  command: boolean;
  body: Uint8Array;
  /** Command name and the data after it; null name for a body whose name overruns it. */
  name: string | null;
  data: Uint8Array;
}

/** Cuts one direction's ZMTP 3 stream: 64-byte greeting, then frames. */
function cut(stream: Uint8Array): { mechanism: string; frames: Frame[] } {
  assert.ok(stream.length >= 64, `stream of ${stream.length} bytes has no greeting`);
  const mechanism = dec.decode(stream.subarray(12, 32)).replace(/\0+$/, "");
  const frames: Frame[] = [];
  let o = 64;
  while (o < stream.length) {
    const flags = stream[o]!;
    const long = (flags & 0x02) !== 0;
    const view = new DataView(stream.buffer, stream.byteOffset + o + 1);
    const size = long ? Number(view.getBigUint64(0)) : view.getUint8(0);
    const start = o + 1 + (long ? 8 : 1);
    const body = stream.subarray(start, start + size);
    assert.equal(body.length, size, "truncated frame in capture");
    const command = (flags & 0x04) !== 0;
    const nameLen = body[0] ?? 0;
    const named = command && 1 + nameLen <= body.length;
    frames.push({
      command,
      body,
      name: named ? dec.decode(body.subarray(1, 1 + nameLen)) : null,
      data: named ? body.subarray(1 + nameLen) : body,
    });
    o = start + size;
  }
  return { mechanism, frames };
}

const commands = (frames: Frame[]) => frames.filter((f) => f.command);
const names = (frames: Frame[]) => commands(frames).map((f) => f.name);

// ---------------------------------------------------------------- PLAIN

describe("PLAIN handshake from libzmq", () => {
  let client: Frame[] = [];
  let server: Frame[] = [];

  before(async () => {
    const cap = await capture({ mode: "plain", username: "admin", password: "s3cret!" });
    const c = cut(cap.c2s);
    const s = cut(cap.s2c);
    assert.equal(c.mechanism, "PLAIN");
    assert.equal(s.mechanism, "PLAIN");
    client = c.frames;
    server = s.frames;
  });

  it("sees HELLO, INITIATE from the client and WELCOME, READY from the server", () => {
    assert.deepEqual(names(client), ["HELLO", "INITIATE"]);
    assert.deepEqual(names(server), ["WELCOME", "READY"]);
  });

  it("decodes HELLO with the password masked, or shown on request", () => {
    const hello = commands(client)[0]!;
    assert.deepEqual(describePlain("HELLO", hello.data, { showSecrets: false }), {
      username: "admin",
      password: "***",
      passwordLength: 7,
    });
    assert.deepEqual(describePlain("HELLO", hello.data, { showSecrets: true }), {
      username: "admin",
      password: "s3cret!",
      passwordLength: 7,
    });
  });

  it("decodes WELCOME as empty and the metadata of INITIATE and READY", () => {
    const opts = { showSecrets: false };
    assert.deepEqual(describePlain("WELCOME", commands(server)[0]!.data, opts), {});
    assert.deepEqual(describePlain("INITIATE", commands(client)[1]!.data, opts), {
      metadata: { "Socket-Type": "DEALER", Identity: "cli" },
    });
    assert.deepEqual(describePlain("READY", commands(server)[1]!.data, opts), {
      metadata: { "Socket-Type": "ROUTER", Identity: "" },
    });
  });

  it("leaves the messages in clear after the handshake", () => {
    assert.deepEqual(client.filter((f) => !f.command).map((f) => dec.decode(f.body)), ["hello"]);
    assert.deepEqual(server.filter((f) => !f.command).map((f) => dec.decode(f.body)), ["world"]);
  });
});

describe("PLAIN rejected by ZAP (libzmq's misencoded ERROR)", () => {
  it("is recognised as ERROR 400, which a strict name parser cannot read", async () => {
    const cap = await capture({ mode: "plain-deny", username: "admin", password: "wrong" });
    const server = cut(cap.s2c).frames;
    const error = commands(server).find((f) => f.body[0] === 0x5e);
    assert.ok(error, `no ERROR in ${JSON.stringify(names(server))}`);
    assert.equal(error.name, null); // 0x5e = a 94-byte name, past the body's end
    assert.deepEqual(libzmqPlainError(error.body), {
      reason: "400",
      note: 'libzmq PLAIN ERROR encoding: "^RROR" in place of 05 "ERROR"',
    });
    assert.equal(libzmqPlainError(unhex("05 4552524f52 03 343030")), null);
    assert.deepEqual(describePlain("ERROR", unhex("03 343030"), { showSecrets: false }), {
      reason: "400",
    });
  });
});

// ---------------------------------------------------------------- CURVE

describe("CURVE handshake from libzmq", () => {
  const serverSecret = randomKey();
  const clientSecret = randomKey();
  const serverPublic = z85Encode(curvePublicKey(serverSecret));
  let cap: Capture;
  let client: Frame[] = [];
  let server: Frame[] = [];

  before(async () => {
    cap = await capture({
      mode: "curve",
      serverSecret: z85Encode(serverSecret),
      serverPublic,
      clientSecret: z85Encode(clientSecret),
      clientPublic: z85Encode(curvePublicKey(clientSecret)),
    });
    client = cut(cap.c2s).frames;
    server = cut(cap.s2c).frames;
    assert.equal(cap.result.request, "hello");
    assert.equal(cap.result.reply, "world");
  });

  /** Feeds the handshake (and then the MESSAGE frames) to a decoder, in wire order. */
  function decode(keys: Uint8Array[]) {
    const d = new CurveDecoder(keys);
    const [hello, initiate] = commands(client);
    const [welcome, ready] = commands(server);
    const step = (from: Side, f: Frame) => d.command(from, f.name!, f.data);
    const out = {
      hello: step("client", hello!),
      welcome: step("server", welcome!),
      initiate: step("client", initiate!),
      ready: step("server", ready!),
      clientMessages: client.filter((f) => !f.command).map((f) => d.message("client", f.body)),
      serverMessages: server.filter((f) => !f.command).map((f) => d.message("server", f.body)),
    };
    return out;
  }

  it("agrees with libzmq on Z85 and X25519 (zmq.curveKeyPair)", () => {
    const { publicKey, secretKey } = cap.keyPair;
    assert.equal(z85Encode(curvePublicKey(z85Decode(secretKey))), publicKey);
  });

  it("sees HELLO, INITIATE and WELCOME, READY, then MESSAGE data frames", () => {
    assert.deepEqual(names(client), ["HELLO", "INITIATE"]);
    assert.deepEqual(names(server), ["WELCOME", "READY"]);
    for (const f of [...client, ...server].filter((f) => !f.command)) {
      assert.ok(isCurveMessage(f.body));
    }
  });

  it("opens HELLO and WELCOME with the server's long-term secret, and only those", () => {
    const r = decode([serverSecret]);
    const cPrime = r.hello.clientTransientKey;
    assert.equal(typeof cPrime, "string");
    assert.equal(z85Decode(String(cPrime)).length, 32);
    assert.deepEqual(r.hello, {
      version: "1.0",
      clientTransientKey: cPrime,
      shortNonce: 1,
      boxSize: 80,
      opened: true,
      serverKey: serverPublic,
      signatureOk: true,
    });
    const sPrime = r.welcome.serverTransientKey;
    assert.equal(z85Decode(String(sPrime)).length, 32);
    assert.notEqual(sPrime, cPrime);
    assert.equal(r.welcome.opened, true);
    assert.equal(r.welcome.boxSize, 144);
    assert.equal(r.welcome.cookieSize, 96);
    assert.match(String(r.welcome.longNonce), /^[0-9a-f]{32}$/);

    const initiateBox = commands(client)[1]!.data.length - 104;
    assert.ok(initiateBox >= 144);
    assert.equal(r.initiate.cookieMatches, true);
    assert.equal(r.initiate.shortNonce, 2);
    assert.equal(r.initiate.boxSize, initiateBox);
    assert.equal(r.initiate.opened, false);
    assert.match(String(r.initiate.note), /transient secret key/);
    assert.equal(r.ready.shortNonce, 1);
    assert.equal(r.ready.boxSize, commands(server)[1]!.data.length - 8);
    assert.equal(r.ready.opened, false);

    assert.deepEqual(r.clientMessages.map((m) => [m.shortNonce, m.payloadSize]), [[3, 5]]);
    assert.deepEqual(r.serverMessages.map((m) => [m.shortNonce, m.payloadSize]), [[2, 5]]);
    assert.match(String(r.clientMessages[0]!.note), /only nonces and sizes/);
    assert.equal(r.serverMessages[0]!.note, undefined); // said once per connection
  });

  it("opens nothing more with both long-term secrets (forward secrecy)", () => {
    const r = decode([clientSecret, serverSecret]);
    assert.equal(r.hello.opened, true);
    assert.equal(r.welcome.opened, true);
    assert.equal(r.initiate.opened, false);
    assert.equal(r.ready.opened, false);
    assert.equal(r.clientMessages[0]!.opened, undefined);
  });

  it("opens nothing with the client's secret, a wrong key, or no key", () => {
    for (const keys of [[clientSecret], [randomKey()], []]) {
      const r = decode(keys);
      for (const fields of [r.hello, r.welcome, r.initiate, r.ready]) {
        assert.equal(fields.opened, false, JSON.stringify(fields));
        assert.equal(typeof fields.note, "string");
      }
      assert.equal(r.hello.serverKey, undefined);
      assert.equal(r.welcome.serverTransientKey, undefined);
      assert.equal(r.hello.shortNonce, 1);
    }
  });
});
