// Message queue broker (the Guide, chapter 2, "ZeroMQ's Built-In Proxy Function"): ./rrbroker.ts
// with its forwarding loops replaced by proxy(), zmqkit's zmq_proxy: a ROUTER bound on
// tcp://*:5559 for the clients (./rrclient.ts), a DEALER bound on tcp://*:5560 for the workers
// (./rrworker.ts), and messages moved whole both ways until a socket closes. From a shell,
// `zmqkit proxy queue 'tcp://*:5559' 'tcp://*:5560'` runs the same.
// Run: npx deno run -A examples/ch2/msgqueue.ts   or   npx bun examples/ch2/msgqueue.ts
// Arguments: [frontend=tcp://*:5559] [backend=tcp://*:5560]. Stop it with Ctrl-C.
import process from "node:process";
import { Dealer, proxy, Router } from "../../mod.ts";

const [front = "tcp://*:5559", back = "tcp://*:5560"] = process.argv.slice(2);

await using frontend = new Router(); // socket facing clients
await frontend.bind(front);
await using backend = new Dealer(); // socket facing services
await backend.bind(back);

await proxy(frontend, backend); // runs until a socket is closed
