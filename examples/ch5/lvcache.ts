// Last value cache (the Guide, chapter 5, "Last Value Caching"): a proxy between a publisher
// and its subscribers that remembers the last message of every topic and, whenever a
// subscriber subscribes to a topic, sends it that topic's last message at once, instead of
// leaving it to wait for the next update. A SUB connected to the publisher
// (./pathopub.ts tcp://*:5557) takes every topic; an XPUB bound on tcp://*:5558 serves the
// subscribers (./pathosub.ts tcp://localhost:5558). Each message from the publisher,
// [topic, value…], is cached under its topic and forwarded; each subscription arriving on
// the XPUB (a frame: 1, then the topic) is answered with that topic's cached message, if
// there is one, and a line "Sending cached topic 042".
//
// The XPUB is verbose (`verbosity: "allSubs"`, ZMQ_XPUB_VERBOSE): by default an XPUB passes
// a topic's subscription up only once, for its first subscriber, so a second subscriber to
// the same topic would get nothing from the cache; the Guide leaves that option as an
// exercise and relies on random topics rarely colliding. The cached message goes out as any
// update does, to every subscriber of that topic, the ones already up to date included.
// The topic is the first frame, matched exactly (a subscription to a prefix gets nothing).
// The Guide polls both sockets; here each has its own receive loop.
// Run: npx deno run -A examples/ch5/lvcache.ts   or   npx bun examples/ch5/lvcache.ts
// then ./pathopub.ts tcp://*:5557 and any number of ./pathosub.ts tcp://localhost:5558.
// Arguments: [publisher=tcp://localhost:5557] [subscribers=tcp://*:5558]. Stop it with Ctrl-C.
import process from "node:process";
import { type Message, Subscriber, XPublisher } from "../../mod.ts";

const [publisher = "tcp://localhost:5557", subscribers = "tcp://*:5558"] = process.argv.slice(2);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
/** A topic as a map key: one character per byte, so that any bytes will do. */
const key = (topic: Uint8Array) => String.fromCharCode(...topic);

await using frontend = new Subscriber();
frontend.connect(publisher);
frontend.subscribe(""); // every topic the publisher has
await using backend = new XPublisher({ verbosity: "allSubs" });
await backend.bind(subscribers);

/** The last message of each topic. */
const cache = new Map<string, Message>();

/** Updates: cache the latest of each topic, then pass it on. */
async function updates(): Promise<void> {
  for await (const message of frontend) {
    cache.set(key(message[0]!), message);
    await backend.send(message);
  }
}

/** Subscriptions: a new one gets its topic's cached message straight away. */
async function subscriptions(): Promise<void> {
  for await (const [event] of backend) {
    if (event![0] !== 1) continue; // 0: a cancellation
    const topic = event!.subarray(1);
    const last = cache.get(key(topic));
    if (last === undefined) continue;
    console.log(`Sending cached topic ${text(topic)}`);
    await backend.send(last);
  }
}

const stop = () => {
  frontend.close(); // ends both loops
  backend.close();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
await Promise.all([updates(), subscriptions()]);
process.off("SIGINT", stop);
process.off("SIGTERM", stop);
