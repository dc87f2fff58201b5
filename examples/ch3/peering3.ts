// Broker peering, the whole cluster simulation (the Guide, chapter 3, "Putting it All
// Together"): one broker of a cluster of brokers, with its clients and workers, run as one
// process per broker. It joins ./peering1.ts's state flow and ./peering2.ts's request flows:
//   - state: a PUB at ipc://<me>-state.ipc tells the peers [our name, free workers] whenever
//     that number changes (and once a second, for peers that joined late); a SUB on every
//     peer's state keeps what each of them last said;
//   - local and cloud: ROUTERs localfe, localbe, cloudfe (ipc://<me>-cloud.ipc) and cloudbe, as
//     in peering2. A client's request goes to a free local worker, else to a peer picked at
//     random among those that said they have free workers, else it waits (in the socket's
//     queue) for either. We count a request sent to a peer off what it said, until it speaks
//     again, and forget what it said once that is 3 s old, so that a peer that has vanished
//     soon gets no more work (the remedy the Guide suggests). A peer's request waits for one
//     of our workers;
//   - monitor: clients do not print; they PUSH their news to a PULL at ipc://<me>-monitor.ipc
//     and the broker prints it: each task done, and by which worker; "E: CLIENT EXIT - lost
//     task …" when a reply is 10 s late (the client gives up then, as the Guide's does);
//     "I: CLIENT EXIT - …" when a client has had its --requests done.
// Clients send bursts of 0 to 14 requests (a random 4-digit hex task id each) after pauses of
// up to 5 s, so that at times the local workers are all busy and tasks move to the cloud;
// workers take 0 or 1 s a task. Clients and workers are async tasks of this process with their
// own sockets over ipc, where the Guide has threads (see peering2).
// Run, in three shells in one directory:
//   npx deno run -A examples/ch3/peering3.ts DC1 DC2 DC3   or   npx bun examples/ch3/peering3.ts …
//   npx deno run -A examples/ch3/peering3.ts DC2 DC1 DC3
//   npx deno run -A examples/ch3/peering3.ts DC3 DC1 DC2
// Arguments: me [peer…] [--clients 10] [--workers 5] [--requests n (per client; for ever)]
// [--pause ms=5000 (most a client waits before a burst)] [--work ms=1000 (a slow task)]
// [--timeout ms=10000 (before a task is lost)]. Once every client has exited (its n tasks
// done, or one lost) the broker ends; a broker with no clients serves its peers until Ctrl-C.
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import {
  type Message,
  Publisher,
  Pull,
  Push,
  Request,
  Router,
  type Socket,
  Subscriber,
  ZmqError,
} from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    clients: { type: "string", default: "10" },
    workers: { type: "string", default: "5" },
    requests: { type: "string" },
    pause: { type: "string", default: "5000" },
    work: { type: "string", default: "1000" },
    timeout: { type: "string", default: "10000" },
  },
  allowPositionals: true,
});
const [self, ...peers] = positionals;
if (self === undefined) {
  console.log("usage: peering3.ts me [peer…] [--clients n] [--workers n] [--requests n] …");
  process.exit(1);
}
const [clients, workers] = [Number(values.clients), Number(values.workers)];
const requests = values.requests === undefined ? Infinity : Number(values.requests);
const READY = "\x01"; // a worker's first message: it can take a request
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const randomInt = (below: number) => Math.floor(Math.random() * below);
const tasks: Socket[] = []; // the clients' and workers' sockets, closed when we end

async function client(name: string): Promise<void> {
  const socket = new Request({ linger: 0, receiveTimeout: Number(values.timeout) });
  const monitor = new Push();
  tasks.push(socket, monitor);
  socket.connect(`ipc://${self}-localfe.ipc`);
  monitor.connect(`ipc://${self}-monitor.ipc`);
  let done = 0;
  while (done < requests) {
    await sleep(randomInt(Number(values.pause)));
    for (let burst = randomInt(15); burst > 0 && done < requests; burst--, done++) {
      const task = randomInt(0x10000).toString(16).toUpperCase().padStart(4, "0");
      await socket.send(task);
      const reply = await socket.receive().catch((e) => {
        if (e instanceof ZmqError && e.code === "EAGAIN") return undefined; // too late
        throw e;
      });
      if (reply === undefined) return monitor.send(`E: CLIENT EXIT - lost task ${task} (${name})`);
      const [answer, worker] = reply.map(text);
      if (answer !== task) throw new Error(`${name} sent task ${task}, got ${answer} back`);
      await monitor.send(`${name}: task ${task} done by ${worker}`);
    }
  }
  await monitor.send(`I: CLIENT EXIT - ${name} has had its ${done} tasks done`);
}

async function worker(name: string): Promise<void> {
  const socket = new Request({ linger: 0 });
  tasks.push(socket);
  socket.connect(`ipc://${self}-localbe.ipc`);
  await socket.send(READY);
  for await (const request of socket) { // [envelope…, task]: all of it goes back, and our name
    await sleep(randomInt(2) * Number(values.work));
    await socket.send([...request, name]);
  }
}

