// SPDX-License-Identifier: MIT
/**
 * `zmqkit dump` relaying real libzmq traffic (zeromq.js under Node on both sides): the
 * decoded NDJSON checked field by field, and the bytes on both sides of the relay compared.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as net from "node:net";
import { ensureBinary, ipcEndpoint, killAll, ROOT } from "../cli/_cli.ts";
import { LibzmqPeer, type Side, type SideOptions } from "../_helpers/peers.ts";
import { type Recorder, startDump, startRecorder, targetOf } from "./_relay.ts";

type Ev = Record<string, unknown>;
const te = new TextEncoder();
const b = (s: string) => te.encode(s);
const str = (f: Uint8Array) => new TextDecoder().decode(f);

let peer: LibzmqPeer;
before(async () => {
  ensureBinary();
  peer = await LibzmqPeer.start();
  await peer.request("zap", { status: "200" }); // libzmq's PLAIN server needs a ZAP handler
});
after(async () => {
  await peer?.stop();
  killAll();
});

interface Rig {
  client: Side;
  server: Side;
  events: () => Promise<Ev[]>;
  /** Waits for n events matching pred (from the live relay). */
  until(pred: (e: Ev) => boolean, n?: number): Promise<Ev[]>;
}

/**
 * libzmq `serverType` binds; libzmq `clientType` connects through recorder A → relay →
 * recorder B. `body` exchanges traffic; then everything closes and the bytes are compared.
 */
async function relayed(
  serverType: string,
  clientType: string,
  o: { server?: SideOptions; client?: SideOptions; dumpArgs?: string[]; ipc?: boolean },
  body: (rig: Rig) => Promise<void>,
): Promise<Ev[]> {
  const server = await peer.socket(serverType as never, o.server);
  const serverEp = await server.bind(o.ipc ? ipcEndpoint() : "tcp://127.0.0.1:*");
  const recB = await startRecorder(targetOf(serverEp), o.ipc ? ipcEndpoint().slice(6) : undefined);
  const dump = await startDump(recB.endpoint, o.dumpArgs ?? [], o.ipc ? ipcEndpoint() : undefined);
  const recA = await startRecorder(
    targetOf(dump.endpoint),
    o.ipc ? ipcEndpoint().slice(6) : undefined,
  );
  const client = await peer.socket(clientType as never, o.client);
  let events: Ev[] = [];
  try {
    await client.connect(recA.endpoint);
    await body({ client, server, events: () => dump.until(() => true, 0), until: dump.until });
    await client.close();
    await dump.until((e) => e.type === "close");
  } finally {
    await client.close().catch(() => {});
    await server.close().catch(() => {});
    events = await dump.stop();
    await recA.close();
    await recB.close();
  }
  assertSameBytes(recA, recB);
  return events;
}

function assertSameBytes(a: Recorder, b: Recorder): void {
  const ac = Buffer.concat(a.fromClient), bc = Buffer.concat(b.fromClient);
  const as = Buffer.concat(a.fromServer), bs = Buffer.concat(b.fromServer);
  assert.ok(ac.length > 0 && as.length > 0, "traffic went both ways");
  assert.ok(
    ac.equals(bc),
    `client→server bytes differ across the relay (${ac.length} vs ${bc.length})`,
  );
  assert.ok(
    as.equals(bs),
    `server→client bytes differ across the relay (${as.length} vs ${bs.length})`,
  );
}

const of = (events: Ev[], type: string, from?: string) =>
  events.filter((e) => e.type === type && (from === undefined || e.from === from));
const cmd = (events: Ev[], name: string, from?: string) =>
  events.filter((e) =>
    e.type === "command" && e.name === name && (from === undefined || e.from === from)
  );
const bodies = (e: Ev) => (e.frames as { body: unknown }[]).map((f) => f.body);

