// Both halves of `zmqkit bench` in one process, for every pattern and transport.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { withTimeout } from "../_helpers/wait.ts";
import { LAT_PATTERNS, THR_PATTERNS } from "../../lib/internal.ts";
import { latLines, latRow, thrRow } from "../../lib/internal.ts";
import { runLat, runThr, type Transport } from "../../lib/internal.ts";

const DEADLINE = 20_000;
const TRANSPORTS: Transport[] = ["tcp", "ipc", "inproc"];

describe("bench run: throughput", () => {
  for (const pattern of THR_PATTERNS) {
    for (const transport of TRANSPORTS) {
      it(`${pattern} over ${transport} counts every message`, async () => {
        const r = await withTimeout(
          runThr(transport, { size: 32, count: 3000, pattern, hwm: 100 }),
          DEADLINE,
          `${pattern} ${transport}`,
        );
        assert.equal(r.count, 3000);
        assert.equal(r.size, 32);
        assert.ok(r.msgsPerSec > 0);
      });
    }
  }

  it("sends bodies larger than the zero-copy threshold intact in size", async () => {
    const r = await withTimeout(runThr("tcp", { size: 65536, count: 200 }), DEADLINE, "64 KiB");
    assert.equal(r.count, 200);
  });

  it("counts large messages the same with and without release()", async () => {
    for (const release of [true, false]) {
      const r = await withTimeout(
        runThr("tcp", { size: 70_000, count: 300, release }),
        DEADLINE,
        `release ${release}`,
      );
      assert.equal(r.count, 300);
    }
  });

  it("stops at the duration when no count is given", async () => {
    const r = await withTimeout(
      runThr("inproc", { size: 8, count: Infinity, durationMs: 200 }),
      DEADLINE,
      "duration run",
    );
    assert.ok(r.count > 1);
    const row = thrRow({
      bench: "thr",
      impl: "zmqkit",
      runtime: "x",
      transport: "inproc",
      pattern: "push-pull",
    }, r);
    assert.equal(row.count, r.count);
    assert.equal(typeof row.msgs_per_s, "number");
  });
});

describe("bench run: latency", () => {
  for (const pattern of LAT_PATTERNS) {
    for (const transport of TRANSPORTS) {
      it(`${pattern} over ${transport} times every round trip`, async () => {
        const r = await withTimeout(
          runLat(transport, { size: 16, count: 200, pattern }),
          DEADLINE,
          `${pattern} ${transport}`,
        );
        assert.equal(r.roundTrips, 200);
        assert.equal(r.samplesUs.length, 200);
        assert.ok(r.averageUs > 0);
      });
    }
  }

  it("prints libzmq's lines, then percentiles and a histogram", async () => {
    const r = await withTimeout(runLat("tcp", { size: 1, count: 100 }), DEADLINE, "lat");
    const lines = latLines(r);
    assert.equal(lines[0], "message size: 1 [B]");
    assert.equal(lines[1], "roundtrip count: 100");
    assert.match(lines[2]!, /^average latency: \d+\.\d{3} \[us\]$/);
    assert.match(lines[3]!, /p50 [\d.]+ p90 [\d.]+ p99 [\d.]+ p99\.9 [\d.]+ max [\d.]+$/);
    assert.equal(lines[4], "histogram (one-way):");
    const counted = lines.slice(5).reduce((n, l) => n + Number(/ (\d+) \(/.exec(l)![1]), 0);
    assert.equal(counted, 100);
    const row = latRow({
      bench: "lat",
      impl: "zmqkit",
      runtime: "x",
      transport: "tcp",
      pattern: "req-rep",
    }, r);
    assert.ok((row.p50_us as number) <= (row.p99_us as number));
  });

  it("a duration ends the client and stops the echoing server", async () => {
    const r = await withTimeout(
      runLat("inproc", { size: 1, count: Infinity, durationMs: 150 }),
      DEADLINE,
      "duration lat",
    );
    assert.ok(r.roundTrips > 1);
  });
});
