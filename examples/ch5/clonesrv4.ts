// Clone server, model four (the Guide, chapter 5, "Working with Subtrees"): model three's
// server (clients PUSH changes to tcp://*:5558, each is numbered, stored and published on
// tcp://*:5557; snapshots on tcp://*:5556) for clients that care about part of the map only.
// Keys are paths ("/client/1234"), and a client names the subtree it wants, a path prefix
// ending in "/", as a second frame of its request: "ICANHAZ?", "/client/". The snapshot then
// holds only the keys under that prefix, and KTHXBAI carries the subtree back as its value.
// The updates are not filtered here: a client subscribes to its subtree's prefix, and the PUB
// sends it only those (the key is the first frame). A request without a subtree gets
// everything, as in model three.
// Each update is logged with the size and digest of the whole map after it; a client of a
// subtree holds part of it, which one of the whole map (subtree "") can be compared with.
// Run: npx deno run -A examples/ch5/clonesrv4.ts   or   npx bun examples/ch5/clonesrv4.ts
// with one or more ./clonecli4.ts, started when you like; Ctrl-C stops it.
// Arguments: [snapshot=tcp://*:5556] [publisher=tcp://*:5557] [collector=tcp://*:5558]
import process from "node:process";
import {
  createKvmsg,
  decodeKvmsg,
  encodeKvmsg,
  KvMap,
  KvmsgError,
  Publisher,
  Pull,
  Router,
  ZmqError,
} from "../../mod.ts";

const [
  snapshotEndpoint = "tcp://*:5556",
  publisherEndpoint = "tcp://*:5557",
  collectorEndpoint = "tcp://*:5558",
] = process.argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

// mandatory: a slow reader makes a snapshot wait rather than lose its end (see clonesrv2.ts)
const snapshot = new Router({ mandatory: true, sendTimeout: 1000 });
await snapshot.bind(snapshotEndpoint);
const publisher = new Publisher();
await publisher.bind(publisherEndpoint);
const collector = new Pull();
await collector.bind(collectorEndpoint);

const kvmap = new KvMap();
let sequence = 0;
process.on("SIGINT", () => {
  console.log(` Interrupted\n${sequence} messages handled`);
  process.exit(0);
});

/** Updates from clients: numbered, published, stored. */
async function collect(): Promise<void> {
  for await (const frames of collector) {
    try {
      const update = decodeKvmsg(frames, "kvsimple");
      update.sequence = ++sequence;
      kvmap.store(update); // before the send yields: a snapshot taken meanwhile must have it
      await publisher.send(encodeKvmsg(update, "kvsimple"));
      const n = String(sequence).padStart(5);
      console.log(`I: publishing update=${n} (map: ${kvmap.size} keys, ${kvmap.digest()})`);
    } catch (e) {
      if (!(e instanceof KvmsgError)) throw e;
      console.log(`E: bad update (${e.message}), ignored`);
    }
  }
}

/** Snapshot requests: the keys under the subtree asked for, then KTHXBAI with its number. */
async function snapshots(): Promise<void> {
  for await (const [identity, request, subtreeFrame] of snapshot) {
    const subtree = text(subtreeFrame); // none: "", the whole map
    if (text(request) !== "ICANHAZ?" || subtree.length > 255) {
      console.log("E: bad request, ignored");
      continue;
    }
    // the state now, taken whole, of the subtree only
    const entries = [...kvmap].filter((entry) => entry.key.startsWith(subtree));
    const upTo = sequence;
    try {
      for (const entry of entries) {
        await snapshot.send([identity!, ...encodeKvmsg(entry, "kvsimple")]);
      }
      console.log(`I: sending snapshot=${upTo}`);
      await snapshot.send([
        identity!,
        ...encodeKvmsg(createKvmsg("KTHXBAI", subtree, { sequence: upTo }), "kvsimple"),
      ]);
    } catch (e) {
      if (!(e instanceof ZmqError && ["EHOSTUNREACH", "EAGAIN"].includes(e.code))) throw e;
      console.log(`W: snapshot abandoned, the client is gone or stuck (${e.code})`);
    }
  }
}

await Promise.all([collect(), snapshots()]);
