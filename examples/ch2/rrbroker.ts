// Simple request-reply broker (the Guide, chapter 2, "Shared Queue (DEALER and ROUTER
// sockets)"): a ROUTER bound on tcp://*:5559 for the clients (./rrclient.ts, REQ) and a DEALER
// bound on tcp://*:5560 for the workers (./rrworker.ts, REP). Requests go from the ROUTER to
// the DEALER, which shares them among the workers; replies come back the other way, and the
// identity frame the ROUTER put in front of each request takes a reply to its client.
// The broker is written out by hand here; ./msgqueue.ts is the same with the built-in proxy(),
// and from a shell `zmqkit proxy queue 'tcp://*:5559' 'tcp://*:5560'` does it too.
// Run: npx deno run -A examples/ch2/rrbroker.ts   or   npx bun examples/ch2/rrbroker.ts
// Arguments: [frontend=tcp://*:5559] [backend=tcp://*:5560]. Stop it with Ctrl-C.
import process from "node:process";
import { Dealer, Router } from "../../mod.ts";

const [front = "tcp://*:5559", back = "tcp://*:5560"] = process.argv.slice(2);

await using frontend = new Router();
await using backend = new Dealer();
await frontend.bind(front);
await backend.bind(back);

// The Guide's broker loops on zmq_poll over both sockets and, whichever is readable, moves
// every frame of one message (identity, empty delimiter, body: a multipart message) to the
// other. In an event-loop runtime there is nothing to poll: each socket gets its own loop that
// waits in receive(), and the two run side by side. A message is received and sent whole,
// so there is no RCVMORE/SNDMORE frame loop either.
async function forward(from: Router | Dealer, to: Router | Dealer): Promise<void> {
  for await (const message of from) await to.send(message);
}
await Promise.all([forward(frontend, backend), forward(backend, frontend)]);
