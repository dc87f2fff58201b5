// Weather update server (the Guide, chapter 1, "Getting the Message Out"): a PUB socket bound
// on tcp://*:5556 publishes "zipcode temperature relhumidity" updates with random values, as
// fast as it can, for ever. A publisher does not wait for subscribers: with none, updates are
// dropped; a subscriber that joins late misses what went before (the "slow joiner").
// Run: npx deno run -A examples/ch1/wuserver.ts   or   npx bun examples/ch1/wuserver.ts
// Arguments: [endpoint…=tcp://*:5556], e.g. tcp://*:5556 ipc://weather.ipc to bind both as the
// Guide's does. Stop it with Ctrl-C.
import process from "node:process";
import { Publisher } from "../../mod.ts";

const endpoints = process.argv.length > 2 ? process.argv.slice(2) : ["tcp://*:5556"];
const randof = (n: number) => Math.floor(Math.random() * n);

await using publisher = new Publisher();
for (const endpoint of endpoints) await publisher.bind(endpoint);

for (;;) {
  // the Guide's ranges: any zipcode, -80..134 °F, 10..59 %
  const zipcode = String(randof(100_000)).padStart(5, "0");
  const temperature = randof(215) - 80;
  const relhumidity = randof(50) + 10;
  // a tight send loop still lets timers and I/O run, so subscribers can connect meanwhile
  await publisher.send(`${zipcode} ${temperature} ${relhumidity}`);
}
