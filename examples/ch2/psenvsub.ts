// Pub-sub envelope subscriber (the Guide, chapter 2, "Pub-Sub Message Envelopes"): a SUB
// connects to tcp://localhost:5563, subscribes to the key "B" and prints each message it gets
// as "[address] contents": the "A" messages never arrive (the filtering happens at the
// publisher, on the first frame).
// Run: npx deno run -A examples/ch2/psenvsub.ts   or   npx bun examples/ch2/psenvsub.ts
// with ./psenvpub.ts.
// Arguments: [endpoint=tcp://localhost:5563] [key="B"] [messages, then exit=0 (for ever)]
import process from "node:process";
import { Subscriber } from "../../mod.ts";

const [endpoint = "tcp://localhost:5563", key = "B", messages = "0"] = process.argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

await using subscriber = new Subscriber();
subscriber.connect(endpoint);
subscriber.subscribe(key);

let received = 0;
for await (const [address, contents] of subscriber) {
  // the whole message arrives at once: envelope and contents together
  console.log(`[${text(address)}] ${text(contents)}`);
  if (++received === Number(messages)) break;
}
