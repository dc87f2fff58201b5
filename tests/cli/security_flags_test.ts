// SPDX-License-Identifier: MIT
/**
 * The security flags (--plain, --plain-server --plain-users, --zap-domain): `zmqkit cat`
 * against libzmq (zeromq.js under Node) as the other side, each side binding; a refused client
 * ends at once with the reason (exit 1) instead of waiting; `zmqkit proxy` secured on every
 * socket it opens; bad flags and users files are usage errors (exit 2) that say what is wrong.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { LibzmqPeer, type LibzmqSide } from "../_helpers/peers.ts";
import { closedPort, ensureBinary, killAll, lines, startZmqkit, zmqkit } from "./_cli.ts";

let peer: LibzmqPeer;
let dir: string;
let users: string;
before(async () => {
  ensureBinary();
  peer = await LibzmqPeer.start();
  await peer.request("zap", { users: { admin: "secret" } }); // for libzmq's PLAIN servers
  dir = mkdtempSync(join(tmpdir(), "zmqkit-security-"));
  users = join(dir, "users.txt");
  writeFileSync(users, "# who may connect\nadmin:secret\n\nbob:pa:ss\n");
});
after(async () => {
  killAll();
  await peer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const text = (frames: Uint8Array[]) => frames.map((f) => Buffer.from(f).toString());

/** `zmqkit keygen --cert NAME` in the test's directory; its keys as libzmq users load them. */
async function cert(name: string): Promise<{ publicKey: string; secretKey: string }> {
  const r = await zmqkit(["keygen", "--cert", join(dir, name)]);
  assert.equal(r.code, 0, r.stderr);
  const keys = await peer.request("loadCert", { path: join(dir, `${name}_secret`) });
  const pub = await peer.request("loadCert", { path: join(dir, name) });
  assert.equal(pub.publicKey, keys.publicKey);
  assert.equal(pub.secretKey, undefined);
  return keys as unknown as { publicKey: string; secretKey: string };
}
describe("zmqkit cat with PLAIN, against libzmq", () => {
  for (const binder of ["zmqkit", "libzmq"] as const) {
    it(`rep --plain-server answers a libzmq PLAIN REQ (${binder} binds)`, async () => {
      const req = await peer.socket("REQ", {
        options: { plainUsername: "bob", plainPassword: "pa:ss" },
      }) as LibzmqSide;
      const args = ["cat", "rep", "--plain-server", "--plain-users", users, "-n", "1"];
      let z;
      if (binder === "zmqkit") {
        z = startZmqkit([...args, "-b", "tcp://127.0.0.1:0"], { input: "welcome\n" });
        await req.connect(await z.boundEndpoint());
      } else {
        z = startZmqkit([...args, "-c", await req.bind("tcp://127.0.0.1:*")], {
          input: "welcome\n",
        });
      }
      await req.send([Buffer.from("knock")]);
      assert.deepEqual(text(await req.receive()), ["welcome"]);
      const r = await z.done;
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(lines(r.stdout), ["knock"]);
      await req.close();
    });

    it(`req --plain asks a libzmq PLAIN REP (${binder} binds)`, async () => {
      const rep = await peer.socket("REP", { options: { plainServer: true } }) as LibzmqSide;
      const args = ["cat", "req", "--plain", "admin:secret", "-t", "10000"];
      let z;
      if (binder === "zmqkit") {
        z = startZmqkit([...args, "-b", "tcp://127.0.0.1:0"], { input: "ping\n" });
        await rep.connect(await z.boundEndpoint());
      } else {
        z = startZmqkit([...args, "-c", await rep.bind("tcp://127.0.0.1:*")], {
          input: "ping\n",
        });
      }
      assert.deepEqual(text(await rep.receive()), ["ping"]);
      await rep.send([Buffer.from("pong")]);
      const r = await z.done;
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(lines(r.stdout), ["pong"]);
      await rep.close();
    });
  }

  it("req with a wrong password ends at once with exit 1 and the reason", async () => {
    const rep = await peer.socket("REP", { options: { plainServer: true } }) as LibzmqSide;
    const ep = await rep.bind("tcp://127.0.0.1:*");
    const r = await zmqkit(["cat", "req", "-c", ep, "--plain", "admin:wrong"], {
      input: "ping\n",
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /handshake with tcp:\/\/\S+ failed: Authentication failure/);
    await rep.close();
  });

  it("a NULL req to a PLAIN rep is told the security options do not match", async () => {
    const z = startZmqkit(
      ["cat", "rep", "-b", "tcp://127.0.0.1:0", "--plain-server", "--plain-users", users],
    );
    const ep = await z.boundEndpoint();
    const r = await zmqkit(["cat", "req", "-c", ep], { input: "ping\n" });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /the peer speaks "PLAIN", we speak NULL/);
    z.kill();
    await z.done;
  });
});

