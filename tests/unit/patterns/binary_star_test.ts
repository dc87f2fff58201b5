// SPDX-License-Identifier: MIT
/**
 * Binary Star: the state machine as a pure function, every (state, event, peer silent or not)
 * of the Guide's table; then the BinaryStar class against a fake peer (a PUB and a SUB of the
 * test's own, over inproc) — state messages parsed strictly, the failover only on a client's
 * vote after the peer fell silent, the two fatal cases, heartbeats out. Waits are on events
 * and bounded; the heartbeat is short, and nothing asserts how long anything took.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BinaryStar,
  BinaryStarError,
  type BinaryStarEvent,
  type BinaryStarState,
  binaryStarStep,
  type Message,
  Publisher,
  Subscriber,
} from "../../../mod.ts";

const STATES: BinaryStarState[] = ["PRIMARY", "BACKUP", "ACTIVE", "PASSIVE"];
const EVENTS: BinaryStarEvent[] = [
  "PEER_PRIMARY",
  "PEER_BACKUP",
  "PEER_ACTIVE",
  "PEER_PASSIVE",
  "CLIENT_REQUEST",
];

/** [state, event, peer silent] → [new state, accepted, fatal]; what is not listed stays, accepted. */
const TABLE: Array<[BinaryStarState, BinaryStarEvent, boolean, BinaryStarState, boolean, string?]> =
  [
    ["PRIMARY", "PEER_BACKUP", false, "ACTIVE", true],
    ["PRIMARY", "PEER_BACKUP", true, "ACTIVE", true],
    ["PRIMARY", "PEER_ACTIVE", false, "PASSIVE", true],
    ["PRIMARY", "PEER_ACTIVE", true, "PASSIVE", true],
    ["PRIMARY", "CLIENT_REQUEST", false, "PRIMARY", false], // the backup may be active
    ["PRIMARY", "CLIENT_REQUEST", true, "ACTIVE", true],
    ["BACKUP", "PEER_ACTIVE", false, "PASSIVE", true],
    ["BACKUP", "PEER_ACTIVE", true, "PASSIVE", true],
    ["BACKUP", "CLIENT_REQUEST", false, "BACKUP", false],
    ["BACKUP", "CLIENT_REQUEST", true, "BACKUP", false], // even with no primary in sight
    ["ACTIVE", "PEER_ACTIVE", false, "ACTIVE", false, "DUAL_ACTIVE"],
    ["ACTIVE", "PEER_ACTIVE", true, "ACTIVE", false, "DUAL_ACTIVE"],
    ["PASSIVE", "PEER_PRIMARY", false, "ACTIVE", true],
    ["PASSIVE", "PEER_PRIMARY", true, "ACTIVE", true],
    ["PASSIVE", "PEER_BACKUP", false, "ACTIVE", true],
    ["PASSIVE", "PEER_BACKUP", true, "ACTIVE", true],
    ["PASSIVE", "PEER_PASSIVE", false, "PASSIVE", false, "DUAL_PASSIVE"],
    ["PASSIVE", "PEER_PASSIVE", true, "PASSIVE", false, "DUAL_PASSIVE"],
    ["PASSIVE", "CLIENT_REQUEST", false, "PASSIVE", false], // the peer is alive: no split brain
    ["PASSIVE", "CLIENT_REQUEST", true, "ACTIVE", true], // the failover
  ];

describe("binaryStarStep (the Binary Star state machine)", () => {
  for (const state of STATES) {
    for (const event of EVENTS) {
      for (const peerSilent of [false, true]) {
        const row = TABLE.find(([s, e, p]) => s === state && e === event && p === peerSilent);
        const [, , , next, accepted, fatal] = row ?? [state, event, peerSilent, state, true];
        it(
          `${state} + ${event}${peerSilent ? " (peer silent)" : ""} → ${fatal ?? next}${
            accepted ? "" : ", refused"
          }`,
          () => {
            const step = binaryStarStep(state, event, { peerSilent });
            assert.equal(step.state, next);
            assert.equal(step.accepted, accepted);
            assert.equal(step.fatal, fatal);
            // a reason whenever something happens, none when nothing does
            assert.equal(step.reason !== undefined, next !== state || !accepted);
          },
        );
      }
    }
  }

  it("takes the peer for alive unless told otherwise", () => {
    assert.equal(binaryStarStep("PASSIVE", "CLIENT_REQUEST").accepted, false);
    assert.equal(binaryStarStep("PRIMARY", "CLIENT_REQUEST").state, "PRIMARY");
  });
});

// ---------------------------------------------------------------- the class, with a fake peer

let serial = 0;
const HB = 40; // heartbeat, ms: the peer is dead after 80 ms of silence
/** For the tests that need the peer alive while they look: a pause of the process must not kill it. */
const SLOW_HB = 250;
const WAIT = 5000;

