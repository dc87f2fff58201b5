// Request-reply client (the Guide, chapter 2, "Shared Queue (DEALER and ROUTER sockets)"): a REQ
// socket connects to the broker's frontend on tcp://localhost:5559 (not to a worker), sends
// "Hello" ten times and waits for each "World". Which worker answers is the broker's business.
// Run: npx deno run -A examples/ch2/rrclient.ts   or   npx bun examples/ch2/rrclient.ts
// with ./rrbroker.ts (or ./msgqueue.ts) and one or more ./rrworker.ts.
// Arguments: [broker frontend=tcp://localhost:5559] [requests=10]
import process from "node:process";
import { Request } from "../../mod.ts";

const [endpoint = "tcp://localhost:5559", requests = "10"] = process.argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

await using requester = new Request();
requester.connect(endpoint);

for (let n = 0; n < Number(requests); n++) {
  await requester.send("Hello");
  const [reply] = await requester.receive();
  console.log(`Received reply ${n} [${text(reply)}]`);
}
