// SPDX-License-Identifier: MIT
/**
 * zmq_proxy_steerable semantics, driven by a libzmq controller over tcp and ipc: with a REP
 * control socket every command is answered (PAUSE/RESUME/TERMINATE and unknown ones with an
 * empty frame, STATISTICS with 8 little-endian uint64 frames counting frames and bytes per
 * direction), with a PAIR control socket only STATISTICS is (libzmq after 4.3.5).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeStatistics, Pair, Proxy, Pull, Push, Reply } from "../../mod.ts";
import { LibzmqPeer, type Side } from "../_helpers/peers.ts";
import { withTimeout } from "../_helpers/wait.ts";
import { bindEndpoint, bytes, text, TRANSPORTS } from "./_proxy.ts";

const W = 10_000;

describe("proxy steering from libzmq", () => {
  let peer: LibzmqPeer;
  before(async () => {
    peer = await LibzmqPeer.start();
  });
  after(async () => {
    await peer.stop();
  });

  /** A streamer between a libzmq PUSH and a libzmq PULL, with `control` bound. */
  async function streamer(t: "tcp" | "ipc", control: Reply | Pair) {
    const front = new Pull({ linger: 0 });
    const back = new Push({ linger: 0 });
    await front.bind(bindEndpoint(t, "front"));
    await back.bind(bindEndpoint(t, "back"));
    await control.bind(bindEndpoint(t, "control"));
    const p = new Proxy(front, back, { control });
    let ended = false;
    const running = p.run().then(() => void (ended = true));
    const producer = await peer.socket("PUSH");
    const consumer = await peer.socket("PULL");
    await producer.connect(front.lastEndpoint!);
    await consumer.connect(back.lastEndpoint!);
    const close = async () => {
      p.terminate();
      await running;
      await producer.close();
      await consumer.close();
      for (const s of [front, back, control]) s.close();
    };
    return { p, running, ended: () => ended, producer, consumer, close };
  }

  async function ask(ctl: Side, command: string): Promise<Uint8Array[]> {
    await ctl.send([bytes(command)]);
    return await ctl.receive(W);
  }

  for (const t of TRANSPORTS) {
    it(`REP control over ${t}: every command answered, as libzmq after 4.3.5`, async () => {
      const s = await streamer(t, new Reply({ linger: 0 }));
      const ctl = await peer.socket("REQ");
      try {
        await ctl.connect((s.p.control as Reply).lastEndpoint!);
        const zero = await ask(ctl, "STATISTICS");
        assert.equal(zero.length, 8);
        for (const f of zero) assert.equal(f.length, 8);
        assert.deepEqual(decodeStatistics(zero), [0, 0, 0, 0, 0, 0, 0, 0]);

        await s.producer.send([bytes("hello"), bytes("world!")]);
        assert.deepEqual((await s.consumer.receive(W)).map(text), ["hello", "world!"]);
        // per frame: 2 frames, 11 bytes received on the frontend and sent on the backend
        assert.deepEqual(decodeStatistics(await ask(ctl, "STATISTICS")), [
          2,
          11,
          0,
          0,
          0,
          0,
          2,
          11,
        ]);

        const paused = await ask(ctl, "PAUSE");
        assert.deepEqual(paused.map((f) => f.length), [0]);
        assert.equal(s.p.paused, true);
        await s.producer.send([bytes("while paused")]);
        await assert.rejects(s.consumer.receive(300), { code: "EAGAIN" });
        assert.deepEqual((await ask(ctl, "RESUME")).map((f) => f.length), [0]);
        assert.deepEqual((await s.consumer.receive(W)).map(text), ["while paused"]);

        assert.deepEqual((await ask(ctl, "NO-SUCH-COMMAND")).map((f) => f.length), [0]);
        assert.equal(s.ended(), false);
        assert.deepEqual((await ask(ctl, "TERMINATE")).map((f) => f.length), [0]);
        await withTimeout(s.running, W, "run() ends on TERMINATE");
        assert.equal(s.p.terminated, true);
      } finally {
        await ctl.close();
        await s.close();
      }
    });

    it(`PAIR control over ${t}: only STATISTICS is answered`, async () => {
      const s = await streamer(t, new Pair({ linger: 0 }));
      const ctl = await peer.socket("PAIR");
      try {
        await ctl.connect((s.p.control as Pair).lastEndpoint!);
        await ctl.handshake();
        await ctl.send([bytes("PAUSE")]);
        // the first reply is STATISTICS' 8 frames: PAUSE got none
        const stats = await ask(ctl, "STATISTICS");
        assert.equal(stats.length, 8);
        assert.equal(s.p.paused, true);
        await ctl.send([bytes("RESUME")]);
        await ctl.send([bytes("TERMINATE")]);
        await withTimeout(s.running, W, "run() ends on TERMINATE");
        await assert.rejects(ctl.receive(200), { code: "EAGAIN" });
      } finally {
        await ctl.close();
        await s.close();
      }
    });
  }
});
