// Suicidal Snail (the Guide, chapter 5, "Slow Subscriber Detection (Suicidal Snail
// Pattern)"): a subscriber that notices when it has fallen too far behind its publisher and
// kills itself, loudly, rather than go on working with stale data. The publisher, bound on
// tcp://*:5556, sends the current time in milliseconds every millisecond; the subscriber
// takes everything, prints each time, and compares it with its own clock: a message more than
// a second old means it cannot keep up, so it says "E: subscriber cannot keep up, aborting"
// (on standard error) and stops, and the program exits with status 1. Its "work" is a pause
// of 1 or 2 ms per message, at random, as the Guide's: a little slower on average than the
// publisher, so its backlog grows until it croaks (a few seconds).
//
// As in the Guide, publisher and subscriber are two tasks of one program (its threads; in
// reality they would be two processes), and the program ends when the subscriber does. Since
// they share one event loop, the subscriber's work is an asynchronous pause, which lets the
// publisher go on at its pace; work that held the CPU would stop both. --work-ms sets the
// pause, a number or a range (0: a subscriber that keeps up), --max-delay-ms the patience, and
// --messages makes a subscriber that keeps up stop after that many, with a line saying so.
// Run: npx deno run -A examples/ch5/suisnail.ts   or   npx bun examples/ch5/suisnail.ts
// Arguments: [endpoint=tcp://*:5556] [--work-ms 1-2] [--max-delay-ms 1000] [--messages N]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Publisher, Subscriber } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    "work-ms": { type: "string", default: "1-2" },
    "max-delay-ms": { type: "string", default: "1000" },
    messages: { type: "string", default: "Infinity" },
  },
  allowPositionals: true,
});
const [endpoint = "tcp://*:5556"] = positionals;
const [workMin = 0, workMax = workMin] = values["work-ms"].split("-").map(Number);
const maxDelay = Number(values["max-delay-ms"]);
const work = () => workMin + Math.floor(Math.random() * (workMax - workMin + 1));

let publishing = true;

/** Publishes the current time (ms) every millisecond until told to stop. */
async function publisherTask(): Promise<void> {
  await using publisher = new Publisher();
  await publisher.bind(endpoint);
  while (publishing) {
    await publisher.send(String(Date.now()));
    await sleep(1);
  }
}

/** Takes everything; false if it fell more than maxDelay behind and gave up. */
async function subscriberTask(): Promise<boolean> {
  await using subscriber = new Subscriber();
  subscriber.subscribe("");
  subscriber.connect(endpoint.replace("*", "localhost"));
  let received = 0;
  let worst = 0;
  for await (const [message] of subscriber) {
    const clock = Number(new TextDecoder().decode(message));
    console.log(clock);
    const late = Date.now() - clock;
    // Suicidal snail logic: too late means too slow, and that must not go unnoticed
    if (late > maxDelay) {
      console.error("E: subscriber cannot keep up, aborting");
      return false;
    }
    worst = Math.max(worst, late);
    if (++received === Number(values.messages)) break;
    const ms = work(); // some work, 1 or 2 ms by default
    if (ms > 0) await sleep(ms);
  }
  console.log(`I: subscriber kept up: ${received} messages, at most ${worst} ms late`);
  return true;
}

const publisher = publisherTask();
const keptUp = await subscriberTask();
publishing = false; // the Guide's "break" down the publisher's pipe
await publisher;
if (!keptUp) process.exitCode = 1;
