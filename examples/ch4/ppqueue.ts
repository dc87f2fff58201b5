// Paranoid Pirate queue (the Guide, chapter 4, "Robust Reliable Queuing (Paranoid Pirate
// Pattern)"): the Simple Pirate queue plus heartbeats, so that it finds out about dead
// workers by itself. Lazy Pirate clients (./lpclient.ts, REQ) connect to a ROUTER bound on
// tcp://*:5555, workers (./ppworker.ts, DEALER) to a ROUTER bound on tcp://*:5556, and they
// speak the Paranoid Pirate Protocol (6/PPP): one frame "\x01" is READY, one frame "\x02" a
// HEARTBEAT (both ways), anything longer a request ([client][""][body], to a worker) or a
// reply (the same, back). A line says when a worker is first heard from. Every second the
// queue sends each worker a heartbeat; a worker it hears nothing from in three seconds (any
// message counts) is dead: it is dropped, and a line says so. A request goes to the worker
// free longest; a reply frees its worker again. The queue keeps no request: one lost with its
// worker is sent again by the client.
// Unlike the Guide's loop, this one also tracks workers that are busy, so a worker that dies
// holding a request expires as well (the Guide's queue forgets a worker while it works), and
// a heartbeat from a busy worker does not make it free.
// Run: npx deno run -A examples/ch4/ppqueue.ts   or   npx bun examples/ch4/ppqueue.ts
// with a few ./ppworker.ts and ./lpclient.ts, in any order; it runs until Ctrl-C.
// Arguments: [frontend=tcp://*:5555] [backend=tcp://*:5556] [heartbeat interval ms=1000]
//            [liveness: heartbeats missed before a worker is dead=3]
import process from "node:process";
import { Router } from "../../mod.ts";

const [
  front = "tcp://*:5555",
  back = "tcp://*:5556",
  interval = "1000",
  liveness = "3",
] = process.argv.slice(2);
const READY = 0x01;
const HEARTBEAT = 0x02;
const EXPIRY = Number(interval) * Number(liveness); // silence after which a worker is dead

interface Worker {
  id: Uint8Array; // its routing id, as the backend ROUTER knows it
  expiry: number; // dead if nothing from it by then
}
const workers = new Map<string, Worker>(); // every live worker, by printable id
const free = new Map<string, Worker>(); // the free ones, longest free first (insertion order)
let wake = () => {}; // called when a worker becomes free

/** Printable id: our workers' "1A2B-3C4D" as is; others (a ROUTER's made-up ones) in hex. */
const name = (id: Uint8Array) =>
  id.every((b) => b >= 0x21 && b < 0x7f)
    ? new TextDecoder().decode(id)
    : Array.from(id, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();

await using frontend = new Router(); // for clients
await using backend = new Router(); // for workers
await frontend.bind(front);
await backend.bind(back);

function makeFree(key: string, worker: Worker): void {
  free.delete(key);
  free.set(key, worker); // to the end of the line
  wake();
}

/** Workers: any message is a sign of life; a reply also goes back to its client. */
async function fromWorkers(): Promise<void> {
  for await (const [id, ...body] of backend) {
    const key = name(id!);
    let worker = workers.get(key);
    if (worker === undefined) {
      worker = { id: id!, expiry: 0 };
      workers.set(key, worker);
      console.log(`I: worker (${key}) ready`);
      makeFree(key, worker); // a new worker, or one we had given up on: it can take a request
    }
    worker.expiry = Date.now() + EXPIRY;
    if (body.length === 1) {
      if (body[0]![0] === READY) makeFree(key, worker); // (re)started: whatever it had is lost
      else if (body[0]![0] !== HEARTBEAT) console.log(`E: invalid message from worker (${key})`);
    } else {
      await frontend.send(body); // [client][""][reply]
      makeFree(key, worker);
    }
  }
}

/** Clients: a request is taken only when some worker is free, and goes to the first of them. */
async function fromClients(): Promise<void> {
  for (;;) {
    while (free.size === 0) await new Promise<void>((resolve) => wake = resolve);
    const request = await frontend.receive(); // [client][""][request]
    // the worker we waited for may have expired meanwhile: wait for another
    while (free.size === 0) await new Promise<void>((resolve) => wake = resolve);
    const [key, worker] = free.entries().next().value!;
    free.delete(key);
    await backend.send([worker.id, ...request]);
  }
}

// Every interval: a heartbeat to every worker, and away with the ones that went silent.
const heartbeats = setInterval(() => {
  const now = Date.now();
  for (const [key, worker] of workers) {
    if (now >= worker.expiry) {
      workers.delete(key);
      free.delete(key);
      console.log(`W: worker (${key}) expired`);
    } else void backend.send([worker.id, new Uint8Array([HEARTBEAT])]);
  }
}, Number(interval));

try {
  await Promise.race([fromWorkers(), fromClients()]);
} finally {
  clearInterval(heartbeats);
}
