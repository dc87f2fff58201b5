// Freelance client, model one (the Guide, chapter 4, "Brokerless Reliability (Freelance
// Pattern)", "Model One: Simple Retry and Failover"): Lazy Pirate over several servers. It
// sends one request, "Hello world", to ./flserver1.ts servers, one at a time, each time on a
// new REQ socket that waits a second for the reply and is then thrown away. With one
// endpoint it tries that server three times; with several it tries each of them once, in
// the order given, and stops at the first that answers. Exit status 0 if one did, else 1.
// Run: npx deno run -A examples/ch4/flclient1.ts tcp://localhost:5555 tcp://localhost:5556
// (or npx bun …) with ./flserver1.ts running on one of them, or both.
// Arguments: endpoint… [--timeout ms=1000] [--retries 3 (one endpoint only)]
import process from "node:process";
import { parseArgs } from "node:util";
import { type Message, Request, ZmqError } from "../../mod.ts";

const { values, positionals: endpoints } = parseArgs({
  options: {
    timeout: { type: "string", default: "1000" },
    retries: { type: "string", default: "3" },
  },
  allowPositionals: true,
});
if (endpoints.length === 0) {
  console.log("I: syntax: flclient1.ts <endpoint> …");
  process.exit(0);
}

/** One try: a new REQ to `endpoint`, the request, at most `timeout` ms for the reply. */
async function tryRequest(endpoint: string, request: string): Promise<Message | undefined> {
  console.log(`I: trying echo service at ${endpoint}…`);
  const client = new Request({ receiveTimeout: Number(values.timeout), linger: 0 });
  client.connect(endpoint);
  try {
    await client.send(request);
    return await client.receive();
  } catch (e) {
    if (e instanceof ZmqError && e.code === "EAGAIN") return undefined; // no reply in time
    throw e;
  } finally {
    client.close(); // whatever happened, this socket is done with
  }
}

// One server: retry it. Several: each once, in turn.
const tries = endpoints.length === 1
  ? Array<string>(Number(values.retries)).fill(endpoints[0]!)
  : endpoints;
let reply: Message | undefined;
for (const endpoint of tries) {
  reply = await tryRequest(endpoint, "Hello world");
  if (reply !== undefined) break;
  console.log(`W: no response from ${endpoint}${endpoints.length === 1 ? ", retrying…" : ""}`);
}
if (reply !== undefined) {
  console.log(`I: service is running OK (${new TextDecoder().decode(reply[0])})`);
} else {
  console.log("E: no server answered");
  process.exitCode = 1;
}
