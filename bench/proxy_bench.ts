// SPDX-License-Identifier: MIT
/**
 * Proxy throughput: zmqkit's Proxy (in this process) against zeromq.js's Proxy (libzmq's
 * zmq_proxy in a Node process), with the same libzmq producer and consumer on both sides.
 *
 *   bun bench/proxy_bench.ts [COUNT] [SIZE] [--ends zeromq.js|zmqkit]   (deno run -A works too)
 *
 * --ends picks the producer and consumer: zeromq.js under Node (the default), or zmqkit under
 * Bun (bench/peers/proxy_peers_zmqkit.ts), fast enough that the proxy sets the rate.
 *
 * Kinds: queue (ROUTER/DEALER; a DEALER producer, a DEALER consumer) and forwarder
 * (XSUB/XPUB; a PUB producer, a SUB consumer). High-water marks are unlimited everywhere so
 * nothing is dropped; the rate is messages over the consumer's first-to-last time.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Dealer, Proxy, Router, XPublisher, XSubscriber } from "../mod.ts";

const PEERS = fileURLToPath(new URL("./peers/proxy_peers.mjs", import.meta.url));
const ZMQKIT_PEERS = fileURLToPath(new URL("./peers/proxy_peers_zmqkit.ts", import.meta.url));
const BUN = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url));
const positional = process.argv.slice(2).filter((a, i, all) =>
  !a.startsWith("--") && all[i - 1] !== "--ends"
);
const COUNT = Number(positional[0] ?? 200_000);
const SIZE = Number(positional[1] ?? 100);
const ENDS = process.argv.includes("--ends")
  ? process.argv[process.argv.indexOf("--ends") + 1]
  : "zeromq.js";
const NODE = process.env.ZMQKIT_NODE ?? "node";

function node(args: string[]): { child: ChildProcess; out: Promise<string> } {
  // the proxy is always zeromq.js's here; producers and consumers follow --ends
  const zmqkitEnd = ENDS === "zmqkit" && args[0] !== "proxy";
  const child = zmqkitEnd
    ? spawn(BUN, [ZMQKIT_PEERS, ...args], { stdio: ["pipe", "pipe", "inherit"] })
    : spawn(NODE, [PEERS, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (d) => out += d);
  return { child, out: new Promise((r) => child.once("exit", () => r(out))) };
}

async function waitReady(p: { child: ChildProcess }): Promise<void> {
  await new Promise<void>((resolve) => {
    p.child.stdout!.on("data", (d) => String(d).includes("ready") && resolve());
  });
}

let n = 0;
const ep = (name: string) => `ipc:///tmp/zmqkit-proxy-bench-${process.pid}-${n++}-${name}`;

async function measure(kind: "queue" | "forwarder", impl: "zmqkit" | "zeromq.js") {
  const front = ep("front"), back = ep("back");
  let stop: () => void;
  if (impl === "zmqkit") {
    const o = { sendHighWaterMark: 0, receiveHighWaterMark: 0, linger: 0 };
    const f = kind === "queue" ? new Router(o) : new XSubscriber(o);
    const b = kind === "queue" ? new Dealer(o) : new XPublisher(o);
    await f.bind(front);
    await b.bind(back);
    const p = new Proxy(f, b);
    void p.run();
    stop = () => {
      p.terminate();
      f.close();
      b.close();
    };
  } else {
    const p = node(["proxy", kind, front, back]);
    await waitReady(p);
    stop = () => {
      p.child.stdin!.end();
      p.child.kill("SIGKILL"); // zeromq.js's Proxy.run() does not always let the process end
    };
  }
  const consumer = node(["consume", kind === "queue" ? "dealer" : "sub", back, String(COUNT)]);
  const producer = node([
    "produce",
    kind === "queue" ? "dealer" : "pub",
    front,
    String(COUNT),
    String(SIZE),
  ]);
  const result = JSON.parse(await consumer.out) as { received: number; ms: number };
  producer.child.kill();
  stop();
  return { ...result, rate: Math.round(result.received / (result.ms / 1000)) };
}

console.log(
  `proxy throughput, ${COUNT} messages of ${SIZE} bytes over ipc, ${ENDS} producer and consumer`,
);
console.log("kind       impl        received   ms        msg/s");
for (const kind of ["queue", "forwarder"] as const) {
  for (const impl of ["zmqkit", "zeromq.js"] as const) {
    const r = await measure(kind, impl);
    console.log(
      `${kind.padEnd(10)} ${impl.padEnd(10)} ${String(r.received).padStart(9)} ` +
        `${r.ms.toFixed(0).padStart(7)} ${String(r.rate).padStart(11)}`,
    );
  }
}
process.exit(0);
