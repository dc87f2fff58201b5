// SPDX-License-Identifier: MIT
/**
 * README.md's recipes run as written, so docs and behaviour cannot drift: every ```sh block that
 * calls `zmqkit` is read from the README, each line rewritten only as `rewrite()` in _recipes.ts
 * says (placeholder hosts, fixed ports, absolute paths), run with `sh -c` in a temporary
 * directory with the binary under test first on PATH, and its output checked against what the
 * comments and prose around it say. A block the test does not know, or a line of a known block
 * that no scenario runs (or skips with a reason), fails the test.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { unpackMultiple } from "msgpackr";
import { ensureBinary, killAll, lines, ROOT, startZmqkit, WAIT, zmqkit } from "./_cli.ts";
import {
  type Block,
  commandOf,
  connectedTo,
  fenceAfter,
  hexdumpC,
  listening,
  missingTool,
  readmeBlocks,
  Recipe,
  renumberPort,
  serverBytes,
  waitUntil,
} from "./_recipes.ts";
import { parseSvg, texts } from "./_svg.ts";
import { ExitCode } from "../../cli/errors.ts";
import { Dealer } from "../../mod.ts";
import { LibzmqPeer } from "../_helpers/peers.ts";
import { concatBytes, encodeFrame, encodeGreeting, encodeReady } from "../../lib/internal.ts";

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const BLOCKS = readmeBlocks(README);
const FIXTURE = join(ROOT, "tests", "fixtures", "dump");
/**
 * The CURVE test keys tests/fixtures/dump/make_fixture.ts made the fixture with (zeromq.js's
 * curveKeyPair); the server's secret is what `--curve-secret "$SERVER_SECRET"` gets.
 */
const SERVER_KEYS = {
  publicKey: "]#0iO*>SIJSbh!!}00m/Vj<.16NrNOU8u&]pKLqc",
  secretKey: ">+-M9C*FBi)qn-#SE8P@8SWMKk0o1PVghRAqbu/o",
};
const CLIENT_KEYS = {
  publicKey: "{AhgWiq/J=?B.42!SgDF->Y)kjY<u%Uh%!@R7oRq",
  secretKey: "7M=Y$jGhr0zO%$J9CenQH%X8py]V9Ms#4Zk3ZKE@",
};
const NO_CAPTURE = missingTool("tcpdump", ["-i", "lo", "-d", "tcp"]);
const NO_SOCAT = missingTool("socat", ["-V"]);
const NO_NODE = missingTool("node", ["--version"]);
/** Long enough for the bench lines (a size sweep takes ~7 s on a 2-core machine). */
const BENCH = 60_000;
const te = new TextEncoder();

before(() => ensureBinary());
after(() => killAll());

/** Blocks another test runs; running `npm ci` here would wipe node_modules under this test. */
const COVERED = new Map<string, string>([
  [
    "npm ci && npm start -s -- --help",
    "tests/cli/setup_test.ts runs `npm start -s` (after the npm ci the suite itself needed); " +
    "`npm test` is this suite",
  ],
  [
    "npm pack",
    "tests/cli/npm_install_test.ts runs this block's lines as written, then the installed zmqkit",
  ],
]);

/** Scenarios by the first command of their block. */
const SCENARIOS = new Map<string, (r: Recipe) => void>();
const scenario = (key: string, define: (r: Recipe) => void) => SCENARIOS.set(key, define);

/** "line N (README.md:L)" for test names. */
const at = (r: Recipe, i: number) => `line ${i + 1} (README.md:${r.block.line + 1 + i})`;

/** What line `i`'s `# comment` promises: the first group of `re` matched against it. */
function promised(r: Recipe, i: number, re: RegExp): string {
  const comment = r.block.lines[i]!.slice(commandOf(r.block.lines[i]!).length);
  const m = re.exec(comment);
  assert.ok(m, `README.md:${r.block.line + 1 + i}: the comment no longer matches ${re}`);
  return m[1]!;
}

/**
 * `it(title, fn)`; or, when `reason` says why it cannot run here (a tool missing), line `i`
 * counted as skipped and the reason in the test's name as well (Deno prints no skip reason).
 */
function itUnless(
  reason: string | undefined,
  r: Recipe,
  i: number | undefined,
  title: string,
  fn: () => Promise<void>,
): void {
  if (reason === undefined) return void it(title, fn);
  const why = i === undefined ? reason : r.skip(i, reason);
  it(`${title} [skipped: ${why}]`, { skip: why }, fn);
}

const tcp = (port: number) => `tcp://127.0.0.1:${port}`;
const bound = (port: number) => waitUntil(() => listening(port), `a listener on port ${port}`);
const hex = (s: string | Uint8Array) => Buffer.from(s).toString("hex");

// ---------------------------------------------------------------------------------- zmqkit cat

