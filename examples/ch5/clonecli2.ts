// Clone client, model two (the Guide, chapter 5, "Getting an Out-of-Band Snapshot"): a client
// that can join at any time. It subscribes to the updates (SUB, tcp://localhost:5557), then
// asks the server (./clonesrv2.ts) for the whole state over a DEALER (tcp://localhost:5556):
// "ICANHAZ?", answered by one kvsimple message per key and "KTHXBAI" with the sequence number
// the snapshot goes up to. Meanwhile the updates wait in the SUB socket's queue; once the
// snapshot is in, those at or below that number are dropped (the snapshot has them) and the
// rest applied. The Guide sends its request at once; this client first waits for its SUB to
// connect, so that the subscription is on its way before the request: an update published
// after the snapshot was taken then cannot be missed.
// The last line gives the size and digest of the map, as the server prints them.
// Run: npx deno run -A examples/ch5/clonecli2.ts   or   npx bun examples/ch5/clonecli2.ts
// with ./clonesrv2.ts; start and stop it when you like (Ctrl-C).
// Arguments: [snapshot=tcp://localhost:5556] [subscriber=tcp://localhost:5557]
//            [--until S (exit once update S is applied; 0 = until Ctrl-C)]
import process from "node:process";
import { parseArgs } from "node:util";
import { Dealer, decodeKvmsg, KvMap, KvmsgError, Subscriber, ZmqError } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: { until: { type: "string", default: "0" } },
  allowPositionals: true,
});
const [snapshotEndpoint = "tcp://localhost:5556", subscriberEndpoint = "tcp://localhost:5557"] =
  positionals;
const until = Number(values.until);
const summary = (map: KvMap) => `${map.size} keys, ${map.digest()}`;

const subscriber = new Subscriber();
subscriber.subscribe();
const connected = new Promise((resolve) => subscriber.events.on("handshake", resolve));
subscriber.connect(subscriberEndpoint);
const snapshot = new Dealer({ linger: 0 });
const onSignal = () => {
  subscriber.close();
  snapshot.close();
};
process.on("SIGINT", onSignal);

const kvmap = new KvMap();
let sequence = 0;
let applied = 0;
try {
  await connected;
  snapshot.connect(snapshotEndpoint);
  await snapshot.send("ICANHAZ?");
  for (;;) {
    const frames = await snapshot.receive();
    let update;
    try {
      update = decodeKvmsg(frames, "kvsimple");
    } catch (e) {
      if (!(e instanceof KvmsgError)) throw e;
      console.log(`E: bad snapshot message (${e.message}), skipped`);
      continue;
    }
    if (update.key === "KTHXBAI") {
      sequence = update.sequence;
      console.log(`Received snapshot=${sequence} (${summary(kvmap)})`);
      break;
    }
    kvmap.store(update);
  }
  snapshot.close();
  // now the updates: those the snapshot already has are dropped
  while (until === 0 || sequence < until) {
    try {
      const update = decodeKvmsg(await subscriber.receive(), "kvsimple");
      if (update.sequence > sequence) {
        sequence = update.sequence;
        kvmap.store(update);
        applied++;
      }
    } catch (e) {
      if (!(e instanceof KvmsgError)) throw e;
      console.log(`E: bad update (${e.message}), skipped`);
    }
  }
} catch (e) {
  if (!(e instanceof ZmqError && e.code === "ETERM")) throw e;
  console.log(" Interrupted");
}
console.log(`${applied} updates applied, sequence=${sequence} (map: ${summary(kvmap)})`);
process.off("SIGINT", onSignal);
subscriber.close();
snapshot.close();
