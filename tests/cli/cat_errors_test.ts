// SPDX-License-Identifier: MIT
// Bad input as a new user would try it: each gives one clear `zmqkit: ...` line on stderr,
// never a stack trace, and the documented exit code (1 runtime, 2 usage, 3 timeout).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { LibzmqPeer } from "../_helpers/peers.ts";
import {
  ensureBinary,
  ipcEndpoint,
  killAll,
  lines,
  type Result,
  startZmqkit,
  zmqkit,
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

/** Asserts the exit code and that stderr is exactly one `zmqkit:` line matching `re`. */
function oneLine(r: Result, code: number, re: RegExp): void {
  const err = r.stderr.split("\n").filter((l) => l !== "");
  assert.equal(r.code, code, `exit ${r.code}, stderr: ${r.stderr}`);
  assert.equal(err.length, 1, `expected one line, got: ${r.stderr}`);
  assert.match(err[0]!, /^zmqkit: /);
  assert.match(err[0]!, re);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
}

describe("zmqkit cat usage errors (exit 2)", () => {
  const cases: Array<[string, string[], RegExp]> = [
    [
      "an unknown type",
      ["cat", "puhs", "-c", "tcp://127.0.0.1:5555"],
      /unknown socket type "puhs"/,
    ],
    ["no endpoint", ["cat", "push"], /at least one endpoint/],
    ["a malformed endpoint", ["cat", "push", "-c", "tcp//127.0.0.1:5555"], /invalid endpoint/],
    ["a port out of range", ["cat", "pull", "-b", "tcp://127.0.0.1:70000"], /port must be/],
    ["a wildcard connect", ["cat", "push", "-c", "tcp://*:5555"], /connect needs a host/],
    [
      "an unknown transport",
      ["cat", "push", "-c", "pgm://eth0;239.0.0.1:1"],
      /unsupported transport/,
    ],
    [
      "udp:// for a push",
      ["cat", "push", "-c", "udp://host:1"],
      /udp:\/\/ is for radio and dish only/,
    ],
    [
      "udp:// for a binding radio",
      ["cat", "radio", "-b", "udp://*:1", "--group", "g"],
      /radio to connect/,
    ],
    [
      "an unknown option",
      ["cat", "pull", "-b", ipcEndpoint(), "-o", "hwm=5"],
      /unknown option "hwm"/i,
    ],
    [
      "an option of the wrong type",
      ["cat", "pull", "-b", ipcEndpoint(), "-o", "sendHighWaterMark=lots"],
      /must be an integer/,
    ],
    ["an option out of range", ["cat", "pull", "-b", ipcEndpoint(), "-o", "linger=-7"], /must be/],
    ["-o without =", ["cat", "pull", "-b", ipcEndpoint(), "-o", "linger"], /NAME=VALUE/],
    [
      "an unknown format",
      ["cat", "pull", "-b", ipcEndpoint(), "-f", "yaml"],
      /unknown format "yaml"/,
    ],
    ["a bad count", ["cat", "pull", "-b", ipcEndpoint(), "-n", "many"], /-n\/--count must be/],
    [
      "a bad --max-line",
      ["cat", "push", "-b", ipcEndpoint(), "--max-line", "lots"],
      /--max-line: invalid size: "lots"/,
    ],
    ["--exec on a pull", ["cat", "pull", "-b", ipcEndpoint(), "-e", "cat"], /--exec works with/],
    [
      "an unknown --on-exec-error",
      ["cat", "rep", "-b", ipcEndpoint(), "-e", "cat", "--on-exec-error", "retry"],
      /--on-exec-error must be one of skip, reply-empty, exit, got "retry"/,
    ],
    [
      "--on-exec-error without --exec",
      ["cat", "rep", "-b", ipcEndpoint(), "--on-exec-error", "exit"],
      /--on-exec-error needs -e\/--exec/,
    ],
    ["-s on a push", ["cat", "push", "-b", ipcEndpoint(), "-s", "x"], /--subscribe works with/],
    ["an unknown flag", ["cat", "pull", "--frobnicate"], /unknown option '--frobnicate'/],
    ["an unknown shell", ["completions", "tcsh"], /unknown shell "tcsh"/],
  ];
  for (const [what, args, re] of cases) {
    it(`rejects ${what}`, async () => oneLine(await zmqkit(args), 2, re));
  }
});

describe("zmqkit cat runtime failures (exit 1)", () => {
  it("reports a port in use by another zmqkit", async () => {
    const first = startZmqkit(["cat", "pull", "-b", "tcp://127.0.0.1:0"]);
    const ep = await first.boundEndpoint();
    oneLine(await zmqkit(["cat", "pull", "-b", ep]), 1, /cannot bind ".*": address already in use/);
    first.kill();
    await first.done;
  });

  it("reports a port in use by libzmq", async () => {
    const pull = await peer.socket("PULL");
    const ep = await pull.bind("tcp://127.0.0.1:*");
    oneLine(await zmqkit(["cat", "push", "-b", ep]), 1, /address already in use/);
    await pull.close();
  });

  it("reports a handshake refused by an incompatible libzmq peer", async () => {
    const pub = await peer.socket("PUB");
    const ep = await pub.bind("tcp://127.0.0.1:*");
    const r = await zmqkit(["cat", "push", "-c", ep], { input: "lost?\n" });
    oneLine(r, 1, /handshake with tcp:\/\/\S+ failed: PUSH cannot talk to a PUB peer/);
    await pub.close();
  });

  it("fails when a peer we connected to sends a frame over maxMessageSize", async () => {
    const push = await peer.socket("PUSH");
    const ep = await push.bind("tcp://127.0.0.1:*");
    // (the limit applies to handshake commands too, as in libzmq: keep it above READY's size)
    const z = startZmqkit(["cat", "pull", "-c", ep, "-o", "maxMessageSize=100"]);
    await push.send([Buffer.alloc(200)]);
    oneLine(await z.done, 1, /connection to tcp:\/\/\S+ failed: frame of 200 bytes exceeds/);
    await push.close();
  });

  it("drops (and reports) a connecting peer that sends a frame over maxMessageSize", async () => {
    const z = startZmqkit(["cat", "pull", "-b", "tcp://127.0.0.1:0", "-o", "maxMessageSize=100"]);
    const ep = await z.boundEndpoint();
    const push = await peer.socket("PUSH");
    await push.connect(ep);
    await push.send([Buffer.alloc(200)]);
    await z.waitStderr(/dropped a peer of tcp:\/\/\S+ \(\S+\): frame of 200 bytes exceeds/);
    assert.equal(z.child.exitCode, null, "a bound socket survives a bad peer");
    await push.close();
    const next = await peer.socket("PUSH");
    await next.connect(ep);
    await next.send([Buffer.from("fine")]);
    const r = await z.waitLines(1);
    assert.deepEqual(r, ["fine"]);
    z.kill();
    await z.done;
    await next.close();
  });
});

describe("zmqkit cat timeouts (exit 3)", () => {
  it("pull connecting to nothing", async () => {
    oneLine(
      await zmqkit(["cat", "pull", "-c", "tcp://127.0.0.1:9", "-t", "300"]),
      3,
      /timed out after 300 ms waiting for a message/,
    );
  });
  it("push connecting to nothing (queued, never delivered)", async () => {
    const r = await zmqkit(["cat", "push", "-c", ipcEndpoint(), "-t", "300"], { input: "x\n" });
    oneLine(r, 3, /gave up after 300 ms: queued messages were not delivered/);
  });
  it("push bound with no peer coming", async () => {
    const r = await zmqkit(["cat", "push", "-b", ipcEndpoint(), "-t", "300"], { input: "x\n" });
    oneLine(r, 3, /timed out after 300 ms: no peer took the message/);
  });
  it("--wait-for-peer with no peer", async () => {
    const r = await zmqkit(["cat", "pub", "-b", ipcEndpoint(), "--wait-for-peer", "-t", "300"], {
      input: "x\n",
    });
    oneLine(r, 3, /no peer within 300 ms/);
  });
  it("req waiting for a reply", async () => {
    const rep = await peer.socket("REP");
    const ep = await rep.bind("tcp://127.0.0.1:*");
    const r = await zmqkit(["cat", "req", "-c", ep, "-t", "300"], { input: "anyone?\n" });
    oneLine(r, 3, /timed out after 300 ms waiting for the reply/);
    assert.deepEqual((await rep.receive()).map((f) => Buffer.from(f).toString()), ["anyone?"]);
    await rep.close();
  });
  it("--linger bounds the delivery at the end of input", async () => {
    const r = await zmqkit(["cat", "push", "-c", ipcEndpoint(), "--linger", "200"], {
      input: "x\n",
    });
    oneLine(r, 3, /gave up after 200 ms/);
  });
});

/** Asserts the exit code and that stderr is exactly the lines matching `res`, in order. */
function stderrLines(r: Result, code: number, res: RegExp[]): void {
  const err = r.stderr.split("\n").filter((l) => l !== "");
  assert.equal(r.code, code, `exit ${r.code}, stderr: ${r.stderr}`);
  assert.equal(err.length, res.length, `expected ${res.length} lines, got: ${r.stderr}`);
  res.forEach((re, i) => assert.match(err[i]!, re));
}

describe("zmqkit cat bad input lines", () => {
  const bad: Array<[string, string, RegExp]> = [
    ["hex", "6869\nnot hex\n6f6b\n", /^zmqkit: line 2: frame 1: invalid hex: "n" at column 1$/],
    ["base64", "aGk=\n***\nb2s=\n", /^zmqkit: line 2: frame 1: invalid base64: "\*" at column 1$/],
    ["json", '["hi"]\n{oops\n["ok"]\n', /^zmqkit: line 2: invalid JSON: /],
  ];
  for (const [format, input, re] of bad) {
    it(`stops at a bad ${format} line by default (exit 2)`, async () => {
      const r = await zmqkit(["cat", "push", "-c", ipcEndpoint(), "--in", format], { input });
      oneLine(r, 2, re);
    });

    it(`still accepts --strict (the default) for a bad ${format} line (exit 2)`, async () => {
      const r = await zmqkit(["cat", "push", "-c", ipcEndpoint(), "--in", format, "--strict"], {
        input,
      });
      oneLine(r, 2, re);
    });

    it(`reports a bad ${format} line by number and goes on with --skip-bad`, async () => {
      const ep = ipcEndpoint();
      const pull = startZmqkit(["cat", "pull", "-b", ep, "-n", "2"]);
      const push = await zmqkit(["cat", "push", "-c", ep, "--in", format, "--skip-bad"], {
        input,
      });
      stderrLines(push, 0, [re, /^zmqkit: skipped 1 input line that did not decode$/]);
      assert.deepEqual(lines((await pull.done).stdout), ["hi", "ok"]);
    });
  }

  it("sends nothing after a bad line (the README's req example fails with exit 2)", async () => {
    const ep = ipcEndpoint();
    const router = startZmqkit(["cat", "router", "-b", ep, "-n", "1"]);
    const req = await zmqkit(["cat", "req", "-c", ep, "-f", "hex", "-t", "1000"], {
      input: "STATISTICS\n6869\n",
    });
    oneLine(req, 2, /^zmqkit: line 1: frame 1: invalid hex: "S" at column 1$/);
    assert.equal(req.stdout.length, 0);
    // the router's first (and only) message is from the next peer: the req sent nothing
    const dealer = startZmqkit(["cat", "dealer", "-c", ep, "--routing-id", "next"], {
      input: "sentinel\n",
    });
    assert.deepEqual(lines((await router.done).stdout), ["6e657874\tsentinel"]);
    dealer.kill(); // a dealer keeps listening after its input ends
    await dealer.done;
  });

  it("push sends nothing at or after a bad first line", async () => {
    const ep = ipcEndpoint();
    const pull = startZmqkit(["cat", "pull", "-b", ep, "-n", "1"]);
    const push = await zmqkit(["cat", "push", "-c", ep, "-f", "hex"], {
      input: "zz\n6869\n6f6b\n",
    });
    oneLine(push, 2, /^zmqkit: line 1: frame 1: invalid hex: "z" at column 1$/);
    const next = await zmqkit(["cat", "push", "-c", ep], { input: "sentinel\n" });
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(lines((await pull.done).stdout), ["sentinel"]);
  });

  it("counts every skipped line with --skip-bad", async () => {
    const ep = ipcEndpoint();
    const pull = startZmqkit(["cat", "pull", "-b", ep, "-n", "2"]);
    const push = await zmqkit(["cat", "push", "-c", ep, "-f", "hex", "--skip-bad"], {
      input: "zz\n6869\nyy\nxx\n6f6b\n",
    });
    stderrLines(push, 0, [
      /^zmqkit: line 1: /,
      /^zmqkit: line 3: /,
      /^zmqkit: line 4: /,
      /^zmqkit: skipped 3 input lines that did not decode$/,
    ]);
    assert.deepEqual(lines((await pull.done).stdout), ["hi", "ok"]);
  });

  it("a req that sent nothing never exits 0, even with --skip-bad", async () => {
    const ep = ipcEndpoint();
    const skipped = await zmqkit(
      ["cat", "req", "-c", ep, "-f", "hex", "-t", "1000", "--skip-bad"],
      {
        input: "STATISTICS\n",
      },
    );
    stderrLines(skipped, 2, [
      /^zmqkit: line 1: frame 1: invalid hex: "S"/,
      /^zmqkit: skipped 1 input line that did not decode$/,
      /^zmqkit: no request sent: every input record was skipped/,
    ]);
    const empty = await zmqkit(["cat", "req", "-c", ep, "-t", "1000"], { input: "" });
    oneLine(empty, 2, /^zmqkit: no request sent: the input was empty$/);
  });

  it("rejects --strict together with --skip-bad", async () => {
    const r = await zmqkit(["cat", "push", "-c", ipcEndpoint(), "--strict", "--skip-bad"]);
    oneLine(r, 2, /--strict and --skip-bad contradict/);
  });

  // ["a"], then ["b<0xff>c"], then ["ok"]: never sent as "b\ufffdc"
  const notUtf8 = Uint8Array.of(
    ...Buffer.from('["hi"]\n["b'),
    0xff,
    ...Buffer.from('c"]\n["ok"]\n'),
  );
  it("reports a json line that is not UTF-8 by number and skips it with --skip-bad", async () => {
    const ep = ipcEndpoint();
    const pull = startZmqkit(["cat", "pull", "-b", ep, "-n", "2"]);
    const push = await zmqkit(["cat", "push", "-c", ep, "--in", "json", "--skip-bad"], {
      input: notUtf8,
    });
    stderrLines(push, 0, [/^zmqkit: line 2: invalid UTF-8 at byte 4$/, /skipped 1 input line/]);
    assert.deepEqual(lines((await pull.done).stdout), ["hi", "ok"]);
  });

  it("stops at a json line that is not UTF-8 (exit 2)", async () => {
    const r = await zmqkit(["cat", "push", "-c", ipcEndpoint(), "--in", "json"], {
      input: notUtf8,
    });
    oneLine(r, 2, /^zmqkit: line 2: invalid UTF-8 at byte 4$/);
    const surrogate = await zmqkit(
      ["cat", "push", "-c", ipcEndpoint(), "-f", "json", "--strict"],
      { input: '["ok"]\n["x\\udfff"]\n' },
    );
    oneLine(surrogate, 2, /^zmqkit: line 2: frame 1: lone surrogate \\udfff is not text/);
  });

  it("stops at an input frame over maxMessageSize (exit 2)", async () => {
    const r = await zmqkit(["cat", "push", "-c", ipcEndpoint(), "-o", "maxMessageSize=100"], {
      input: `ok\n${"x".repeat(101)}\nok2\n`,
    });
    oneLine(r, 2, /line 2: frame 1 of 101 bytes exceeds maxMessageSize 100/);
  });

  it("reports an input frame over maxMessageSize and skips it with --skip-bad", async () => {
    const ep = ipcEndpoint();
    const pull = startZmqkit(["cat", "pull", "-b", ep, "-n", "2"]);
    const push = await zmqkit(
      ["cat", "push", "-c", ep, "-o", "maxMessageSize=100", "--skip-bad"],
      { input: `ok\n${"x".repeat(101)}\nok2\n` },
    );
    stderrLines(push, 0, [
      /line 2: frame 1 of 101 bytes exceeds maxMessageSize 100/,
      /^zmqkit: skipped 1 input line over maxMessageSize$/,
    ]);
    assert.deepEqual(lines((await pull.done).stdout), ["ok", "ok2"]);
  });

  it("counts every frame of an input message against maxMessageSize", async () => {
    const ep = ipcEndpoint();
    const pull = startZmqkit(["cat", "pull", "-b", ep, "-n", "2", "-d", "\\t"]);
    const x = "x".repeat(60), y = "y".repeat(40);
    const push = await zmqkit(
      ["cat", "push", "-c", ep, "-d", "\\t", "-o", "maxMessageSize=100", "--skip-bad"],
      { input: `ok\n${x}\t${y}z\n${x}\t${y}\n` },
    );
    stderrLines(push, 0, [
      /line 2: message of 2 frames and 101 bytes exceeds maxMessageSize 100/,
      /skipped 1 input line over maxMessageSize/,
    ]);
    assert.deepEqual(lines((await pull.done).stdout), ["ok", `${x}\t${y}`]);
  });

  it("reports a ROUTER line without a routing id", async () => {
    const r = await zmqkit(["cat", "router", "-b", ipcEndpoint(), "--strict"], {
      input: "no tab here\n",
    });
    oneLine(r, 2, /line 1: expected <routing id in hex><TAB><message>/);
  });
});

describe("zmqkit signals and pipes", () => {
  it("ends on SIGINT with 130 and on SIGTERM with 143, quietly", async () => {
    const { spawn } = await import("node:child_process");
    const { BIN } = await import("./_cli.ts");
    for (const [signal, code] of [["INT", 130], ["TERM", 143]] as const) {
      const path = ipcEndpoint().slice("ipc://".length);
      // a shell runs it and reports its status (Deno's child_process hides the code of a
      // process it signalled); the loop waits for the bind, bounded to 10 s
      const script = `"$0" cat pull -b "ipc://$1" & p=$!
        i=0; while [ ! -S "$1" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
        kill -${signal} $p; wait $p; echo "status=$?"`;
      const sh = spawn("sh", ["-c", script, BIN, path], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      sh.stdout!.on("data", (d) => out += d);
      sh.stderr!.on("data", (d) => err += d);
      await new Promise((r) => sh.once("close", r));
      assert.equal(out.trim(), `status=${code}`, err);
      assert.equal(err, "");
    }
  });

  it("stops quietly when the reader of its output goes away", async () => {
    const ep = ipcEndpoint();
    const { spawn } = await import("node:child_process");
    const { BIN } = await import("./_cli.ts");
    const sh = spawn("sh", ["-c", `"${BIN}" cat pull -b ${ep} | head -n 1`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    sh.stdout!.on("data", (d) => out += d);
    sh.stderr!.on("data", (d) => err += d);
    const exited = new Promise<number | null>((r) => sh.once("close", (c) => r(c)));
    // push bounds its waits: its only peer leaves with messages still to take
    const push = await zmqkit(["cat", "push", "-c", ep, "-t", "500"], {
      input: Array.from({ length: 100_000 }, (_, i) => `line ${i}`).join("\n") + "\n",
      timeout: 20_000,
    });
    assert.equal(await exited, 0);
    assert.equal(out, "line 0\n");
    assert.equal(err, "");
    assert.ok(push.code === 0 || push.code === 3, `push: ${push.code} ${push.stderr}`);
  });
});
