// SPDX-License-Identifier: MIT
// `zmqkit cat` against itself: every direction mode, bind and connect, tcp and ipc, multipart
// text with -d, and each lossless format carrying binary data. Runs the built binary.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { encodeMsgpack } from "../../cli/io/formats/msgpack.ts";
import { ensureBinary, ipcEndpoint, killAll, lines, startZmqkit, zmqkit } from "./_cli.ts";

before(() => ensureBinary());
after(() => killAll());

/** Every byte value, a newline, a tab and NUL included: only the lossless formats keep it. */
const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe("zmqkit cat push/pull", () => {
  it("delivers lines from push -c to pull -b (tcp, wildcard port)", async () => {
    const pull = startZmqkit(["cat", "pull", "-b", "tcp://127.0.0.1:0", "-n", "3"]);
    const ep = await pull.boundEndpoint();
    assert.match(ep, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    const push = await zmqkit(["cat", "push", "-c", ep], { input: "one\ntwo\nthree\n" });
    assert.equal(push.code, 0, push.stderr);
    const r = await pull.done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ["one", "two", "three"]);
  });

  it("delivers from push -b to pull -c (ipc) and push exits once all is delivered", async () => {
    const ep = ipcEndpoint();
    const push = startZmqkit(["cat", "push", "-b", ep], { input: "a\nb\n" });
    const pull = await zmqkit(["cat", "pull", "-c", ep, "-n", "2"]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.deepEqual(lines(pull.stdout), ["a", "b"]);
    assert.equal((await push.done).code, 0);
  });

  it("splits lines into frames with -d and joins them with TAB, or -d, on output", async () => {
    const ep = ipcEndpoint();
    const tabbed = startZmqkit(["cat", "pull", "-b", ep, "-n", "2"]);
    const push = await zmqkit(["cat", "push", "-c", ep, "-d", "::"], {
      input: "key::value\nsolo\n",
    });
    assert.equal(push.code, 0);
    assert.deepEqual(lines((await tabbed.done).stdout), ["key\tvalue", "solo"]);

    const ep2 = ipcEndpoint();
    const joined = startZmqkit(["cat", "pull", "-b", ep2, "-n", "1", "-d", "\\x2c"]);
    await zmqkit(["cat", "push", "-c", ep2, "-d", "\\t"], { input: "x\ty\tz\n" });
    assert.deepEqual(lines((await joined.done).stdout), ["x,y,z"]);
  });

  it("separates messages with NUL under -0", async () => {
    const ep = ipcEndpoint();
    const pull = startZmqkit(["cat", "pull", "-b", ep, "-n", "2", "-0"]);
    await zmqkit(["cat", "push", "-c", ep, "-0"], { input: "line\none\0two\0" });
    assert.equal((await pull.done).stdout.toString(), "line\none\0two\0");
  });

  for (const format of ["json", "hex", "base64", "msgpack"]) {
    it(`carries binary frames losslessly in ${format}`, async () => {
      const ep = ipcEndpoint();
      const msg = [BINARY, Buffer.alloc(0), Buffer.from("text")];
      const pull = startZmqkit(["cat", "pull", "-b", ep, "-n", "2", "--out", "msgpack"]);
      const input = {
        json: JSON.stringify([{ base64: BINARY.toString("base64") }, "", "text"]) + "\n",
        hex: `${BINARY.toString("hex")}\t\t${Buffer.from("text").toString("hex")}\n`,
        base64: `${BINARY.toString("base64")}\t\t${Buffer.from("text").toString("base64")}\n`,
        msgpack: Buffer.from(encodeMsgpack(msg)),
      }[format]!;
      const twice = typeof input === "string" ? input + input : Buffer.concat([input, input]);
      const push = await zmqkit(["cat", "push", "-c", ep, "--in", format], { input: twice });
      assert.equal(push.code, 0, push.stderr);
      const r = await pull.done;
      const one = Buffer.from(encodeMsgpack(msg));
      assert.deepEqual(r.stdout, Buffer.concat([one, one]));
    });

    it(`prints binary frames in ${format} so they read back the same`, async () => {
      const ep = ipcEndpoint();
      const pull = startZmqkit(["cat", "pull", "-b", ep, "-n", "1", "--out", format]);
      await zmqkit(["cat", "push", "-c", ep, "--in", "msgpack"], {
        input: Buffer.from(encodeMsgpack([BINARY, Buffer.from("é")])),
      });
      const printed = (await pull.done).stdout;
      const ep2 = ipcEndpoint();
      const again = startZmqkit(["cat", "pull", "-b", ep2, "-n", "1", "--out", "hex"]);
      await zmqkit(["cat", "push", "-c", ep2, "--in", format], { input: printed });
      assert.deepEqual(
        lines((await again.done).stdout),
        [`${BINARY.toString("hex")}\t${Buffer.from("é").toString("hex")}`],
      );
    });
  }

  it("push -n stops after N messages; --delay and --interval pace the sends", async () => {
    const ep = ipcEndpoint();
    const pull = startZmqkit(["cat", "pull", "-b", ep, "-n", "2"]);
    const push = await zmqkit(
      ["cat", "push", "-c", ep, "-n", "2", "--delay", "50", "--interval", "20"],
      { input: "1\n2\n3\n4\n" },
    );
    assert.equal(push.code, 0, push.stderr);
    assert.deepEqual(lines((await pull.done).stdout), ["1", "2"]);
  });

  it("sends all of stdin as one frame in raw, and prints bodies back to back", async () => {
    const ep = ipcEndpoint();
    const pull = startZmqkit(["cat", "pull", "-b", ep, "-n", "1", "--out", "raw"]);
    const push = await zmqkit(["cat", "push", "-c", ep, "--in", "raw"], { input: BINARY });
    assert.equal(push.code, 0);
    assert.deepEqual((await pull.done).stdout, BINARY);
  });
});

describe("zmqkit cat pub/sub", () => {
  it("filters by the -s prefixes, and --wait-for-peer loses nothing", async () => {
    const ep = ipcEndpoint();
    const pub = startZmqkit(["cat", "pub", "-b", ep, "--wait-for-peer"], {
      input: "weather.paris sun\nnews.x\nsport.y\nweather.oslo snow\nnews.z\n",
    });
    const sub = await zmqkit(["cat", "sub", "-c", ep, "-s", "weather.", "-s", "news.", "-n", "4"]);
    assert.equal(sub.code, 0, sub.stderr);
    assert.deepEqual(lines(sub.stdout), [
      "weather.paris sun",
      "news.x",
      "weather.oslo snow",
      "news.z",
    ]);
    assert.equal((await pub.done).code, 0);
  });
});

describe("zmqkit cat req/rep", () => {
  it("rep prints requests and answers with stdin, ending with its input", async () => {
    const ep = ipcEndpoint();
    const rep = startZmqkit(["cat", "rep", "-b", ep], { input: "answer 1\nanswer 2\n" });
    const req = await zmqkit(["cat", "req", "-c", ep, "-t", "5000"], { input: "q1\nq2\n" });
    assert.equal(req.code, 0, req.stderr);
    assert.deepEqual(lines(req.stdout), ["answer 1", "answer 2"]);
    const r = await rep.done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ["q1", "q2"]);
  });

  it("rep --exec answers with the command's output, frames also in the environment", async () => {
    const ep = ipcEndpoint();
    const rep = startZmqkit([
      "cat",
      "rep",
      "-b",
      ep,
      "-d",
      ",",
      "-n",
      "2",
      "-e",
      'tr a-z A-Z | tr -d "\\n"; printf ",%s,%s" "$ZMQKIT_FRAMES" "$ZMQKIT_FRAME_1_HEX"',
    ]);
    const req = await zmqkit(["cat", "req", "-c", ep, "-d", ",", "-t", "5000"], {
      input: "hello,abc\nx,y\n",
    });
    assert.equal(req.code, 0, req.stderr);
    assert.deepEqual(lines(req.stdout), ["HELLO,ABC,2,616263", "X,Y,2,79"]);
    assert.equal((await rep.done).code, 0);
  });
});

