// Clone server, model three (the Guide, chapter 5, "Republishing Updates from Clients"): the
// updates now come from the clients. Each client PUSHes its changes (kvsimple messages, the
// sequence left at 0) to a PULL socket bound on tcp://*:5558; the server gives each the next
// sequence number, stores it and publishes it on a PUB socket bound on tcp://*:5557 to every
// client, the sender included. Because every change passes through this one place, all
// clients see the changes in the same order, and a change to the same key by two clients at
// once ends the same way everywhere. Snapshots are served as in model two, on a ROUTER socket
// bound on tcp://*:5556; the server is now one task reading two sockets (a loop for each).
// Each update is logged with the size and digest of the map after it, so any client's map can
// be checked against the server's at the same sequence number. A message that is not a
// kvsimple, or a request that is not "ICANHAZ?", is reported and ignored.
// Run: npx deno run -A examples/ch5/clonesrv3.ts   or   npx bun examples/ch5/clonesrv3.ts
// with one or more ./clonecli3.ts, started when you like; Ctrl-C stops it.
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

/** Snapshot requests: the whole map, then KTHXBAI with the sequence number it goes up to. */
async function snapshots(): Promise<void> {
  for await (const [identity, request] of snapshot) {
    if (text(request) !== "ICANHAZ?") {
      console.log("E: bad request, ignored");
      continue;
    }
    const [entries, upTo] = [[...kvmap], sequence]; // the state now, taken whole
    try {
      for (const entry of entries) {
        await snapshot.send([identity!, ...encodeKvmsg(entry, "kvsimple")]);
      }
      console.log(`I: sending snapshot=${upTo}`);
      await snapshot.send([
        identity!,
        ...encodeKvmsg(createKvmsg("KTHXBAI", "", { sequence: upTo }), "kvsimple"),
      ]);
    } catch (e) {
      if (!(e instanceof ZmqError && ["EHOSTUNREACH", "EAGAIN"].includes(e.code))) throw e;
      console.log(`W: snapshot abandoned, the client is gone or stuck (${e.code})`);
    }
  }
}

await Promise.all([collect(), snapshots()]);
