// Task ventilator (the Guide, chapter 1, "Divide and Conquer"): a PUSH socket bound on
// tcp://*:5557 hands 100 tasks out to the workers (taskwork.ts) in turn; each task is a
// workload, a number of milliseconds the worker will sleep. A second PUSH, connected to the
// sink (tasksink.ts) on tcp://localhost:5558, first sends "0": the start of the batch.
// Start the sink and the workers, then press Enter here: workers that connect late find the
// tasks already given to the ones that came first (PUSH only deals to connected peers).
// Run: npx deno run -A examples/ch1/taskvent.ts   or   npx bun examples/ch1/taskvent.ts
// Arguments: [endpoint=tcp://*:5557] [sink=tcp://localhost:5558] [max workload ms=100]
import process from "node:process";
import { createInterface } from "node:readline";
import { Push } from "../../mod.ts";

const [endpoint = "tcp://*:5557", sinkEndpoint = "tcp://localhost:5558", maxMs = "100"] = process
  .argv.slice(2);
const randof = (n: number) => Math.floor(Math.random() * n);

await using sender = new Push(); // to the workers
await sender.bind(endpoint);
await using sink = new Push(); // to the sink
sink.connect(sinkEndpoint);

process.stdout.write("Press Enter when the workers are ready: ");
const input = createInterface({ input: process.stdin });
await new Promise((resolve) => {
  input.once("line", resolve);
  input.once("close", resolve); // no terminal (stdin at its end): go at once
});
input.close();
console.log("Sending tasks to workers…");

await sink.send("0"); // the start of the batch

let total = 0; // expected cost, ms
for (let task = 0; task < 100; task++) {
  const workload = randof(Number(maxMs)) + 1; // 1..100 ms
  total += workload;
  await sender.send(String(workload));
}
console.log(`Total expected cost: ${total} msec`);
// closing (`await using`) waits until the queued tasks are delivered: no sleep needed
