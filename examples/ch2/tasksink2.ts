// Task sink with a kill signal (the Guide, chapter 2, "Handling Errors and ETERM"): as
// ../ch1/tasksink.ts, PULLs the 100 results on tcp://*:5558 and prints the elapsed time, then
// PUBlishes "KILL" on tcp://*:5559, which stops every ./taskwork2.ts.
// Run: npx deno run -A examples/ch2/tasksink2.ts   or   npx bun examples/ch2/tasksink2.ts
// with ../ch1/taskvent.ts and ./taskwork2.ts.
// Arguments: [endpoint=tcp://*:5558] [control=tcp://*:5559]
import process from "node:process";
import { Publisher, Pull } from "../../mod.ts";

const [endpoint = "tcp://*:5558", control = "tcp://*:5559"] = process.argv.slice(2);

await using receiver = new Pull();
await receiver.bind(endpoint);
await using controller = new Publisher(); // the workers subscribe to it
await controller.bind(control);

await receiver.receive(); // wait for the start of the batch
const start = performance.now(); // and start the clock

for (let task = 0; task < 100; task++) {
  await receiver.receive();
  process.stdout.write(task % 10 === 0 ? ":" : "."); // a colon every ten results
}
console.log(`\nTotal elapsed time: ${Math.round(performance.now() - start)} msec`);

await controller.send("KILL"); // to the workers; closing waits until it is delivered
