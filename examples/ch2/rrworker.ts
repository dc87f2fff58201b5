// Request-reply worker (the Guide, chapter 2, "Shared Queue (DEALER and ROUTER sockets)"): a
// REP socket connects to the broker's backend on tcp://localhost:5560 and answers each request
// with "World" after a second of work. Start several: the broker's DEALER shares the requests
// among them, and each reply finds its way back to the right client through the broker.
// Run: npx deno run -A examples/ch2/rrworker.ts   or   npx bun examples/ch2/rrworker.ts
// with ./rrbroker.ts (or ./msgqueue.ts) and ./rrclient.ts.
// Arguments: [broker backend=tcp://localhost:5560] [work ms=1000]
//            [requests to serve, then exit=0 (for ever)]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { Reply } from "../../mod.ts";

const [endpoint = "tcp://localhost:5560", workMs = "1000", requests = "0"] = process.argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

await using responder = new Reply();
responder.connect(endpoint);

let served = 0;
for await (const [request] of responder) {
  console.log(`Received request: [${text(request)}]`);
  await sleep(Number(workMs)); // do some 'work'
  await responder.send("World");
  if (++served === Number(requests)) break;
}
