// SPDX-License-Identifier: MIT
/**
 * RFC 30 PUSH/PULL clauses (libzmq test_spec_pushpull): round-robin out, fair-queue in,
 * blocking without peers, multipart delivered whole or not at all when a connection dies
 * mid-message, and the clause libzmq disables: queues of a departed peer are destroyed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Pull, Push } from "../../mod.ts";
import { RawPeer, rawServer } from "./_raw.ts";
import {
  bindAddress,
  bytes,
  closeAll,
  EventLog,
  fillUntilEagain,
  queuedInbound,
  rejectsWith,
  STREAM_TRANSPORTS,
  text,
  texts,
  TRANSPORTS,
  until,
  withTimeout,
} from "./_util.ts";

for (const t of TRANSPORTS) {
  describe(`PUSH/PULL over ${t}`, () => {
    it("PUSH round-robins 6 messages over 3 PULLs", async () => {
      const push = new Push();
      const log = new EventLog(push);
      await push.bind(bindAddress(t));
      const pulls = [new Pull(), new Pull(), new Pull()];
      try {
        for (const p of pulls) p.connect(push.lastEndpoint!);
        await log.waitFor("handshake", 3);
        for (let k = 0; k < 6; k++) await push.send(`${k}`);
        const got = await withTimeout(Promise.all(pulls.map(async (p) => {
          const a = Number(text((await p.receive())[0]));
          const b = Number(text((await p.receive())[0]));
          return [a, b] as const;
        })));
        for (const [a, b] of got) assert.equal(b, a + 3);
        assert.deepEqual(got.map(([a]) => a).sort(), [0, 1, 2]);
      } finally {
        closeAll(push, ...pulls);
      }
    });

    it("PULL fair-queues 3 PUSHes in strict rotation", async () => {
      const pull = new Pull();
      await pull.bind(bindAddress(t));
      const pushes = [new Push(), new Push(), new Push()];
      try {
        for (const p of pushes) p.connect(pull.lastEndpoint!);
        for (let k = 0; k < 10; k++) {
          for (const [i, p] of pushes.entries()) await p.send(`p${i}:${k}`);
        }
        await until(() => queuedInbound(pull) === 30, 5000, "30 messages queued");
        const from: string[] = [];
        for (let j = 0; j < 30; j++) from.push(text((await pull.receive())[0]).split(":")[0]!);
        assert.equal(new Set(from.slice(0, 3)).size, 3);
        for (let j = 3; j < 30; j++) assert.equal(from[j], from[j - 3]);
      } finally {
        closeAll(pull, ...pushes);
      }
    });

    it("PUSH blocks without peers: EAGAIN after sendTimeout", async () => {
      const push = new Push({ sendTimeout: 200 });
      try {
        await push.bind(bindAddress(t));
        await rejectsWith(push.send("x"), "EAGAIN");
      } finally {
        push.close();
      }
    });

    it("destroys the queues of a peer that disconnects; its reconnection sees none of it", async () => {
      const push = new Push();
      const log = new EventLog(push);
      await push.bind(bindAddress(t));
      const pull = new Pull();
      try {
        pull.connect(push.lastEndpoint!);
        await log.waitFor("handshake");
        await push.send("ABC");
        await push.send("DEF");
        pull.disconnect(push.lastEndpoint!);
        await log.waitFor("disconnect");
        push.sendTimeout = 0;
        await rejectsWith(push.send("nobody"), "EAGAIN");
        push.sendTimeout = -1;
        pull.receiveTimeout = 0;
        await rejectsWith(pull.receive(), "EAGAIN");
        pull.receiveTimeout = -1;
        pull.connect(push.lastEndpoint!);
        await log.waitFor("handshake", 2);
        await push.send("GHI");
        assert.deepEqual(texts(await withTimeout(pull.receive())), ["GHI"]);
      } finally {
        closeAll(push, pull);
      }
    });

    it("what a PUSH delivered before it left is still read (as libzmq does)", async () => {
      const pull = new Pull();
      const log = new EventLog(pull);
      await pull.bind(bindAddress(t));
      const push = new Push();
      try {
        push.connect(pull.lastEndpoint!);
        for (const m of ["1", "2", "3"]) await push.send(m);
        push.close(); // linger: flushed first
        await log.waitFor("disconnect");
        for (const m of ["1", "2", "3"]) {
          assert.equal(text((await withTimeout(pull.receive()))[0]), m);
        }
        pull.receiveTimeout = 0;
        await rejectsWith(pull.receive(), "EAGAIN");
      } finally {
        closeAll(push, pull);
      }
    });

    it("messages queued for a departed PULL never reach the next PULL", async () => {
      const push = new Push({ sendHighWaterMark: 5 });
      const log = new EventLog(push);
      await push.bind(bindAddress(t));
      const slow = new Pull({ receiveHighWaterMark: 1 });
      const next = new Pull();
      try {
        slow.connect(push.lastEndpoint!);
        await log.waitFor("handshake");
        const big = new Uint8Array(t === "inproc" ? 1 : 64 * 1024);
        const n = await withTimeout(fillUntilEagain(push, () => ["old", big]), 30000, "filling");
        assert.ok(n >= 6, `queued ${n}`);
        slow.close();
        await log.waitFor("disconnect", 1, 10000);
        next.connect(push.lastEndpoint!);
        await push.send("fresh");
        assert.deepEqual(texts(await withTimeout(next.receive())), ["fresh"]);
      } finally {
        closeAll(push, slow, next);
      }
    });
  });
}

for (const t of STREAM_TRANSPORTS) {
  describe(`PUSH/PULL multipart atomicity over ${t}`, () => {
    it("a peer dying mid-multipart never yields a partial message", async () => {
      const pull = new Pull();
      await pull.bind(bindAddress(t));
      const push = new Push();
      try {
        for (let round = 0; round < 10; round++) {
          const raw = await RawPeer.connect(pull.lastEndpoint!);
          await raw.handshake("PUSH");
          raw.send([bytes(`whole${round}`), bytes("second")]);
          raw.write(Uint8Array.from([0x01, 1, 0x41]), Uint8Array.from([0x01, 1, 0x42])); // 2 frames, MORE
          assert.deepEqual(texts(await withTimeout(pull.receive())), [`whole${round}`, "second"]);
          raw.destroy();
          await raw.waitClosed();
        }
        push.connect(pull.lastEndpoint!);
        await push.send(["x", "y", "z"]);
        assert.deepEqual(texts(await withTimeout(pull.receive())), ["x", "y", "z"]);
      } finally {
        closeAll(pull, push);
      }
    });
  });
}

describe("PUSH multipart atomicity when the receiver dies mid-message (tcp)", () => {
  it("the next connection starts at a message boundary and gets every later message", async () => {
    const conns: RawPeer[] = [];
    const server = await rawServer((p) => conns.push(p));
    const push = new Push({ reconnectInterval: 20 });
    const log = new EventLog(push);
    try {
      push.connect(server.endpoint);
      await until(() => conns.length === 1);
      const first = conns[0]!;
      await first.handshake("PULL");
      await log.waitFor("handshake");
      for (let k = 0; k < 5; k++) await push.send([`${k}a`, `${k}b`, `${k}c`]);
      const f = await first.readFrame();
      assert.equal(text(f.body), "0a");
      first.destroy(); // mid-message
      await log.waitFor("disconnect");
      await until(() => conns.length === 2);
      const second = conns[1]!;
      await second.handshake("PULL");
      await log.waitFor("handshake", 2);
      for (let k = 5; k < 10; k++) await push.send([`${k}a`, `${k}b`, `${k}c`]);
      // whatever of 0..4 was in flight on the dead connection is lost; 5..9 arrive whole
      const seen: number[] = [];
      while (seen.at(-1) !== 9) {
        const a = await second.readFrame();
        const b = await second.readFrame();
        const c = await second.readFrame();
        assert.deepEqual([a.flags, b.flags, c.flags], [1, 1, 0], "3 frames, MORE on the first two");
        const k = parseInt(text(a.body));
        assert.deepEqual([text(a.body), text(b.body), text(c.body)], [`${k}a`, `${k}b`, `${k}c`]);
        seen.push(k);
      }
      assert.deepEqual(seen.filter((k) => k >= 5), [5, 6, 7, 8, 9]);
    } finally {
      push.close();
      server.close();
    }
  });
});
