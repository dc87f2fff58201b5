// Reading from several sockets, the event-loop way (the Guide, chapter 2, "Handling Multiple
// Sockets"): as ./msreader.ts, a PULL socket connected to the task ventilator
// (../ch1/taskvent.ts, tcp://localhost:5557) and a SUB socket to the weather server
// (../ch1/wuserver.ts, tcp://localhost:5556, zipcode "10001 "), but nothing polls and nothing
// sleeps: each socket has its own loop waiting in receive(), and the two run side by side.
//
// Why there is no zmq_poll here: in C, a blocking receive holds the thread, so waiting on two
// sockets needs zmq_poll, which blocks until either is readable. Here receive() holds nothing:
// it returns a promise, and the runtime serves every other socket, timer and loop until that
// promise settles, so "wait for either" is simply two waits. The literal translation of the
// poll, `await Promise.race([receiver.receive(), subscriber.receive()])`, works but needs care:
// the receive that lost the race is still pending and will take its socket's next message, so
// it must be kept for the next round rather than asked again. One loop per socket does that
// bookkeeping by itself. (There is no priority either: whichever message is there first goes
// first.)
// Run: npx deno run -A examples/ch2/mspoller.ts   or   npx bun examples/ch2/mspoller.ts
// with ../ch1/wuserver.ts and ../ch1/taskvent.ts (Enter there sends the tasks).
// Arguments: [ventilator=tcp://localhost:5557] [weather server=tcp://localhost:5556]
//            [zipcode prefix="10001 "] [messages from each socket, then exit=0 (for ever)]
import process from "node:process";
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
// Once both sockets have given enough, closing them ends both loops.
function countedEnough(): void {
  const n = Number(messages);
  if (n > 0 && tasks >= n && updates >= n) {
    receiver.close();
    subscriber.close();
  }
}

async function processTasks(): Promise<void> {
  for await (const [task] of receiver) {
    console.log(`task [${text(task)}]`); // process the task
    tasks++;
    countedEnough();
  }
}

async function processUpdates(): Promise<void> {
  for await (const [update] of subscriber) {
    console.log(`weather update [${text(update)}]`); // process the update
    updates++;
    countedEnough();
  }
}

await Promise.all([processTasks(), processUpdates()]);
console.log(`Got ${tasks} tasks and ${updates} weather updates`);
