// SPDX-License-Identifier: MIT
/**
 * `zmqkit discover` (issue 16, chapter 8): processes on loopback find each other by ZRE
 * beacons on a shared UDP port; a second pair on another port finds only itself; a raw UDP
 * sender's junk (truncated, oversize, wrong version, a stranger's goodbye) is counted and
 * ignored while the processes go on working; a stopped node says goodbye and its partner
 * reports it gone at once. Also --count, --timeout (exit 3), usage errors and --help. Each
 * process is told its UUID, so what it prints is checked exactly; every wait is bounded, and
 * nothing depends on how long a beacon takes.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { encodeBeacon } from "../../lib/discovery/beacon.ts";
import { openUdp } from "../../lib/transports/runtime/udp.ts";
import { ensureBinary, killAll, lines, startZmqkit, zmqkit, type ZmqkitProcess } from "./_cli.ts";

before(() => ensureBinary());
after(() => killAll());

/** A UDP port nobody uses right now, other than those in `not`. */
async function freeUdpPort(...not: number[]): Promise<number> {
  for (;;) {
    const s = await openUdp({ port: 0, onDatagram: () => {} });
    const port = s.port;
    await s.close();
    if (!not.includes(port)) return port;
  }
}

const [A, B, C, D, M] = ["A", "B", "C", "D", "E"].map((digit) => digit.repeat(32)) as [
  string,
  string,
  string,
  string,
  string,
];

type Json = Record<string, unknown>;
const json = (z: ZmqkitProcess): Json[] => lines(z.stdout).map((l) => JSON.parse(l) as Json);
const appeared = (z: ZmqkitProcess) =>
  json(z).filter((e) => e.type === "appeared").map((e) => e.uuid as string);
const sees = (z: ZmqkitProcess, id: string, what: string) =>
  z.waitFor(() => appeared(z).includes(id), what);

/** `zmqkit discover` on loopback as `id`, announcing `tcp`, every 200 ms, as NDJSON. */
function node(port: number, id: string, tcp: number): ZmqkitProcess {
  return startZmqkit([
    "discover",
    "--loopback",
    "--port",
    String(port),
    "--uuid",
    id,
    "--announce",
    String(tcp),
    "--interval",
    "200",
    "--json",
  ]);
}

/**
 * SIGTERM, and the exit code. Sent with process.kill rather than child.kill: under Deno a
 * child signalled by child.kill is reported as ended by the signal even when it exits itself.
 */
async function stop(z: ZmqkitProcess): Promise<number | null> {
  if (z.child.exitCode === null) process.kill(z.child.pid!, "SIGTERM");
  return (await z.done).code;
}

