// Broker peering, the state flow alone (the Guide, chapter 3, "Prototyping the State Flow"):
// each broker of a cluster of brokers tells its peers how many of its workers are free, and
// hears the same from them. A PUB bound at ipc://<me>-state.ipc sends two frames, our name
// then a number (random here, 0 to 9: there are no workers yet), once a second; a SUB,
// subscribed to everything and connected to ipc://<peer>-state.ipc for each peer, prints
// "<peer> - <n> workers free" for every such message. The name travels in the message because
// a subscriber cannot tell which publisher sent what, and a peer will later need it to send us
// work. The ipc paths are relative: run the brokers of one cluster in the same directory.
// (The Guide sends its state only after a second without incoming state; a fixed beat, as here,
// is simpler and as quiet.)
// Run, in three shells in one directory:
//   npx deno run -A examples/ch3/peering1.ts DC1 DC2 DC3   or   npx bun examples/ch3/peering1.ts …
//   npx deno run -A examples/ch3/peering1.ts DC2 DC1 DC3
//   npx deno run -A examples/ch3/peering1.ts DC3 DC1 DC2
// Arguments: me [peer…] [--interval ms=1000] [--count n]. With --count it ends by itself: once
// it has printed n states from every peer (and no more), it goes on publishing for n more
// beats, so that the peers still counting hear from it too, then exits. Else Ctrl-C stops it.
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { Publisher, Subscriber } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: { interval: { type: "string", default: "1000" }, count: { type: "string" } },
  allowPositionals: true,
});
const [self, ...peers] = positionals;
if (self === undefined) {
  console.log("usage: peering1.ts me [peer…] [--interval ms] [--count n]");
  process.exit(1);
}
const interval = Number(values.interval);
const count = values.count === undefined ? Infinity : Number(values.count);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

console.log(`I: broker ${self}: publishing its state at ipc://${self}-state.ipc`);
// The state backend: what we tell the peers
await using statebe = new Publisher();
await statebe.bind(`ipc://${self}-state.ipc`);

// The state frontend: what the peers tell us. No routing id on it: a subscriber that came
// back under an old identity would get the state queued for it while it was away, stale.
await using statefe = new Subscriber();
statefe.subscribe();
for (const peer of peers) {
  console.log(`I: listening to ${peer}'s state at ipc://${peer}-state.ipc`);
  statefe.connect(`ipc://${peer}-state.ipc`);
}

// How many states each peer sent; with --count, the beats left once all have sent enough
const heard = new Map(peers.map((peer) => [peer, 0]));
let beatsLeft = count;
const heardEnough = () => [...heard.values()].every((n) => n >= count);

// Publishing and listening are two loops side by side (no zmq_poll: each waits on its own)
async function publish(): Promise<void> {
  while (!statefe.isClosed) {
    await sleep(interval);
    const free = Math.floor(Math.random() * 10);
    await statebe.send([self!, String(free)]);
    if (heardEnough() && --beatsLeft <= 0) statefe.close(); // ends the listening loop too
  }
}

async function listen(): Promise<void> {
  for await (const [name, free] of statefe) {
    const peer = text(name);
    const n = (heard.get(peer) ?? 0) + 1;
    heard.set(peer, n);
    if (n <= count) console.log(`${peer} - ${text(free)} workers free`);
  }
}

await Promise.all([publish(), listen()]);
