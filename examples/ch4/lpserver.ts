// Lazy Pirate server (the Guide, chapter 4, "Client-Side Reliability (Lazy Pirate Pattern)"):
// a REP socket bound on tcp://*:5555 that sends each request back as its reply, after a second
// of work, and that misbehaves on purpose so ./lpclient.ts has something to survive. After a
// few requests it may, at random, take a request and never answer it (a crash: it ends), or
// sit on one for two seconds (CPU overload), longer than the client's patience. Restart it on
// the same endpoint and the client carries on. The faults can be made exact instead of random:
// --crash-after N answers N requests, then crashes on the next; --overload-after N makes the
// request after the N-th a slow one (--overload-ms long). Either flag, or --no-random, turns
// the random faults off.
// Run: npx deno run -A examples/ch4/lpserver.ts   or   npx bun examples/ch4/lpserver.ts
// with ./lpclient.ts; kill and restart it as you like.
// Arguments: [endpoint=tcp://*:5555] [--work-ms 1000] [--crash-after N] [--overload-after N]
//            [--overload-ms 2000] [--no-random]
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Reply } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    "work-ms": { type: "string", default: "1000" },
    "crash-after": { type: "string" },
    "overload-after": { type: "string" },
    "overload-ms": { type: "string", default: "2000" },
    "no-random": { type: "boolean", default: false },
  },
  allowPositionals: true,
});
const [endpoint = "tcp://*:5555"] = positionals;
const after = (n: string | undefined) => n === undefined ? -1 : Number(n); // -1: not by flag
const [crashAfter, overloadAfter] = [after(values["crash-after"]), after(values["overload-after"])];
const random = crashAfter < 0 && overloadAfter < 0 && !values["no-random"];
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const oneIn = (n: number) => Math.random() * n < 1;

await using server = new Reply();
await server.bind(endpoint);

let cycles = 0;
for await (const [request] of server) {
  cycles++;
  // The faults start after a few requests, so that the client is seen working first.
  if (random ? cycles > 3 && oneIn(3) : cycles === crashAfter + 1) {
    console.log("I: simulating a crash");
    break; // the request stays unanswered; leaving closes the socket and ends the process
  }
  if (random ? cycles > 3 && oneIn(3) : cycles === overloadAfter + 1) {
    console.log("I: simulating CPU overload");
    await sleep(Number(values["overload-ms"]));
  }
  console.log(`I: normal request (${text(request)})`);
  await sleep(Number(values["work-ms"])); // do some heavy work
  await server.send(request!); // the reply is the request itself
}
