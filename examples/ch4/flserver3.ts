// Freelance server, model three (the Guide, chapter 4, "Brokerless Reliability (Freelance
// Pattern)", "Model Three: Complex and Nasty"): a ROUTER speaking the Freelance Protocol
// (RFC 10/FLP) to ./flclient3.ts's ROUTER. Two ROUTERs can only talk once one knows the
// other's routing id, so this server takes as its routing id the endpoint its clients
// connect to (the bind endpoint with "*" read as "localhost", or the second argument): the
// client, which knows that endpoint, can address the server as soon as it has connected.
// Each message is [client][control][body…]: "PING" is answered [client]["PONG"], anything
// else [client][control]["OK"] (the control frame, the client's sequence number, sent back
// as is). One socket, no threads, any number of clients. -v prints each request (pings
// too); --hang-after N answers N requests, then takes the next and answers nothing ever
// again, pings included (a hung server: still connected, silent), so a test can kill it while
// it holds a request.
// Run: npx deno run -A examples/ch4/flserver3.ts tcp://*:5555   or   npx bun …
// three times, on 5555, 5556 and 5557, then ./flclient3.ts; kill one or two of them.
// Arguments: [bind endpoint=tcp://*:5555] [connect endpoint, its routing id] [-v]
//            [--hang-after N]
import { parseArgs } from "node:util";
import { Router } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: { v: { type: "boolean", default: false }, "hang-after": { type: "string" } },
  allowPositionals: true,
});
const [bindTo = "tcp://*:5555", identity = bindTo.replace("*", "localhost")] = positionals;
const hangAfter = values["hang-after"] === undefined ? -1 : Number(values["hang-after"]);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

await using server = new Router({ routingId: identity });
await server.bind(bindTo);
console.log(`I: service is ready at ${bindTo} (as ${identity})`);

let answered = 0;
for await (const [client, control] of server) {
  if (control === undefined) continue; // [client] alone: nothing to answer
  if (text(control) === "PING") {
    if (values.v) console.log("I: ping");
    await server.send([client!, "PONG"]);
    continue;
  }
  if (answered === hangAfter) {
    console.log(`I: hanging, holding request (${text(control)})`);
    await new Promise(() => setInterval(() => {}, 60_000)); // for ever: only a kill ends it
  }
  if (values.v) console.log(`I: request (${text(control)})`);
  await server.send([client!, control, "OK"]);
  answered++;
}
