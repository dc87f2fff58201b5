// Clone client, model three (the Guide, chapter 5, "Republishing Updates from Clients"): model
// two's client (subscribe, wait for the SUB to connect, ask for a snapshot, then apply the
// updates numbered above it) that also makes changes of its own: every second a random key
// (below 10,000) gets a random value, PUSHed to the server's collector (tcp://localhost:5558)
// with sequence 0. The client does not store its own change: it comes back numbered from the
// server (./clonesrv3.ts) like everyone else's, in the one order all clients share.
// Each update applied is logged with the size and digest of the map after it, as the server
// logs them, so the two can be compared at any sequence number.
// Run: npx deno run -A examples/ch5/clonecli3.ts   or   npx bun examples/ch5/clonecli3.ts
// with ./clonesrv3.ts; start several; Ctrl-C stops one.
// Arguments: [snapshot=tcp://localhost:5556] [subscriber=tcp://localhost:5557]
//            [publisher=tcp://localhost:5558] [--count N (changes to make; 0 = no end)]
//            [--interval ms between changes=1000] [--until S (exit once update S is applied)]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import {
  createKvmsg,
  Dealer,
  decodeKvmsg,
  encodeKvmsg,
  KvMap,
  type Kvmsg,
  KvmsgError,
  Push,
  Subscriber,
  ZmqError,
} from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    count: { type: "string", default: "0" },
    interval: { type: "string", default: "1000" },
    until: { type: "string", default: "0" },
  },
  allowPositionals: true,
});
const [
  snapshotEndpoint = "tcp://localhost:5556",
  subscriberEndpoint = "tcp://localhost:5557",
  publisherEndpoint = "tcp://localhost:5558",
] = positionals;
const count = Number(values.count);
const interval = Number(values.interval);
const until = Number(values.until);
const randof = (n: number) => Math.floor(Math.random() * n);
const summary = (map: KvMap) => `${map.size} keys, ${map.digest()}`;

const subscriber = new Subscriber();
subscriber.subscribe();
const connected = new Promise((resolve) => subscriber.events.on("handshake", resolve));
subscriber.connect(subscriberEndpoint);
const snapshot = new Dealer({ linger: 0 });
const publisher = new Push({ linger: 1000 }); // at exit, a second to deliver the last changes
publisher.connect(publisherEndpoint);
let [done, interrupted] = [false, false];
function stop(): void {
  done = true;
  for (const socket of [subscriber, snapshot, publisher]) socket.close();
}
const onSignal = () => {
  interrupted = true;
  stop();
};
process.on("SIGINT", onSignal);

const kvmap = new KvMap();
let sequence = 0;

/** The message, or undefined (said so) if it is not a kvsimple. */
function decode(frames: Uint8Array[]): Kvmsg | undefined {
  try {
    return decodeKvmsg(frames, "kvsimple");
  } catch (e) {
    if (!(e instanceof KvmsgError)) throw e;
    console.log(`E: bad message (${e.message}), skipped`);
  }
}

/** The snapshot: every key, then KTHXBAI with the sequence number it goes up to. */
async function getSnapshot(): Promise<void> {
  await connected; // the subscription is on its way: no update can fall between
  snapshot.connect(snapshotEndpoint);
  await snapshot.send("ICANHAZ?");
  for (;;) {
    const update = decode(await snapshot.receive());
    if (update === undefined) continue;
    if (update.key === "KTHXBAI") {
      sequence = update.sequence;
      console.log(`I: received snapshot=${sequence} (map: ${summary(kvmap)})`);
      return;
    }
    kvmap.store(update);
  }
}

/** Updates from the server, those above the snapshot's sequence number applied. */
async function applyUpdates(): Promise<void> {
  while (!done) {
    const update = decode(await subscriber.receive());
    if (update === undefined || update.sequence <= sequence) continue; // the snapshot has it
    sequence = update.sequence;
    kvmap.store(update);
    console.log(`I: received update=${sequence} (map: ${summary(kvmap)})`);
    if (until > 0 && sequence >= until) stop();
  }
}

/** Our own changes, one each interval. */
async function makeChanges(): Promise<void> {
  for (let made = 0; !done && (count === 0 || made < count); made++) {
    await sleep(interval);
    if (done) break;
    const change = createKvmsg(String(randof(10_000)), String(randof(1_000_000)));
    await publisher.send(encodeKvmsg(change, "kvsimple"));
  }
}

try {
  await getSnapshot();
  if (until > 0 && sequence >= until) stop();
  await Promise.all([applyUpdates(), makeChanges()]);
} catch (e) {
  if (!(e instanceof ZmqError && e.code === "ETERM")) throw e;
  if (interrupted) console.log(" Interrupted");
}
process.off("SIGINT", onSignal);
console.log(`I: sequence=${sequence} (map: ${summary(kvmap)})`);
