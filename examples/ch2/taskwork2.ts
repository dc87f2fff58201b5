// Task worker with a kill signal (the Guide, chapter 2, "Handling Errors and ETERM"): as
// ../ch1/taskwork.ts, PULLs tasks from tcp://localhost:5557 and PUSHes results to
// tcp://localhost:5558, and also SUBscribes to the sink's control channel on
// tcp://localhost:5559: any message there ("KILL") makes it stop. Where the Guide polls both
// sockets with zmq_poll, here the control socket has its own waiting receive(): when it
// resolves, closing the task socket ends the task loop.
// Run: npx deno run -A examples/ch2/taskwork2.ts   or   npx bun examples/ch2/taskwork2.ts
// with ../ch1/taskvent.ts and ./tasksink2.ts.
// Arguments: [ventilator=tcp://localhost:5557] [sink=tcp://localhost:5558]
//            [control=tcp://localhost:5559]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { Pull, Push, Subscriber } from "../../mod.ts";

const [
  ventilator = "tcp://localhost:5557",
  sinkEndpoint = "tcp://localhost:5558",
  control = "tcp://localhost:5559",
] = process.argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

await using receiver = new Pull();
receiver.connect(ventilator);
await using sender = new Push();
sender.connect(sinkEndpoint);
await using controller = new Subscriber();
controller.connect(control);
controller.subscribe(""); // every message: the sink sends only "KILL"

const killed = controller.receive().then(() => receiver.close()); // ends the loop below

for await (const [task] of receiver) {
  const workload = text(task);
  process.stdout.write(`${workload}.`); // show progress
  await sleep(Number(workload)); // do the work
  await sender.send(""); // send the result to the sink
}
await killed;
console.log("\nKilled by the sink");