await using localfe = new Router({ linger: 0 });
await localfe.bind(`ipc://${self}-localfe.ipc`);
await using localbe = new Router({ linger: 0 });
await localbe.bind(`ipc://${self}-localbe.ipc`);
await using cloudfe = new Router({ routingId: self, linger: 0 });
await cloudfe.bind(`ipc://${self}-cloud.ipc`);
await using cloudbe = new Router({ routingId: self, mandatory: true, linger: 0 });
await using statebe = new Publisher({ linger: 0 });
await statebe.bind(`ipc://${self}-state.ipc`);
await using statefe = new Subscriber();
statefe.subscribe();
for (const peer of peers) {
  console.log(`I: broker ${self}: connecting to ${peer}'s cloud frontend and state`);
  cloudbe.connect(`ipc://${peer}-cloud.ipc`);
  statefe.connect(`ipc://${peer}-state.ipc`);
}
await using monitor = new Pull();
await monitor.bind(`ipc://${self}-monitor.ipc`);

// Idle local workers, longest idle first, and what each peer last said it had
let checkedIn = 0;
const free: Uint8Array[] = [];
const cloud = new Map<string, { free: number; at: number }>();
const cloudFree = (peer: string) => {
  const said = cloud.get(peer);
  return said !== undefined && Date.now() - said.at < 3000 ? said.free : 0;
};
// A request that must wait, waits for a change: a worker back, or news from a peer. Every
// change is also news for our peers, once the turn's changes are all made.
const wakers = new Set<() => void>();
let [announcing, announced] = [false, -1];
const change = () => new Promise<void>((wake) => wakers.add(wake));
function changed(): void {
  const waiting = [...wakers];
  wakers.clear();
  waiting.forEach((wake) => wake());
  if (!announcing) queueMicrotask(announce);
  announcing = true;
}
function announce(): void {
  announcing = false;
  if (free.length !== announced) tell();
}
function tell(): void {
  announced = free.length;
  statebe.send([self!, String(announced)]).catch(() => {}); // a PUB never waits; closed: no matter
}
const beat = setInterval(tell, 1000);

async function takeWorker(): Promise<Uint8Array> {
  while (free.length === 0) await change();
  changed(); // one fewer free
  return free.shift()!;
}

const routeReply = (reply: Message) =>
  (peers.includes(text(reply[0])) ? cloudfe : localfe).send(reply);

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
async function fromState(): Promise<void> {
  for await (const [peer, said] of statefe) {
    cloud.set(text(peer), { free: Number(text(said)), at: Date.now() });
    changed();
  }
}
async function fromCloud(): Promise<void> {
  for await (const request of cloudfe) await localbe.send([await takeWorker(), "", ...request]);
}
async function fromClients(): Promise<void> {
  for await (const request of localfe) {
    for (;;) {
      if (free.length > 0) {
        await localbe.send([await takeWorker(), "", ...request]);
        break;
      }
      const able = peers.filter((peer) => cloudFree(peer) > 0);
      if (able.length > 0) {
        const peer = able[randomInt(able.length)]!;
        cloud.get(peer)!.free--; // one less, until it tells us again
        try {
          await cloudbe.send([peer, ...request]);
          break;
        } catch (e) {
          if (!(e instanceof ZmqError && e.code === "EHOSTUNREACH")) throw e;
          cloud.delete(peer); // not connected (any more): wait till it speaks again
          continue;
        }
      }
      await change();
    }
  }
}
let exited = 0;
let allExited = () => {};
async function fromMonitor(): Promise<void> {
  for await (const [news] of monitor) {
    console.log(text(news));
    if (text(news).includes("CLIENT EXIT") && ++exited === clients) allExited();
  }
}
const run = (task: Promise<void>) =>
  task.catch((e) => {
    if (!(e instanceof ZmqError && e.code === "ETERM")) throw e; // ETERM: we are closing
  });

[fromWorkers(), fromPeers(), fromState(), fromCloud(), fromMonitor()].forEach(run);
for (let n = 1; n <= workers; n++) run(worker(`${self}-w${n}`));
while (checkedIn < workers) await change();
// cloudbe connected to every peer: a request for one not there yet would fail
while (cloudbe.gauges().peers < peers.length) await sleep(100);
console.log(`I: broker ${self}: workers and peers are there`);
run(fromClients());
if (clients === 0) await new Promise(() => {}); // serve the peers until stopped
await new Promise<void>((resolve) => {
  allExited = resolve;
  for (let n = 1; n <= clients; n++) run(client(`${self}-c${n}`));
});
console.log(`I: broker ${self}: every client has exited`);
clearInterval(beat);
tasks.forEach((socket) => socket.close()); // then ours, on leaving this scope
