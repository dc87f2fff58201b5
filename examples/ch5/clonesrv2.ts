// Clone server, model two (the Guide, chapter 5, "Getting an Out-of-Band Snapshot"): model
// one's random updates (kvsimple: key, sequence, value) go out on a PUB socket bound on
// tcp://*:5557, and a client that joins late asks for the whole state on a ROUTER socket bound
// on tcp://*:5556. The state lives in a second task, the state manager (the Guide's second
// thread): the publishing loop hands it each update over an inproc PAIR socket, and it answers
// each "ICANHAZ?" with one message per key, then "KTHXBAI" carrying the sequence number of the
// last update the snapshot includes. A client (./clonecli2.ts) then applies only the updates
// that come after that number. The snapshot is taken whole when the request arrives, so the
// updates applied while it is being sent do not mix into it. A request that is not "ICANHAZ?"
// is reported and ignored (the Guide's server gives up).
// For tests: --count stops publishing after N updates (the state manager prints the map's size
// and digest when it has stored the last one, and goes on serving snapshots); --pause-after K
// waits for Enter after the K-th update, so that a late joiner can be started at a known point.
// Run: npx deno run -A examples/ch5/clonesrv2.ts   or   npx bun examples/ch5/clonesrv2.ts
// with one or more ./clonecli2.ts, started when you like; Ctrl-C stops it.
// Arguments: [snapshot=tcp://*:5556] [publisher=tcp://*:5557] [--count N (0 = no end)]
//            [--interval ms between updates=0] [--pause-after K]
import process from "node:process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import {
  createKvmsg,
  decodeKvmsg,
  encodeKvmsg,
  KvMap,
  KvmsgError,
  Pair,
  Publisher,
  Router,
  ZmqError,
} from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    count: { type: "string", default: "0" },
    interval: { type: "string", default: "0" },
    "pause-after": { type: "string", default: "0" },
  },
  allowPositionals: true,
});
const [snapshotEndpoint = "tcp://*:5556", publisherEndpoint = "tcp://*:5557"] = positionals;
const count = Number(values.count);
const interval = Number(values.interval);
const pauseAfter = Number(values["pause-after"]);
const randof = (n: number) => Math.floor(Math.random() * n);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const PIPE = "inproc://clonesrv2-state";

/** The state manager: applies the updates it is handed, answers snapshot requests. */
async function stateManager(): Promise<void> {
  const pipe = new Pair();
  pipe.connect(PIPE);
  // mandatory: a client that reads slowly makes the snapshot wait (a second at most per
  // message) instead of losing the end of it, and one that has gone is an error, not silence
  const snapshot = new Router({ mandatory: true, sendTimeout: 1000 });
  await snapshot.bind(snapshotEndpoint);
  await pipe.send("READY");
  const kvmap = new KvMap();
  let sequence = 0; // of the last update stored

  async function applyUpdates(): Promise<void> {
    for await (const frames of pipe) {
      const update = decodeKvmsg(frames, "kvsimple"); // ours: well-formed
      sequence = update.sequence;
      kvmap.store(update);
      if (sequence === count || sequence === pauseAfter) {
        console.log(`I: stored update=${sequence} (map: ${kvmap.size} keys, ${kvmap.digest()})`);
      }
    }
  }

  async function serveSnapshots(): Promise<void> {
    for await (const [identity, request] of snapshot) {
      if (text(request) !== "ICANHAZ?") {
        console.log("E: bad request, ignored");
        continue;
      }
      // the state as it is now, and the number of the last update in it
      const [entries, upTo] = [[...kvmap], sequence];
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
  await Promise.all([applyUpdates(), serveSnapshots()]);
}

const publisher = new Publisher();
await publisher.bind(publisherEndpoint);
const updates = new Pair(); // to the state manager
await updates.bind(PIPE);
stateManager().catch((e) => {
  if (!(e instanceof ZmqError && e.code === "ETERM") && !(e instanceof KvmsgError)) throw e;
});
await updates.receive(); // "READY"

let sequence = 0;
process.on("SIGINT", () => {
  console.log(` Interrupted\n${sequence} messages out`);
  process.exit(0);
});
while (count === 0 || sequence < count) {
  const frames = encodeKvmsg(
    createKvmsg(String(randof(10_000)), String(randof(1_000_000)), { sequence: ++sequence }),
    "kvsimple",
  );
  await publisher.send(frames);
  await updates.send(frames);
  if (sequence === pauseAfter) {
    const input = createInterface({ input: process.stdin });
    await new Promise((resolve) => {
      input.once("line", resolve);
      input.once("close", resolve);
    });
    input.close();
  }
  if (interval > 0) await sleep(interval);
}
console.log(`I: ${sequence} messages out, serving snapshots until Ctrl-C`);
