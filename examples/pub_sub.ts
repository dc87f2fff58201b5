// Publish-subscribe over inproc with prefix filtering: only "weather." topics get through.
// Run: npx deno run -A examples/pub_sub.ts   or   npx bun examples/pub_sub.ts
import { Publisher, Subscriber } from "../mod.ts";

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const pub = new Publisher();
await pub.bind("inproc://feed");
const sub = new Subscriber();
sub.connect("inproc://feed");
sub.subscribe("weather.");

await pub.send(["sports.football", "3-1"]);
await pub.send(["weather.paris", "sunny"]);
const [topic, body] = await sub.receive();
console.log(text(topic), text(body));
pub.close();
sub.close();
