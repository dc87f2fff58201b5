// SPDX-License-Identifier: MIT
/**
 * zmqkit producers, consumers and proxies for bench/proxy_bench.ts: the same command lines and
 * output as proxy_peers.mjs. The ends are fast enough that the proxy in the middle, not they,
 * sets the rate. Run with bun (or deno run -A).
 *
 *   bun bench/peers/proxy_peers_zmqkit.ts produce dealer|pub ENDPOINT COUNT SIZE
 *   bun bench/peers/proxy_peers_zmqkit.ts consume dealer|sub ENDPOINT COUNT
 *   bun bench/peers/proxy_peers_zmqkit.ts proxy queue|forwarder FRONT BACK [HWM]
 *       zmqkit's Proxy (router/dealer or xsub/xpub, both bound, with high-water marks of HWM,
 *       1000 by default, 0 for none); prints "ready", ends when its standard input closes
 */
import {
  Dealer,
  Proxy,
  Publisher,
  Router,
  Subscriber,
  XPublisher,
  XSubscriber,
} from "../../mod.ts";

const [mode, kind, ep, countText, sizeText] = process.argv.slice(2);
const count = Number(countText);
const unlimited = { sendHighWaterMark: 0, receiveHighWaterMark: 0 };

if (mode === "produce") {
  const sock = kind === "pub" ? new Publisher({ sendHighWaterMark: 0 }) : new Dealer(unlimited);
  sock.connect(ep!);
  await new Promise((r) => setTimeout(r, 700)); // let the connection and subscription settle
  const body = new Uint8Array(Number(sizeText)).fill(0x61);
  const empty = new Uint8Array(0);
  // queue without a promise per message where the socket takes it at once
  const msg = kind === "pub" ? [body] : [empty, body];
  for (let i = 0; i < count; i++) if (!sock.trySend(msg)) await sock.send(msg);
  sock.linger = 5000;
  sock.close();
} else if (mode === "consume") {
  const sock = kind === "sub" ? new Subscriber({ receiveHighWaterMark: 0 }) : new Dealer(unlimited);
  if (sock instanceof Subscriber) sock.subscribe();
  sock.connect(ep!);
  sock.receiveTimeout = 5000;
  let n = 0, first = 0, last = 0;
  try {
    // take everything that is there without a promise per message, then wait for more
    while (n < count) {
      await sock.receive();
      if (n++ === 0) first = performance.now();
      while (n < count && sock.tryReceive() !== undefined) n++;
      last = performance.now();
    }
  } catch {
    // idle for 5 s: report what came, timed to the last message (not the wait)
  }
  console.log(JSON.stringify({ received: n, ms: last - first }));
  sock.close();
  process.exit(0);
} else if (mode === "proxy") {
  const hwm = Number(sizeText ?? 1000); // the high-water mark of both proxy sockets
  const o = { sendHighWaterMark: hwm, receiveHighWaterMark: hwm, linger: 0 };
  const front = kind === "queue" ? new Router(o) : new XSubscriber(o);
  const back = kind === "queue" ? new Dealer(o) : new XPublisher(o);
  await front.bind(ep!);
  await back.bind(countText!);
  const proxy = new Proxy(front, back);
  process.stdin.on("end", () => process.exit(0));
  process.on("SIGINT", () => process.exit(0));
  process.stdin.resume();
  console.log("ready");
  await proxy.run();
}
