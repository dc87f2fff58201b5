// SPDX-License-Identifier: MIT
/**
 * zmqkit's queue proxy (ROUTER/DEALER) alone in its process, with the zmqkit producer and
 * consumer of bench/proxy_bench.ts (`--ends zmqkit`) under Bun: to tell the proxy's own rate from
 * the noise of the side-by-side bench. Prints the consumer's {"received","ms"}.
 *
 *   deno run -A bench/proxy_queue_alone.ts [COUNT] [SIZE]     (bun works too)
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Dealer, Proxy, Router } from "../mod.ts";

const PEERS = fileURLToPath(new URL("./peers/proxy_peers_zmqkit.ts", import.meta.url));
const BUN = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url));
const COUNT = process.argv[2] ?? "200000";
const SIZE = process.argv[3] ?? "100";
const ep = (name: string) => `ipc:///tmp/zmqkit-proxy-alone-${process.pid}-${name}`;

const o = { sendHighWaterMark: 0, receiveHighWaterMark: 0, linger: 0 };
const front = new Router(o), back = new Dealer(o);
await front.bind(ep("front"));
await back.bind(ep("back"));
const proxy = new Proxy(front, back);
void proxy.run();
const consumer = spawn(BUN, [PEERS, "consume", "dealer", ep("back"), COUNT], {
  stdio: ["ignore", "pipe", "inherit"],
});
let out = "";
consumer.stdout!.on("data", (d) => out += d);
const producer = spawn(BUN, [PEERS, "produce", "dealer", ep("front"), COUNT, SIZE], {
  stdio: "inherit",
});
await new Promise((r) => consumer.once("exit", r));
const r = JSON.parse(out) as { received: number; ms: number };
console.log(
  `queue proxy alone: ${r.received} messages in ${r.ms.toFixed(0)} ms = ${
    Math.round(r.received / (r.ms / 1000))
  } msg/s`,
);
producer.kill();
proxy.terminate();
front.close();
back.close();
process.exit(0);
