// Weather update client (the Guide, chapter 1, "Getting the Message Out"): a SUB socket
// connects to tcp://localhost:5556, subscribes to one zipcode and averages the temperature of
// the next 100 updates for it. A subscription is a prefix match on the message: hence the
// trailing space in "10001 ", so that it does not also take zipcode 100012's updates… if there
// were six-digit zipcodes. (At the Guide's rates one zipcode in 100 000 takes a while: give a
// shorter prefix such as "1" to see it finish at once.)
// Run: npx deno run -A examples/ch1/wuclient.ts   or   npx bun examples/ch1/wuclient.ts
// Arguments: [endpoint=tcp://localhost:5556] [zipcode prefix="10001 "] [updates=100]
import process from "node:process";
import { Subscriber } from "../../mod.ts";

const [endpoint = "tcp://localhost:5556", filter = "10001 ", updates = "100"] = process.argv
  .slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

console.log("Collecting updates from weather server…");
await using subscriber = new Subscriber();
subscriber.connect(endpoint);
subscriber.subscribe(filter); // without a subscription a SUB socket receives nothing

let total = 0;
let received = 0;
for await (const [update] of subscriber) {
  const [_zipcode, temperature, _relhumidity] = text(update).split(" ");
  total += Number(temperature);
  if (++received === Number(updates)) break;
}
console.log(`Average temperature for zipcode '${filter}' was ${Math.trunc(total / received)}F`);
