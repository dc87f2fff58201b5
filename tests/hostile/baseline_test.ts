// SPDX-License-Identifier: MIT
/**
 * The hostile suite's control case: benign clients only. It checks the rig (a target on this
 * runtime, RSS readings from /proc, good clients) and is what C in _harness.ts is chosen from:
 * the RSS a target gains serving as many bytes as an attack sends, with nothing hostile.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dealer } from "../../mod.ts";
import {
  dealerRoundTrip,
  guard,
  KiB,
  killAll,
  memoryWithin,
  Meter,
  MiB,
  report,
  scaled,
  startTarget,
  Verdict,
} from "./_harness.ts";

describe("hostile baseline", () => {
  after(killAll);

  it("a ROUTER target echoes as many bytes as an attack sends, from benign clients, within C", async () => {
    const { child, endpoint } = await startTarget("ROUTER");
    const v = new Verdict();
    const meter = new Meter(child);
    const total = scaled(16 * MiB, 64 * MiB);
    let sent = 0;
    try {
      await dealerRoundTrip(endpoint, [child]); // warm-up
      meter.start();
      await v.step("benign traffic", async () => {
        const d = new Dealer({ linger: 0 });
        try {
          d.connect(endpoint);
          const body = new Uint8Array(64 * KiB).fill(0x61);
          const window = 16;
          let inFlight = 0, received = 0;
          const n = total / body.length;
          for (let i = 0; i < n; i++) {
            await guard(d.send(body), "send", [child]);
            sent += body.length;
            if (++inFlight >= window) {
              const [r] = await guard(d.receive(), "echo", [child]);
              assert.equal(r!.length, body.length);
              inFlight--;
              received++;
            }
          }
          for (; inFlight > 0; inFlight--, received++) await guard(d.receive(), "echo", [child]);
          assert.equal(received, n);
        } finally {
          d.close();
        }
      });
      await v.step("100 good clients come and go", async () => {
        for (let i = 0; i < 100; i += 10) {
          await Promise.all(
            Array.from({ length: 10 }, () => dealerRoundTrip(endpoint, [child])),
          );
        }
      });
      meter.stop();
      v.check(child.alive ? undefined : "target died");
      v.check(memoryWithin(meter, 0));
      assert.ok(meter.before > 10 * MiB && meter.before < 1024 * MiB, `sane RSS ${meter.before}`);
      assert.ok(meter.peak >= meter.before, "peak ≥ before");
    } finally {
      meter.stop();
      report("0-baseline-router", sent, meter);
      child.kill();
    }
    v.done();
  });
});
