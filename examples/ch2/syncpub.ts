// Synchronized publisher (the Guide, chapter 2, "Node Coordination"): a PUB bound on
// tcp://*:5561 and a REP bound on tcp://*:5562. It waits until the expected number of
// subscribers (./syncsub.ts) have each sent a request on the REP, that is until each has
// connected and subscribed, answers them, then publishes 1,000,000 updates and "END". Without
// the handshake, the first updates would go out before the subscribers had joined.
// Run: npx deno run -A examples/ch2/syncpub.ts   or   npx bun examples/ch2/syncpub.ts
// then ten ./syncsub.ts, e.g.
// `for i in $(seq 10); do npx deno run -A examples/ch2/syncsub.ts & done`.
// Arguments: [publisher=tcp://*:5561] [sync=tcp://*:5562] [subscribers=10] [updates=1000000]
import process from "node:process";
import { Publisher, Reply } from "../../mod.ts";

const [
  pubEndpoint = "tcp://*:5561",
  syncEndpoint = "tcp://*:5562",
  subscribersExpected = "10",
  updates = "1000000",
] = process.argv.slice(2);

// Socket to talk to clients; its send queue holds every update, so none is dropped while a
// subscriber is slower than this loop (the Guide's ZMQ_SNDHWM of 1100000)
await using publisher = new Publisher({ sendHighWaterMark: Number(updates) + 100_000 });
await publisher.bind(pubEndpoint);

// Socket to receive signals
await using syncservice = new Reply();
await syncservice.bind(syncEndpoint);

// Get synchronization from subscribers
console.log("Waiting for subscribers");
for (let subscribers = 0; subscribers < Number(subscribersExpected); subscribers++) {
  await syncservice.receive(); // wait for a synchronization request
  await syncservice.send(""); // send synchronization reply
}

// Now broadcast exactly the updates, followed by END
console.log("Broadcasting messages");
for (let n = 0; n < Number(updates); n++) await publisher.send("Rhubarb");
await publisher.send("END"); // closing the socket waits until the queue is delivered
