// SPDX-License-Identifier: MIT
// `zmqkit cat` (the built binary) against real libzmq peers (zeromq.js under Node): every
// direction mode and every format, with zmqkit binding and with libzmq binding.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { encodeMessage } from "../../cli/io/writers.ts";
import { encodeMsgpack } from "../../cli/io/formats/msgpack.ts";
import { type Format, FORMATS } from "../../cli/io/options.ts";
import { LibzmqPeer, type Side, type SocketTypeName } from "../_helpers/peers.ts";
import {
  ensureBinary,
  killAll,
  lines,
  type RunOptions,
  startZmqkit,
  type ZmqkitProcess,
} from "./_cli.ts";

let peer: LibzmqPeer;
before(async () => {
  ensureBinary();
  peer = await LibzmqPeer.start();
});
after(async () => {
  killAll();
  await peer?.stop();
});

type Binder = "zmqkit" | "libzmq";
const b = (s: string) => Buffer.from(s);
const text = (frames: Uint8Array[]) => frames.map((f) => Buffer.from(f).toString());

/** Starts zmqkit with `args` and wires it to the libzmq socket, `binder` binding. */
async function wire(
  binder: Binder,
  lib: Side,
  args: string[],
  options: RunOptions = {},
): Promise<ZmqkitProcess> {
  if (binder === "libzmq") {
    const ep = await lib.bind("tcp://127.0.0.1:*");
    return startZmqkit([...args, "-c", ep], options);
  }
  const z = startZmqkit([...args, "-b", "tcp://127.0.0.1:0"], options);
  await lib.connect(await z.boundEndpoint());
  return z;
}

async function libSocket(type: SocketTypeName, routingId?: string): Promise<Side> {
  return await peer.socket(type, routingId ? { routingId: b(routingId) } : {});
}

async function ok(z: ZmqkitProcess): Promise<Buffer> {
  const r = await z.done;
  assert.equal(r.code, 0, `exit ${r.code} ${r.signal ?? ""}: ${r.stderr}`);
  return r.stdout;
}