describe("zmqkit dump relays libzmq traffic", () => {
  it("NULL DEALER ↔ ROUTER: greetings, READY metadata, messages both ways (tcp)", async () => {
    const events = await relayed(
      "ROUTER",
      "DEALER",
      { client: { routingId: b("cli") } },
      async ({ client, server }) => {
        await client.send([b("hello"), b('{"n":1}')]);
        const [id, ...rest] = await server.receive();
        assert.equal(str(id!), "cli");
        assert.deepEqual(rest.map(str), ["hello", '{"n":1}']);
        await server.send([id!, b("world")]);
        assert.deepEqual((await client.receive()).map(str), ["world"]);
      },
    );
    const open = of(events, "open")[0]!;
    assert.equal(open.conn, 1);
    for (const from of ["client", "server"]) {
      const g = of(events, "greeting", from)[0]!;
      assert.equal(g.version, "3.1");
      assert.equal(g.mechanism, "NULL");
      assert.equal(g.asServer, false);
      assert.equal(g.offset, 0);
    }
    const readyC = cmd(events, "READY", "client")[0]!;
    assert.deepEqual((readyC.fields as Ev).metadata, { "Socket-Type": "DEALER", Identity: "cli" });
    const readyS = cmd(events, "READY", "server")[0]!;
    assert.equal(((readyS.fields as Ev).metadata as Ev)["Socket-Type"], "ROUTER");
    const up = of(events, "message", "client")[0]!;
    assert.deepEqual(bodies(up), ["hello", { n: 1 }]);
    assert.deepEqual((up.frames as Ev[]).map((f) => f.as), ["text", "json"]);
    assert.equal(up.size, 12);
    assert.equal(up.envelope, undefined);
    assert.deepEqual(bodies(of(events, "message", "server")[0]!), ["world"]);
    const close = of(events, "close")[0]!;
    assert.ok(((close.bytes as Ev).client as number) > 64);
  });

  it("REQ → REP: the empty delimiter shown as an envelope, both ways (ipc)", async () => {
    const events = await relayed("REP", "REQ", { ipc: true }, async ({ client, server }) => {
      await client.send([b("ping")]);
      assert.deepEqual((await server.receive()).map(str), ["ping"]);
      await server.send([b("pong")]);
      assert.deepEqual((await client.receive()).map(str), ["pong"]);
    });
    for (const [from, text] of [["client", "ping"], ["server", "pong"]]) {
      const m = of(events, "message", from)[0]!;
      assert.deepEqual(m.envelope, []);
      assert.equal(m.bodyIndex, 1);
      assert.deepEqual(bodies(m), [text]);
    }
  });

  it("DEALER → ROUTER with routing ids in the envelope, and a ROUTER reply", async () => {
    const events = await relayed("ROUTER", "DEALER", {}, async ({ client, server }) => {
      await client.send([b("\x00\x01\x02"), b(""), b("job")]);
      const [id, ...rest] = await server.receive();
      assert.deepEqual(rest.map(str), ["\x00\x01\x02", "", "job"]);
      await server.send([id!, b(""), b("done")]);
      assert.deepEqual((await client.receive()).map(str), ["", "done"]);
    });
    const up = of(events, "message", "client")[0]!;
    assert.deepEqual(up.envelope, ["000102"]);
    assert.equal(up.bodyIndex, 2);
    assert.deepEqual(bodies(up), ["job"]);
    const down = of(events, "message", "server")[0]!;
    assert.deepEqual(down.envelope, []);
    assert.deepEqual(bodies(down), ["done"]);
  });

  it("PUB/SUB over ZMTP 3.1: SUBSCRIBE and CANCEL commands, topics on messages", async () => {
    const events = await relayed("PUB", "SUB", {}, async ({ client, server, until }) => {
      await client.subscribe(b("weather"));
      await until((e) => e.type === "command" && e.name === "SUBSCRIBE");
      // the subscription is through once a published message arrives
      let got: Uint8Array[] | undefined;
      for (let i = 0; i < 50 && got === undefined; i++) {
        await server.send([b("weather"), b("sunny")]);
        got = await client.receive(100).catch(() => undefined);
      }
      assert.deepEqual(got!.map(str), ["weather", "sunny"]);
      await client.unsubscribe(b("weather"));
      await until((e) => e.type === "command" && e.name === "CANCEL");
    });
    assert.deepEqual(cmd(events, "SUBSCRIBE", "client")[0]!.fields, { topic: "weather" });
    assert.deepEqual(cmd(events, "CANCEL", "client")[0]!.fields, { topic: "weather" });
    const m = of(events, "message", "server")[0]!;
    assert.equal(m.topic, "weather");
    assert.deepEqual(bodies(m), ["weather", "sunny"]);
  });

  it("heartbeats: PING with its TTL and PONG", async () => {
    const opts = {
      options: { heartbeatInterval: 50, heartbeatTimeToLive: 2000, heartbeatTimeout: 5000 },
    };
    const events = await relayed("ROUTER", "DEALER", { client: opts }, async ({ until }) => {
      await until((e) => e.type === "command" && e.name === "PONG");
    });
    const ping = cmd(events, "PING", "client")[0]!;
    assert.equal((ping.fields as Ev).ttl, 2);
    assert.equal((ping.fields as Ev).context, "");
    assert.deepEqual(cmd(events, "PONG", "server")[0]!.fields, { context: "" });
  });

  it("PLAIN: HELLO with the password masked, WELCOME, INITIATE and READY with metadata", async () => {
    const events = await relayed("ROUTER", "DEALER", {
      server: { options: { plainServer: true } },
      client: { options: { plainUsername: "admin", plainPassword: "secret" } },
    }, async ({ client, server }) => {
      await client.send([b("hi")]);
      await server.receive();
    });
    assert.equal(of(events, "greeting", "client")[0]!.mechanism, "PLAIN");
    const hello = cmd(events, "HELLO", "client")[0]!.fields as Ev;
    assert.equal(hello.username, "admin");
    assert.notEqual(hello.password, "secret");
    assert.ok(!JSON.stringify(events).includes("secret"), "the password appears nowhere");
    assert.equal(cmd(events, "WELCOME", "server").length, 1);
    const init = cmd(events, "INITIATE", "client")[0]!.fields as Ev;
    assert.equal((init.metadata as Ev)["Socket-Type"], "DEALER");
    const ready = cmd(events, "READY", "server")[0]!.fields as Ev;
    assert.equal((ready.metadata as Ev)["Socket-Type"], "ROUTER");
    assert.deepEqual(bodies(of(events, "message", "client")[0]!), ["hi"]);
  });

  it("PLAIN with --show-secrets shows the password", async () => {
    const events = await relayed("ROUTER", "DEALER", {
      server: { options: { plainServer: true } },
      client: { options: { plainUsername: "admin", plainPassword: "secret" } },
      dumpArgs: ["--show-secrets"],
    }, async ({ client, server }) => {
      await client.send([b("hi")]);
      await server.receive();
    });
    assert.equal((cmd(events, "HELLO", "client")[0]!.fields as Ev).password, "secret");
  });
});

