// Pub-sub envelope publisher (the Guide, chapter 2, "Pub-Sub Message Envelopes"): a PUB bound
// on tcp://*:5563 sends two-frame messages, the key ("A" or "B") in a frame of its own and the
// contents in the next, once a second each. A subscription matches the start of the first
// frame only, so a subscriber filters on the key without ever looking into the contents.
// Run: npx deno run -A examples/ch2/psenvpub.ts   or   npx bun examples/ch2/psenvpub.ts
// with ./psenvsub.ts.
// Arguments: [endpoint=tcp://*:5563] [interval ms=1000]. Stop it with Ctrl-C.
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { Publisher } from "../../mod.ts";

const [endpoint = "tcp://*:5563", intervalMs = "1000"] = process.argv.slice(2);

await using publisher = new Publisher();
await publisher.bind(endpoint);

for (;;) {
  // Write two messages, each with an envelope and content: one multipart message each
  await publisher.send(["A", "We don't want to see this"]);
  await publisher.send(["B", "We would like to see this"]);
  await sleep(Number(intervalMs));
}
