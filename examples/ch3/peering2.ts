// Broker peering, the request flows (the Guide, chapter 3, "Prototyping the Local and Cloud
// Flows"): one broker of a cluster, with its own clients and workers. Four ROUTERs: localfe
// (ipc://<me>-localfe.ipc) for our clients, localbe (ipc://<me>-localbe.ipc) for our workers,
// cloudfe (ipc://<me>-cloud.ipc) for peer brokers, which are clients to it, and cloudbe,
// connected to every peer's cloudfe, to whom it hands requests as to workers. Both cloud sockets
// carry our name as routing id: peers address us by name. A client's request goes to a free
// local worker, else to a random peer (the Guide sends one in five to the cloud by chance, just
// to see it work; here the cloud takes what our workers cannot take now, which a test can bring
// about). A peer's request waits for one of our workers. A reply goes where its first frame
// says: a peer's name means cloudfe, anything else one of our clients.
// Clients and workers are async tasks with their own REQ sockets over ipc, where the Guide has
// threads: each waits in its own receive() and one event loop interleaves them, so Workers
// would only add module loads and message passing. For the Guide's "press Enter when all
// brokers are started", our clients start once our workers have checked in and cloudbe is
// connected to every peer.
// Run, in two shells in one directory:
//   npx deno run -A examples/ch3/peering2.ts me you   or   npx bun examples/ch3/peering2.ts me you
//   npx deno run -A examples/ch3/peering2.ts you me
// Arguments: me [peer…] [--clients 10] [--workers 3] [--requests n (per client; for ever)]
// [--pause ms=1000 (after each reply)]. It ends once its clients have had their n replies; a
// broker with no clients serves its peers until Ctrl-C.
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { type Message, Request, Router, type Socket, ZmqError } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    clients: { type: "string", default: "10" },
    workers: { type: "string", default: "3" },
    requests: { type: "string" },
    pause: { type: "string", default: "1000" },
  },
  allowPositionals: true,
});
const [self, ...peers] = positionals;
if (self === undefined) {
  console.log("usage: peering2.ts me [peer…] [--clients n] [--workers n] [--requests n]");
  process.exit(1);
}
const requests = values.requests === undefined ? Infinity : Number(values.requests);
const READY = "\x01"; // a worker's first message: it can take a request
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const tasks: Socket[] = []; // the clients' and workers' sockets, closed when we end

async function client(name: string): Promise<void> {
  const socket = new Request({ linger: 0 });
  tasks.push(socket);
  socket.connect(`ipc://${self}-localfe.ipc`);
  for (let n = 0; n < requests; n++) {
    await socket.send(`HELLO from ${name}`);
    const [reply] = await socket.receive();
    console.log(`${name}: ${text(reply)}`);
    if (n + 1 < requests) await sleep(Number(values.pause));
  }
}

async function worker(name: string): Promise<void> {
  const socket = new Request({ linger: 0 });
  tasks.push(socket);
  socket.connect(`ipc://${self}-localbe.ipc`);
  await socket.send(READY);
  // A REQ takes off only the empty frame it expects on top: below it comes the envelope the
  // broker keeps for the reply (addresses and their delimiter), then the body, last
  for await (const message of socket) {
    console.log(`${name}: ${text(message.at(-1))}`);
    await socket.send([...message.slice(0, -1), `OK from ${name}`]);
  }
}

await using cloudfe = new Router({ routingId: self, linger: 0 });
await cloudfe.bind(`ipc://${self}-cloud.ipc`);
// mandatory: a request for a peer that is not connected fails here instead of vanishing
await using cloudbe = new Router({ routingId: self, mandatory: true, linger: 0 });
for (const peer of peers) {
  console.log(`I: broker ${self}: connecting to ${peer}'s cloud frontend`);
  cloudbe.connect(`ipc://${peer}-cloud.ipc`);
}
await using localfe = new Router({ linger: 0 });
await localfe.bind(`ipc://${self}-localfe.ipc`);
await using localbe = new Router({ linger: 0 });
await localbe.bind(`ipc://${self}-localbe.ipc`);

// Idle local workers, longest idle first; a request waits here for one when it must
let checkedIn = 0;
const free: Uint8Array[] = [];
const wakers = new Set<() => void>();
const change = () => new Promise<void>((wake) => wakers.add(wake));
function changed(): void {
  const waiting = [...wakers];
  wakers.clear();
  waiting.forEach((wake) => wake());
}
async function takeWorker(): Promise<Uint8Array> {
  while (free.length === 0) await change();
  return free.shift()!;
}

// A reply for a peer goes back to it through cloudfe, the rest to our clients
const routeReply = (reply: Message) =>
  (peers.includes(text(reply[0])) ? cloudfe : localfe).send(reply);

// The backends: always read, as a reply also means a worker is free again
async function fromWorkers(): Promise<void> {
  for await (const [worker, , ...reply] of localbe) { // [worker, "", READY or a reply]
    free.push(worker!);
    const ready = reply.length === 1 && text(reply[0]) === READY;
    if (ready) checkedIn++;
    changed();
    if (!ready) await routeReply(reply);
  }
}
async function fromPeers(): Promise<void> {
  for await (const [, ...reply] of cloudbe) await routeReply(reply); // [peer, client…, reply]
}
// The frontends: a request is taken only when it has somewhere to go, else it stays queued
async function fromCloud(): Promise<void> {
  for await (const request of cloudfe) await localbe.send([await takeWorker(), "", ...request]);
}
async function fromClients(): Promise<void> {
  for await (const request of localfe) {
    if (free.length === 0 && peers.length > 0) {
      const peer = peers[Math.floor(Math.random() * peers.length)]!;
      try {
        await cloudbe.send([peer, ...request]);
        continue;
      } catch (e) {
        if (!(e instanceof ZmqError && e.code === "EHOSTUNREACH")) throw e;
        console.log(`W: ${peer} is gone, the request waits for a worker of ours`);
      }
    }
    await localbe.send([await takeWorker(), "", ...request]);
  }
}
const run = (task: Promise<void>) =>
  task.catch((e) => {
    if (!(e instanceof ZmqError && e.code === "ETERM")) throw e; // ETERM: we are closing
  });

[fromWorkers(), fromPeers(), fromCloud()].forEach(run);
for (let n = 1; n <= Number(values.workers); n++) run(worker(`${self}-w${n}`));
while (checkedIn < Number(values.workers)) await change();
// cloudbe connected to every peer: a request for one not there yet would fail
while (cloudbe.gauges().peers < peers.length) await sleep(100);
console.log(`I: broker ${self}: workers and peers are there`);
run(fromClients());
const clients = Number(values.clients);
if (clients === 0) await new Promise(() => {}); // serve the peers until stopped
await Promise.all(Array.from({ length: clients }, (_, n) => client(`${self}-c${n + 1}`)));
console.log(`I: broker ${self}: the clients are done`);
tasks.forEach((socket) => socket.close()); // then ours, on leaving this scope