scenario("zmqkit cat pull -b 'tcp://*:5555' >> all.log", (r) => {
  it(`${at(r, 0)} collects what ${at(r, 1)} tails, appended to all.log`, async () => {
    writeFileSync(r.path("all.log"), "earlier\n");
    writeFileSync(r.path("app.log"), "line 1\nline 2\n"); // /var/log/app.log
    r.start(0);
    await bound(r.port(5555));
    r.start(1);
    const log = () => readFileSync(r.path("all.log"), "utf8");
    await waitUntil(() => log().includes("line 2\n"), "the tail of app.log in all.log");
    appendFileSync(r.path("app.log"), "line 3\n");
    await waitUntil(() => log().includes("line 3\n"), "the new line of app.log in all.log");
    assert.equal(log(), "earlier\nline 1\nline 2\nline 3\n");
  });
});

scenario("zmqkit cat pub -b 'tcp://*:5556' --wait-for-peer < events.txt", (r) => {
  it(`${at(r, 1)} gets every line with its prefixes from ${at(r, 0)}, none lost`, async () => {
    const events = ["weather.paris sun", "news.x", "sport.y", "weather.oslo snow", "news.z"];
    writeFileSync(r.path("events.txt"), events.join("\n") + "\n");
    const pub = r.start(0);
    await bound(r.port(5556));
    const sub = r.start(1);
    const wanted = events.filter((e) => /^(weather|news)\./.test(e));
    await sub.waitFor(() => lines(Buffer.from(sub.stdout)).length >= wanted.length, "4 lines");
    assert.deepEqual(lines(Buffer.from(sub.stdout)), wanted);
    const p = await pub.finished();
    assert.equal(p.code, 0, p.stderr);
  });
});

scenario("zmqkit cat rep -b 'tcp://*:5557' -e 'tr a-z A-Z'", (r) => {
  it(`${at(r, 0)} answers each request with the command's output, and prints it`, async () => {
    const rep = r.start(0);
    await bound(r.port(5557));
    const req = await zmqkit(["cat", "req", "-c", tcp(r.port(5557))], {
      input: "hello\n",
      timeout: WAIT,
    });
    assert.equal(req.code, 0, req.stderr);
    assert.equal(req.stdout.toString(), "HELLO\n");
    await rep.waitStdout(/\n/);
    assert.equal(rep.stdout, "hello\n");
  });

  it(`${at(r, 1)} sees the frames in ZMQKIT_FRAMES and ZMQKIT_FRAME_0`, async () => {
    await r.stopAll();
    const rep = r.start(1);
    await bound(r.port(5557));
    const req = await zmqkit(["cat", "req", "-c", tcp(r.port(5557)), "-d", "\\t"], {
      input: "a\tb\n",
      timeout: WAIT,
    });
    assert.equal(req.code, 0, req.stderr);
    assert.equal(req.stdout.toString(), "2 frames, first: a\n");
    await rep.waitStdout(/\n/);
    assert.equal(rep.stdout, "a\tb\n");
  });
});

scenario("if reply=$(echo status | zmqkit cat req -c tcp://server:5557 -t 2000); then", (r) => {
  it("the script prints the server's reply when a server answers", async () => {
    const server = startZmqkit(["cat", "rep", "-b", tcp(r.port(5557)), "-e", "echo all good"]);
    await bound(r.port(5557));
    const out = await r.runCommand(r.script());
    server.kill("SIGKILL");
    await server.done;
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout.toString(), "server says: all good\n");
  });

  it(`the script says "no answer (exit ${ExitCode.TIMEOUT})" when none answers within -t`, async () => {
    assert.ok(!listening(r.port(5557)));
    const out = await r.runCommand(r.script());
    assert.equal(out.stdout.toString(), `no answer (exit ${ExitCode.TIMEOUT})\n`);
    assert.match(out.stderr, /timed out after 2000 ms .*never connected/);
  });
});

scenario("zmqkit keygen --cert server", (r) => {
  it(`${at(r, 2)} reaches ${at(r, 1)} encrypted, with the keys ${at(r, 0)} wrote`, async () => {
    const keygen = await r.run(0);
    assert.equal(keygen.code, 0, keygen.stderr);
    assert.ok(existsSync(r.path("server")) && existsSync(r.path("server_secret")));
    const pull = r.start(1);
    await bound(r.port(5561));
    const push = await r.run(2);
    assert.equal(push.code, 0, push.stderr);
    await pull.waitStdout(/\n/);
    assert.equal(pull.stdout, "secret\n");
  });
});

scenario('printf \'user.42,{"name":"ada"}\\n\' | zmqkit cat push -c tcp://host:5555 -d ,', (r) => {
  it(`${at(r, 1)} prints what ${at(r, 0)} sent, as its comment says`, async () => {
    const pull = r.start(1);
    await bound(r.port(5555));
    const push = await r.run(0);
    assert.equal(push.code, 0, push.stderr);
    await pull.waitStdout(/\n/);
    assert.equal(pull.stdout, `${promised(r, 1, /# prints (.+)$/)}\n`);
  });

  it(`${at(r, 0)} sends two frames, split at the comma`, async () => {
    await r.stopAll();
    const json = startZmqkit(["cat", "pull", "-b", tcp(r.port(5555)), "-n", "1", "-f", "json"]);
    await bound(r.port(5555));
    assert.equal((await r.run(0)).code, 0);
    const got = await json.done;
    assert.deepEqual(JSON.parse(got.stdout.toString()), ["user.42", '{"name":"ada"}']);
  });
});

