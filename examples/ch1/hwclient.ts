// Hello World client (the Guide, chapter 1, "Ask and Ye Shall Receive"): a REQ socket connects
// to tcp://localhost:5555, sends "Hello" ten times and waits for each "World". Start it before
// or after hwserver.ts: a connect succeeds either way, and the request waits for the server.
// Run: npx deno run -A examples/ch1/hwclient.ts   or   npx bun examples/ch1/hwclient.ts
// Arguments: [endpoint=tcp://localhost:5555] [requests=10]
import process from "node:process";
import { Request } from "../../mod.ts";

const [endpoint = "tcp://localhost:5555", requests = "10"] = process.argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

console.log("Connecting to hello world server…");
await using requester = new Request();
requester.connect(endpoint);

for (let n = 0; n < Number(requests); n++) {
  console.log(`Sending Hello ${n}…`);
  await requester.send("Hello");
  const [reply] = await requester.receive(); // REQ: strictly send, receive, send, receive…
  console.log(`Received ${text(reply)} ${n}`);
}