describe("zmqkit discover", () => {
  it("two on one port find each other, a pair on another port only itself; junk is ignored", async () => {
    const p1 = await freeUdpPort();
    const p2 = await freeUdpPort(p1);
    const [a, b] = [node(p1, A, 5001), node(p1, B, 5002)];
    const [c, d] = [node(p2, C, 5003), node(p2, D, 5004)];
    try {
      await sees(a, B, "a sees b");
      await sees(b, A, "b sees a");
      await sees(c, D, "c sees d");
      await sees(d, C, "d sees c");
      assert.match(
        a.stderr,
        new RegExp(
          `discover on udp port ${p1} as ${A}, announcing tcp port 5001 every 200 ms to 127\\.255\\.255\\.255`,
        ),
      );

      // a raw sender's junk on the first port, then one real beacon: it reaches both
      const raw = await openUdp({ port: 0, broadcast: true, onDatagram: () => {} });
      const good = encodeBeacon(M, 4242);
      const junk = [
        new Uint8Array(0),
        Uint8Array.of(0x21),
        good.subarray(0, 21),
        Uint8Array.from([...good, 0]),
        Uint8Array.from([0x5a, 0x52, 0x45, 0x02, ...good.subarray(4)]),
        new Uint8Array(1500).fill(0x45),
        new Uint8Array(65507),
      ];
      try {
        for (const j of junk) await raw.send(j, p1, "127.255.255.255");
        await raw.send(encodeBeacon("9".repeat(32), 0), p1, "127.255.255.255"); // a stranger's goodbye
        await raw.send(good, p1, "127.255.255.255");
      } finally {
        await raw.close();
      }
      await sees(a, M, "a sees the beacon sent after the junk");
      await sees(b, M, "b sees the beacon sent after the junk");
      const m = json(a).find((e) => e.uuid === M)!;
      assert.equal(m.endpoint, "tcp://127.0.0.1:4242");

      // a stops: it says goodbye, and b reports it gone at once (not after its expiry)
      assert.equal(await stop(a), 143);
      await b.waitFor(
        () => json(b).some((e) => e.type === "disappeared" && e.uuid === A),
        "b sees a leave",
      );
      const bye = json(b).find((e) => e.type === "disappeared")!;
      assert.equal(bye.reason, "farewell");
      for (const z of [b, c, d]) assert.equal(await stop(z), 143, z.stderr);

      assert.deepEqual(appeared(a), [B, M]);
      assert.deepEqual(appeared(b), [A, M]);
      assert.deepEqual(appeared(c), [D]);
      assert.deepEqual(appeared(d), [C]);
      for (const z of [a, b]) {
        const s = json(z).at(-1)!;
        assert.equal(s.type, "statistics");
        // one sender, one socket each: every junk datagram was read before the good beacon
        assert.equal(s.malformed, junk.length, JSON.stringify(s));
        assert.equal(s.strayFarewells, 1);
        assert.ok((s.own as number) >= 1 && (s.sent as number) >= 2, JSON.stringify(s));
      }
      for (const z of [c, d]) {
        const s = json(z).at(-1)!;
        assert.equal(s.malformed, 0, JSON.stringify(s));
        assert.equal(s.strayFarewells, 0);
      }
    } finally {
      for (const z of [a, b, c, d]) z.kill("SIGKILL");
    }
  });

  it("--count 1 ends once a node appears; --timeout with nobody there is exit 3", async () => {
    const port = await freeUdpPort();
    const there = node(port, A, 5005);
    try {
      const r = await zmqkit([
        "discover",
        "--loopback",
        "--port",
        String(port),
        "--count",
        "1",
        "--timeout",
        "20",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), `+ ${A} 127.0.0.1:5005\n`);
      assert.match(r.stderr, /listening only \(no --announce\)/);
      assert.match(
        r.stderr,
        /sent 0 beacons; received \d+ datagrams: [1-9]\d* beacons from others/,
      );
    } finally {
      there.kill("SIGKILL");
    }
    const empty = await freeUdpPort(port);
    const r = await zmqkit(["discover", "--loopback", "--port", String(empty), "--timeout", "0.5"]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /zmqkit: 0 of 1 node seen in 0\.5 s\n$/);
    assert.equal(r.stdout.toString(), "");
  });

  it("usage errors are exit 2 with one line naming the problem", async () => {
    const cases: [string[], RegExp][] = [
      [["--loopback", "--interface", "lo"], /--loopback and --interface: choose one/],
      [["--uuid", "xyz"], /UUID must be 32 hex digits/],
      [["--port", "70000"], /--port: expected an integer 1-65535, got "70000"/],
      [["--announce", "0"], /--announce: expected an integer 1-65535/],
      [["--interval", "fast"], /--interval: expected an integer/],
      [["--timeout", "-1"], /--timeout: expected seconds > 0/],
      [["--interface", "no-such-if0", "--timeout", "1"], /No IPv4 interface "no-such-if0"/],
    ];
    for (const [args, re] of cases) {
      const r = await zmqkit(["discover", ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.split("\n").length, 2, r.stderr); // one line
    }
  });

  it("--help explains beacons, output and exit codes, with examples", async () => {
    const r = await zmqkit(["discover", "--help"]);
    assert.equal(r.code, 0);
    const out = r.stdout.toString();
    assert.match(out, /^Usage: zmqkit discover \[options\]/);
    for (const word of ["RFC 36", "127.255.255.255", "SO_REUSEADDR", "farewell", "Exit codes"]) {
      assert.ok(out.includes(word), word);
    }
    assert.match(out, /Examples:\n( {2}zmqkit discover.*\n){5}/);
  });
});
