// Paranoid Pirate worker (the Guide, chapter 4, "Robust Reliable Queuing (Paranoid Pirate
// Pattern)"): a DEALER connected to the queue's backend (./ppqueue.ts, tcp://localhost:5556)
// that speaks the Paranoid Pirate Protocol: "\x01" (READY) first, then a "\x02" (HEARTBEAT)
// every second, and the answer to each request [client][""][body] sent back as
// [client][""][body]. A DEALER has no envelope of its own to manage, so the three frames are
// the whole message. It counts the queue dead after three heartbeat intervals with nothing
// from it; then it throws its socket away, waits (1 s, doubling each time up to 32 s), and
// starts over with a new socket and a new READY, until the queue answers again. Each socket
// has a new random routing id, printed, so the queue never takes it for the one it dropped.
// As in the Guide's single loop, nothing else happens while a request is being worked on (a
// second): no heartbeats. Like ./spworker.ts it misbehaves after a few requests, at random:
// a crash (it ends, keeping a request unanswered) or CPU overload (three silent seconds on one
// request). --crash-after N and --overload-after N make that exact (the request after the
// N-th); either, or --no-random, turns the random faults off.
// Run: npx deno run -A examples/ch4/ppworker.ts   or   npx bun examples/ch4/ppworker.ts
// with ./ppqueue.ts and ./lpclient.ts; start several.
// Arguments: [queue=tcp://localhost:5556] [--interval ms=1000] [--liveness 3]
//            [--reconnect ms=1000] [--reconnect-max ms=32000] [--work-ms 1000]
//            [--crash-after N] [--overload-after N] [--overload-ms 3000] [--no-random]
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Dealer, ZmqError } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    interval: { type: "string", default: "1000" },
    liveness: { type: "string", default: "3" },
    reconnect: { type: "string", default: "1000" },
    "reconnect-max": { type: "string", default: "32000" },
    "work-ms": { type: "string", default: "1000" },
    "crash-after": { type: "string" },
    "overload-after": { type: "string" },
    "overload-ms": { type: "string", default: "3000" },
    "no-random": { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const [endpoint = "tcp://localhost:5556"] = positionals;
const [INTERVAL, LIVENESS] = [Number(values.interval), Number(values.liveness)];
const [RECONNECT, RECONNECT_MAX] = [Number(values.reconnect), Number(values["reconnect-max"])];
const after = (n: string | undefined) => n === undefined ? -1 : Number(n); // -1: not by flag
const [crashAfter, overloadAfter] = [after(values["crash-after"]), after(values["overload-after"])];
const random = crashAfter < 0 && overloadAfter < 0 && !values["no-random"];
const oneIn = (n: number) => Math.random() * n < 1;
const hex4 = () => Math.floor(Math.random() * 0x10000).toString(16).toUpperCase().padStart(4, "0");
const READY = new Uint8Array([0x01]);
const HEARTBEAT = new Uint8Array([0x02]);

/** A new socket to the queue, with a new id, that has said READY. */
async function connect(): Promise<Dealer> {
  const identity = `${hex4()}-${hex4()}`;
  // receive() waits one heartbeat interval at most (the Guide's poll timeout); close() drops
  // whatever is still queued, as the Guide's brutal reconnect means to
  const socket = new Dealer({ routingId: identity, receiveTimeout: INTERVAL, linger: 0 });
  socket.connect(endpoint);
  console.log(`I: (${identity}) worker ready`);
  await socket.send(READY);
  return socket;
}

let worker = await connect();
let liveness = LIVENESS; // heartbeat intervals we can still miss before the queue is dead
let reconnectIn = RECONNECT;
let heartbeatAt = Date.now() + INTERVAL;
let cycles = 0;

for (;;) {
  const message = await worker.receive().catch((e) => {
    if (e instanceof ZmqError && e.code === "EAGAIN") return undefined; // an interval of silence
    throw e;
  });
  if (message?.length === 3) { // a request: [client][""][body]
    cycles++;
    if (random ? cycles > 3 && oneIn(5) : cycles === crashAfter + 1) {
      console.log("I: simulating a crash");
      break;
    }
    if (random ? cycles > 3 && oneIn(5) : cycles === overloadAfter + 1) {
      console.log("I: simulating CPU overload");
      await sleep(Number(values["overload-ms"])); // busy: no heartbeats go out meanwhile
    }
    console.log("I: normal reply");
    await sleep(Number(values["work-ms"])); // do some heavy work
    await worker.send(message);
    liveness = LIVENESS;
  } else if (message?.length === 1 && message[0]![0] === HEARTBEAT[0]) {
    liveness = LIVENESS; // the queue is alive
  } else if (message !== undefined) {
    console.log(`E: invalid message (${message.length} frames)`);
  } else if (--liveness === 0) {
    // No word from the queue for LIVENESS intervals: drop the socket, wait, start afresh.
    console.log("W: heartbeat failure, can't reach queue");
    console.log(`W: reconnecting in ${reconnectIn} msec…`);
    await sleep(reconnectIn);
    reconnectIn = Math.min(reconnectIn * 2, RECONNECT_MAX);
    worker.close();
    worker = await connect();
    liveness = LIVENESS;
  }
  if (message !== undefined) reconnectIn = RECONNECT; // the queue is back: no more back-off
  if (Date.now() > heartbeatAt) {
    heartbeatAt = Date.now() + INTERVAL;
    await worker.send(HEARTBEAT);
  }
}
worker.close();