describe("zmqkit cat with CURVE and keygen certificates, against libzmq", () => {
  it("rep --curve-server @cert answers a libzmq CURVE REQ using keygen's files", async () => {
    const server = await cert("curve-server");
    const client = await cert("curve-client");
    const z = startZmqkit(
      [
        "cat",
        "rep",
        "-b",
        "tcp://127.0.0.1:0",
        "--curve-server",
        `@${join(dir, "curve-server_secret")}`,
        "-n",
        "1",
      ],
      { input: "sealed\n" },
    );
    const req = await peer.socket("REQ", {
      options: {
        curveServerKey: server.publicKey,
        curvePublicKey: client.publicKey,
        curveSecretKey: client.secretKey,
      },
    }) as LibzmqSide;
    await req.connect(await z.boundEndpoint());
    await req.send([Buffer.from("knock")]);
    assert.deepEqual(text(await req.receive()), ["sealed"]);
    const r = await z.done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ["knock"]);
    await req.close();
  });

  it("req --curve-serverkey @cert (a fresh client pair) asks a libzmq CURVE REP", async () => {
    const server = await cert("curve-server2");
    const rep = await peer.socket("REP", {
      options: { curveServer: true, curveSecretKey: server.secretKey },
    }) as LibzmqSide;
    const ep = await rep.bind("tcp://127.0.0.1:*");
    const z = startZmqkit(
      [
        "cat",
        "req",
        "-c",
        ep,
        "--curve-serverkey",
        `@${join(dir, "curve-server2")}`,
        "-t",
        "10000",
      ],
      { input: "ping\n" },
    );
    assert.deepEqual(text(await rep.receive()), ["ping"]);
    await rep.send([Buffer.from("pong")]);
    const r = await z.done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ["pong"]);
    await rep.close();
  });

  it("--curve-allow DIR lets in the clients whose certificate is there, only", async () => {
    const server = await cert("curve-server3");
    const allowedDir = join(dir, "allowed");
    mkdirSync(allowedDir);
    const friend = await zmqkit(["keygen", "--cert", join(allowedDir, "friend")]);
    assert.equal(friend.code, 0, friend.stderr);
    const z = startZmqkit([
      "cat",
      "pull",
      "-b",
      "tcp://127.0.0.1:0",
      "-n",
      "1",
      "--curve-server",
      server.secretKey,
      "--curve-allow",
      allowedDir,
    ]);
    const ep = await z.boundEndpoint();
    const stranger = await zmqkit(
      ["cat", "push", "-c", ep, "--curve-serverkey", server.publicKey, "-t", "5000"],
      { input: "let me in\n" },
    );
    assert.equal(stranger.code, 1, stranger.stderr);
    assert.match(stranger.stderr, /Authentication failure/);
    const ok = await zmqkit([
      "cat",
      "push",
      "-c",
      ep,
      "--curve-serverkey",
      server.publicKey,
      "--curve-key",
      `@${join(allowedDir, "friend_secret")}`,
    ], { input: "friend here\n" });
    assert.equal(ok.code, 0, ok.stderr);
    const r = await z.done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ["friend here"]);
    assert.match(r.stderr, /client key not allowed/);
  });
});

describe("zmqkit bench with security", () => {
  it("bench run --curve and --plain measure secured pairs", async () => {
    for (const flags of [["--curve"], ["--plain", "bench:mark"]]) {
      const r = await zmqkit(["bench", "run", "thr", "-n", "2000", "-q", ...flags]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.toString(), /mean throughput: \d+ \[msg\/s\]/);
    }
  });

  it("bench thr halves take the flags: a CURVE receiver, its client, and a NULL sender refused", async () => {
    const server = await cert("bench-server");
    const ep = `tcp://127.0.0.1:${await closedPort()}`;
    const rx = startZmqkit([
      "bench",
      "thr",
      "-b",
      ep,
      "-n",
      "1000",
      "--curve-server",
      `@${join(dir, "bench-server_secret")}`,
    ]);
    const plainSender = await zmqkit(["bench", "thr", "-c", ep, "-n", "1000", "-t", "3000"]);
    assert.notEqual(plainSender.code, 0, "a NULL sender got through a CURVE receiver");
    const tx = await zmqkit([
      "bench",
      "thr",
      "-c",
      ep,
      "-n",
      "1000",
      "--curve-serverkey",
      server.publicKey,
    ]);
    assert.equal(tx.code, 0, tx.stderr);
    const r = await rx.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), /message count: 1000/);
  });

  it("bench run refuses one-sided flags", async () => {
    const r = await zmqkit(["bench", "run", "--plain-server"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is for one half/);
  });
});

