// Clone client, model six (the Guide, chapter 5, "Adding the Binary Star Pattern for
// Reliability" and "Building a Multithreaded Stack and API"): the client of a pair of Clone
// servers (./clonesrv6.ts -p and -b), written on the library's CloneClient (the Guide's clone
// API and its agent). It connects to both servers, takes its copy of the "/client/" subtree
// from the primary, and every second sets a random key there to a random value with a random
// time to live (0 to 29 seconds); each change goes to both servers. When the server it follows
// has been silent for five seconds (no change, no HUGZ), it asks the other one for a snapshot:
// that request is also the vote that lets the backup take over. Its copy then comes from the
// backup, which has every change the clients made, including those the primary never
// published.
// Lines: each snapshot and change received, with the size and digest of the client's map after
// it, and each failover ("… is silent, failing over"); Ctrl-C prints the map's size and digest.
// For tests: --ttl fixes the time to live (0: none); --name gives the keys as
// <subtree><name>-1, -2, … instead of random numbers; --timeout shortens the silence.
// Run: npx deno run -A examples/ch5/clonecli6.ts   or   npx bun examples/ch5/clonecli6.ts
// with the two ./clonesrv6.ts; start several; kill the primary; Ctrl-C stops one.
// Arguments: [primary=tcp://localhost:5556] [backup=tcp://localhost:5566] (each P, with the
//            publisher at P+1 and the collector at P+2) [--subtree /client/] [--count N
//            (changes to make; 0 = no end)] [--interval ms=1000] [--ttl seconds (default
//            random, 0-29)] [--name NAME] [--timeout ms=5000]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { CloneClient } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    subtree: { type: "string", default: "/client/" },
    count: { type: "string", default: "0" },
    interval: { type: "string", default: "1000" },
    ttl: { type: "string" },
    name: { type: "string" },
    timeout: { type: "string", default: "5000" },
  },
  allowPositionals: true,
});
const servers = positionals.length > 0
  ? positionals
  : ["tcp://localhost:5556", "tcp://localhost:5566"];
const count = Number(values.count);
const randof = (n: number) => Math.floor(Math.random() * n);

const clone: CloneClient = new CloneClient({
  subtree: values.subtree,
  timeout: Number(values.timeout),
  onEvent: (event) => {
    const map = `(map: ${clone.size} keys, ${clone.digest()})`;
    switch (event.type) {
      case "syncing":
        return console.log(`I: asking ${event.server} for a snapshot…`);
      case "snapshot":
        return console.log(`I: received from ${event.server} snapshot=${event.sequence} ${map}`);
      case "update": {
        const what = event.deleted ? "delete" : "update";
        return console.log(`I: received from ${event.server} ${what}=${event.sequence} ${map}`);
      }
      case "silence":
        return console.log(`I: ${event.server} is silent, failing over`);
      case "gap":
        return console.log(`W: updates lost (expected ${event.expected}, got ${event.got})`);
      case "malformed":
        return console.log(`E: bad message from ${event.server} (${event.reason})`);
    }
  },
});
for (const server of servers) clone.connect(server);
let running = true;
const interrupted = new Promise<void>((resolve) =>
  process.once("SIGINT", () => {
    running = false;
    resolve();
  })
);

for (let made = 0; running && (count === 0 || made < count); made++) {
  await Promise.race([sleep(Number(values.interval)), interrupted]);
  if (!running) break;
  const key = values.subtree +
    (values.name === undefined ? randof(10_000) : `${values.name}-${made + 1}`);
  await clone.set(key, String(randof(1_000_000)), { ttl: Number(values.ttl ?? randof(30)) });
}
await interrupted; // the changes are made: go on following the servers until Ctrl-C
console.log(
  ` Interrupted\nI: sequence=${clone.sequence} (map: ${clone.size} keys, ${clone.digest()})`,
);
clone.close();
