// Freelance server, model two (the Guide, chapter 4, "Brokerless Reliability (Freelance
// Pattern)", "Model Two: Brutal Shotgun Massacre"): a REP socket bound on the endpoint given
// that takes requests of two frames, a sequence number and a body, and answers each with the
// same sequence number and "OK", so that ./flclient2.ts, which fires every request at all
// its servers at once, can tell the reply to its current request from late ones. A request
// of any other shape is answered "ERROR" (a REP must answer before it can take the next;
// the Guide's server aborts instead). -v prints each request's sequence number;
// --hang-after N answers N requests, then takes the next and never answers again (a hung
// server: still connected, silent), so a test can kill it while it holds a request.
// Run: npx deno run -A examples/ch4/flserver2.ts tcp://*:5555   or   npx bun …
// then ./flclient2.ts tcp://localhost:5555 (and more endpoints); Ctrl-C ends it.
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
console.log(`I: service is ready at ${endpoint}`);

let answered = 0;
for await (const request of server) {
  if (request.length !== 2) {
    console.log(`E: bad request (${request.length} frames)`);
    await server.send("ERROR");
    continue;
  }
  const [sequence] = request;
  if (answered === hangAfter) {
    console.log(`I: hanging, holding request (${text(sequence)})`);
    await new Promise(() => setInterval(() => {}, 60_000)); // for ever: only a kill ends it
  }
  if (values.v) console.log(`I: request (${text(sequence)})`);
  await server.send([sequence!, "OK"]);
  answered++;
}
