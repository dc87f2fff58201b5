// Task worker (the Guide, chapter 1, "Divide and Conquer"): PULLs tasks from the ventilator
// (taskvent.ts, tcp://localhost:5557), sleeps each one's workload in milliseconds, then PUSHes
// an empty result to the sink (tasksink.ts, tcp://localhost:5558). Start as many as you like:
// the ventilator deals tasks to them in turn, and the sink fair-queues their results. This one
// runs until stopped (Ctrl-C); ../ch2/taskwork2.ts also stops when the sink says so.
// Run: npx deno run -A examples/ch1/taskwork.ts   or   npx bun examples/ch1/taskwork.ts
// Arguments: [ventilator=tcp://localhost:5557] [sink=tcp://localhost:5558]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { Pull, Push } from "../../mod.ts";

const [ventilator = "tcp://localhost:5557", sinkEndpoint = "tcp://localhost:5558"] = process
  .argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

await using receiver = new Pull();
receiver.connect(ventilator);
await using sender = new Push();
sender.connect(sinkEndpoint);

for await (const [task] of receiver) {
  const workload = text(task);
  process.stdout.write(`${workload}.`); // show progress
  await sleep(Number(workload)); // do the work
  await sender.send(""); // send the result to the sink
}
