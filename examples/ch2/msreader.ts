// Reading from several sockets, the wasteful way (the Guide, chapter 2, "Handling Multiple
// Sockets"): a PULL socket connects to the task ventilator (../ch1/taskvent.ts,
// tcp://localhost:5557) and a SUB socket to the weather server (../ch1/wuserver.ts,
// tcp://localhost:5556, zipcode "10001 "). The loop empties each socket in turn with
// tryReceive(), which never waits (tasks first: they have priority), then sleeps a millisecond
// and starts again. It works, but it wakes a thousand times a second to find nothing, and a
// message that arrives just after a check waits for the next round. ./mspoller.ts does the
// same by waiting on both sockets at once, and does nothing until a message is there.
// Run: npx deno run -A examples/ch2/msreader.ts   or   npx bun examples/ch2/msreader.ts
// with ../ch1/wuserver.ts and ../ch1/taskvent.ts (Enter there sends the tasks).
// Arguments: [ventilator=tcp://localhost:5557] [weather server=tcp://localhost:5556]
//            [zipcode prefix="10001 "] [messages from each socket, then exit=0 (for ever)]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { Pull, Subscriber } from "../../mod.ts";

const [
  ventilator = "tcp://localhost:5557",
  weather = "tcp://localhost:5556",
  filter = "10001 ",
  messages = "0",
] = process.argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

// Connect to the task ventilator
await using receiver = new Pull();
receiver.connect(ventilator);

// Connect to the weather server
await using subscriber = new Subscriber();
subscriber.connect(weather);
subscriber.subscribe(filter);

let tasks = 0;
let updates = 0;
const enough = () =>
  Number(messages) > 0 && tasks >= Number(messages) &&
  updates >= Number(messages);

// Process messages from both sockets, tasks first
while (!enough()) {
  // every task waiting now (tryReceive gives undefined when there is none)
  for (let task = receiver.tryReceive(); task; task = receiver.tryReceive()) {
    console.log(`task [${text(task[0])}]`); // process the task
    tasks++;
  }
  // every weather update waiting now
  for (let update = subscriber.tryReceive(); update; update = subscriber.tryReceive()) {
    console.log(`weather update [${text(update[0])}]`); // process the update
    updates++;
  }
  await sleep(1); // nothing left: sleep for 1 ms, and look again
}
console.log(`Got ${tasks} tasks and ${updates} weather updates`);
