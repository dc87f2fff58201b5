// Service discovery over Majordomo (the Guide, chapter 4, "Service Discovery"): asks the
// broker at tcp://localhost:5555 (./mdbroker.ts) whether the "echo" service has a worker, with
// a request to the broker's own `mmi.service` (the Majordomo Management Interface, RFC 8),
// and prints "Lookup echo service: 200" (a worker is registered) or "... 404" (none). Try it
// with and without ./mdworker.ts running. The broker answers mmi.* requests itself; the
// client is zmqkit's MajordomoClient, so no broker means three tries of 2.5 s, then an error
// line and exit status 1.
// Run: npx deno run -A examples/ch4/mmiecho.ts   or   npx bun examples/ch4/mmiecho.ts
// Arguments: [broker=tcp://localhost:5555] [service=echo] [--timeout ms=2500] [--retries 3]
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
const [broker = "tcp://localhost:5555", service = "echo"] = positionals;

const client = new MajordomoClient(broker, {
  timeout: Number(values.timeout),
  retries: Number(values.retries),
});
// the request names the service looked up; the reply is its status code
const reply = await client.request("mmi.service", service);
if (reply !== undefined) {
  console.log(`Lookup ${service} service: ${new TextDecoder().decode(reply[0])}`);
} else {
  console.log(`E: no reply from the broker at ${broker}: is it running?`);
  process.exitCode = 1;
}
client.close();