/** Resolves when `test()` holds, checking every few ms; rejects after WAIT. */
async function until(test: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A BinaryStar and the fake peer around it: `peer` publishes to it, `heard` gets its states. */
async function setUp(role: "primary" | "backup", heartbeat = HB) {
  const n = ++serial;
  const local = `inproc://bstar-unit-${n}-star`;
  const remote = `inproc://bstar-unit-${n}-peer`;
  const peer = new Publisher({ linger: 0 });
  await peer.bind(remote);
  const heard = new Subscriber({ linger: 0, receiveTimeout: WAIT });
  heard.subscribe();
  heard.connect(local);
  const log: string[] = [];
  let peerWent: () => void = () => {};
  const peerGone = new Promise<void>((r) => peerWent = r);
  const star = new BinaryStar({
    role,
    local,
    remote,
    heartbeat,
    onStateChange: ({ from, to, event }) => void log.push(`${from}->${to} on ${event}`),
    onActive: () => void log.push("active"),
    onPassive: () => void log.push("passive"),
    onPeer: (alive) => {
      log.push(alive ? "peer up" : "peer silent");
      if (!alive) peerWent();
    },
  });
  const running = star.run();
  running.catch(() => {}); // looked at by the tests that expect it to fail
  /** Publishes `frames` until `done()` (the PUB drops what it sends before the SUB is in). */
  const feed = async (frames: Message | string, done: () => boolean, what: string) => {
    const deadline = Date.now() + WAIT;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await peer.send(frames);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  /** Publishes `frames` every 5 ms until the returned function is called. */
  const keepFeeding = (frames: string) => {
    const timer = setInterval(() => void peer.send(frames), 5);
    return () => clearInterval(timer);
  };
  const close = async () => {
    star.terminate();
    await running.catch(() => {});
    peer.close();
    heard.close();
  };
  return { star, peer, heard, log, peerGone, running, feed, keepFeeding, close };
}

describe("BinaryStar", () => {
  it("ignores anything from the peer that is not one frame holding 1 to 4", async () => {
    const t = await setUp("primary");
    try {
      const junk: Array<Message | string> = [
        "0",
        "5",
        "9",
        "33",
        " 3",
        "3\0",
        "",
        "x",
        [new Uint8Array([0x33]), new Uint8Array([0x33])],
        [new Uint8Array([3])],
      ];
      // bounded: ten junk messages, fed until each has been counted at least once
      for (const m of junk) {
        const before = t.star.statistics().ignored;
        await t.feed(m, () => t.star.statistics().ignored > before, "junk to be ignored");
      }
      const s = t.star.statistics();
      assert.equal(s.state, "PRIMARY");
      assert.equal(s.peerStates, 0);
      assert.equal(s.peerAlive, false);
      assert.deepEqual(t.log, []);
      // then a real state: the backup is waiting, so the primary goes active
      await t.feed("2", () => t.star.state === "ACTIVE", "PRIMARY -> ACTIVE");
      assert.deepEqual(t.log.slice(0, 3), ["peer up", "PRIMARY->ACTIVE on PEER_BACKUP", "active"]);
    } finally {
      await t.close();
    }
  });

  it("publishes its state every heartbeat, as one digit", async () => {
    const t = await setUp("backup");
    try {
      assert.deepEqual((await t.heard.receive()).map((f) => new TextDecoder().decode(f)), ["2"]);
      await t.feed("3", () => t.star.state === "PASSIVE", "BACKUP -> PASSIVE");
      for (;;) { // what was in flight before the change, then "4"
        const [state] = await t.heard.receive();
        if (new TextDecoder().decode(state) === "4") break;
      }
    } finally {
      await t.close();
    }
  });

  it("a backup refuses clients until the primary is seen, and while it lives; fails over on a vote after it falls silent", async () => {
    const t = await setUp("backup", SLOW_HB);
    try {
      assert.equal(await t.star.clientRequest(), false); // BACKUP never serves
      const stop = t.keepFeeding("3"); // an active primary
      await until(() => t.star.state === "PASSIVE", "BACKUP -> PASSIVE");
      assert.equal(await t.star.clientRequest(), false); // the primary is alive
      assert.equal(t.star.state, "PASSIVE");
      stop(); // the primary dies: no more state messages
      await t.peerGone;
      assert.equal(t.star.state, "PASSIVE"); // dead peer, but no client yet: still passive
      assert.equal(await t.star.clientRequest(), true); // the client's vote
      assert.equal(t.star.state, "ACTIVE");
      assert.equal(await t.star.clientRequest(), true);
      assert.deepEqual(t.log, [
        "peer up",
        "BACKUP->PASSIVE on PEER_ACTIVE",
        "passive",
        "peer silent",
        "PASSIVE->ACTIVE on CLIENT_REQUEST",
        "active",
      ]);
      assert.deepEqual(
        [t.star.statistics().accepted, t.star.statistics().refused],
        [2, 2],
      );
    } finally {
      await t.close();
    }
  });

  it("passes a voter's requests to the handler only while it may serve them", async () => {
    const t = await setUp("backup", SLOW_HB);
    // a voter fed by hand: each receive() takes the next request pushed
    const queue: Message[] = [];
    let wake: (() => void) | undefined;
    const voter = {
      receive: async (): Promise<Message> => {
        while (queue.length === 0) await new Promise<void>((r) => wake = r);
        return queue.shift()!;
      },
    };
    const push = (s: string) => {
      queue.push([new TextEncoder().encode(s)]);
      wake?.();
    };
    const served: string[] = [];
    t.star.voter(voter, (m) => void served.push(new TextDecoder().decode(m[0])));
    try {
      push("a"); // as BACKUP: dropped
      await until(() => t.star.statistics().refused === 1, "a refused request");
      const stop = t.keepFeeding("3");
      await until(() => t.star.state === "PASSIVE", "BACKUP -> PASSIVE");
      push("b"); // peer alive: dropped
      await until(() => t.star.statistics().refused === 2, "a second refused request");
      stop();
      await t.peerGone;
      push("c"); // the vote
      push("d");
      await until(() => served.length === 2, "two requests served");
      assert.deepEqual(served, ["c", "d"]);
      assert.equal(t.star.state, "ACTIVE");
    } finally {
      await t.close();
    }
  });

  it("a primary alone serves a client once the backup has been silent for two heartbeats", async () => {
    const t = await setUp("primary", SLOW_HB);
    try {
      assert.equal(await t.star.clientRequest(), false); // too soon: the backup may be active
      // the backup never speaks: requests are refused until two heartbeats after run(), then
      // one makes it active (how many were refused first depends on the clock: not counted)
      const deadline = Date.now() + WAIT;
      while (!(await t.star.clientRequest())) {
        assert.equal(t.star.state, "PRIMARY");
        assert.ok(Date.now() < deadline, "timed out waiting for a request to be accepted");
        await new Promise((r) => setTimeout(r, HB / 4));
      }
      assert.equal(t.star.state, "ACTIVE");
      assert.deepEqual(t.log, ["PRIMARY->ACTIVE on CLIENT_REQUEST", "active"]);
    } finally {
      await t.close();
    }
  });

  it("two actives: run() rejects with DUAL_ACTIVE", async () => {
    const t = await setUp("primary");
    try {
      await t.feed("2", () => t.star.state === "ACTIVE", "PRIMARY -> ACTIVE");
      let failed = false;
      t.running.catch(() => failed = true);
      await t.feed("3", () => failed, "run() to fail");
      await assert.rejects(t.running, (e: unknown) => {
        assert.ok(e instanceof BinaryStarError);
        assert.equal(e.code, "DUAL_ACTIVE");
        assert.equal(e.state, "ACTIVE");
        return true;
      });
    } finally {
      await t.close();
    }
  });

  it("two passives: run() rejects with DUAL_PASSIVE", async () => {
    const t = await setUp("backup");
    try {
      await t.feed("3", () => t.star.state === "PASSIVE", "BACKUP -> PASSIVE");
      let failed = false;
      t.running.catch(() => failed = true);
      await t.feed("4", () => failed, "run() to fail");
      await assert.rejects(t.running, { name: "BinaryStarError", code: "DUAL_PASSIVE" });
    } finally {
      await t.close();
    }
  });

  it("a passive server whose peer restarts takes over", async () => {
    const t = await setUp("backup");
    try {
      await t.feed("3", () => t.star.state === "PASSIVE", "BACKUP -> PASSIVE");
      await t.feed("1", () => t.star.state === "ACTIVE", "PASSIVE -> ACTIVE");
      assert.deepEqual(t.log.filter((l) => l.includes("->")), [
        "BACKUP->PASSIVE on PEER_ACTIVE",
        "PASSIVE->ACTIVE on PEER_PRIMARY",
      ]);
    } finally {
      await t.close();
    }
  });

  it("terminate() before run(): run() resolves; a bad heartbeat throws, a bad endpoint rejects run()", async () => {
    const star = new BinaryStar({ role: "primary", local: "inproc://bstar-unit-x", remote: "x" });
    star.terminate();
    await star.run();
    assert.throws(
      () => new BinaryStar({ role: "primary", local: "a", remote: "b", heartbeat: 0 }),
      RangeError,
    );
    const bad = new BinaryStar({ role: "backup", local: "nonsense://x", remote: "b" });
    await assert.rejects(bad.run());
  });
});