scenario("zmqkit cat sub -c tcp://host:5556 -f json", (r) => {
  /** A PNG signature and bytes a line-based format would break: NUL, LF, CR, TAB, 0xff. */
  const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 10, 13, 9, 255]);

  it(`${at(r, 0)} prints what ${at(r, 1)} publishes as its comment says`, async () => {
    const sub = r.start(0);
    const pub = await r.run(1);
    assert.equal(pub.code, 0, pub.stderr);
    await sub.waitStdout(/\n/);
    assert.equal(sub.stdout, `${promised(r, 0, /# (\[.*?\]): UTF-8 as strings$/)}\n`);
  });

  it(`${at(r, 2)} prints ${at(r, 4)}'s image.png as one hex line`, async () => {
    await r.stopAll();
    writeFileSync(r.path("image.png"), image);
    const pull = r.start(2);
    await bound(r.port(5555));
    const push = await r.run(4);
    assert.equal(push.code, 0, push.stderr);
    // and a message of two frames: TAB-separated
    const two = await zmqkit(["cat", "push", "-c", tcp(r.port(5555)), "--in", "json"], {
      input: '["a","b"]\n',
      timeout: WAIT,
    });
    assert.equal(two.code, 0, two.stderr);
    await pull.waitFor(() => pull.stdout.split("\n").length > 2, "two lines");
    assert.equal(pull.stdout, `${image.toString("hex")}\n${hex("a")}\t${hex("b")}\n`);
  });

  it(`${at(r, 3)} hands my-decoder a MessagePack array of bin frames`, async () => {
    await r.stopAll();
    const saved = r.path("my-decoder.in");
    r.start(3);
    await bound(r.port(5555));
    assert.equal((await r.run(4)).code, 0);
    await waitUntil(() => existsSync(saved) && statSync(saved).size > image.length, "my-decoder");
    const values = unpackMultiple(readFileSync(saved)) as unknown[];
    assert.equal(values.length, 1);
    const frames = values[0] as Uint8Array[];
    assert.ok(Array.isArray(frames), "an array");
    assert.deepEqual(frames.map((f) => Buffer.from(f)), [image]);
  });
});

scenario("zmqkit cat router -b 'tcp://*:5558'", (r) => {
  it(`${at(r, 0)} prints what ${at(r, 1)} types, and answers it`, async () => {
    const router = r.start(0);
    await bound(r.port(5558));
    const dealer = r.start(1);
    dealer.write(`${promised(r, 1, /# type: (.+)$/)}\n`);
    await router.waitStdout(/\n/);
    assert.equal(router.stdout, `${promised(r, 0, /# prints: (.+)$/).replace("<TAB>", "\t")}\n`);
    router.write(`${hex("alice")}\thello back\n`); // the id, a TAB and the text
    router.write("\tagain\n"); // an empty id answers the last sender
    await dealer.waitFor(() => dealer.stdout.split("\n").length > 2, "two answers");
    assert.equal(dealer.stdout, "hello back\nagain\n");
  });
});