describe("zmqkit dump relays CURVE", () => {
  it("shows the handshake fields, opens HELLO and WELCOME with the server's secret, sizes messages", async () => {
    const sk = curveKeys(), ck = curveKeys();
    const events = await relayed("ROUTER", "DEALER", {
      server: { options: { curveServer: true, curveSecretKey: sk.secretKey } },
      client: {
        options: {
          curveServerKey: sk.publicKey,
          curvePublicKey: ck.publicKey,
          curveSecretKey: ck.secretKey,
        },
      },
      dumpArgs: ["--curve-secret", sk.secretKey],
    }, async ({ client, server }) => {
      await client.send([b("secret message")]);
      const [id, msg] = await server.receive();
      assert.equal(str(msg!), "secret message");
      await server.send([id!, b("reply")]);
      await client.receive();
    });
    assert.equal(of(events, "greeting", "client")[0]!.mechanism, "CURVE");
    const hello = cmd(events, "HELLO", "client")[0]!.fields as Ev;
    assert.equal(hello.shortNonce, 1);
    assert.equal(hello.opened, true);
    assert.equal(hello.serverKey, sk.publicKey);
    assert.equal(hello.signatureOk, true);
    assert.equal(typeof hello.clientTransientKey, "string");
    const welcome = cmd(events, "WELCOME", "server")[0]!.fields as Ev;
    assert.equal(welcome.opened, true);
    assert.equal(typeof welcome.serverTransientKey, "string");
    assert.equal(welcome.cookieSize, 96);
    const init = cmd(events, "INITIATE", "client")[0]!.fields as Ev;
    assert.equal(init.shortNonce, 2);
    assert.equal(cmd(events, "READY", "server").length, 1);
    const up = of(events, "message", "client")[0]!;
    assert.equal(up.encrypted, true);
    const f = (up.frames as Ev[])[0]!;
    assert.equal(f.size, "secret message".length);
    assert.equal((f.body as Ev).shortNonce, 3);
    assert.ok(!JSON.stringify(events).includes("secret message"));
  });
});

/** A CURVE key pair from libzmq's own generator, via zeromq.js under Node. */
function curveKeys(): { publicKey: string; secretKey: string } {
  const out = execFileSync(process.env.ZMQKIT_NODE ?? "node", [
    "-e",
    "const z=require('zeromq');process.stdout.write(JSON.stringify(z.curveKeyPair()))",
  ], { cwd: ROOT });
  return JSON.parse(String(out));
}

