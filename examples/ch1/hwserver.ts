// Hello World server (the Guide, chapter 1, "Ask and Ye Shall Receive"): a REP socket bound on
// tcp://*:5555 answers each "Hello" with "World", after a second of pretend work. Pair it with
// hwclient.ts, or with the Guide's hwclient in any other language.
// Run: npx deno run -A examples/ch1/hwserver.ts   or   npx bun examples/ch1/hwserver.ts
// Arguments: [endpoint=tcp://*:5555] [requests to serve, then exit=0 (for ever)] [work ms=1000]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { Reply } from "../../mod.ts";

const [endpoint = "tcp://*:5555", requests = "0", workMs = "1000"] = process.argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

await using responder = new Reply();
await responder.bind(endpoint);

let served = 0;
// A REP socket answers one request at a time: receive, then send the reply, then the next.
for await (const [request] of responder) {
  console.log(`Received ${text(request)}`);
  await sleep(Number(workMs)); // do some 'work'
  await responder.send("World");
  if (++served === Number(requests)) break;
}
// leaving the module closes the socket (`await using`) once the last reply is out
