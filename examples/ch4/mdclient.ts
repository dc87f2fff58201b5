// Majordomo client (the Guide, chapter 4, "Service-Oriented Reliable Queuing (Majordomo
// Pattern)"): 100,000 synchronous requests "Hello world" to the "echo" service through the
// broker at tcp://localhost:5555 (./mdbroker.ts, with ./mdworker.ts behind it), one at a time,
// then "100000 requests/replies processed". All of the Majordomo Protocol is in zmqkit's
// MajordomoClient (the Guide's mdcliapi): request() waits 2.5 s for each reply; with none it
// throws its socket away, connects a new one and sends the request again, three tries in all
// (the lines it logs say so), and then gives up: the count printed is then short, and the exit
// status 1. Each reply must be the request echoed back.
// Run: npx deno run -A examples/ch4/mdclient.ts   or   npx bun examples/ch4/mdclient.ts
// Arguments: [broker=tcp://localhost:5555] [requests=100000] [--timeout ms=2500] [--retries 3]
import process from "node:process";
import { parseArgs } from "node:util";
import { MajordomoClient } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    timeout: { type: "string", default: "2500" },
    retries: { type: "string", default: "3" },
  },
  allowPositionals: true,
});
const [broker = "tcp://localhost:5555", requests = "100000"] = positionals;

const client = new MajordomoClient(broker, {
  timeout: Number(values.timeout),
  retries: Number(values.retries),
  log: console.log,
});
let count = 0;
while (count < Number(requests)) {
  const reply = await client.request("echo", "Hello world");
  if (reply === undefined) break; // every try went unanswered
  const text = reply.map((f) => new TextDecoder().decode(f));
  if (text.length !== 1 || text[0] !== "Hello world") {
    console.log(`E: unexpected reply: ${JSON.stringify(text)}`);
    break;
  }
  count++;
}
console.log(`${count} requests/replies processed`);
client.close();
if (count < Number(requests)) process.exitCode = 1;