scenario("zmqkit cat dish -b 'tcp://*:5562' -j weather -j news", (r) => {
  it(`${at(r, 0)} prints what ${at(r, 1)} sends to a group it joined`, async () => {
    const dish = r.start(0);
    await bound(r.port(5562));
    const radio = r.start(1);
    // a RADIO drops what it sends before the DISH's JOIN has arrived: type until it shows
    const typed = promised(r, 1, /# type: (.+)$/);
    const until = Date.now() + WAIT;
    while (!dish.stdout.includes("\n")) {
      assert.ok(Date.now() < until, "the dish printed nothing");
      radio.write(`sports,not joined\n${typed}\n`);
      await new Promise((res) => setTimeout(res, 50));
    }
    const want = promised(r, 0, /# prints: (.+)$/).replace("<TAB>", "\t");
    assert.equal(dish.stdout.split("\n")[0], want);
    assert.ok(!dish.stdout.includes("not joined"), dish.stdout);
  });
});

scenario(
  "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | zmqkit cat stream -c tcp://example.com:80 -f raw",
  (r) => {
    let server: Server | undefined;
    after(() => server?.close());

    it(`${at(r, 0)} sends the request raw and prints the answer until the server hangs up`, async () => {
      const response =
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello from example.com\n";
      let request = "";
      server = createServer((sock) => {
        sock.on("data", (d) => {
          request += d;
          if (request.includes("\r\n\r\n")) sock.end(response);
        });
        sock.on("error", () => {});
      });
      await new Promise<void>((resolve) => server!.listen(r.port(80), "127.0.0.1", resolve));
      const out = await r.run(0);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout.toString("latin1"), response);
      assert.equal(request, "GET / HTTP/1.0\r\n\r\n");
    });
  },
);

// ---------------------------------------------------------------------- proxies and brokers

scenario("zmqkit proxy queue 'tcp://*:5559' 'tcp://*:5560' --stats 5", (r) => {
  it(`${at(r, 2)} gets its answer from the worker of ${at(r, 1)} through ${at(r, 0)}`, async () => {
    const proxy = r.start(0);
    await proxy.waitStderr(/backend: dealer bound/);
    r.start(1);
    const client = await r.run(2);
    assert.equal(client.code, 0, client.stderr);
    assert.equal(client.stdout.toString(), `${promised(r, 2, /prints (\S+)$/)}\n`);
    const end = await proxy.stop();
    assert.match(end.stderr, /frontend->backend 1 msgs .*backend->frontend 1 msgs/);
  });
});

scenario(
  "zmqkit proxy forwarder 'tcp://*:5556' 'tcp://*:5557' --capture 'pub@tcp://*:5558'",
  (r) => {
    it(`${at(r, 2)} gets the weather, and ${at(r, 1)} sees all that flows`, async () => {
      const proxy = r.start(0);
      await proxy.waitStderr(/capture: pub bound/);
      const capture = r.start(1);
      // the capture must be connected before anything flows, or it misses it (slow joiner)
      await waitUntil(() => connectedTo(r.port(5558)), "the capture subscriber's connection");
      const sub = r.start(2);
      const pub = await r.run(3);
      assert.equal(pub.code, 0, pub.stderr);
      const weather = Array.from({ length: 100 }, (_, i) => `weather.${i + 1}`);
      await sub.waitFor(() => sub.stdout.split("\n").length > 100, "100 lines");
      assert.deepEqual(lines(Buffer.from(sub.stdout)), weather);
      await capture.waitFor(() => capture.stdout.split("\n").length > 101, "101 lines");
      assert.deepEqual(lines(Buffer.from(capture.stdout)).map((l) => JSON.parse(l)), [
        ["\x01weather."], // the subscription, on its way upstream
        ...weather.map((w) => [w]),
      ]);
    });
  },
);

scenario(
  "zmqkit proxy streamer ipc:///tmp/in ipc:///tmp/out --control tcp://127.0.0.1:5561 &",
  (r) => {
    it(`${at(r, 1)} and ${at(r, 2)} steer the proxy of ${at(r, 0)}`, async () => {
      const proxy = r.start(0);
      await proxy.waitStderr(/control: rep bound/);
      assert.ok(existsSync(r.path("in")) && existsSync(r.path("out")), "ipc files in the temp dir");
      const stats = await r.run(1);
      assert.equal(stats.code, 0, stats.stderr);
      // 8 little-endian uint64 frames, nothing forwarded yet
      assert.equal(stats.stdout.toString(), `${Array(8).fill("0".repeat(16)).join("\t")}\n`);
      const end = await r.run(2);
      assert.equal(end.code, 0, end.stderr);
      const done = await proxy.finished();
      assert.equal(done.code, 0, `exit 0 after a TERMINATE: ${done.stderr}`);
    });
  },
);

scenario("zmqkit broker mdp 'tcp://*:5555' --heartbeat 2500 --stats 10", (r) => {
  let worker: Dealer | undefined;
  after(() => worker?.close());

  it(`${at(r, 1)} and ${at(r, 2)} reach an MDP worker for "echo"`, async () => {
    const broker = r.start(0);
    await broker.waitStderr(/broker: router bound/);
    // any MDP worker for service echo: READY, then each REQUEST's body as the REPLY
    worker = new Dealer({ linger: 0 });
    worker.connect(tcp(r.port(5555)));
    await worker.send(["", "MDPW01", Uint8Array.of(1), "echo"]);
    await waitUntil(() => connectedTo(r.port(5555)), "the worker's connection");
    const w = worker;
    void (async () => {
      for (;;) {
        const [, , command, client, , ...body] = await w.receive();
        if (command?.[0] === 2) {
          await w.send(["", "MDPW01", Uint8Array.of(3), client!, "", ...body]);
        }
      }
    })().catch(() => {}); // ends when the socket closes
    const mmi = await r.run(1);
    assert.equal(mmi.code, 0, mmi.stderr);
    assert.equal(mmi.stdout.toString(), "MDPC01\tmmi.service\t200\n");
    const echo = await r.run(2);
    assert.equal(echo.code, 0, echo.stderr);
    assert.equal(echo.stdout.toString(), "MDPC01\techo\thello\n");
  });
});

// ------------------------------------------------------------------------ zmqkit discover

scenario("zmqkit discover --loopback --port 9999 --announce 5555 &", (r) => {
  it(`${at(r, 1)} prints the node ${at(r, 0)} announces, as the README shows`, async () => {
    const node = r.start(0);
    const found = await r.run(1);
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout.toString(), /^\+ [0-9A-F]{32} 127\.0\.0\.1:5555\n$/);
    const sample = fenceAfter(README, r.block.line);
    assert.match(sample.join("\n"), /^\+ [0-9A-F]{32} 127\.0\.0\.1:5555$/);
    await node.stop();
  });
});

