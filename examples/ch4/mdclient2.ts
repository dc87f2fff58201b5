// Asynchronous Majordomo client (the Guide, chapter 4, "Asynchronous Majordomo Pattern"): the
// same 100,000 "Hello world" requests to "echo" as ./mdclient.ts, but all sent first and the
// replies taken afterwards, so the network round trip is paid once rather than per request;
// then "100000 replies received". zmqkit's MajordomoClient has both styles: send() and
// receive() here are the Guide's mdcliapi2, a DEALER adding the empty frame a REQ would. There
// is no recovery in this style: receive() gives up after 2.5 s without a reply (the count is
// then short, and the exit status 1), and a lost broker loses the requests in flight.
// Run: npx deno run -A examples/ch4/mdclient2.ts   or   npx bun examples/ch4/mdclient2.ts
// with ./mdbroker.ts and ./mdworker.ts.
// Arguments: [broker=tcp://localhost:5555] [requests=100000] [--timeout ms=2500]
import process from "node:process";
import { parseArgs } from "node:util";
import { MajordomoClient } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: { timeout: { type: "string", default: "2500" } },
  allowPositionals: true,
});
const [broker = "tcp://localhost:5555", requests = "100000"] = positionals;
const total = Number(requests);

// Replies start coming while requests are still going out: take them in without a limit, so
// that none has to wait (or be dropped) at the broker while we are busy sending.
const client = new MajordomoClient(broker, {
  timeout: Number(values.timeout),
  socketOptions: { receiveHighWaterMark: 0 },
});
for (let n = 0; n < total; n++) await client.send("echo", "Hello world");
let count = 0;
while (count < total) {
  const reply = await client.receive();
  if (reply === undefined) break; // nothing for a whole timeout
  count++;
}
console.log(`${count} replies received`);
client.close();
if (count < total) process.exitCode = 1;
