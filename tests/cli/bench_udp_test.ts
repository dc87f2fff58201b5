// SPDX-License-Identifier: MIT
// `zmqkit bench` over udp:// (RADIO→DISH, issue 17): the radio-dish throughput pattern, which
// may lose messages (the receiver stops at the count or after an idle gap and says what it
// received; `bench run` adds sent and loss), latency refused over udp, a size that does not fit
// one datagram refused, and radio-dish over tcp. Then the udp engine under a tight send loop:
// the runtime still gets its turns, and what is queued stays bounded. No timing assertions.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Dish, Radio } from "../../mod.ts";
import { socketCore } from "../../lib/internal.ts";
import { type DatagramEngine, MAX_IN_FLIGHT } from "../../lib/transports/udp.ts";
import { freePort } from "../_helpers/ports.ts";
import { ensureBinary, killAll, lines, startZmqkit, WAIT, zmqkit } from "./_cli.ts";

before(() => ensureBinary());
after(() => killAll());

const num = (out: string[], re: RegExp): number => {
  const line = out.find((l) => re.test(l));
  assert.ok(line !== undefined, `a line matching ${re} in:\n${out.join("\n")}`);
  return Number(re.exec(line)![1]);
};

describe("bench over udp:// (radio-dish)", () => {
  it("bench run thr --transport udp prints received, sent and loss", async () => {
    const r = await zmqkit(["bench", "run", "thr", "--transport", "udp", "--count", "2000"], {
      timeout: 60_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.ok(out.includes("throughput (radio-dish, udp):"), out.join("\n"));
    const received = num(out, /^messages received: (\d+)$/);
    assert.equal(num(out, /^message count: (\d+)$/), received);
    assert.equal(num(out, /^messages sent: (\d+)/), 2000);
    assert.ok(received >= 1 && received <= 2000, String(received));
    const loss = num(out, /^loss: ([\d.]+) % \(1 - received\/sent\)$/);
    assert.equal(loss.toFixed(1), ((1 - received / 2000) * 100).toFixed(1));
    assert.match(r.stdout.toString(), /mean throughput: \d+ \[msg\/s\]/);
  });

  it("--json carries received, sent and loss", async () => {
    const r = await zmqkit(
      ["bench", "run", "thr", "--transport", "udp", "-n", "1000", "--json"],
      { timeout: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const row = JSON.parse(lines(r.stdout)[0]!);
    assert.equal(row.pattern, "radio-dish");
    assert.equal(row.transport, "udp");
    assert.equal(row.sent, 1000);
    assert.equal(row.received, row.count);
    assert.ok(row.loss >= 0 && row.loss <= 1);
  });

  it("latency over udp is a usage error (exit 2)", async () => {
    for (
      const args of [
        ["bench", "run", "lat", "--transport", "udp"],
        ["bench", "lat", "-b", `udp://127.0.0.1:${await freePort()}`],
      ]
    ) {
      const r = await zmqkit(args, { timeout: WAIT });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /latency is not measured over udp/);
    }
  });

  it("a size that does not fit one datagram, or another pattern, is a usage error", async () => {
    const port = await freePort();
    for (
      const args of [
        ["bench", "run", "thr", "--transport", "udp", "--size", "8187"],
        ["bench", "run", "--transport", "udp", "--sizes", "64,9000"],
        ["bench", "thr", "-b", `udp://127.0.0.1:${port}`, "--size", "8KiB"],
        ["bench", "thr", "-c", `udp://127.0.0.1:${port}`, "--size", "9000"],
      ]
    ) {
      const r = await zmqkit(args, { timeout: WAIT });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /does not fit a udp:\/\/ datagram: at most 8186 bytes/);
    }
    const r = await zmqkit(["bench", "run", "thr", "--transport", "udp", "-p", "push-pull"], {
      timeout: WAIT,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /only the radio-dish pattern/);
  });

  it("the halves: -b receives until the count or an idle gap, -c says what it sent", async () => {
    const ep = `udp://127.0.0.1:${await freePort()}`;
    const rx = startZmqkit(["bench", "thr", "-b", ep, "-n", "2000"], { timeout: 60_000 });
    // no connection over udp: send until the DISH (bound some time soon) has its messages
    for (let i = 0; i < 20 && rx.child.exitCode === null; i++) {
      const tx = await zmqkit(["bench", "thr", "-c", ep, "-n", "2000"], { timeout: WAIT });
      assert.equal(tx.code, 0, tx.stderr);
      const out = lines(tx.stdout);
      assert.equal(num(out, /^messages sent: (\d+)$/), 2000);
      assert.ok(num(out, /^dropped at the high-water mark: (\d+)$/) <= 2000);
      await new Promise((r) => setTimeout(r, 200));
    }
    const r = await rx.done;
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    const received = num(out, /^messages received: (\d+)$/);
    assert.ok(received >= 1 && received <= 2000, String(received));
    assert.ok(!out.some((l) => l.startsWith("loss:")), "the receiver does not know what was sent");
  });

  it("radio-dish over tcp: the RADIO waits for the JOIN, then the DISH receives", async () => {
    const r = await zmqkit(
      ["bench", "run", "thr", "--pattern", "radio-dish", "--count", "5000"],
      { timeout: 60_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.ok(out.includes("throughput (radio-dish, tcp):"), out.join("\n"));
    assert.equal(num(out, /^messages sent: (\d+)/), 5000);
    const received = num(out, /^messages received: (\d+)$/);
    const dropped = num(out, /dropped at the sender's HWM: (\d+)\)$/);
    // over tcp only the RADIO's high-water mark loses messages
    assert.equal(received + dropped, 5000);
  });
});

describe("udp engine under a tight send loop", () => {
  it("the runtime gets its turns, and the queue and the sends in flight stay bounded", async () => {
    const HWM = 1000;
    await using dish = new Dish({ receiveHighWaterMark: HWM });
    dish.join("g");
    await dish.bind("udp://127.0.0.1:*");
    await using radio = new Radio({ sendHighWaterMark: HWM, linger: 5000 });
    radio.connect(dish.lastEndpoint!);
    let fired = false;
    const timer = setTimeout(() => (fired = true), 1);
    const body = new Uint8Array(64);
    let sends = 0;
    let maxQueued = 0;
    let maxInFlight = 0;
    const engine = () => [...socketCore(radio).pipes][0]?.engine as DatagramEngine | undefined;
    // a timer must fire while the loop runs: it ends by the timer, not by the bound
    while (!fired && sends < 5_000_000) {
      await radio.send(body, { group: "g" });
      sends++;
      if ((sends & 255) === 0) {
        maxQueued = Math.max(maxQueued, socketCore(radio).gauges().queued);
        maxInFlight = Math.max(maxInFlight, engine()?.inFlight ?? 0);
      }
    }
    clearTimeout(timer);
    assert.ok(fired, `no timer ran during ${sends} sends`);
    // more bursts, each until a timer fires: memory stays bounded all along
    for (let burst = 0; burst < 5; burst++) {
      let turned = false;
      const t = setTimeout(() => (turned = true), 1);
      while (!turned) {
        await radio.send(body, { group: "g" });
        sends++;
        if ((sends & 255) === 0) {
          maxQueued = Math.max(maxQueued, socketCore(radio).gauges().queued);
          maxInFlight = Math.max(maxInFlight, engine()?.inFlight ?? 0);
        }
      }
      clearTimeout(t);
    }
    assert.ok(maxQueued <= HWM, `queued ${maxQueued} within the high-water mark`);
    assert.ok(maxInFlight <= MAX_IN_FLIGHT, `in flight ${maxInFlight} within ${MAX_IN_FLIGHT}`);
    assert.ok(socketCore(dish).gauges().queued <= HWM);
    // every send is accounted for: sent to the system, or dropped at the high-water mark
    radio.close();
    const end = Date.now() + WAIT;
    const accounted = () => {
      const c = radio.udpCounters;
      return c.sent + c.sendErrors + radio.dropped;
    };
    while (accounted() < sends && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(accounted(), sends);
    assert.equal(radio.udpCounters.sendErrors, 0, "datagrams in flight at close still went");
    assert.ok(radio.udpCounters.sent > 0);
  });
});
