// High-speed subscriber (the Guide, chapter 5, "High-Speed Subscribers (Black Box Pattern)",
// which has no program of its own: this is its figure "The Simple Black Box Pattern"). A
// subscriber thread does nothing but read its SUB socket as fast as it can and hand each
// message to a PUSH socket; worker threads, each with a PULL, share the messages between them
// and do the work, so the reading never waits for it. Here the publisher is in the main
// thread: an XPUB bound on tcp://*:5556 that sends 100,000 messages of 100 bytes (a sequence
// number, then padding) as fast as it can, then an empty message to say it is over. At the
// end each thread's report is printed, messages and messages per second, then a check: each
// message reached exactly one worker, once (each worker notes the numbers it saw).
//
// The threads are Workers (node:worker_threads, which Deno, Bun and Node all have), this same
// file started again in another role. Threads, not tasks of one event loop: the pattern is
// about using more cores than one, and concurrent tasks would all share the main thread's.
// The Guide's workers reach the subscriber over inproc://, which cannot cross into a Worker
// (each is an isolate of its own): they use ipc:// here, in a fresh temporary directory.
// So that the count can be checked, nothing is lost on the way: the publisher waits for the
// subscriber's subscription before it starts, and its XPUB waits rather than drops when the
// subscriber falls behind (`noDrop`, ZMQ_XPUB_NODROP), as a replay of recorded data (the
// Guide's story) may; the subscriber subscribes only once all the workers are connected.
// Run: npx deno run -A examples/ch5/blackbox.ts   or   npx bun examples/ch5/blackbox.ts
// Arguments: [endpoint=tcp://*:5556] [workers=3] [messages=100000] [bytes=100]
import process from "node:process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isMainThread, Worker, workerData } from "node:worker_threads";
import { Pull, Push, Subscriber, XPublisher } from "../../mod.ts";

interface Role {
  role: "subscriber" | "worker";
  id: number; // a worker's number (from 1); the subscriber's is 0
  publisher: string;
  fanout: string; // subscriber → workers
  sink: string; // every thread → main: its report
  workers: number;
  messages: number;
}
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const end = new Uint8Array(0); // the empty message that closes the stream

if (isMainThread) await main();
else if ((workerData as Role).role === "subscriber") await subscriber(workerData as Role);
else await worker(workerData as Role);

/** Reads as fast as it can and passes everything on; then one end marker per worker. */
async function subscriber({ publisher, fanout, sink, workers }: Role): Promise<void> {
  await using push = new Push();
  let connected = 0;
  const ready = new Promise<void>((resolve) =>
    push.events.on("handshake", () => ++connected === workers && resolve())
  );
  await push.bind(fanout);
  await ready; // every worker is there: subscribe now, so that each gets its share
  await using sub = new Subscriber();
  sub.connect(publisher);
  sub.subscribe("");
  let count = 0;
  let start = 0;
  for await (const message of sub) {
    if (message[0]!.length === 0) break;
    if (count++ === 0) start = performance.now();
    await push.send(message);
  }
  const ms = performance.now() - start;
  // Once every worker's queue is empty, PUSH's round robin gives one marker to each
  while (push.gauges().queued > 0) await sleep(1);
  for (let n = 0; n < workers; n++) await push.send(end);
  await using report = new Push();
  report.connect(sink);
  await report.send(["0", String(count), String(ms), end]);
}

/** Takes its share, noting each message's number, until its end marker. */
async function worker({ id, fanout, sink, messages }: Role): Promise<void> {
  await using pull = new Pull();
  pull.connect(fanout);
  const seen = new Uint8Array(Math.ceil(messages / 8)); // a bit per message number
  let count = 0;
  let start = 0;
  for await (const [frame] of pull) {
    if (frame!.length === 0) break;
    if (count++ === 0) start = performance.now();
    const n = new DataView(frame!.buffer, frame!.byteOffset).getUint32(0);
    if (n < messages) seen[n >> 3]! |= 1 << (n & 7); // the "work"
  }
  const ms = count > 0 ? performance.now() - start : 0;
  await using report = new Push();
  report.connect(sink);
  await report.send([String(id), String(count), String(ms), seen]);
}

async function main(): Promise<void> {
  const [endpoint = "tcp://*:5556", workers = "3", messages = "100000", bytes = "100"] = process
    .argv.slice(2);
  const dir = mkdtempSync(join(tmpdir(), "blackbox-"));
  const role = {
    publisher: endpoint.replace("*", "localhost"),
    fanout: `ipc://${join(dir, "fanout.ipc")}`,
    sink: `ipc://${join(dir, "sink.ipc")}`,
    workers: Number(workers),
    messages: Number(messages),
  };
  await using sink = new Pull();
  await sink.bind(role.sink);
  await using publisher = new XPublisher({ noDrop: true });
  await publisher.bind(endpoint);

  const start = (data: Role) =>
    new Worker(new URL(import.meta.url), { workerData: data }).once("error", (e) => {
      console.error(`E: thread ${data.id} failed:`, e);
      process.exit(1);
    });
  const threads = [start({ ...role, role: "subscriber", id: 0 })];
  for (let id = 1; id <= role.workers; id++) threads.push(start({ ...role, role: "worker", id }));

  await publisher.receive(); // the subscriber's subscription: it and the workers are ready
  const began = performance.now();
  for (let n = 0; n < role.messages; n++) {
    const message = new Uint8Array(Math.max(4, Number(bytes)));
    new DataView(message.buffer).setUint32(0, n);
    await publisher.send(message);
  }
  await publisher.send(end);
  const ms = performance.now() - began;
  console.log(`Publisher: ${role.messages} messages in ${ms.toFixed(0)} ms`);

  // The reports, the subscriber's then each worker's: was every message seen exactly once?
  const reports: string[] = [];
  const union = new Uint8Array(Math.ceil(role.messages / 8));
  let total = 0; // messages the workers got, repeats included
  for (let r = 0; r <= role.workers; r++) {
    const [id, countFrame, tookFrame, seen] = await sink.receive();
    const [count, took] = [Number(text(countFrame)), Number(text(tookFrame))];
    const rate = took > 0 ? Math.round(count / (took / 1000)) : 0;
    const name = text(id) === "0" ? "Subscriber" : `Worker ${text(id)}`;
    reports[Number(text(id))] = `${name}: ${count} messages in ${
      took.toFixed(0)
    } ms, ${rate} msg/s`;
    if (name === "Subscriber") continue;
    total += count;
    for (let i = 0; i < union.length; i++) union[i]! |= seen![i]!;
  }
  for (const line of reports) console.log(line);
  let distinct = 0;
  for (let n = 0; n < role.messages; n++) if (union[n >> 3]! & (1 << (n & 7))) distinct++;
  if (distinct === role.messages && total === role.messages) {
    console.log(`All ${total} messages were counted, each by exactly one worker`);
  } else {
    console.log(`E: ${role.messages - distinct} messages missing, ${total - distinct} repeated`);
    process.exitCode = 1;
  }
  // Every report is in, so every thread is done: end them, as ../ch2/mtserver.ts does (under
  // Deno, a Worker that has closed its sockets and returned does not always exit by itself)
  await Promise.all(threads.map((t) => t.terminate()));
  rmSync(dir, { recursive: true, force: true });
}
