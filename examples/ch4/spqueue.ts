// Simple Pirate queue (the Guide, chapter 4, "Basic Reliable Queuing (Simple Pirate Pattern)"):
// the load-balancing broker of chapter 3, unchanged, between Lazy Pirate clients
// (./lpclient.ts, REQ) on a ROUTER bound on tcp://*:5555 and workers (./spworker.ts, REQ) on a
// ROUTER bound on tcp://*:5556. A worker says it is ready with one frame ("\x01"), then gets
// [client][""][request] and answers [client][""][reply]; each request goes to the worker that
// has been waiting longest. The queue itself has no reliability at all: a worker that dies
// with a request takes it along, and it is the client's timeout and resend that recovers, the
// resend going to another worker. The broker is zmqkit's LoadBalancingBroker; from a shell,
// `zmqkit broker lb 'tcp://*:5555' 'tcp://*:5556'` is the same queue.
// Run: npx deno run -A examples/ch4/spqueue.ts   or   npx bun examples/ch4/spqueue.ts
// with a few ./spworker.ts and ./lpclient.ts, in any order; it runs until Ctrl-C.
// Arguments: [frontend=tcp://*:5555] [backend=tcp://*:5556]
import process from "node:process";
import { LoadBalancingBroker, Router } from "../../mod.ts";

const [front = "tcp://*:5555", back = "tcp://*:5556"] = process.argv.slice(2);

await using frontend = new Router(); // for clients
await using backend = new Router(); // for workers
await frontend.bind(front);
await backend.bind(back);

// The Guide's poll loop: requests are taken from clients only while a worker is free, and
// anything a worker sends (its "ready" or a reply) puts it back at the end of the free list.
await new LoadBalancingBroker(frontend, backend).run();