// -------------------------------------------------------------------------- zmqkit bridge

scenario("zmqkit cat rep -b 'tcp://*:5558' -e 'tr a-z A-Z' &", (r) => {
  it(`${at(r, 2)} reaches the REP of ${at(r, 0)} through the bridge of ${at(r, 1)}`, async () => {
    r.start(0);
    await bound(r.port(5558));
    const bridge = r.start(1);
    await bridge.waitStderr(/frontend: router bound/);
    const hello = await r.run(2);
    assert.equal(hello.code, 0, hello.stderr);
    assert.equal(hello.stdout.toString(), "HELLO\n");
  });
});

// ---------------------------------------------------------------------------- zmqkit dump

scenario("zmqkit dump --listen tcp://127.0.0.1:6000 --upstream tcp://127.0.0.1:5555", (r) => {
  it(`${at(r, 2)} and ${at(r, 3)} through the relay: replies, and the README's session`, async () => {
    const relay = r.start(0);
    await relay.waitStderr(/relaying/);
    r.start(1);
    await bound(r.port(5555));
    const hello = await r.run(2);
    assert.equal(hello.code, 0, hello.stderr);
    assert.equal(hello.stdout.toString(), `${promised(r, 2, /prints (\S+)$/)}\n`);
    const temp = await r.run(3);
    assert.equal(temp.code, 0, temp.stderr);
    assert.equal(temp.stdout.toString(), '{"TEMP":21.5}\n');
    await relay.waitFor(() => (relay.stdout.match(/ close /g) ?? []).length === 2, "2 closes");

    // the sample session printed under the block: its ports made this run's, times and the
    // client's port left out
    const ours = (s: string) =>
      s.replace(/:(\d+)\b/g, (m, n: string) => r.ports.has(n) ? `:${r.ports.get(n)}` : m);
    const norm = (s: string) =>
      s.replace(/^\d\d:\d\d:\d\d\.\d{3} /, "")
        .replace(/ open 127\.0\.0\.1:\d+ →/, " open 127.0.0.1:PORT →");
    const sample = fenceAfter(README, r.block.line).map((s) => norm(ours(s)));
    assert.ok(sample[0]?.startsWith("zmqkit: relaying"), `sample: ${sample[0]}`);
    assert.equal(relay.stderr, `${sample[0]}\n`);
    // per connection, the same lines (the two greetings may come in either order)
    assert.deepEqual(lines(Buffer.from(relay.stdout)).map(norm).sort(), sample.slice(1).sort());
  });
});