describe("zmqkit cat dealer/router", () => {
  it("router shows the peer id in hex and answers the id it is given", async () => {
    const ep = ipcEndpoint();
    const router = startZmqkit(["cat", "router", "-b", ep, "-n", "1"]);
    const dealer = startZmqkit(
      ["cat", "dealer", "-c", ep, "--routing-id", "alice", "-n", "1", "-t", "5000"],
      { input: "hi\n" },
    );
    assert.deepEqual(await router.waitLines(1), ["616c696365\thi"]);
    router.write("616c696365\tworld,2\n");
    router.endInput();
    const d = await dealer.done;
    assert.equal(d.code, 0, d.stderr);
    assert.deepEqual(lines(d.stdout), ["world,2"]);
    assert.equal((await router.done).code, 0);
  });

  it("router --exec replies to each peer, with ZMQKIT_PEER set", async () => {
    const ep = ipcEndpoint();
    const router = startZmqkit(["cat", "router", "-b", ep, "-n", "1", "-e", 'echo "$ZMQKIT_PEER"']);
    const d = await zmqkit(["cat", "dealer", "-c", ep, "--routing-id", "0x0102", "-n", "1"], {
      input: "ping\n",
    });
    assert.deepEqual(lines(d.stdout), ["0102"]);
    assert.equal((await router.done).code, 0);
  });

  it("an empty id in router input means the last peer heard from", async () => {
    const ep = ipcEndpoint();
    const router = startZmqkit(["cat", "router", "-b", ep, "-n", "1"]);
    const dealer = startZmqkit(["cat", "dealer", "-c", ep, "-n", "1"], { input: "hello\n" });
    await router.waitLines(1);
    router.write("\treply\n");
    router.endInput();
    assert.deepEqual(lines((await dealer.done).stdout), ["reply"]);
    await router.done;
  });
});

