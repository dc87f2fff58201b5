// Asynchronous client/server (the Guide, chapter 3, "The Asynchronous Client/Server Pattern"):
// DEALER clients talk to a ROUTER server without waiting for answers. Each of three clients,
// with a random printable routing id, sends a request every tick (a second) and prints the
// replies whenever they come. The server binds a ROUTER on tcp://*:5570 for the clients and a
// DEALER on inproc://backend for five DEALER workers, with proxy() between them. A worker gets
// [client id][request], answers it 0 to 4 times (a random pause before each), and puts the
// client id in front of each reply so that the ROUTER sends it to the client that asked. So a
// client may get several replies to one request, or none, and replies to different requests
// interleave. Each client puts its id in its requests, so a reply shows whose request it was.
//
// The Guide runs every part as a thread and stops after five seconds. Here they are concurrent
// tasks of one program, each client sends a fixed number of requests, and the program ends
// once every request has had all its replies delivered (the workers and clients keep counts).
// Run: npx deno run -A examples/ch3/asyncsrv.ts   or   npx bun examples/ch3/asyncsrv.ts
// Arguments: [endpoint=tcp://*:5570] [clients=3] [requests each=5] [tick ms=1000]
// With 0 clients it is the server alone, for clients started elsewhere, until Ctrl-C.
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { Dealer, proxy, Router } from "../../mod.ts";

const [endpoint = "tcp://*:5570", clients = "3", requests = "5", tickMs = "1000"] = process.argv
  .slice(2);
const tick = Number(tickMs);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const hex4 = () => Math.floor(Math.random() * 0x10000).toString(16).toUpperCase().padStart(4, "0");

/** Per client id: requests the workers are done with, and replies they sent. */
const ledger = new Map<string, { answered: number; replies: number }>();
function entry(id: string): { answered: number; replies: number } {
  let counts = ledger.get(id);
  if (counts === undefined) ledger.set(id, counts = { answered: 0, replies: 0 });
  return counts;
}

/** A client: a request each tick, replies printed as they arrive; ends once all are in. */
async function clientTask(): Promise<void> {
  const identity = `${hex4()}-${hex4()}`;
  await using client = new Dealer({ routingId: identity });
  client.connect(endpoint.replace("*", "localhost"));
  let received = 0;
  const receiving = (async () => {
    for await (const [reply] of client) {
      console.log(`${identity} received: ${text(reply)}`);
      received++;
    }
  })();
  for (let n = 1; n <= Number(requests); n++) {
    await client.send(`request #${n} from ${identity}`);
    await sleep(tick);
  }
  const mine = entry(identity);
  while (mine.answered < Number(requests) || received < mine.replies) await sleep(tick / 10);
  client.close(); // ends the receiving loop
  await receiving;
  console.log(`Client ${identity}: ${requests} requests, ${received} replies`);
}

/** A worker: one request at a time, answered 0 to 4 times. */
async function serverWorker(done: Promise<void>): Promise<void> {
  await using worker = new Dealer();
  worker.connect("inproc://backend");
  void done.then(() => worker.close());
  for await (const [identity, content] of worker) {
    const replies = Math.floor(Math.random() * 5);
    for (let reply = 0; reply < replies; reply++) {
      await sleep(1 + Math.random() * tick); // some fraction of a tick
      await worker.send([identity!, content!]); // the id first: the ROUTER routes on it
      entry(text(identity)).replies++;
    }
    entry(text(identity)).answered++;
  }
}

let stop = () => {};
const stopped = new Promise<void>((resolve) => stop = resolve);

// The server: ROUTER for the clients, DEALER for the workers, proxy() between
await using frontend = new Router();
await frontend.bind(endpoint);
await using backend = new Dealer();
await backend.bind("inproc://backend");
const workers = Array.from({ length: 5 }, () => serverWorker(stopped));
const proxying = proxy(frontend, backend); // runs until a socket closes

if (Number(clients) === 0) await proxying; // the server alone: until interrupted
await Promise.all(Array.from({ length: Number(clients) }, clientTask));
stop();
frontend.close();
backend.close();
await Promise.all([proxying, ...workers]);
