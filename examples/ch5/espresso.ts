// Pub-sub tracing (the Guide, chapter 5, "Pub-Sub Tracing (Espresso Pattern)"): a forwarding
// proxy, XSUB connected to a publisher on tcp://*:6000 and XPUB bound on tcp://*:6001, whose
// capture socket receives a copy of everything it moves, in both directions. A listener on the
// other end of that capture socket prints each frame as `[size] contents` (hex when binary):
// the subscriptions going up (`[002] 0141` is subscribe "A", `[002] 0041` its cancellation)
// and the updates coming down. Run it and the trace shows the subscriber's two subscriptions,
// the updates it gets, then its two cancellations once it has gone, after which the
// publisher's updates stop reaching the proxy: the publisher drops what nobody wants.
//
// As in the Guide, it is all one program: a publisher sending a random update ("A-52599",
// letters A to J) every 100 ms, a subscriber that wants "A" and "B", reads five updates and
// closes its socket, the proxy, and the listener. The Guide's threads are concurrent tasks of
// one event loop here, and the capture socket is a PAIR over inproc:// as its thread pipe is.
// The Guide then runs until Ctrl-C; this ends once the listener has seen every subscription
// cancelled.
// Run: npx deno run -A examples/ch5/espresso.ts   or   npx bun examples/ch5/espresso.ts
// Arguments: [publisher=tcp://*:6000] [proxy=tcp://*:6001] [updates=5] [interval ms=100]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { Pair, proxy, Publisher, Subscriber, XPublisher, XSubscriber } from "../../mod.ts";

const [
  pubEndpoint = "tcp://*:6000",
  proxyEndpoint = "tcp://*:6001",
  updates = "5",
  interval = "100",
] = process.argv.slice(2);
const local = (endpoint: string) => endpoint.replace("*", "localhost");
const random = (n: number) => Math.floor(Math.random() * n);
const printable = (frame: Uint8Array) => frame.every((b) => b >= 0x20 && b < 0x7f);
const hex = (frame: Uint8Array) =>
  Array.from(frame, (b) => b.toString(16).toUpperCase().padStart(2, "0")).join("");

let publishing = true;

/** Publishes "X-nnnnn" (X one of A to J) every interval until told to stop. */
async function publisherTask(): Promise<void> {
  await using publisher = new Publisher();
  await publisher.bind(pubEndpoint);
  while (publishing) {
    const letter = String.fromCharCode(65 + random(10));
    await publisher.send(`${letter}-${String(random(100_000)).padStart(5, "0")}`);
    await sleep(Number(interval));
  }
}

/** Wants "A" and "B", reads a few updates, then closes its socket (cancelling both). */
async function subscriberTask(): Promise<void> {
  await using subscriber = new Subscriber();
  subscriber.connect(local(proxyEndpoint));
  subscriber.subscribe("A", "B");
  for (let n = 0; n < Number(updates); n++) await subscriber.receive();
}

/** Prints every frame the proxy captures; ends once every subscription was cancelled. */
async function listenerTask(): Promise<void> {
  await using listener = new Pair();
  listener.connect("inproc://espresso-capture");
  const topics = new Set<string>(); // subscribed topics still live, as the trace shows them
  for await (const message of listener) {
    for (const frame of message) {
      const size = String(frame.length).padStart(3, "0");
      console.log(`[${size}] ${printable(frame) ? new TextDecoder().decode(frame) : hex(frame)}`);
    }
    // a subscription message is one frame: 1 (subscribe) or 0 (cancel), then the topic
    const [first] = message;
    if (message.length !== 1 || !first?.length || first[0]! > 1) continue;
    const topic = hex(first.subarray(1));
    if (first[0] === 1) topics.add(topic);
    else if (topics.delete(topic) && topics.size === 0) return; // the last one cancelled
  }
}

const publisher = publisherTask();
const subscriber = subscriberTask();

// The proxy: XSUB to the publisher, XPUB for subscribers, a PAIR capturing the traffic
await using frontend = new XSubscriber();
frontend.connect(local(pubEndpoint));
await using backend = new XPublisher();
await backend.bind(proxyEndpoint);
await using capture = new Pair();
await capture.bind("inproc://espresso-capture");
const listener = listenerTask();
const proxying = proxy(frontend, backend, { capture });

await subscriber;
await listener;
publishing = false;
frontend.close(); // ends the proxy
backend.close();
await Promise.all([proxying, publisher]);
