// Synchronized subscriber (the Guide, chapter 2, "Node Coordination"): a SUB connects to
// tcp://localhost:5561 and subscribes to everything, then tells ./syncpub.ts it is ready with
// a REQ to tcp://localhost:5562 and waits for the answer; then it counts the updates until
// "END" and prints how many it got: all of them, since it had joined before the first.
// Run: npx deno run -A examples/ch2/syncsub.ts   or   npx bun examples/ch2/syncsub.ts
// with ./syncpub.ts (which waits for ten of these by default).
// Arguments: [publisher=tcp://localhost:5561] [sync=tcp://localhost:5562]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { Request, Subscriber } from "../../mod.ts";

const [pubEndpoint = "tcp://localhost:5561", syncEndpoint = "tcp://localhost:5562"] = process
  .argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

// First, connect our subscriber socket
await using subscriber = new Subscriber();
subscriber.connect(pubEndpoint);
subscriber.subscribe("");

// ZeroMQ is so fast, we need to wait a while… (the subscription must reach the publisher
// before the handshake below says we are ready; the Guide waits a second too)
await sleep(1000);

// Second, synchronize with publisher
await using syncclient = new Request();
syncclient.connect(syncEndpoint);

// - send a synchronization request
await syncclient.send("");
// - wait for synchronization reply
await syncclient.receive();

// Third, get our updates and report how many we got
let updates = 0;
for await (const [update] of subscriber) {
  if (text(update) === "END") break;
  updates++;
}
console.log(`Received ${updates} updates`);
