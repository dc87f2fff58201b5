// ROUTER broker and REQ workers (the Guide, chapter 3, "ROUTER Broker and REQ Workers"): the
// load-balancing pattern at its smallest. A ROUTER bound on tcp://*:5671 hands out tasks to
// REQ workers; a worker asks for work ("Hi Boss"), gets a task, does it and asks again, so
// each task goes to a worker that has just said it is free. Once the tasks are all dealt, each
// worker that asks is told "Fired!" and prints how many tasks it completed.
//
// The Guide runs its ten workers as threads for five seconds; here they are concurrent tasks
// of this program (their work is a sleep, so one event loop serves them all), and a fixed
// number of tasks replaces the five seconds, so the counts always add up. The broker ends once
// it has fired `workers` workers; some or all of them may be started elsewhere (any REQ that
// connects and says hello): `rtreq.ts tcp://*:5671 3 30 0` waits for three from outside.
// Run: npx deno run -A examples/ch3/rtreq.ts   or   npx bun examples/ch3/rtreq.ts
// Arguments: [endpoint=tcp://*:5671] [workers=10] [tasks=100] [workers started here=workers]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { Request, Router } from "../../mod.ts";

const [endpoint = "tcp://*:5671", workers = "10", tasks = "100", local = workers] = process.argv
  .slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

/** One worker: asks for work until fired, then says how much it did. */
async function worker(connectTo: string): Promise<void> {
  await using socket = new Request();
  socket.connect(connectTo);
  let total = 0;
  for (;;) {
    await socket.send("Hi Boss"); // tell the broker we're ready for work
    const [workload] = await socket.receive(); // the REQ strips the delimiter for us
    if (text(workload) === "Fired!") break;
    total++;
    await sleep(1 + Math.floor(Math.random() * 500)); // do some random work
  }
  console.log(`Completed: ${total} tasks`);
}

await using broker = new Router();
await broker.bind(endpoint);

const connectTo = endpoint.replace("*", "localhost"); // where the workers find the broker
const running = Array.from({ length: Number(local) }, () => worker(connectTo));

let left = Number(tasks);
let fired = 0;
while (fired < Number(workers)) {
  // The next message comes from the worker that has waited longest: [identity, "", "Hi Boss"]
  const [identity] = await broker.receive();
  // The reply must carry the same envelope back: the identity, then the empty delimiter
  if (left > 0) {
    left--;
    await broker.send([identity!, "", "Work harder"]);
  } else {
    await broker.send([identity!, "", "Fired!"]);
    fired++;
  }
}
await Promise.all(running);
