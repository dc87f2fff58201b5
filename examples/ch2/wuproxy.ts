// Weather update proxy (the Guide, chapter 2, "Transport Bridging"): an XSUB connects to the
// weather server (../ch1/wuserver.ts) on tcp://localhost:5556 and an XPUB binds tcp://*:8100
// for subscribers on another network; proxy() moves updates from XSUB to XPUB and, the other
// way, the subscriptions of the XPUB's subscribers up to the server, so that the server (or
// its own PUB) filters as if they had connected to it directly. Point ../ch1/wuclient.ts at
// tcp://localhost:8100. From a shell, zmqkit's command does the same:
// `zmqkit proxy forwarder connect:tcp://localhost:5556 'tcp://*:8100'`.
// Run: npx deno run -A examples/ch2/wuproxy.ts   or   npx bun examples/ch2/wuproxy.ts
// Arguments: [weather server=tcp://localhost:5556] [for subscribers=tcp://*:8100].
// Stop it with Ctrl-C.
import process from "node:process";
import { proxy, XPublisher, XSubscriber } from "../../mod.ts";

const [server = "tcp://localhost:5556", endpoint = "tcp://*:8100"] = process.argv.slice(2);

// This is where the weather server sits
await using frontend = new XSubscriber();
frontend.connect(server);

// This is our public endpoint for subscribers
await using backend = new XPublisher();
await backend.bind(endpoint);

// Run the proxy until the user interrupts us
await proxy(frontend, backend);
