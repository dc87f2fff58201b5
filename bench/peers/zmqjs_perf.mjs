// SPDX-License-Identifier: MIT
/**
 * libzmq's four perf tools, written on zeromq.js (libzmq 4.3.5 inside) for Node: the
 * reference side of bench/harness.ts and of tests/bench/interop_test.ts. Same sockets, same
 * message pattern and same printed lines as libzmq's perf/local_thr … remote_lat.
 *
 *   node bench/peers/zmqjs_perf.mjs local_thr  <bind-to>    <size> <count>   PULL, prints throughput
 *   node bench/peers/zmqjs_perf.mjs remote_thr <connect-to> <size> <count>   PUSH, sends
 *   node bench/peers/zmqjs_perf.mjs local_lat  <bind-to>    <size> <count>   REP, echoes
 *   node bench/peers/zmqjs_perf.mjs remote_lat <connect-to> <size> <count>   REQ, prints latency
 *
 * A bound half prints "bound <endpoint>" on stderr once listening (a port of 0 or * is
 * resolved), so a caller can connect the other half to it. With BENCH_CURVE=1 in the
 * environment the connection is CURVE, the bound half the server (libzmq's test keys, as
 * zmqkit_perf.ts).
 *
 * A fifth argument `radio-dish` makes the throughput halves a DISH joined to group "bench"
 * (local_thr) and a RADIO sending to it (remote_thr), e.g. over udp://127.0.0.1:PORT (zeromq.js's
 * draft classes, from "zeromq/draft"). A RADIO drops at its high-water mark and UDP loses
 * datagrams, so the DISH stops at <count> or 500 ms after its last message, the clock stopped at
 * that message, and prints `messages received: N`; the RADIO prints `messages sent: N`.
 */
import { createRequire } from "node:module";
import * as zmq from "zeromq";

const [tool, endpoint, sizeText, countText, pattern] = process.argv.slice(2);
const RADIO_DISH = pattern === "radio-dish";
const GROUP = "bench";
/** Without a message for this long after the first, a radio-dish receiver stops. */
const IDLE_MS = 500;
/** zeromq.js's draft classes (loaded only when asked for: zeromq.js warns on loading them). */
const draft = () => createRequire(import.meta.url)("zeromq/draft.js");
const size = Number(sizeText);
// libzmq's published test keys (doc/zmq_curve.txt): a benchmark, not a secret
const CURVE = process.env.BENCH_CURVE === "1";
const server = CURVE
  ? { curveServer: true, curveSecretKey: "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6" }
  : {};
const client = CURVE
  ? {
    curveServerKey: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
    curvePublicKey: "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
    curveSecretKey: "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
  }
  : {};
const count = Number(countText);
if (!tool || !endpoint || !Number.isInteger(size) || !Number.isInteger(count) || count < 1) {
  console.error(
    "usage: zmqjs_perf.mjs local_thr|remote_thr|local_lat|remote_lat <endpoint> <size> <count>",
  );
  process.exit(1);
}

async function bound(sock) {
  await sock.bind(endpoint);
  // (libzmq's last endpoint of a udp bind has no udp:// in front)
  const last = sock.lastEndpoint;
  console.error(`bound ${last?.includes("://") ? last : endpoint}`);
}

function checkSize(msg) {
  // a DISH's message is [body, { group }]
  if ((RADIO_DISH ? msg[0] : msg[msg.length - 1]).length !== size) {
    console.log("message of incorrect size received");
    process.exit(1);
  }
}

async function localThr() {
  const sock = new zmq.Pull(server);
  await bound(sock);
  checkSize(await sock.receive());
  const start = process.hrtime.bigint();
  for (let i = 0; i !== count - 1; i++) checkSize(await sock.receive());
  let us = Number(process.hrtime.bigint() - start) / 1000;
  if (us <= 0) us = 1;
  const thr = (count / us) * 1e6;
  console.log(`message size: ${size} [B]`);
  console.log(`message count: ${count}`);
  console.log(`mean throughput: ${Math.trunc(thr)} [msg/s]`);
  console.log(`mean throughput: ${((thr * size * 8) / 1e6).toFixed(3)} [Mb/s]`);
  sock.close();
}

/** DISH joined to GROUP: until `count`, or IDLE_MS without a message (ZMQ_RCVTIMEO = 27). */
async function localThrRadioDish() {
  const sock = new (draft().Dish)();
  sock.join(GROUP);
  await bound(sock);
  checkSize(await sock.receive());
  const start = process.hrtime.bigint();
  let last = start;
  let n = 1;
  sock.setInt32Option(27, IDLE_MS);
  while (n < count) {
    try {
      checkSize(await sock.receive());
    } catch (e) {
      if (e.code === "EAGAIN") break;
      throw e;
    }
    n++;
    last = process.hrtime.bigint();
  }
  let us = Number(last - start) / 1000;
  if (us <= 0) us = 1;
  const thr = (n / us) * 1e6;
  console.log(`message size: ${size} [B]`);
  console.log(`message count: ${n}`);
  console.log(`mean throughput: ${Math.trunc(thr)} [msg/s]`);
  console.log(`mean throughput: ${((thr * size * 8) / 1e6).toFixed(3)} [Mb/s]`);
  console.log(`messages received: ${n}`);
  sock.close();
}

/** RADIO to GROUP: `count` messages, as fast as send() resolves (it drops at the HWM). */
async function remoteThrRadioDish() {
  const sock = new (draft().Radio)({ linger: 60000 });
  sock.connect(endpoint);
  // over tcp, wait for the DISH's JOIN (none travels over udp): 200 ms, as a bench does
  if (!endpoint.startsWith("udp://")) await new Promise((r) => setTimeout(r, 200));
  const body = Buffer.alloc(size);
  for (let i = 0; i !== count; i++) await sock.send(body, { group: GROUP });
  console.log(`messages sent: ${count}`);
  sock.close();
}

async function remoteThr() {
  const sock = new zmq.Push({ linger: 60000, ...client });
  sock.connect(endpoint);
  const body = Buffer.alloc(size);
  for (let i = 0; i !== count; i++) await sock.send(body);
  sock.close();
}

async function localLat() {
  const sock = new zmq.Reply({ linger: 60000, ...server });
  await bound(sock);
  for (let i = 0; i !== count; i++) {
    const msg = await sock.receive();
    checkSize(msg);
    await sock.send(msg);
  }
  sock.close();
}

async function remoteLat() {
  const sock = new zmq.Request(client);
  sock.connect(endpoint);
  const body = Buffer.alloc(size);
  const start = process.hrtime.bigint();
  for (let i = 0; i !== count; i++) {
    await sock.send(body);
    checkSize(await sock.receive());
  }
  const us = Number(process.hrtime.bigint() - start) / 1000;
  console.log(`message size: ${size} [B]`);
  console.log(`roundtrip count: ${count}`);
  console.log(`average latency: ${(us / (count * 2)).toFixed(3)} [us]`);
  sock.close();
}

const tools = {
  local_thr: RADIO_DISH ? localThrRadioDish : localThr,
  remote_thr: RADIO_DISH ? remoteThrRadioDish : remoteThr,
  local_lat: localLat,
  remote_lat: remoteLat,
};
if (!tools[tool]) {
  console.error(`unknown tool ${tool}`);
  process.exit(1);
}
await tools[tool]();
