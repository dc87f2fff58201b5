// Multithreaded relay (the Guide, chapter 2, "Signaling Between Threads (PAIR Sockets)"):
// three stages in three threads, each telling the next it is ready over a PAIR socket. The
// main thread (step 3) binds its PAIR and starts step 2; step 2 binds its own and starts step
// 1; step 1 connects to step 2 and sends "READY"; step 2, once it has that, connects to step 3
// and sends "READY"; step 3 prints "Test successful!". PAIR suits this: exactly one peer on
// each side, and nothing lost or reordered between them.
//
// The threads are Workers (node:worker_threads, which Deno, Bun and Node all have), this same
// file started again with the step to play. The Guide's stages use inproc://, which works
// between threads of one libzmq context; a Worker is a separate JavaScript isolate, and
// inproc:// cannot leave the isolate it lives in, so the stages talk over ipc:// (socket files
// in a fresh temporary directory, removed at the end). Over ipc:// (or tcp://) a connect
// before the bind is retried, so the Guide's "bind before starting the next thread" only keeps
// the order of its story here.
// Run: npx deno run -A examples/ch2/mtrelay.ts   or   npx bun examples/ch2/mtrelay.ts
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMainThread, Worker, workerData } from "node:worker_threads";
import { Pair } from "../../mod.ts";

interface Stage {
  step: 1 | 2;
  dir: string;
}
const endpoint = (dir: string, step: number) => `ipc://${join(dir, `step${step}.ipc`)}`;
const start = (stage: Stage) => new Worker(new URL(import.meta.url), { workerData: stage });

if (isMainThread) await step3();
else if ((workerData as Stage).step === 2) await step2((workerData as Stage).dir);
else await step1((workerData as Stage).dir);

async function step1(dir: string): Promise<void> {
  // Connect to step 2 and tell it we're ready
  await using xmitter = new Pair();
  xmitter.connect(endpoint(dir, 2));
  console.log("Step 1 ready, signaling step 2");
  await xmitter.send("READY");
} // closing waits until READY is delivered

async function step2(dir: string): Promise<void> {
  // Bind our PAIR before starting step 1
  const receiver = new Pair();
  await receiver.bind(endpoint(dir, 2));
  const thread = start({ step: 1, dir });

  // Wait for the signal and pass it on
  await receiver.receive();
  receiver.close();
  await once(thread, "exit"); // and step 1's thread has ended (a pthread_join)

  // Connect to step 3 and tell it we're ready
  await using xmitter = new Pair();
  xmitter.connect(endpoint(dir, 3));
  console.log("Step 2 ready, signaling step 3");
  await xmitter.send("READY");
}

async function step3(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mtrelay-"));

  // Bind our PAIR before starting step 2
  const receiver = new Pair();
  await receiver.bind(endpoint(dir, 3));
  const thread = start({ step: 2, dir });

  // Wait for the signal
  await receiver.receive();
  receiver.close();
  await once(thread, "exit");
  await receiver.closed;
  rmSync(dir, { recursive: true, force: true });
  console.log("Test successful!");
}
