// Pathological publisher (the Guide, chapter 5, "Last Value Caching"): a publisher bound on
// tcp://*:5556 that sends 1,000 topics ("000" to "999", each [topic, "Save Roger"]) all at
// once, then one update a second to a random topic ([topic, "Off with his head!"]). A
// subscriber that comes after the burst waits for its topic's turn: 500 seconds on average.
// ./lvcache.ts fixes that; point this at it with `pathopub.ts tcp://*:5557`.
//
// The Guide sleeps a second after binding so that its subscriber has time to connect. This
// is an XPUB instead, which sees subscriptions arrive: it sends the burst once the first one
// has come, so the subscriber (or the cache) started before it gets the whole burst, however
// long connecting takes.
// Run: npx deno run -A examples/ch5/pathopub.ts   or   npx bun examples/ch5/pathopub.ts
// after ./pathosub.ts (or ./lvcache.ts). Stop it with Ctrl-C.
// Arguments: [endpoint=tcp://*:5556] [interval ms=1000]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { XPublisher } from "../../mod.ts";

const [endpoint = "tcp://*:5556", interval = "1000"] = process.argv.slice(2);
const topic = (n: number) => String(n).padStart(3, "0");

const publisher = new XPublisher();
await publisher.bind(endpoint);
await publisher.receive(); // the first subscription: someone is listening

// Send out all 1,000 topic messages
for (let n = 0; n < 1000; n++) await publisher.send([topic(n), "Save Roger"]);

// Then one random update per interval, until interrupted
const interrupted = new AbortController();
const stop = () => interrupted.abort();
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
try {
  for (;;) {
    await sleep(Number(interval), undefined, { signal: interrupted.signal });
    await publisher.send([topic(Math.floor(Math.random() * 1000)), "Off with his head!"]);
  }
} catch (e) {
  if (!interrupted.signal.aborted) throw e;
}
publisher.close();