scenario("tcpdump -i lo -U -w cap.pcap port 5555", (r) => {
  const fixture = readFileSync(join(FIXTURE, "libzmq.pcap"));
  /** The upstream port the fixture was made on, from the relay's log made with it. */
  const fixturePort = Number(
    /:(\d+)$/.exec(
      JSON.parse(readFileSync(join(FIXTURE, "libzmq.relay.ndjson"), "utf8").split("\n")[0]!)
        .server,
    )![1],
  );
  r.env.SERVER_SECRET = SERVER_KEYS.secretKey;
  let port = 0;
  before(() => {
    port = r.port(5555);
    // cap.pcap: the libzmq fixture, on this block's port; frames.txt: what its first server sent
    writeFileSync(r.path("cap.pcap"), renumberPort(fixture, fixturePort, port));
    writeFileSync(r.path("frames.txt"), hexdumpC(serverBytes(fixture, fixturePort)));
  });

  /** PUSH→PULL on `port`: "hello", then `extra` (to push a buffered capture out to its file). */
  async function traffic(extra = ""): Promise<void> {
    const pull = startZmqkit(["cat", "pull", "-b", tcp(port), "-n", extra ? "2" : "1"]);
    await bound(port);
    const push = await zmqkit(["cat", "push", "-c", tcp(port)], {
      input: `hello\n${extra}`,
      timeout: WAIT,
    });
    assert.equal(push.code, 0, push.stderr);
    assert.equal((await pull.done).code, 0);
  }

  itUnless(
    NO_CAPTURE,
    r,
    0,
    `${at(r, 0)} captures ZMTP on lo that line 2 then decodes`,
    async () => {
      const live = r.path("live");
      mkdirSync(live);
      const tcpdump = r.start(0, { cwd: live });
      await tcpdump.waitStderr(/listening on/);
      await traffic(`${"x".repeat(65536)}\n`);
      // the kernel hands packets to tcpdump in batches, and without -U tcpdump buffers its
      // file: wait until the 64 KiB message is in it, so all that came before is too
      const file = join(live, "cap.pcap");
      await waitUntil(() => existsSync(file) && statSync(file).size > 65536, "tcpdump's file");
      await tcpdump.stop();
      const out = await r.runCommand(r.command(1), { cwd: live });
      assert.equal(out.code, 0, out.stderr);
      const text = out.stdout.toString();
      assert.match(text, new RegExp(`#1   open 127\\.0\\.0\\.1:\\d+ → 127\\.0\\.0\\.1:${port}\\n`));
      assert.match(text, /#1 → greeting ZMTP 3\.1 NULL/);
      assert.match(text, /#1 → msg "hello"/);
    },
  );

  let whole = "";
  it(`${at(r, 1)} decodes the five connections of the fixture`, async () => {
    const out = await r.run(1);
    assert.equal(out.code, 0, out.stderr);
    whole = out.stdout.toString();
    const opens = whole.match(/ open 127\.0\.0\.1:\d+ → 127\.0\.0\.1:(\d+)/g) ?? [];
    assert.deepEqual(opens.map((o) => o.slice(o.lastIndexOf(":") + 1)), Array(5).fill(`${port}`));
    for (
      const line of [
        `#1 → msg 2 frames: [0]"hello" [1]{"n":1}`,
        `#1 ← msg "world"`,
        `#2 → msg [] | "ping"`,
        `#2 ← msg [] | "pong"`,
        `#3 → SUBSCRIBE topic=weather`,
        `#4 → HELLO username=admin password=*** passwordLength=6`,
        `#5 → greeting ZMTP 3.1 CURVE`,
      ]
    ) assert.ok(whole.includes(line), `${line} in:\n${whole}`);
  });

  it(`${at(r, 2)} decodes the same flows: all are on that port`, async () => {
    const out = await r.run(2);
    assert.equal(out.code, 0, out.stderr);
    assert.ok(whole !== "");
    assert.equal(out.stdout.toString(), whole);
  });

  itUnless(NO_CAPTURE, r, 3, `${at(r, 3)} decodes a live capture from stdin`, async () => {
    const live = r.start(3);
    await live.waitStderr(/listening on/);
    await traffic();
    await live.waitStdout(/#1 → msg "hello"/);
    assert.match(live.stdout, /#1 → greeting ZMTP 3\.1 NULL/);
    await live.stop();
  });

  itUnless(NO_SOCAT, r, 4, `${at(r, 4)} decodes one raw byte stream`, async () => {
    const dump = r.start(4);
    await waitUntil(() => listening(r.port(7000)), "socat's listener");
    const stream = concatBytes([
      encodeGreeting("NULL"),
      encodeFrame(4, encodeReady([["Socket-Type", te.encode("DEALER")]])),
      encodeFrame(1, te.encode("sensor-7")),
      encodeFrame(0, te.encode("21.5")),
    ]);
    await new Promise<void>((resolve, reject) => {
      const sock = createConnection(r.port(7000), "127.0.0.1", () => sock.end(stream, resolve));
      sock.on("error", reject);
    });
    const out = await dump.finished();
    assert.equal(out.code, 0, out.stderr);
    const text = out.stdout.toString();
    assert.match(text, /→ greeting ZMTP 3\.1 NULL/);
    assert.match(text, /→ READY metadata\{Socket-Type=DEALER\}/);
    assert.match(text, /→ msg 2 frames: \[0\]"sensor-7" \[1\]"21\.5"/);
  });

  it(`${at(r, 5)} decodes the server's side of a hex dump`, async () => {
    const out = await r.run(5);
    assert.equal(out.code, 0, out.stderr);
    const text = out.stdout.toString();
    for (
      const line of [
        "← greeting ZMTP 3.1 NULL",
        '← READY metadata{Socket-Type=ROUTER Identity=""}',
        '← msg "world"',
      ]
    ) assert.ok(text.includes(line), `${line} in:\n${text}`);
    assert.doesNotMatch(text, / → (greeting|READY|msg)/, "only the server's side");
  });

  it(`${at(r, 6)} relays over ipc and writes relay.pcapng, which decodes`, async () => {
    const relay = r.start(6);
    await relay.waitStderr(/relaying/);
    const app = startZmqkit(["cat", "rep", "-b", `ipc://${r.path("app")}`, "-e", "tr a-z A-Z"]);
    await waitUntil(() => existsSync(r.path("app")), "the app's ipc socket");
    const req = await zmqkit(["cat", "req", "-c", `ipc://${r.path("relay")}`], {
      input: "hello\n",
      timeout: WAIT,
    });
    assert.equal(req.stdout.toString(), "HELLO\n", req.stderr);
    await relay.waitStdout(/ close /);
    await relay.stop();
    app.kill("SIGKILL");
    const file = readFileSync(r.path("relay.pcapng"));
    assert.equal(file.readUInt32BE(0), 0x0a0d0d0a, "a pcapng section header");
    const back = await zmqkit(["dump", "--pcap", r.path("relay.pcapng")], { timeout: WAIT });
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout.toString(), /#1 → msg \[\] \| "hello"\n.*#1 ← msg \[\] \| "HELLO"\n/);
  });

  it(`${at(r, 7)} decodes frame 0 as text and frame 1 as MessagePack`, async () => {
    const out = await r.run(7);
    assert.equal(out.code, 0, out.stderr);
    const text = out.stdout.toString();
    // `{"n":1}` and `sunny` read as MessagePack: a sequence of positive fixints
    const values = (s: string) => JSON.stringify({ $values: [...te.encode(s)] });
    for (
      const line of [
        `#1 → msg 2 frames: [0]"hello" [1]${values('{"n":1}')}`,
        `#3 ← msg topic "weather" 2 frames: [0]"weather" [1]${values("sunny")}`,
      ]
    ) assert.ok(text.includes(line), `${line} in:\n${text}`);
  });

  it(`${at(r, 8)} decodes bodies with the layout, and says where one is short`, async () => {
    const out = await r.run(8);
    assert.equal(out.code, 0, out.stderr);
    const text = out.stdout.toString();
    const view = (s: string) => new DataView(te.encode(s).buffer);
    const world = view("world").getUint32(0), plain = view("plain hi");
    for (
      const line of [
        `#1 ← msg {"id":${world}} (layout: at byte 4 (field "temp"): needs 4 bytes, 1 left)`,
        `#4 → msg {"id":${plain.getUint32(0)},"temp":${plain.getFloat32(4, true)}} ` +
        `(layout: at byte 8 (field "name"): needs 1 byte, 0 left)`,
      ]
    ) assert.ok(text.includes(line), `${line} in:\n${text}`);
  });

  it(`${at(r, 9)} relays and decodes a NULL pair (with a CURVE secret given)`, async () => {
    const relay = r.start(9);
    await relay.waitStderr(/relaying/);
    const rep = startZmqkit(["cat", "rep", "-b", tcp(r.port(5555)), "-e", "tr a-z A-Z"]);
    await bound(r.port(5555));
    const req = await zmqkit(["cat", "req", "-c", tcp(r.port(6000))], {
      input: "hello\n",
      timeout: WAIT,
    });
    assert.equal(req.stdout.toString(), "HELLO\n", req.stderr);
    await relay.waitStdout(/#1 ← msg \[\] \| "HELLO"/);
    assert.match(relay.stdout, /#1 → greeting ZMTP 3\.1 NULL/);
    rep.kill("SIGKILL");
    await rep.done;
  });

  const curve = `${at(r, 9)} opens a libzmq CURVE pair's HELLO and WELCOME with $SERVER_SECRET`;
  itUnless(NO_NODE, r, undefined, curve, async () => {
    await r.stopAll();
    const relay = r.start(9);
    await relay.waitStderr(/relaying/);
    const peer = await LibzmqPeer.start();
    try {
      const server = await peer.socket("REP", {
        options: { curveServer: true, curveSecretKey: SERVER_KEYS.secretKey },
      });
      await server.bind(tcp(r.port(5555)));
      const client = await peer.socket("REQ", {
        options: {
          curveServerKey: SERVER_KEYS.publicKey,
          curvePublicKey: CLIENT_KEYS.publicKey,
          curveSecretKey: CLIENT_KEYS.secretKey,
        },
      });
      await client.connect(tcp(r.port(6000)));
      await client.send([te.encode("curve hi")]);
      assert.equal(Buffer.from((await server.receive())[0]!).toString(), "curve hi");
      await server.send([te.encode("curve ho")]);
      assert.equal(Buffer.from((await client.receive())[0]!).toString(), "curve ho");
      await relay.waitStdout(/← msg encrypted/);
      const text = relay.stdout;
      const key = SERVER_KEYS.publicKey.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      assert.match(text, new RegExp(`→ HELLO .*opened=true serverKey=${key} signatureOk=true`));
      assert.match(text, /← WELCOME .*opened=true serverTransientKey=\S{40} /);
      assert.match(text, /→ INITIATE .*cookieMatches=true/);
      assert.match(text, /→ msg encrypted \d+ B/);
    } finally {
      await peer.stop();
    }
  });
});

// --------------------------------------------------------------------------- zmqkit bench

/** The rows of a `bench run --sizes` table: size, msg/s, MB/s, avg, p50, p99 µs. */
function sweepRows(table: string): string[][] {
  const out = table.split("\n").filter((l) => /^\s*\d+(B|KiB)\s/.test(l));
  return out.map((l) => l.trim().split(/\s+/));
}

scenario("zmqkit bench run", (r) => {
  it(`${at(r, 0)} prints throughput and latency`, async () => {
    const out = await r.run(0, { timeout: BENCH });
    assert.equal(out.code, 0, out.stderr);
    const text = out.stdout.toString();
    assert.match(text, /^throughput \(push-pull, tcp\):\n/);
    assert.match(text, /\nmean throughput: \d+ \[msg\/s\]\n/);
    assert.match(text, /\nlatency \(req-rep, tcp\):\n/);
    assert.match(text, /\naverage latency: [\d.]+ \[us\]\n/);
  });

  const SIZES = ["1B", "64B", "1KiB", "64KiB"];
  const HEADER = /^ size +msg\/s +MB\/s +avg µs +p50 µs +p99 µs$/m;

  it(`${at(r, 1)} prints one table: size, msg/s, MB/s, latency µs`, async () => {
    const out = await r.run(1, { timeout: BENCH });
    assert.equal(out.code, 0, out.stderr);
    const text = out.stdout.toString();
    assert.match(text, HEADER);
    assert.deepEqual(sweepRows(text).map((row) => row[0]), SIZES);
  });

  it(`${at(r, 2)} writes the table as CSV`, async () => {
    const out = await r.run(2, { timeout: BENCH });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout.length, 0);
    const csv = readFileSync(r.path("sweep.csv"), "utf8").trimEnd().split("\n");
    assert.equal(csv[0], "size,msgs_per_s,mb_per_s,lat_avg_us,lat_p50_us,lat_p99_us");
    assert.equal(csv.length, 5, csv.join("\n"));
    for (const [i, size] of ["1", "64", "1024", "65536"].entries()) {
      assert.match(csv[i + 1]!, new RegExp(`^${size}(,\\d+(\\.\\d+)?){5}$`));
    }
  });

  it(`${at(r, 3)} prints the table and draws its numbers in sweep.svg`, async () => {
    const out = await r.run(3, { timeout: BENCH });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /zmqkit: wrote sweep\.svg/);
    const rows = sweepRows(out.stdout.toString());
    assert.deepEqual(rows.map((row) => row[0]), SIZES);
    const labels = texts(parseSvg(readFileSync(r.path("sweep.svg"), "utf8")));
    const all = labels.join("\n");
    for (const [size, msgs, mbs, avg, p50, p99] of rows) {
      assert.ok(labels.includes(size!), `${size} in ${all}`);
      assert.ok(labels.includes(`${msgs} msg/s`), `${msgs} msg/s in ${all}`);
      assert.ok(labels.includes(`${mbs} MB/s`), `${mbs} MB/s in ${all}`);
      for (const v of [avg, p50, p99]) assert.ok(all.includes(`${v} µs`), `${v} µs in ${all}`);
    }
  });

  it(`${at(r, 5)} sends 1M messages to ${at(r, 4)}, which prints the throughput`, async () => {
    const receiver = r.start(4);
    await bound(r.port(5555));
    const sender = await r.run(5, { timeout: BENCH });
    assert.equal(sender.code, 0, sender.stderr);
    const got = await receiver.finished(BENCH);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout.toString(), /message count: 1000000\n/);
    assert.match(got.stdout.toString(), /mean throughput: \d+ \[msg\/s\]/);
  });

  it(`${at(r, 6)} times round trips against an echoing half, as JSON`, async () => {
    const echo = startZmqkit(["bench", "lat", "-b", tcp(r.port(5556))], { timeout: BENCH });
    await bound(r.port(5556));
    const out = await r.run(6, { timeout: BENCH });
    assert.equal(out.code, 0, out.stderr);
    const result = JSON.parse(out.stdout.toString()) as Record<string, unknown>;
    assert.equal(result.bench, "lat");
    assert.equal(result.count, 10_000);
    assert.ok(typeof result.avg_us === "number" && result.avg_us > 0, out.stdout.toString());
    assert.equal((await echo.done).code, 0);
  });
});

// ------------------------------------------------------------------------------ the blocks

describe("README.md recipes", () => {
  it("every ```sh block that calls zmqkit has a scenario here, and every scenario a block", () => {
    const known = (b: Block) => SCENARIOS.has(b.key) || COVERED.has(b.key);
    const unknown = BLOCKS.filter((b) => /\bzmqkit\b/.test(b.lines.join("\n")) && !known(b));
    assert.deepEqual(
      unknown.map((b) => `block ${b.index} (README.md:${b.line}): ${b.key}`),
      [],
      "README blocks this test does not run: add a scenario for each",
    );
    const keys = new Set(BLOCKS.map((b) => b.key));
    const gone = [...SCENARIOS.keys(), ...COVERED.keys()].filter((k) => !keys.has(k));
    assert.deepEqual(gone, [], "scenarios whose block is no longer in the README");
  });

  for (const block of BLOCKS) {
    const name = `block ${block.index} (README.md:${block.line}): ${block.key}`;
    const covered = COVERED.get(block.key);
    if (covered !== undefined) {
      it(`${name} [covered elsewhere: ${covered}]`, { skip: covered }, () => {});
      continue;
    }
    const define = SCENARIOS.get(block.key);
    if (define === undefined) continue; // reported by the check above
    describe(name, () => {
      const r = new Recipe(block);
      before(() => r.setup());
      after(() => r.cleanup());
      define(r);
      it("ran or skipped every line of the block", () => {
        assert.deepEqual(r.unaccounted(), [], "lines no scenario runs");
      });
    });
  }
});
