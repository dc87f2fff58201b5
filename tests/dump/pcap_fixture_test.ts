// SPDX-License-Identifier: MIT
/**
 * A capture of real libzmq traffic (tcpdump on lo, tests/fixtures/dump/libzmq.pcap) decodes
 * to the same events the relay printed while that traffic passed through it
 * (libzmq.relay.ndjson); both were made together by tests/fixtures/dump/make_fixture.ts.
 * Also: what the relay writes with --pcap-out reads back, with our reader and with tcpdump.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBinary, killAll, zmqkit } from "../cli/_cli.ts";
import { startDump } from "./_relay.ts";
import { LibzmqPeer } from "../_helpers/peers.ts";

const FIXTURE = fileURLToPath(new URL("../fixtures/dump/", import.meta.url));
/** The CURVE server secret used when the fixture was made (a test key). */
const SERVER_SECRET = ">+-M9C*FBi)qn-#SE8P@8SWMKk0o1PVghRAqbu/o";

type Ev = Record<string, unknown>;

/** Events per connection, without what legitimately differs: times, addresses, close reasons. */
function normalize(events: Ev[]): Ev[][] {
  const byConn = new Map<unknown, Ev[]>();
  for (const e of events) {
    if (e.type === "open") {
      byConn.set(e.conn, []);
      continue;
    }
    const copy: Ev = { ...e };
    delete copy.time;
    delete copy.conn;
    if (copy.type === "close") delete copy.reason;
    byConn.get(e.conn)?.push(copy);
  }
  return [...byConn.values()];
}

const parse = (text: string): Ev[] =>
  text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Ev);

let peer: LibzmqPeer | undefined;
before(() => ensureBinary());
after(async () => {
  await peer?.stop();
  killAll();
});

describe("zmqkit dump --pcap", () => {
  it("decodes the libzmq capture to the events the relay saw", async () => {
    const relay = parse(readFileSync(join(FIXTURE, "libzmq.relay.ndjson"), "utf8"));
    const r = await zmqkit([
      "dump",
      "--pcap",
      join(FIXTURE, "libzmq.pcap"),
      "--json",
      "--curve-secret",
      SERVER_SECRET,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const fromPcap = parse(r.stdout.toString("utf8"));
    const a = normalize(fromPcap), b = normalize(relay);
    assert.equal(a.length, 5, "five connections");
    assert.deepEqual(a, b);
    // and the fixture shows what it should: every kind of scenario is in it
    const names = new Set(fromPcap.filter((e) => e.type === "command").map((e) => e.name));
    for (const n of ["READY", "SUBSCRIBE", "HELLO", "WELCOME", "INITIATE"]) {
      assert.ok(names.has(n), n);
    }
  });

  it("prints readable lines without --json", async () => {
    const r = await zmqkit(["dump", "--pcap", join(FIXTURE, "libzmq.pcap")]);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.toString("utf8");
    assert.match(text, /#1 → greeting ZMTP 3\.1 NULL/);
    assert.match(text, /#1 → READY metadata\{Socket-Type=DEALER Identity=cli\}/);
    assert.match(text, /#2 → msg \[\] \| "ping"/);
    assert.match(text, /#3 → SUBSCRIBE topic=weather/);
    assert.match(text, /#4 → HELLO username=admin password=\*\*\*/);
    assert.ok(!text.includes("\x1b["), "no colour when stdout is not a terminal");
  });

  it("decodes only the flows on --port, and says so when there is no ZMTP stream", async () => {
    const r = await zmqkit([
      "dump",
      "--pcap",
      join(FIXTURE, "libzmq.pcap"),
      "--port",
      "1",
      "--json",
    ]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.length, 0);
    assert.match(r.stderr, /no ZMTP stream among 0 TCP streams/);
  });

  it("fails with one line for a file that is not a capture", async () => {
    const r = await zmqkit(["dump", "--pcap", join(FIXTURE, "make_fixture.ts")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^zmqkit: .*make_fixture\.ts: .*\n$/);
  });
});

describe("zmqkit dump --pcap-out", () => {
  it("writes a pcapng that decodes to the same events, and that tcpdump reads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "zmqkit-pcapout-"));
    const out = join(dir, "relay.pcapng");
    peer = await LibzmqPeer.start();
    const server = await peer.socket("REP");
    const ep = await server.bind("tcp://127.0.0.1:*");
    const dump = await startDump(ep, ["--pcap-out", out]);
    const client = await peer.socket("REQ");
    try {
      await client.connect(dump.endpoint);
      await client.send([new TextEncoder().encode("hello")]);
      await server.receive();
      await server.send([new Uint8Array(70_000)]); // more than one TCP segment in the file
      await client.receive();
      await client.close();
      await dump.until((e) => e.type === "close");
    } finally {
      await server.close();
    }
    const live = await dump.stop();
    const r = await zmqkit(["dump", "--pcap", out, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(normalize(parse(r.stdout.toString("utf8"))), normalize(live));
    const tcpdump = spawnSync("tcpdump", ["-r", out, "-nn"], { encoding: "utf8" });
    if (tcpdump.error === undefined) {
      assert.equal(tcpdump.status, 0, tcpdump.stderr);
      assert.ok(tcpdump.stdout.split("\n").length > 6, tcpdump.stdout);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
