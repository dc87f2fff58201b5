// SPDX-License-Identifier: MIT
// `zmqkit cat` (the built binary) with the draft socket types: CLIENT/SERVER, RADIO/DISH,
// SCATTER/GATHER, PEER and CHANNEL against libzmq's draft sockets (zeromq.js under Node) and
// against each other, and the one-line usage errors (exit 2) for their misuse.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { type LibzmqDraftSide, LibzmqPeer } from "../_helpers/peers.ts";
import {
  ensureBinary,
  killAll,
  lines,
  startZmqkit,
  WAIT,
  zmqkit,
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

const b = (s: string) => new Uint8Array(Buffer.from(s));
const text = (f: Uint8Array) => Buffer.from(f).toString();

async function ok(z: ZmqkitProcess): Promise<Buffer> {
  const r = await z.done;
  assert.equal(r.code, 0, `exit ${r.code} ${r.signal ?? ""}: ${r.stderr}`);
  return r.stdout;
}

/** Repeats `send` until `receive` gets something: a RADIO drops messages until JOINs are in. */
async function probe<T>(send: () => void | Promise<void>, receive: () => Promise<T>): Promise<T> {
  const until = Date.now() + WAIT;
  for (;;) {
    await send();
    try {
      return await receive();
    } catch (e) {
      if (Date.now() > until) throw e;
    }
  }
}

describe("zmqkit cat draft types vs libzmq", () => {
  it("client sends each line to a libzmq SERVER and prints its reply", async () => {
    const server = await peer.draftSocket("SERVER");
    try {
      const ep = await server.bind("tcp://127.0.0.1:*");
      const z = startZmqkit(["cat", "client", "-c", ep, "-t", String(WAIT)], {
        input: "ping\nagain\n",
      });
      for (const want of ["ping", "again"]) {
        const m = await server.receive();
        assert.deepEqual(m.frames.map(text), [want]);
        await server.send([b(`${want}: pong`)], { routingId: m.routingId! });
      }
      assert.deepEqual(lines(await ok(z)), ["ping: pong", "again: pong"]);
    } finally {
      await server.close();
    }
  });

  it("server --exec answers each libzmq CLIENT request with the command's output", async () => {
    const client = await peer.draftSocket("CLIENT");
    try {
      const z = startZmqkit([
        "cat",
        "server",
        "-b",
        "tcp://127.0.0.1:0",
        "-n",
        "2",
        "-e",
        'printf "%s from %s" "$(tr a-z A-Z)" "$ZMQKIT_PEER"',
      ]);
      await client.connect(await z.boundEndpoint());
      for (const word of ["hello", "again"]) {
        await client.send([b(word)]);
        const [reply] = (await client.receive()).frames.map(text);
        assert.match(reply!, new RegExp(`^${word.toUpperCase()} from [0-9a-f]{8}$`));
      }
      await ok(z);
    } finally {
      await client.close();
    }
  });

  it("server --exec whose output is two frames sends nothing and says why", async () => {
    const client = await peer.draftSocket("CLIENT");
    try {
      const z = startZmqkit([
        "cat",
        "server",
        "-b",
        "tcp://127.0.0.1:0",
        "-d",
        ",",
        "-e",
        "echo a,b",
      ]);
      await client.connect(await z.boundEndpoint());
      await client.send([b("hello")]);
      await z.waitStderr(/is 2 frames; a server sends one: no reply sent/);
      z.kill("SIGTERM");
      await z.done;
    } finally {
      await client.close();
    }
  });

  it("server prints '<id><TAB>message' from a libzmq CLIENT and answers the id named", async () => {
    const client = await peer.draftSocket("CLIENT");
    try {
      const z = startZmqkit(["cat", "server", "-b", "tcp://127.0.0.1:0", "-n", "2"]);
      await client.connect(await z.boundEndpoint());
      await client.send([b("hello")]);
      const [first] = await z.waitLines(1);
      const m = first!.match(/^([0-9a-f]{8})\thello$/);
      assert.ok(m, `"${first}"`);
      z.write(`${m[1]}\tworld\n`); // by its id
      assert.deepEqual((await client.receive()).frames.map(text), ["world"]);
      z.write("\tagain\n"); // the last peer heard from
      assert.deepEqual((await client.receive()).frames.map(text), ["again"]);
      await client.send([b("bye")]);
      z.endInput();
      assert.deepEqual(lines(await ok(z)), [first, `${m[1]}\tbye`]);
    } finally {
      await client.close();
    }
  });

  it("dish -j prints 'group<TAB>body' of the groups it joined from a libzmq RADIO", async () => {
    const radio = await peer.draftSocket("RADIO");
    try {
      const z = startZmqkit([
        "cat",
        "dish",
        "-j",
        "weather",
        "-j",
        "news",
        "-b",
        "tcp://127.0.0.1:0",
      ]);
      await radio.connect(await z.boundEndpoint());
      await probe(async () => {
        await radio.send([b("goal")], { group: b("sports") }); // never joined: never printed
        await radio.send([b("sunny")], { group: b("weather") });
      }, () => z.waitLines(1, 100));
      await radio.send([b("dry")], { group: b("news") });
      await z.waitFor(() => lines(z.stdout).includes("news\tdry"), "news");
      z.kill("SIGTERM");
      await z.done;
      const got = lines(z.stdout);
      assert.ok(got.every((l) => l === "weather\tsunny" || l === "news\tdry"), got.join("|"));
    } finally {
      await radio.close();
    }
  });

  it("radio --group sends each line to that group, to a libzmq DISH", async () => {
    const dish = await peer.draftSocket("DISH");
    try {
      await dish.join(b("weather"));
      const ep = await dish.bind("tcp://127.0.0.1:*");
      const z = startZmqkit(["cat", "radio", "--group", "weather", "-c", ep]);
      const m = await probe(() => z.write("rain\n"), () => dish.receive(100));
      assert.deepEqual(m.frames.map(text), ["rain"]);
      assert.equal(text(m.group!), "weather");
      z.endInput();
      await ok(z);
    } finally {
      await dish.close();
    }
  });

  it("radio -d reads GROUP<d>BODY lines, to a libzmq DISH", async () => {
    const dish = await peer.draftSocket("DISH");
    try {
      await dish.join(b("b"));
      const ep = await dish.bind("tcp://127.0.0.1:*");
      const z = startZmqkit(["cat", "radio", "-d", ",", "-c", ep]);
      const m = await probe(() => z.write("a,not joined\nb,joined\n"), () => dish.receive(100));
      assert.deepEqual([text(m.group!), ...m.frames.map(text)], ["b", "joined"]);
      z.endInput();
      await ok(z);
    } finally {
      await dish.close();
    }
  });

  it("gather prints what a libzmq SCATTER sends; scatter sends to a libzmq GATHER", async () => {
    const scatter = await peer.draftSocket("SCATTER");
    const gather = await peer.draftSocket("GATHER");
    try {
      const g = startZmqkit(["cat", "gather", "-b", "tcp://127.0.0.1:0", "-n", "2"]);
      await scatter.connect(await g.boundEndpoint());
      await scatter.send([b("one")]);
      await scatter.send([b("two")]);
      assert.deepEqual(lines(await ok(g)), ["one", "two"]);

      const ep = await gather.bind("tcp://127.0.0.1:*");
      const s = startZmqkit(["cat", "scatter", "-c", ep], { input: "three\nfour\n" });
      assert.deepEqual((await gather.receive()).frames.map(text), ["three"]);
      assert.deepEqual((await gather.receive()).frames.map(text), ["four"]);
      await ok(s);
    } finally {
      await scatter.close();
      await gather.close();
    }
  });

  it("channel talks both ways with a libzmq CHANNEL", async () => {
    const channel = await peer.draftSocket("CHANNEL");
    try {
      const z = startZmqkit(["cat", "channel", "-b", "tcp://127.0.0.1:0", "-n", "1"]);
      await channel.connect(await z.boundEndpoint());
      await channel.send([b("from libzmq")]);
      await z.waitLines(1);
      z.write("from zmqkit\n");
      assert.deepEqual((await channel.receive()).frames.map(text), ["from zmqkit"]);
      z.endInput();
      assert.deepEqual(lines(await ok(z)), ["from libzmq"]);
    } finally {
      await channel.close();
    }
  });

  it("peer -c prints the routing id of its connection; input sent to it reaches libzmq's PEER", async () => {
    const lib: LibzmqDraftSide = await peer.draftSocket("PEER");
    try {
      const ep = await lib.bind("tcp://127.0.0.1:*");
      const z = startZmqkit(["cat", "peer", "-c", ep]);
      const id = (await z.waitStderr(/is routing id ([0-9a-f]{8})/))[1]!;
      z.write(`${id}\thello peer\n`);
      assert.deepEqual((await lib.receive()).frames.map(text), ["hello peer"]);
      z.kill("SIGTERM"); // duplex: the end of input ends only the sending
      await z.done;
    } finally {
      await lib.close();
    }
  });
});

describe("zmqkit cat draft types vs zmqkit", () => {
  it("client and server: a request, answered to the last peer heard from", async () => {
    const s = startZmqkit(["cat", "server", "-b", "tcp://127.0.0.1:0", "-n", "1"], {
      input: "\tpong\n",
    });
    const c = await zmqkit(["cat", "client", "-c", await s.boundEndpoint(), "-t", String(WAIT)], {
      input: "ping\n",
    });
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(lines(c.stdout), ["pong"]);
    assert.match(lines(await ok(s))[0]!, /^[0-9a-f]{8}\tping$/);
  });

  it("radio -d to dish -f json: [group, body]; raw output leaves the group out", async () => {
    for (const [fmt, want] of [["json", '["weather","sunny"]'], ["raw", "sunny"]] as const) {
      const d = startZmqkit([
        "cat",
        "dish",
        "-j",
        "weather",
        "-b",
        "tcp://127.0.0.1:0",
        "--out",
        fmt,
      ]);
      const r = startZmqkit(["cat", "radio", "-d", "\\t", "-c", await d.boundEndpoint()]);
      await probe(
        () => r.write("news\tnot joined\nweather\tsunny\n"),
        () => d.waitFor(() => d.stdout.length > 0, "output", 100),
      );
      r.endInput();
      await ok(r);
      d.kill("SIGTERM");
      await d.done;
      const out = d.stdout.toString();
      assert.ok(out.startsWith(want), out);
      assert.ok(!out.includes("not joined"), out);
    }
  });

  it("peer to peer: the connecting side addresses the id it printed", async () => {
    const a = startZmqkit(["cat", "peer", "-b", "tcp://127.0.0.1:0", "-n", "1"], {
      input: "\tback\n",
    });
    const c = startZmqkit(["cat", "peer", "-c", await a.boundEndpoint(), "-n", "1"]);
    const id = (await c.waitStderr(/is routing id ([0-9a-f]{8})/))[1]!;
    c.write(`${id}\thi\n`);
    c.endInput();
    assert.match(lines(await ok(a))[0]!, /^[0-9a-f]{8}\thi$/);
    assert.deepEqual(lines(await ok(c)), [`${id}\tback`]);
  });
});

describe("zmqkit cat draft types: misuse is one line and exit 2", () => {
  const g256 = "g".repeat(256);
  const cases: Array<{ args: string[]; input?: string; err: RegExp }> = [
    {
      args: ["cat", "client", "-c", "tcp://127.0.0.1:1", "-d", ","],
      input: "a,b\n",
      err: /^zmqkit: line 1: client messages are a single frame .*got 2 frames/,
    },
    {
      args: ["cat", "scatter", "-c", "tcp://127.0.0.1:1", "-f", "json"],
      input: '["a","b"]\n',
      err: /^zmqkit: line 1: scatter messages are a single frame/,
    },
    {
      args: ["cat", "server", "-b", "tcp://127.0.0.1:0", "-d", ","],
      input: "\ta,b\n",
      err: /line 1: server messages are a single frame/,
    },
    {
      args: ["cat", "server", "-b", "tcp://127.0.0.1:0"],
      input: "0102\tx\n",
      err: /line 1: a server routing id is 4 bytes/,
    },
    {
      args: ["cat", "radio", "-c", "tcp://127.0.0.1:1", "--group", "g", "-d", ","],
      input: "a,b\n",
      err: /^zmqkit: line 1: radio messages are a single frame/,
    },
    {
      args: ["cat", "radio", "-c", "tcp://127.0.0.1:1", "-d", ","],
      input: `${g256},body\n`,
      err: /^zmqkit: line 1: the group is 256 bytes: at most 255/,
    },
    {
      args: ["cat", "radio", "-c", "tcp://127.0.0.1:1", "-d", ","],
      input: "no group\n",
      err: /^zmqkit: line 1: expected GROUP and BODY/,
    },
    {
      args: ["cat", "radio", "-c", "tcp://127.0.0.1:1"],
      err: /^zmqkit: radio needs --group GROUP, or -d STR/,
    },
    {
      args: ["cat", "pull", "-b", "tcp://127.0.0.1:0", "-j", "x"],
      err: /-j\/--join works with dish, not pull/,
    },
    {
      args: ["cat", "dish", "-b", "tcp://127.0.0.1:0", "--group", "x"],
      err: /--group works with radio, not dish/,
    },
    {
      args: ["cat", "dish", "-b", "tcp://127.0.0.1:0"],
      err: /dish receives only the groups it joins/,
    },
    {
      args: ["cat", "dish", "-b", "tcp://127.0.0.1:0", "-j", g256],
      err: /a group is at most 255 bytes, this one is 256/,
    },
    {
      args: ["cat", "radio", "-c", "tcp://127.0.0.1:1", "--group", g256],
      err: /a group is at most 255 bytes/,
    },
  ];
  for (const c of cases) {
    it(`${c.args.slice(1).join(" ").slice(0, 60)} → ${c.err.source.slice(0, 40)}`, async () => {
      const r = await zmqkit(c.args, { input: c.input ?? "" });
      assert.equal(r.code, 2, r.stderr);
      const errs = r.stderr.split("\n").filter((l) => l !== "" && !/^zmqkit: bind /.test(l));
      assert.equal(errs.length, 1, r.stderr);
      assert.match(errs[0]!, c.err);
      assert.equal(r.stdout.length, 0);
    });
  }
});