describe("zmqkit cat pair, xpub/xsub", () => {
  it("pair runs both ways at once", async () => {
    const ep = ipcEndpoint();
    const a = startZmqkit(["cat", "pair", "-b", ep, "-n", "1"]);
    const b = startZmqkit(["cat", "pair", "-c", ep, "-n", "1"], { input: "from b\n" });
    assert.deepEqual(await a.waitLines(1), ["from b"]);
    a.write("from a\n");
    a.endInput();
    assert.deepEqual(lines((await b.done).stdout), ["from a"]);
    assert.equal((await a.done).code, 0);
  });

  it("xsub -s subscribes (xpub prints 01+topic), and xpub's messages reach it", async () => {
    const ep = ipcEndpoint();
    const xpub = startZmqkit(["cat", "xpub", "-b", ep, "-n", "1", "--out", "hex"]);
    const xsub = startZmqkit(["cat", "xsub", "-c", ep, "-s", "t", "-n", "1"], { input: "" });
    assert.deepEqual(await xpub.waitLines(1), ["0174"]);
    xpub.write("other\ntopic!\n");
    xpub.endInput();
    const r = await xsub.done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ["topic!"]);
    assert.equal((await xpub.done).code, 0);
  });
});

describe("zmqkit cat events", () => {
  it("-v prints events, -vv frame sizes, --events-json NDJSON", async () => {
    const ep = ipcEndpoint();
    const pull = startZmqkit(["cat", "pull", "-b", ep, "-n", "1", "-vv"]);
    const push = await zmqkit(["cat", "push", "-c", ep, "--events-json", "-d", ","], {
      input: "ab,cde\n",
    });
    const r = await pull.done;
    assert.match(r.stderr, new RegExp(`zmqkit: bind ${ep}\n`));
    assert.match(r.stderr, /zmqkit: handshake ipc:\/\/\S+ peer=/);
    assert.match(r.stderr, /zmqkit: recv 2 frames \[2, 3\]/);
    const events = push.stderr.trim().split("\n").map((l) => JSON.parse(l));
    assert.ok(events.some((e) => e.event === "handshake" && e.address === ep), push.stderr);
  });
});