describe("zmqkit proxy with PLAIN", () => {
  it("a queue whose sockets are PLAIN servers: libzmq client -> proxy -> zmqkit cat worker", async () => {
    const proxy = startZmqkit([
      "proxy",
      "queue",
      "tcp://127.0.0.1:0",
      "tcp://127.0.0.1:0",
      "--plain-server",
      "--plain-users",
      users,
    ]);
    const front = (await proxy.waitStderr(/frontend: router bound to (tcp:\/\/\S+)/))[1]!;
    const back = (await proxy.waitStderr(/backend: dealer bound to (tcp:\/\/\S+)/))[1]!;
    const worker = startZmqkit(
      ["cat", "rep", "-c", back, "--plain", "admin:secret", "-e", "tr a-z A-Z", "-n", "1"],
    );
    const client = await peer.socket("REQ", {
      options: { plainUsername: "bob", plainPassword: "pa:ss" },
    }) as LibzmqSide;
    try {
      await client.connect(front);
      await client.send([Buffer.from("through the proxy")]);
      assert.deepEqual(text(await client.receive()), ["THROUGH THE PROXY"]);
      const r = await worker.done;
      assert.equal(r.code, 0, r.stderr);
    } finally {
      proxy.kill();
      worker.kill();
      await client.close();
    }
  });
});

describe("zmqkit cat security flags: usage errors", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["--plain without a colon", ["--plain", "admin"], /--plain wants user:password/],
    ["--plain-server without users", ["--plain-server"], /needs --plain-users FILE/],
    ["--plain-users alone", ["--plain-users", "x"], /--plain-users needs --plain-server/],
    ["client and server at once", ["--plain", "a:b", "--plain-server"], /contradict/],
    [
      "a users file that is not there",
      ["--plain-server", "--plain-users", "/nonexistent/users"],
      /cannot read "\/nonexistent\/users"/,
    ],
  ];
  for (const [name, flags, message] of cases) {
    it(`${name}: exit 2`, async () => {
      const r = await zmqkit(["cat", "pull", "-b", "tcp://127.0.0.1:0", ...flags]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }

  it("proxy and broker take the same flags and check them the same way", async () => {
    for (
      const args of [["proxy", "queue", "tcp://127.0.0.1:0", "tcp://127.0.0.1:0"], [
        "broker",
        "mdp",
        "tcp://127.0.0.1:0",
      ]]
    ) {
      const r = await zmqkit([...args, "--plain-server"]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /needs --plain-users FILE/);
    }
  });

  for (
    const [name, flags, message] of [
      ["PLAIN and CURVE at once", ["--plain", "a:b", "--curve-serverkey", "x"], /contradict/],
      ["a CURVE key of the wrong length", ["--curve-server", "short"], /40 Z85 characters/],
      ["--curve-key without a server key", ["--curve-key", "x"], /needs --curve-serverkey/],
      ["--curve-allow without --curve-server", ["--curve-allow", "/tmp"], /needs --curve-server/],
      ["a missing certificate file", ["--curve-serverkey", "@/nonexistent/cert"], /cannot read/],
    ] as Array<[string, string[], RegExp]>
  ) {
    it(`${name}: exit 2`, async () => {
      const r = await zmqkit(["cat", "pull", "-b", "tcp://127.0.0.1:0", ...flags]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }

  it("a users file with a bad line names the line", async () => {
    const bad = join(dir, "bad.txt");
    writeFileSync(bad, "admin:secret\nno-colon-here\n");
    const r = await zmqkit(
      ["cat", "pull", "-b", "tcp://127.0.0.1:0", "--plain-server", "--plain-users", bad],
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /line 2: expected user:password/);
  });
});
