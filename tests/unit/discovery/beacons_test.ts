// SPDX-License-Identifier: MIT
/**
 * Beacon discovery (lib/discovery/beacons.ts). PeerTable, the bookkeeping, with a clock the
 * test holds: who appears, stays, moves, says goodbye or expires, and the bounds (own beacons,
 * junk, too many nodes). Then Beacon itself over real UDP on loopback, on a free port of its
 * own: two nodes see each other and the goodbye, a listen-only node sends nothing, junk and
 * oversize datagrams from a raw socket are counted and change nothing, a node that goes
 * silent expires. Every wait is bounded; nothing is asserted about how long things take.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Beacon, type BeaconEvent, encodeBeacon, ZmqError } from "../../../mod.ts";
import { PeerTable } from "../../../lib/discovery/peer_table.ts";
import { openUdp, type UdpSocket } from "../../../lib/transports/runtime/udp.ts";
import { withTimeout } from "../../_helpers/wait.ts";

const A = "A".repeat(32), B = "B".repeat(32), C = "C".repeat(32), ME = "E".repeat(32);
const beacon = (uuid: string, port: number) => encodeBeacon(uuid, port);
const kinds = (events: BeaconEvent[]) =>
  events.map((e) =>
    e.type === "appeared"
      ? `+${e.peer.uuid[0]} ${e.peer.address}:${e.peer.port}`
      : `-${e.peer.uuid[0]} ${e.reason}`
  );

describe("PeerTable", () => {
  const table = (maxPeers = 10) => new PeerTable(ME, { expiry: 1000, maxPeers });

  it("a node appears once, with its endpoint; its next beacons only keep it alive", () => {
    const t = table();
    const [e] = t.receive(beacon(A, 5555), "10.0.0.1", 0);
    assert.deepEqual(e, {
      type: "appeared",
      peer: { uuid: A, address: "10.0.0.1", port: 5555, endpoint: "tcp://10.0.0.1:5555" },
    });
    assert.deepEqual(t.receive(beacon(A, 5555), "10.0.0.1", 500), []);
    assert.deepEqual(t.receive(beacon(A, 5555), "10.0.0.1", 1400), []);
    assert.deepEqual(t.expire(2400), []); // 1000 ms after the last beacon: not yet
    assert.deepEqual(kinds(t.expire(2401)), ["-A expired"]);
    assert.deepEqual(t.peers, []);
    assert.equal(t.counts.beacons, 3);
  });

  it("ignores our own beacons and anything that is not a beacon, counting both", () => {
    const t = table();
    assert.deepEqual(t.receive(beacon(ME, 5555), "127.0.0.1", 0), []);
    assert.deepEqual(t.receive(new Uint8Array(0), "127.0.0.1", 0), []);
    assert.deepEqual(t.receive(new Uint8Array(65507), "127.0.0.1", 0), []);
    assert.deepEqual(t.receive(beacon(A, 5555).subarray(0, 21), "127.0.0.1", 0), []);
    assert.deepEqual(t.counts, {
      received: 4,
      beacons: 0,
      own: 1,
      malformed: 3,
      overflow: 0,
      stray: 0,
    });
    assert.deepEqual(t.peers, []);
  });

  it("a goodbye (port 0) removes a known node at once; one from a stranger is ignored", () => {
    const t = table();
    t.receive(beacon(A, 5555), "10.0.0.1", 0);
    assert.deepEqual(kinds(t.receive(beacon(A, 0), "10.0.0.1", 10)), ["-A farewell"]);
    assert.deepEqual(t.receive(beacon(B, 0), "10.0.0.2", 10), []);
    assert.equal(t.counts.stray, 1);
    assert.deepEqual(t.peers, []);
  });

  it("a node on a new address or port has moved: gone, then appeared there", () => {
    const t = table();
    t.receive(beacon(A, 5555), "10.0.0.1", 0);
    assert.deepEqual(kinds(t.receive(beacon(A, 6666), "10.0.0.1", 1)), [
      "-A moved",
      "+A 10.0.0.1:6666",
    ]);
    assert.deepEqual(kinds(t.receive(beacon(A, 6666), "10.0.0.9", 2)), [
      "-A moved",
      "+A 10.0.0.9:6666",
    ]);
    assert.deepEqual(t.peers.map((p) => p.endpoint), ["tcp://10.0.0.9:6666"]);
  });

  it("expires each node on its own clock", () => {
    const t = table();
    t.receive(beacon(A, 1), "10.0.0.1", 0);
    t.receive(beacon(B, 2), "10.0.0.2", 600);
    assert.deepEqual(kinds(t.expire(1001)), ["-A expired"]);
    assert.deepEqual(kinds(t.expire(1601)), ["-B expired"]);
    // an expired node that comes back appears again
    assert.deepEqual(kinds(t.receive(beacon(A, 1), "10.0.0.1", 2000)), ["+A 10.0.0.1:1"]);
  });

  it("tracks at most maxPeers nodes; beacons of more are counted and ignored", () => {
    const t = table(2);
    t.receive(beacon(A, 1), "10.0.0.1", 0);
    t.receive(beacon(B, 2), "10.0.0.2", 0);
    assert.deepEqual(t.receive(beacon(C, 3), "10.0.0.3", 0), []);
    assert.equal(t.counts.overflow, 1);
    // known ones still refresh and move; once one leaves, there is room again
    assert.deepEqual(t.receive(beacon(A, 1), "10.0.0.1", 1), []);
    t.receive(beacon(A, 0), "10.0.0.1", 2);
    assert.deepEqual(kinds(t.receive(beacon(C, 3), "10.0.0.3", 3)), ["+C 10.0.0.3:3"]);
  });
});

/** A UDP port nobody uses right now (bound, learnt, closed). */
async function freeUdpPort(): Promise<number> {
  const s = await openUdp({ port: 0, onDatagram: () => {} });
  const port = s.port;
  await s.close();
  return port;
}