describe("zmqkit dump with other peers", () => {
  it("shows ZMTP 3.0 subscription messages from a 3.0 SUB to a libzmq PUB", async () => {
    const pub = await peer.socket("PUB");
    const ep = await pub.bind("tcp://127.0.0.1:*");
    const dump = await startDump(ep);
    const sub = net.connect(targetOf(dump.endpoint) as net.NetConnectOpts);
    const got: Buffer[] = [];
    sub.on("data", (d: Buffer) => got.push(d));
    try {
      // a ZMTP 3.0 SUB, written by hand: greeting with minor 0, READY, then "01 topic"
      const greeting = Buffer.alloc(64);
      greeting.set([0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0]);
      greeting.write("NULL", 12);
      const ready = Buffer.concat([
        Buffer.from([5]),
        Buffer.from("READY"),
        meta("Socket-Type", "SUB"),
      ]);
      // one step at a time, as libzmq expects: greeting, its READY, then ours, then data
      const have = (n: number) =>
        new Promise<void>((resolve) => {
          const check = () => Buffer.concat(got).length >= n ? resolve() : setTimeout(check, 5);
          check();
        });
      sub.write(greeting);
      await have(64 + 2 + 6); // its greeting and at least the READY's name
      sub.write(Buffer.concat([Buffer.from([4, ready.length]), ready]));
      await dump.until((e) => e.type === "command" && e.from === "client");
      sub.write(Buffer.from([0, 5, 1, ...b("news")]));
      await dump.until((e) => e.type === "message" && e.from === "client");
      for (let i = 0; i < 50 && !Buffer.concat(got).includes("headline"); i++) {
        await pub.send([b("news"), b("headline")]);
        await new Promise((r) => setTimeout(r, 20));
      }
      await dump.until((e) => e.type === "message" && e.from === "server");
    } finally {
      sub.destroy();
      await pub.close();
    }
    const events = await dump.stop();
    const g = of(events, "greeting", "client")[0]!;
    assert.equal(g.version, "3.0");
    const subMsg = of(events, "message", "client")[0]!;
    assert.deepEqual(subMsg.subscription, { subscribe: true, topic: "news" });
    const m = of(events, "message", "server")[0]!;
    assert.equal(m.topic, "news");
  });

  it("reports a stream that is not ZMTP with its offset and keeps relaying it raw", async () => {
    // an echo server upstream; one garbage connection, then one good ZMTP one
    const echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    const port = (echo.address() as net.AddressInfo).port;
    const dump = await startDump(`tcp://127.0.0.1:${port}`);
    const c = net.connect(targetOf(dump.endpoint) as net.NetConnectOpts);
    const back: Buffer[] = [];
    c.on("data", (d: Buffer) => back.push(d));
    const garbage = Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    c.write(garbage);
    await dump.until((e) => e.type === "error", 2);
    const payload = Buffer.alloc(100_000, 7);
    c.write(payload);
    const all = Buffer.concat([garbage, payload]);
    await new Promise<void>((resolve) => {
      const check = () =>
        Buffer.concat(back).length >= all.length ? resolve() : setTimeout(check, 10);
      check();
    });
    assert.ok(Buffer.concat(back).equals(all), "every byte came back unchanged");
    c.destroy();
    await dump.until((e) => e.type === "close");
    const events = await dump.stop();
    echo.close();
    const errs = of(events, "error");
    assert.equal(errs.length, 2); // both directions carry the same garbage
    for (const e of errs) {
      assert.equal(e.offset, 0);
      assert.match(String(e.reason), /^not ZMTP: no signature \(first byte 0x47 'G'\)/);
    }
    assert.equal(of(events, "greeting").length, 0);
  });
});

function meta(name: string, value: string): Buffer {
  const v = Buffer.alloc(4);
  v.writeUInt32BE(value.length);
  return Buffer.concat([Buffer.from([name.length]), Buffer.from(name), v, Buffer.from(value)]);
}

describe("zmqkit dump and libzmq's downgrade", () => {
  it("shows a libzmq DEALER downgrading to a ZMTP 2.0 ROUTER, identities and a message", async () => {
    // a ZMTP 2.0 ROUTER written by hand: signature, revision 01, socket type 6, empty identity
    const got: Buffer[] = [];
    const legacy = net.createServer((s) => {
      s.on("data", (d: Buffer) => got.push(d));
      s.on("error", () => {});
      s.write(Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 1, 6, 0, 0]));
    });
    await new Promise<void>((r) => legacy.listen(0, "127.0.0.1", r));
    const dump = await startDump(`tcp://127.0.0.1:${(legacy.address() as net.AddressInfo).port}`);
    const dealer = await peer.socket("DEALER", { routingId: b("me") });
    try {
      await dealer.connect(dump.endpoint);
      await dealer.send([b("hi")]);
      await dump.until((e) => e.type === "message" && e.from === "client", 2);
    } finally {
      await dealer.close();
      legacy.close();
    }
    const events = await dump.stop();
    const gc = of(events, "greeting", "client")[0]!;
    assert.deepEqual([gc.version, gc.socketType], ["2.0", "DEALER"]);
    assert.match(String(gc.note), /downgraded/);
    const gs = of(events, "greeting", "server")[0]!;
    assert.deepEqual([gs.version, gs.socketType], ["2.0", "ROUTER"]);
    const [id, msg] = of(events, "message", "client");
    assert.equal(id!.identity, true);
    assert.deepEqual(bodies(id!), ["me"]);
    assert.deepEqual(bodies(msg!), ["hi"]);
    assert.equal(of(events, "message", "server")[0]!.identity, true);
    assert.equal(of(events, "error").length, 0);
  });
});
