// Simple Pirate worker (the Guide, chapter 4, "Basic Reliable Queuing (Simple Pirate Pattern)"):
// ./lpserver.ts turned into a load-balanced worker. A REQ socket with a random routing id (to
// tell the workers apart in the output) connects to the queue's backend on
// tcp://localhost:5556, says it is ready ("\x01"), then answers each request with the request
// itself, after a second of work. Its REQ takes the queue's envelope off each request and puts
// it back on the reply, so the worker sends back the whole message it got: [client][""][body].
// Like the server, it misbehaves after a few requests, at random: it crashes (ends, keeping a
// request unanswered) or is overloaded (three seconds on one request). --crash-after N and
// --overload-after N make that exact (the request after the N-th); either, or --no-random,
// turns the random faults off.
// Run: npx deno run -A examples/ch4/spworker.ts   or   npx bun examples/ch4/spworker.ts
// with ./spqueue.ts and ./lpclient.ts tcp://localhost:5555; start several.
// Arguments: [queue=tcp://localhost:5556] [--work-ms 1000] [--crash-after N]
//            [--overload-after N] [--overload-ms 3000] [--no-random]
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Request } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    "work-ms": { type: "string", default: "1000" },
    "crash-after": { type: "string" },
    "overload-after": { type: "string" },
    "overload-ms": { type: "string", default: "3000" },
    "no-random": { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const [endpoint = "tcp://localhost:5556"] = positionals;
const after = (n: string | undefined) => n === undefined ? -1 : Number(n); // -1: not by flag
const [crashAfter, overloadAfter] = [after(values["crash-after"]), after(values["overload-after"])];
const random = crashAfter < 0 && overloadAfter < 0 && !values["no-random"];
const oneIn = (n: number) => Math.random() * n < 1;
const hex4 = () => Math.floor(Math.random() * 0x10000).toString(16).toUpperCase().padStart(4, "0");

const identity = `${hex4()}-${hex4()}`;
await using worker = new Request({ routingId: identity });
worker.connect(endpoint);

// Tell the queue we're ready for work
console.log(`I: (${identity}) worker ready`);
await worker.send("\x01");

let cycles = 0;
for await (const message of worker) {
  cycles++;
  if (random ? cycles > 3 && oneIn(5) : cycles === crashAfter + 1) {
    console.log(`I: (${identity}) simulating a crash`);
    break; // the request dies with us; leaving closes the socket and ends the process
  }
  if (random ? cycles > 3 && oneIn(5) : cycles === overloadAfter + 1) {
    console.log(`I: (${identity}) simulating CPU overload`);
    await sleep(Number(values["overload-ms"]));
  }
  console.log(`I: (${identity}) normal reply`);
  await sleep(Number(values["work-ms"])); // do some heavy work
  await worker.send(message); // [client][""][request]: the envelope, and the request as reply
}
