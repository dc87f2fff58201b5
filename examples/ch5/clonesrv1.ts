// Clone server, model one (the Guide, chapter 5, "Representing State as Key-Value Pairs"): the
// shared state is a map of key-value pairs, and the server sends every change to it as one
// message on a PUB socket bound on tcp://*:5556. A change is a "kvsimple" message of three
// frames: the key (here a random number below 10,000), a sequence number (8 bytes, big-endian,
// counting from 1) and the value (a random number below 1,000,000). The server keeps its own
// copy of the map, as each client does. Nothing more: a client must be listening before the
// first update goes out, or it misses some for ever (./clonesrv2.ts fixes that). The Guide
// waits 200 ms after binding, a guess at how long the subscribers take to connect and
// subscribe. --subscribers N replaces the guess with a count: the socket is then an XPUB (a
// PUB that hands the subscriptions it gets to the application), and publishing starts once N
// have come in. A SUB cannot tell the difference.
// The last line gives the size of the map and its digest (KvMap.digest(): 16 hex digits of the
// keys and values, whatever their order), which a client that saw every update also prints.
// Run: npx deno run -A examples/ch5/clonesrv1.ts   or   npx bun examples/ch5/clonesrv1.ts
// after one or more ./clonecli1.ts; Ctrl-C stops it.
// Arguments: [endpoint=tcp://*:5556] [--count N (updates, then exit; 0 = until Ctrl-C)]
//            [--interval ms between updates=0] [--subscribers N (wait for N subscriptions)]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { createKvmsg, encodeKvmsg, KvMap, Publisher, XPublisher } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    count: { type: "string", default: "0" },
    interval: { type: "string", default: "0" },
    subscribers: { type: "string", default: "0" },
  },
  allowPositionals: true,
});
const [endpoint = "tcp://*:5556"] = positionals;
const count = Number(values.count);
const interval = Number(values.interval);
const subscribers = Number(values.subscribers);
const randof = (n: number) => Math.floor(Math.random() * n);

let publisher: Publisher | XPublisher;
if (subscribers > 0) {
  // "allSubs": every subscription is reported, even one to a topic another peer has already
  const xpub = new XPublisher({ verbosity: "allSubs" });
  await xpub.bind(endpoint);
  for (let seen = 0; seen < subscribers;) {
    const [event] = await xpub.receive(); // 0x01 + topic: a subscription; 0x00: one ended
    if (event?.[0] === 1) console.log(`I: subscriber ${++seen} of ${subscribers}`);
  }
  publisher = xpub;
} else {
  publisher = new Publisher();
  await publisher.bind(endpoint);
  await sleep(200); // the Guide's guess at how long subscribers take to connect
}

let interrupted = false;
const onSignal = () => interrupted = true;
process.on("SIGINT", onSignal);

const kvmap = new KvMap();
let sequence = 0;
while (!interrupted && (count === 0 || sequence < count)) {
  const update = createKvmsg(String(randof(10_000)), String(randof(1_000_000)), {
    sequence: ++sequence,
  });
  await publisher.send(encodeKvmsg(update, "kvsimple"));
  kvmap.store(update);
  // a tight loop still lets I/O run (send() yields), but an interval leaves room to breathe
  if (interval > 0) await sleep(interval);
}
if (interrupted) console.log(" Interrupted");
console.log(`${sequence} messages out (map: ${kvmap.size} keys, ${kvmap.digest()})`);
process.off("SIGINT", onSignal);
// closing waits until what is queued has gone to the subscribers
publisher.close();
await publisher.closed;