for (const binder of ["zmqkit", "libzmq"] as const) {
  describe(`zmqkit cat vs libzmq, ${binder} binds`, () => {
    it("push sends each line (multipart with -d) to a libzmq PULL", async () => {
      const pull = await libSocket("PULL");
      const z = await wire(binder, pull, ["cat", "push", "-d", ","], { input: "a,b\nc\n" });
      assert.deepEqual(text(await pull.receive()), ["a", "b"]);
      assert.deepEqual(text(await pull.receive()), ["c"]);
      await ok(z);
      await pull.close();
    });

    it("pull prints what a libzmq PUSH sends", async () => {
      const push = await libSocket("PUSH");
      const z = await wire(binder, push, ["cat", "pull", "-n", "2"]);
      await push.send([b("one")]);
      await push.send([b("two"), b("frames")]);
      assert.deepEqual(lines(await ok(z)), ["one", "two\tframes"]);
      await push.close();
    });

    it("req sends each line to a libzmq REP and prints its reply", async () => {
      const rep = await libSocket("REP");
      const z = await wire(binder, rep, ["cat", "req", "-t", "10000"], { input: "q1\nq2\n" });
      for (const q of ["q1", "q2"]) {
        assert.deepEqual(text(await rep.receive()), [q]);
        await rep.send([b(`re:${q}`)]);
      }
      assert.deepEqual(lines(await ok(z)), ["re:q1", "re:q2"]);
      await rep.close();
    });

    it("rep prints a libzmq REQ's requests and answers from stdin", async () => {
      const req = await libSocket("REQ");
      const z = await wire(binder, req, ["cat", "rep"], { input: "yes\nno\n" });
      await req.send([b("first?")]);
      assert.deepEqual(text(await req.receive()), ["yes"]);
      await req.send([b("second?")]);
      assert.deepEqual(text(await req.receive()), ["no"]);
      assert.deepEqual(lines(await ok(z)), ["first?", "second?"]);
      await req.close();
    });

    it("rep --exec answers a libzmq REQ with the command's output", async () => {
      const req = await libSocket("REQ");
      const z = await wire(binder, req, ["cat", "rep", "-n", "1", "-e", "rev"]);
      await req.send([b("stressed")]);
      assert.deepEqual(text(await req.receive()), ["desserts"]);
      await ok(z);
      await req.close();
    });

    it("dealer talks both ways with a libzmq ROUTER", async () => {
      const router = await libSocket("ROUTER");
      const z = await wire(binder, router, ["cat", "dealer", "--routing-id", "d1", "-n", "1"], {
        input: "hello\n",
      });
      const [id, msg] = await router.receive();
      assert.equal(Buffer.from(id!).toString(), "d1");
      assert.equal(Buffer.from(msg!).toString(), "hello");
      await router.send([id!, b("back")]);
      assert.deepEqual(lines(await ok(z)), ["back"]);
      await router.close();
    });

    it("router shows a libzmq DEALER's id and routes the answer by it", async () => {
      const dealer = await libSocket("DEALER", "peer-7");
      const z = await wire(binder, dealer, ["cat", "router", "-n", "1"]);
      await dealer.send([b("hi"), b("there")]);
      assert.deepEqual(await z.waitLines(1), [`${b("peer-7").toString("hex")}\thi\tthere`]);
      z.write(`${b("peer-7").toString("hex")}\tgot it\n`);
      z.endInput();
      assert.deepEqual(text(await dealer.receive()), ["got it"]);
      await ok(z);
      await dealer.close();
    });

    it("pair runs both ways with a libzmq PAIR", async () => {
      const pair = await libSocket("PAIR");
      const z = await wire(binder, pair, ["cat", "pair", "-n", "1"], { input: "ping\n" });
      assert.deepEqual(text(await pair.receive()), ["ping"]);
      await pair.send([b("pong")]);
      assert.deepEqual(lines(await ok(z)), ["pong"]);
      await pair.close();
    });

    it("sub receives only its prefixes from a libzmq PUB", async () => {
      const pub = await libSocket("PUB");
      const z = await wire(binder, pub, ["cat", "sub", "-s", "a.", "-s", "c.", "-n", "3"]);
      // the subscription reaches the publisher some time after the handshake: keep publishing
      for (let i = 0; z.child.exitCode === null && i < 400; i++) {
        await pub.send([b(`a.${i}`)]);
        await pub.send([b(`b.${i}`)]);
        await pub.send([b(`c.${i}`)]);
        await new Promise((r) => setTimeout(r, 10));
      }
      const got = lines(await ok(z));
      assert.equal(got.length, 3);
      for (const line of got) assert.match(line, /^[ac]\.\d+$/);
    });

    it("pub --wait-for-peer loses no message to a libzmq SUB", async () => {
      const sub = await libSocket("SUB");
      await sub.subscribe(b(""));
      const z = await wire(binder, sub, ["cat", "pub", "--wait-for-peer", "-t", "10000"], {
        input: "first\nsecond\n",
      });
      assert.deepEqual(text(await sub.receive()), ["first"]);
      assert.deepEqual(text(await sub.receive()), ["second"]);
      await ok(z);
      await sub.close();
    });

    it("xpub shows a libzmq SUB's subscription and publishes to it", async () => {
      const sub = await libSocket("SUB");
      await sub.subscribe(b("t"));
      const z = await wire(binder, sub, ["cat", "xpub", "-n", "1", "--out", "hex"]);
      // a bound libzmq socket attaches a new peer only when the application calls into it:
      // until a receive is pending, a bound SUB does not send its subscriptions
      const received = sub.receive();
      assert.deepEqual(await z.waitLines(1), ["0174"]);
      z.write("nope\ntopic\n");
      z.endInput();
      assert.deepEqual(text(await received), ["topic"]);
      await ok(z);
      await sub.close();
    });

    it("xsub subscribes at a libzmq PUB with -s and prints what matches", async () => {
      const pub = await libSocket("PUB");
      const z = await wire(binder, pub, ["cat", "xsub", "-s", "k", "-n", "1"], { input: "" });
      for (let i = 0; z.child.exitCode === null && i < 400; i++) {
        await pub.send([b("x-ignored")]);
        await pub.send([b(`key ${i}`)]);
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.match(lines(await ok(z))[0]!, /^key \d+$/);
    });

    describe("formats", () => {
      // a text frame, an empty frame, and (for the lossless formats) every byte value
      const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const message = (f: Format) => f === "raw" ? [binary] : [b("hé"), b(""), binary];
      const textMessage = [b("hello"), b(""), b("world")];
      const input: Record<Format, Buffer> = {
        text: b("hello,,world\n"),
        json: b(`["hé","",${JSON.stringify({ base64: binary.toString("base64") })}]\n`),
        hex: b(`${b("hé").toString("hex")}\t\t${binary.toString("hex")}\n`),
        base64: b(`${b("hé").toString("base64")}\t\t${binary.toString("base64")}\n`),
        msgpack: Buffer.from(encodeMsgpack(message("msgpack"))),
        raw: binary,
      };

      for (const format of FORMATS) {
        const expected = format === "text" ? textMessage : message(format);
        const delimiter = format === "text" ? ["-d", ","] : [];

        it(`${format}: push reads it and a libzmq PULL gets the exact frames`, async () => {
          const pull = await libSocket("PULL");
          const z = await wire(binder, pull, ["cat", "push", "--in", format, ...delimiter], {
            input: input[format],
          });
          const got = await pull.receive();
          assert.deepEqual(got.map((f) => Buffer.from(f)), expected);
          await ok(z);
          await pull.close();
        });

        it(`${format}: pull prints a libzmq PUSH's frames in it`, async () => {
          const push = await libSocket("PUSH");
          const z = await wire(binder, push, ["cat", "pull", "-n", "1", "--out", format]);
          await push.send(expected);
          const want = encodeMessage(expected, {
            format,
            delimiter: format === "text" ? b(",") : undefined,
            separator: 10,
            routingIds: false,
          });
          z.child.stdin!.end();
          const out = await ok(z);
          assert.deepEqual(
            out,
            format === "text"
              ? Buffer.from("hello\t\tworld\n") // output joins with TAB unless -d is given
              : Buffer.from(want),
          );
          await push.close();
        });
      }
    });
  });
}
