// The slow joiner, with numbers (the Guide, chapter 1, "Getting the Message Out", and chapter
// 2, "Node Coordination"): a publisher that starts publishing the moment it has bound, while a
// subscriber is connecting to it. Connecting, the handshake and the subscription's trip to
// the publisher take a little while, and whatever the publisher sends before the subscription
// arrives goes to nobody: the subscriber misses the first messages, however fast everything
// is. Here the publisher sends a numbered message every millisecond, and the first number the
// subscriber sees is how many it missed.
//
// Then the fix: the publisher is an XPUB, which hands it each subscription as a message, and it
// waits for the subscriber's before it starts, so the subscriber gets number 0. Other fixes:
// ./syncpub.ts and ./syncsub.ts (the subscriber says over REQ-REP that it has subscribed; the
// way with many subscribers or several processes), or the Guide's crude sleep before
// publishing, which usually works and proves nothing.
// Run: npx deno run -A examples/ch2/slowjoiner.ts   or   npx bun examples/ch2/slowjoiner.ts
// Arguments: [endpoint=tcp://127.0.0.1:*] [messages at most=1000]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { Publisher, Subscriber, XPublisher } from "../../mod.ts";

const [endpoint = "tcp://127.0.0.1:*", messages = "1000"] = process.argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

/** Publishes 0, 1, 2… a millisecond apart until `subscriber` gets one; returns its number. */
async function firstHeard(
  publisher: Publisher | XPublisher,
  subscriber: Subscriber,
): Promise<number | undefined> {
  let first: number | undefined;
  const heard = subscriber.receive().then(([m]) => first = Number(text(m)), () => undefined);
  for (let n = 0; n < Number(messages) && first === undefined; n++) {
    await publisher.send(String(n));
    await sleep(1);
  }
  subscriber.close(); // if nothing was heard, this ends the receive (ETERM)
  await heard;
  return first;
}

{
  // Publish at once
  await using publisher = new Publisher();
  await publisher.bind(endpoint);
  await using subscriber = new Subscriber();
  subscriber.connect(publisher.lastEndpoint!);
  subscriber.subscribe("");
  const first = await firstHeard(publisher, subscriber);
  console.log(
    first === undefined
      ? `Publishing at once: the subscriber missed all ${messages} messages`
      : `Publishing at once: the subscriber missed the first ${first} messages`,
  );
}

{
  // Wait for the subscription, then publish
  await using publisher = new XPublisher();
  await publisher.bind(endpoint);
  await using subscriber = new Subscriber();
  subscriber.connect(publisher.lastEndpoint!);
  subscriber.subscribe("");
  await publisher.receive(); // [ "\x01" + topic ]: the subscription has arrived
  const first = await firstHeard(publisher, subscriber);
  console.log(`Waiting for the subscription first: the subscriber missed ${first ?? messages}`);
}
