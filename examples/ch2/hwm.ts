// High-water marks, with numbers (the Guide, chapter 2, "High-Water Marks"): a publisher with
// a send high-water mark of 100 messages and a subscriber with a receive high-water mark of
// 100 that does not read while 10,000 messages of 1,000 bytes go out; then the subscriber
// reads everything that reached it. A PUB never waits for a slow subscriber: once the queue
// for that subscriber holds its high-water mark, further messages are dropped, whole, and
// counted (`dropped`). It prints how many were sent, received and dropped (received + dropped
// = sent), and which numbers got through.
//
// It runs twice. Over inproc:// there is nothing between the two queues, so exactly the two
// high-water marks' worth arrive (100 + 100). Over tcp:// the kernel's buffers also hold
// messages in flight, the sending socket's and the receiving socket's, megabytes of them: more
// get through, how many depending on the system. (With messages of a few bytes, those buffers
// take a whole burst and nothing is dropped: try `hwm.ts tcp://127.0.0.1:* 100 10000 10`.)
//
// The publisher is an XPUB: a PUB that also hands its subscribers' subscriptions to the
// application, so it can wait until the subscriber's has arrived before it starts; otherwise
// the first messages would be lost for want of a subscriber (./slowjoiner.ts shows that).
// Run: npx deno run -A examples/ch2/hwm.ts   or   npx bun examples/ch2/hwm.ts
// Arguments: [endpoint=inproc://hwm, then tcp://127.0.0.1:*] [high-water mark=100]
//            [messages=10000] [bytes each=1000]
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { Subscriber, XPublisher } from "../../mod.ts";

const [endpoint, hwm = "100", count = "10000", size = "1000"] = process.argv.slice(2);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const padding = " ".repeat(Math.max(0, Number(size) - count.length));

/** Numbers as ranges: 0-99, 250-260. */
function ranges(numbers: number[]): string {
  const runs: string[] = [];
  for (let i = 0, start = 0; i < numbers.length; i++) {
    if (numbers[i + 1] === numbers[i]! + 1) continue;
    runs.push(start === i ? `${numbers[i]}` : `${numbers[start]}-${numbers[i]}`);
    start = i + 1;
  }
  return runs.length > 6 ? `${runs.slice(0, 6).join(", ")}…` : runs.join(", ");
}

async function measure(endpoint: string): Promise<void> {
  await using publisher = new XPublisher({ sendHighWaterMark: Number(hwm) });
  await publisher.bind(endpoint);
  await using subscriber = new Subscriber({ receiveHighWaterMark: Number(hwm) });
  subscriber.connect(publisher.lastEndpoint!);
  subscriber.subscribe("");
  await publisher.receive(); // the subscription: the subscriber is there

  // A burst the subscriber does not read: what does not fit is dropped.
  for (let n = 0; n < Number(count); n++) await publisher.send(`${n}${padding}`);

  // Now read everything that reached the subscriber…
  const received: number[] = [];
  const reading = (async () => {
    for await (const [message] of subscriber) {
      if (text(message) === "END") break;
      received.push(parseInt(text(message)));
    }
  })();
  // …and once the publisher's queue is empty, say it is over (END fits: it is not dropped).
  while (publisher.gauges().queued > 0) await sleep(1);
  await publisher.send("END");
  await reading;

  console.log(
    `${publisher.lastEndpoint}: sent ${count}, received ${received.length}, ` +
      `dropped ${publisher.dropped} (high-water marks ${hwm} + ${hwm})`,
  );
  console.log(`  received: ${ranges(received)}`);
}

for (const e of endpoint ? [endpoint] : ["inproc://hwm", "tcp://127.0.0.1:*"]) await measure(e);
