// Task sink (the Guide, chapter 1, "Divide and Conquer"): a PULL socket bound on tcp://*:5558
// collects the results of the 100 tasks from all workers (taskwork.ts), after the ventilator's
// (taskvent.ts) start-of-batch message, and prints how long the batch took: with N workers,
// roughly the ventilator's "expected cost" divided by N.
// Run: npx deno run -A examples/ch1/tasksink.ts   or   npx bun examples/ch1/tasksink.ts
// Arguments: [endpoint=tcp://*:5558]
import process from "node:process";
import { Pull } from "../../mod.ts";

const [endpoint = "tcp://*:5558"] = process.argv.slice(2);

await using receiver = new Pull();
await receiver.bind(endpoint);

await receiver.receive(); // wait for the start of the batch
const start = performance.now(); // and start the clock

for (let task = 0; task < 100; task++) {
  await receiver.receive();
  process.stdout.write(task % 10 === 0 ? ":" : "."); // a colon every ten results
}
console.log(`\nTotal elapsed time: ${Math.round(performance.now() - start)} msec`);
