// Freelance server, model one (the Guide, chapter 4, "Brokerless Reliability (Freelance
// Pattern)", "Model One: Simple Retry and Failover"): a plain echo service, a REP socket
// bound on the endpoint given that sends every request back as its reply. Run one or more,
// each on its own endpoint, for ./flclient1.ts, which asks them one at a time until one
// answers. -v prints each request; --hang-after N answers N requests, then takes the next
// and never answers again (a hung server: still connected, silent), so a test can kill it
// while it holds a request.
// Run: npx deno run -A examples/ch4/flserver1.ts tcp://*:5555   or   npx bun …
// then ./flclient1.ts tcp://localhost:5555 (and more endpoints); Ctrl-C ends it.
// Arguments: [endpoint=tcp://*:5555] [-v] [--hang-after N]
import { parseArgs } from "node:util";
import { Reply } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: { v: { type: "boolean", default: false }, "hang-after": { type: "string" } },
  allowPositionals: true,
});
const [endpoint = "tcp://*:5555"] = positionals;
const hangAfter = values["hang-after"] === undefined ? -1 : Number(values["hang-after"]);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

await using server = new Reply();
await server.bind(endpoint);
console.log(`I: echo service is ready at ${endpoint}`);

let answered = 0;
for await (const request of server) {
  if (answered === hangAfter) {
    console.log(`I: hanging, holding request (${request.map(text).join("|")})`);
    await new Promise(() => setInterval(() => {}, 60_000)); // for ever: only a kill ends it
  }
  if (values.v) console.log(`I: request (${request.map(text).join("|")})`);
  await server.send(request);
  answered++;
}
