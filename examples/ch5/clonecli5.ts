// Clone client, model five (the Guide, chapter 5, "Ephemeral Values"): model four's client (one
// subtree, "/client/" unless told otherwise; snapshot, then the changes numbered above it;
// a random change of its own every second, PUSHed to tcp://localhost:5558) speaking the full
// kvmsg (five frames: key, sequence, UUID, properties, value) to ./clonesrv5.ts. Each change
// it makes carries a time to live, the property ttl=N (seconds; the Guide's is random, 0 to
// 29, and 0 means "for ever"); the server deletes the key when it runs out and publishes the
// deletion (an empty value), which removes the key here too.
// Each change applied is logged with the size and digest of the client's map after it.
// For tests: --ttl fixes the time to live; --name gives the keys as <subtree><name>-1, -2, …
// instead of random numbers, so that different clients never set the same key.
// Run: npx deno run -A examples/ch5/clonecli5.ts   or   npx bun examples/ch5/clonecli5.ts
// with ./clonesrv5.ts; start several; Ctrl-C stops one.
// Arguments: [snapshot=tcp://localhost:5556] [subscriber=tcp://localhost:5557]
//            [publisher=tcp://localhost:5558] [--subtree /client/] [--count N (changes to
//            make; 0 = no end)] [--interval ms between changes=1000] [--ttl seconds (default
//            random, 0-29)] [--name NAME] [--until S (exit once update S, or a later one, is
//            applied)]
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
    subtree: { type: "string", default: "/client/" },
    ttl: { type: "string" },
    name: { type: "string" },
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
const subtree = values.subtree;
const randof = (n: number) => Math.floor(Math.random() * n);
const summary = (map: KvMap) => `${map.size} keys, ${map.digest()}`;

const subscriber = new Subscriber();
subscriber.subscribe(subtree);
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

const kvmap = new KvMap(subtree); // keeps keys under the subtree only
let sequence = 0;

/** The message, or undefined (said so) if it is not a kvmsg. */
function decode(frames: Uint8Array[]): Kvmsg | undefined {
  try {
    return decodeKvmsg(frames);
  } catch (e) {
    if (!(e instanceof KvmsgError)) throw e;
    console.log(`E: bad message (${e.message}), skipped`);
  }
}

/** The snapshot: every key, then KTHXBAI with the sequence number it goes up to. */
async function getSnapshot(): Promise<void> {
  await connected; // the subscription is on its way: no update can fall between
  snapshot.connect(snapshotEndpoint);
  await snapshot.send(["ICANHAZ?", subtree]);
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
    const kind = update.body.length === 0 ? "delete" : "update";
    console.log(`I: received ${kind}=${sequence} (map: ${summary(kvmap)})`);
    if (until > 0 && sequence >= until) stop();
  }
}

/** Our own changes, one each interval. */
async function makeChanges(): Promise<void> {
  for (let made = 0; !done && (count === 0 || made < count); made++) {
    await sleep(interval);
    if (done) break;
    const key = subtree +
      (values.name === undefined ? randof(10_000) : `${values.name}-${made + 1}`);
    const ttl = values.ttl ?? String(randof(30));
    const change = createKvmsg(key, String(randof(1_000_000)), { properties: { ttl } });
    await publisher.send(encodeKvmsg(change));
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
