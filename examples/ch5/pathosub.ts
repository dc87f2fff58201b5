// Pathological subscriber (the Guide, chapter 5, "Last Value Caching"): a SUB connected to
// tcp://localhost:5556 (./pathopub.ts), or to the cache (./lvcache.ts, tcp://localhost:5558),
// subscribed to one random topic out of "000" to "999"; it prints the value of each message
// it gets, checking that the topic is its own. Straight from the publisher, only a subscriber
// started before it gets anything soon; through the cache, every one does.
// Run: npx deno run -A examples/ch5/pathosub.ts   or   npx bun examples/ch5/pathosub.ts
// Arguments: [endpoint=tcp://localhost:5556] [topic=random] [messages=until Ctrl-C]
import process from "node:process";
import { Subscriber } from "../../mod.ts";

const [endpoint = "tcp://localhost:5556", topicArg, messages = "Infinity"] = process.argv.slice(2);
const subscription = topicArg ?? String(Math.floor(Math.random() * 1000)).padStart(3, "0");
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

await using subscriber = new Subscriber();
subscriber.connect(endpoint);
subscriber.subscribe(subscription);
process.on("SIGINT", () => subscriber.close()); // ends the loop

let received = 0;
for await (const [topic, data] of subscriber) {
  if (text(topic) !== subscription) {
    console.error(`E: got topic "${text(topic)}", subscribed to "${subscription}"`);
    process.exitCode = 1;
    break;
  }
  console.log(text(data));
  if (++received === Number(messages)) break;
}