/** The next event of `b` (bounded). */
const nextEvent = async (b: Beacon, what: string): Promise<BeaconEvent> => {
  const r = await withTimeout(b.next(), 10_000, what);
  assert.ok(!r.done, `${what}: the beacon ended`);
  return r.value;
};

describe("Beacon, over UDP on loopback", () => {
  const open: Array<Beacon | UdpSocket> = [];
  after(async () => {
    await Promise.all(open.map((o) => o.close()));
  });
  const start = async (options: ConstructorParameters<typeof Beacon>[0]) => {
    const b = new Beacon({ interface: "loopback", interval: 100, ...options });
    open.push(b);
    await b.start();
    return b;
  };

  it("two nodes on one port see each other, not themselves; a goodbye is seen at once", async () => {
    const port = await freeUdpPort();
    const a = await start({ port, announce: 5555 });
    const b = await start({ port, announce: 6666 });
    assert.equal(a.port, port);
    assert.equal(a.broadcastAddress, "127.255.255.255");
    const seenByA = await nextEvent(a, "b appears to a");
    const seenByB = await nextEvent(b, "a appears to b");
    assert.deepEqual(seenByA, {
      type: "appeared",
      peer: { uuid: b.uuid, address: "127.0.0.1", port: 6666, endpoint: "tcp://127.0.0.1:6666" },
    });
    assert.equal(seenByB.type === "appeared" && seenByB.peer.uuid, a.uuid);
    assert.deepEqual(a.peers.map((p) => p.uuid), [b.uuid]);
    // a's first beacon came back to a before b's did
    assert.ok(a.statistics().own >= 1);
    await b.close();
    const bye = await nextEvent(a, "b's goodbye");
    assert.deepEqual(bye.type === "disappeared" && [bye.peer.uuid, bye.reason], [
      b.uuid,
      "farewell",
    ]);
    assert.deepEqual(a.peers, []);
    assert.equal((await b.next()).done, true); // closed: its events end
  });

  it("a listen-only beacon sends nothing and still sees the others", async () => {
    const port = await freeUdpPort();
    const quiet = await start({ port });
    const loud = await start({ port, announce: 7777, uuid: "0123456789abcdef0123456789ABCDEF" });
    const e = await nextEvent(quiet, "the loud one appears");
    assert.equal(e.type === "appeared" && e.peer.uuid, "0123456789ABCDEF0123456789ABCDEF");
    assert.equal(quiet.announce, undefined);
    assert.equal(quiet.statistics().sent, 0);
    assert.deepEqual(loud.peers, []);
    await quiet.close();
    assert.equal(quiet.statistics().sent, 0); // no goodbye either
  });

  it("junk, truncated and oversize datagrams are counted and change nothing", async () => {
    const port = await freeUdpPort();
    const a = await start({ port, announce: 5555 });
    const raw = await openUdp({ port: 0, broadcast: true, onDatagram: () => {} });
    open.push(raw);
    const good = encodeBeacon("C0FFEE".padEnd(32, "0"), 4242);
    const junk = [
      new Uint8Array(0),
      Uint8Array.of(0x21), // the Guide's udpping1 ping
      good.subarray(0, 21),
      Uint8Array.from([...good, 0]),
      Uint8Array.from([0x5a, 0x52, 0x45, 0x02, ...good.subarray(4)]), // version 2
      new TextEncoder().encode("ZRE\x01 and then some text that is far too long"),
      new Uint8Array(1500).fill(0x5a),
      new Uint8Array(65507), // the largest UDP datagram over IPv4
      encodeBeacon("D".repeat(32), 0), // a goodbye from a node nobody knows
    ];
    for (const d of junk) await raw.send(d, port, "127.255.255.255");
    await raw.send(good, port, "127.255.255.255"); // then one real beacon: it gets through
    const e = await nextEvent(a, "the good beacon after the junk");
    assert.deepEqual(e.type === "appeared" && e.peer.endpoint, "tcp://127.0.0.1:4242");
    const s = a.statistics();
    // one socket, one sender: the datagrams were read in the order they were sent
    assert.equal(s.malformed, junk.length - 1);
    assert.equal(s.strayFarewells, 1);
    assert.deepEqual(a.peers.map((p) => p.uuid), ["C0FFEE".padEnd(32, "0")]);
  });

  it("a node whose beacons stop (no goodbye) expires", async () => {
    const port = await freeUdpPort();
    const a = await start({ port, announce: 5555, interval: 50, expiry: 200 });
    const raw = await openUdp({ port: 0, broadcast: true, onDatagram: () => {} });
    open.push(raw);
    await raw.send(encodeBeacon("F".repeat(32), 1234), port, "127.255.255.255");
    assert.equal((await nextEvent(a, "it appears")).type, "appeared");
    const gone = await nextEvent(a, "it expires");
    assert.deepEqual(gone.type === "disappeared" && [gone.peer.uuid, gone.reason], [
      "F".repeat(32),
      "expired",
    ]);
  });

  it("checks its options, and names an unknown interface", async () => {
    assert.throws(() => new Beacon({ uuid: "xyz" }), RangeError);
    assert.throws(() => new Beacon({ uuid: new Uint8Array(8) }), RangeError);
    assert.throws(() => new Beacon({ port: 70000 }), RangeError);
    assert.throws(() => new Beacon({ announce: 0 }), RangeError);
    assert.throws(() => new Beacon({ interval: 0 }), RangeError);
    assert.throws(() => new Beacon({ expiry: 1.5 }), RangeError);
    const b = new Beacon({ port: 0, interface: "no-such-interface0" });
    await assert.rejects(b.start(), (e: unknown) => {
      assert.ok(e instanceof ZmqError);
      assert.equal(e.code, "EINVAL");
      assert.match(e.message, /no-such-interface0.*there are: .*127\.0\.0\.1/);
      return true;
    });
    await b.close();
    assert.equal((await b.next()).done, true);
  });
});
