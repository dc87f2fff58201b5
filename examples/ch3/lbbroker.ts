// Load-balancing broker (the Guide, chapter 3, "A Load Balancing Message Broker"): REQ clients
// connect to a frontend ROUTER (ipc://frontend.ipc), REQ workers to a backend ROUTER
// (ipc://backend.ipc), and the broker passes each request to the worker that has been free
// longest, and each reply back to its client. The broker is zmqkit's LoadBalancingBroker, the
// Guide's loop as a library class; from a shell it is
// `zmqkit broker lb ipc://frontend.ipc ipc://backend.ipc`. What this file writes out is the
// two other sides, as the Guide runs them (in threads, here concurrent tasks):
// - a worker first sends "READY", then gets [client id][""][request] (its REQ took the
//   worker's own envelope off) and answers [client id][""][reply]: the envelope goes back;
// - a client is a plain REQ: it sends "HELLO" and gets "OK", and never sees an envelope.
// Clients and workers have readable routing ids only so the printout can name them.
// The ipc endpoints are socket files in the working directory, as in the Guide (whose Windows
// build uses tcp://*:5672 and tcp://*:5673 instead: pass those for tcp).
// Run: npx deno run -A examples/ch3/lbbroker.ts   or   npx bun examples/ch3/lbbroker.ts
// Arguments: [frontend=ipc://frontend.ipc] [backend=ipc://backend.ipc] [clients=10] [workers=3]
// It ends once its clients have their replies; with 0 clients it brokers for others until
// Ctrl-C (with 0 workers too, it is the broker alone).
import process from "node:process";
import { LoadBalancingBroker, Request, Router } from "../../mod.ts";

const [
  front = "ipc://frontend.ipc",
  back = "ipc://backend.ipc",
  clients = "10",
  workers = "3",
] = process.argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const local = (endpoint: string) => endpoint.replace("*", "localhost"); // where to connect

let finish = () => {};
const finished = new Promise<void>((resolve) => finish = resolve);

/** A client: one request, one reply. */
async function client(id: string): Promise<void> {
  await using socket = new Request({ routingId: id });
  socket.connect(local(front));
  await socket.send("HELLO");
  const [reply] = await socket.receive();
  console.log(`Client ${id}: ${text(reply)}`);
}

/** A worker: READY once, then a reply to each request, until the program ends. */
async function worker(id: string): Promise<void> {
  await using socket = new Request({ routingId: id });
  socket.connect(local(back));
  void finished.then(() => socket.close()); // ends the loop below
  await socket.send("READY"); // tell the broker we're ready for work
  for await (const [clientId, empty, request] of socket) {
    console.log(`Worker ${id}: ${text(request)} (for ${text(clientId)})`);
    await socket.send([clientId!, empty!, "OK"]); // the envelope first, then the reply
  }
}

await using frontend = new Router();
await frontend.bind(front);
await using backend = new Router();
await backend.bind(back);
const broker = new LoadBalancingBroker(frontend, backend);
const brokering = broker.run();

const working = Array.from({ length: Number(workers) }, (_, n) => worker(`worker-${n + 1}`));
if (Number(clients) === 0) await brokering; // runs until interrupted
await Promise.all(Array.from({ length: Number(clients) }, (_, n) => client(`client-${n + 1}`)));
broker.terminate();
finish();
await Promise.all([brokering, ...working]);
