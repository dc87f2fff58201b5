// SPDX-License-Identifier: MIT
/**
 * The libzmq (zeromq.js, Node) side of bench/proxy_bench.ts: the producers and consumers
 * both proxies are measured with, and zeromq.js's own Proxy as the baseline.
 *
 *   node bench/peers/proxy_peers.mjs produce dealer|pub ENDPOINT COUNT SIZE
 *   node bench/peers/proxy_peers.mjs consume dealer|sub ENDPOINT COUNT
 *       prints {"received":N,"ms":T} (T from the first message to the last), then exits
 *   node bench/peers/proxy_peers.mjs proxy queue|forwarder FRONT BACK [HWM]
 *       zeromq.js Proxy (router/dealer or xsub/xpub, both bound, with high-water marks of HWM,
 *       1000 by default, 0 for none); prints "ready"
 */
import * as zmq from "zeromq";

const [mode, kind, a, b, c] = process.argv.slice(2);
const unlimited = { sendHighWaterMark: 0, receiveHighWaterMark: 0, linger: 0 };

async function produce() {
  const count = Number(b), size = Number(c);
  const sock = kind === "pub"
    ? new zmq.Publisher({ sendHighWaterMark: 0, linger: 0 })
    : new zmq.Dealer(unlimited);
  sock.linger = -1;
  sock.connect(a);
  // let the connection (and, through a forwarder, the subscription) settle
  await new Promise((r) => setTimeout(r, 700));
  const body = Buffer.alloc(size, 0x61);
  for (let i = 0; i < count; i++) {
    await sock.send(kind === "pub" ? [body] : [Buffer.alloc(0), body]);
  }
  sock.close();
}

async function consume() {
  const count = Number(b);
  const sock = kind === "sub"
    ? new zmq.Subscriber({ receiveHighWaterMark: 0, linger: 0 })
    : new zmq.Dealer(unlimited);
  if (kind === "sub") sock.subscribe();
  sock.connect(a);
  sock.receiveTimeout = 5000;
  let n = 0, first = 0, last = 0;
  try {
    while (n < count) {
      await sock.receive();
      last = performance.now();
      if (n++ === 0) first = last;
    }
  } catch {
    // idle for 5 s: report what came, timed to the last message (not the wait)
  }
  process.stdout.write(JSON.stringify({ received: n, ms: last - first }) + "\n");
  sock.close();
  process.exit(0);
}

async function proxy() {
  const hwm = Number(c ?? 1000);
  const o = { sendHighWaterMark: hwm, receiveHighWaterMark: hwm, linger: 0 };
  const front = kind === "queue" ? new zmq.Router(o) : new zmq.XSubscriber(o);
  const back = kind === "queue" ? new zmq.Dealer(o) : new zmq.XPublisher(o);
  await front.bind(a);
  await back.bind(b);
  const p = new zmq.Proxy(front, back);
  process.stdout.write("ready\n");
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
  await p.run();
}

if (mode === "produce") await produce();
else if (mode === "consume") await consume();
else if (mode === "proxy") await proxy();
