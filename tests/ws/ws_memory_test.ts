// SPDX-License-Identifier: MIT
/**
 * What a hostile ws:// peer can make a zmqkit process hold, measured as RSS from /proc (this
 * process: the server and the attackers are in it, the attackers hold next to nothing): 500
 * upgrade heads trickled a byte at a time and never finished, then a frame that claims 1 GiB
 * and sends 32 MiB of it. Growth must stay within 2 × the bytes sent + 64 MiB (the allowance
 * of tests/hostile, a benign run's heap growth); the trickled heads are refused with 408 at
 * handshakeInterval, and a good client is served after each.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { describe, it } from "node:test";
import { Dealer, Router } from "../../mod.ts";
import { RawClient, ready, upgradeRequest, wsFrame } from "./_raw.ts";
import { until } from "../_helpers/wait.ts";

const MiB = 1024 * 1024;
const C = 64 * MiB;
const WAIT = 30_000;

function rss(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${process.pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ws:// memory under hostile peers", { skip: !rss() && "no /proc here" }, () => {
  it("500 trickled upgrade heads, then a 1 GiB frame fed 32 MiB: bounded, refused, serving", async () => {
    const router = new Router({ handshakeInterval: 2000 });
    let refused = 0;
    router.events.on("handshake:error:protocol", () => refused++);
    await router.bind("ws://127.0.0.1:0");
    const port = Number(/:(\d+)\//.exec(router.lastEndpoint!)![1]);
    const good = new Dealer({ routingId: "good" });
    good.connect(router.lastEndpoint!);
    const serving = async (n: number) => {
      await good.send(`ping ${n}`);
      const [, body] = await router.receive();
      assert.equal(new TextDecoder().decode(body), `ping ${n}`);
    };
    const clients: RawClient[] = [];
    try {
      await serving(0);
      const before = rss();
      let peak = before;

      // 500 heads, a byte at a time, never finished
      const head = upgradeRequest().slice(0, -2); // without the final CRLF
      for (let i = 0; i < 500; i++) clients.push(new RawClient(port));
      for (let at = 0; at < head.length && refused === 0; at++) {
        for (const c of clients) c.write(head[at]!);
        peak = Math.max(peak, rss());
        await sleep(1);
      }
      await until("500 refusals (408)", () => refused >= 500, WAIT);
      assert.match(clients[0]!.text(), /^HTTP\/1\.1 408 /);
      const sentHeads = 500 * head.length;
      assert.ok(peak - before <= 2 * sentHeads + C, `heads: grew ${(peak - before) / MiB} MiB`);
      await serving(1);

      // a frame claiming 1 GiB, then 32 MiB of it, 64 KiB at a time
      const big = new RawClient(port);
      clients.push(big);
      big.write(upgradeRequest());
      big.write(ready("DEALER"));
      big.write(wsFrame(new Uint8Array([0]), { claim: 1n << 30n }).subarray(0, 15)); // header + flags
      const chunk = new Uint8Array(64 * 1024).fill(7);
      const total = 32 * MiB;
      for (let sent = 0; sent < total; sent += chunk.length) {
        if (!big.sock.write(chunk)) await new Promise((r) => big.sock.once("drain", r));
        if (sent % (4 * MiB) === 0) peak = Math.max(peak, rss());
      }
      await sleep(200);
      peak = Math.max(peak, rss());
      assert.ok(
        peak - before <= 2 * (sentHeads + total) + C,
        `frame: grew ${(peak - before) / MiB} MiB`,
      );
      await serving(2);
    } finally {
      for (const c of clients) c.destroy();
      good.close();
      router.close();
    }
  });
});
