// Majordomo worker (the Guide, chapter 4, "Service-Oriented Reliable Queuing (Majordomo
// Pattern)"): the "echo" service, answering each request with its own frames, through the
// broker at tcp://localhost:5555 (./mdbroker.ts). All of the Majordomo Protocol is in
// zmqkit's MajordomoWorker (the Guide's mdwrkapi): it registers the service with READY,
// heartbeats the broker every 2.5 s, and when the broker has been silent for 3 intervals (it
// died, or was restarted) or tells it DISCONNECT, it drops its socket, waits 2.5 s and
// registers again on a new one; the lines it logs say so. What is left here is the loop:
// take a request, answer it. --overload-after N makes the worker sit on the request after the
// N-th for --overload-ms (default 3 s) before answering: a slow or stuck worker, for which the
// client's retry is the remedy (kill it meanwhile for a dead one); -v prints each request.
// Run: npx deno run -A examples/ch4/mdworker.ts   or   npx bun examples/ch4/mdworker.ts
// with ./mdbroker.ts and ./mdclient.ts; start several. Ctrl-C ends it.
// Arguments: [broker=tcp://localhost:5555] [--service echo] [--heartbeat ms=2500]
//            [--liveness 3] [--reconnect ms=2500] [--overload-after N] [--overload-ms 3000]
//            [-v]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { MajordomoWorker } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    service: { type: "string", default: "echo" },
    heartbeat: { type: "string", default: "2500" },
    liveness: { type: "string", default: "3" },
    reconnect: { type: "string", default: "2500" },
    "overload-after": { type: "string" },
    "overload-ms": { type: "string", default: "3000" },
    verbose: { type: "boolean", short: "v", default: false },
  },
  allowPositionals: true,
});
const [broker = "tcp://localhost:5555"] = positionals;
const overloadAfter = values["overload-after"] === undefined
  ? -1
  : Number(values["overload-after"]);

const worker = new MajordomoWorker(broker, values.service, {
  heartbeatInterval: Number(values.heartbeat),
  liveness: Number(values.liveness),
  reconnectDelay: Number(values.reconnect),
  log: console.log,
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => worker.close()); // the loop below ends
}

let served = 0;
for await (const request of worker) {
  served++;
  if (values.verbose) console.log(`I: ${values.service} request ${served}`);
  if (served === overloadAfter + 1) {
    console.log("I: simulating CPU overload");
    await sleep(Number(values["overload-ms"])); // the worker's heartbeats go on meanwhile
  }
  await request.reply(request.body); // the echo: its frames back as they came
}
console.log(`I: ${served} request(s) served`);
