// SPDX-License-Identifier: MIT
/** SCATTER / GATHER (RFC 49, draft): round-robin, fair-queue, waits, one frame, peer types. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Gather, Pull, Push, Scatter, ZmqError } from "../../mod.ts";
import { bindAddress, EventLog, TRANSPORTS, withTimeout } from "./_util.ts";
import { RawPeer } from "./_raw.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const enc = new TextEncoder();

describe("SCATTER / GATHER", () => {
  for (const t of TRANSPORTS) {
    it(`${t}: round-robin over two GATHERs, in order on each`, async () => {
      await using scatter = new Scatter({ linger: 0 });
      await scatter.bind(bindAddress(t));
      const log = new EventLog(scatter);
      await using g1 = new Gather();
      await using g2 = new Gather();
      g1.connect(scatter.lastEndpoint!);
      g2.connect(scatter.lastEndpoint!);
      await log.waitFor("handshake", 2); // both peers attached before the first send
      for (let i = 0; i < 10; i++) await scatter.send(`m${i}`);
      const n = (s: string) => Number(s.slice(1));
      const got1: string[] = [];
      const got2: string[] = [];
      for (let i = 0; i < 5; i++) got1.push(text((await withTimeout(g1.receive()))[0]!));
      for (let i = 0; i < 5; i++) got2.push(text((await withTimeout(g2.receive()))[0]!));
      for (const got of [got1, got2]) {
        assert.deepEqual(got, got.slice().sort((a, b) => n(a) - n(b)), "in order");
        for (let i = 1; i < got.length; i++) assert.equal(n(got[i]!) - n(got[i - 1]!), 2);
      }
      assert.deepEqual([...got1, ...got2].map(n).sort((a, b) => a - b), [...Array(10).keys()]);
    });
  }

  it("SCATTER waits while no GATHER is there (EAGAIN with sendTimeout 0)", async () => {
    await using scatter = new Scatter({ sendTimeout: 0 });
    await scatter.bind(bindAddress("inproc"));
    await assert.rejects(scatter.send("x"), (e) => e instanceof ZmqError && e.code === "EAGAIN");
    scatter.sendTimeout = -1;
    const pending = scatter.send("queued");
    await using gather = new Gather();
    gather.connect(scatter.lastEndpoint!);
    await withTimeout(pending);
    assert.equal(text((await withTimeout(gather.receive()))[0]!), "queued");
  });

  it("one frame: SCATTER refuses more (EINVAL); GATHER drops a peer's multipart whole", async () => {
    await using scatter = new Scatter();
    await assert.rejects(
      scatter.send(["a", "b"]),
      (e) => e instanceof ZmqError && e.code === "EINVAL" && /single frame/.test(e.message),
    );
    await using gather = new Gather();
    await gather.bind(bindAddress("tcp"));
    const raw = await RawPeer.connect(gather.lastEndpoint!);
    try {
      await raw.handshake("SCATTER");
      raw.send([enc.encode("1"), enc.encode("2"), enc.encode("3")]);
      raw.send([enc.encode("ok")]);
      assert.equal(text((await withTimeout(gather.receive()))[0]!), "ok");
      assert.equal(gather.dropped, 1);
      assert.equal(raw.closed, false);
    } finally {
      raw.destroy();
    }
  });

  it("peer types: SCATTER–GATHER only (not PUSH/PULL)", async () => {
    await using pull = new Pull();
    await pull.bind(bindAddress("tcp"));
    await using scatter = new Scatter();
    const log = new EventLog(scatter);
    scatter.connect(pull.lastEndpoint!);
    await log.waitFor("handshake:error:protocol");
    await using gather = new Gather();
    await gather.bind(bindAddress("inproc"));
    await using push = new Push();
    const pushLog = new EventLog(push);
    push.connect(gather.lastEndpoint!);
    await pushLog.waitFor("handshake:error:protocol");
  });
});
