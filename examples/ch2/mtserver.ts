// Multithreaded Hello World server (the Guide, chapter 2, "Multithreading with ZeroMQ"): a
// ROUTER bound on tcp://*:5555 for the clients (../ch1/hwclient.ts, any REQ), a DEALER for the
// workers, and proxy() between them; five worker threads, each with a REP socket, answer
// "World" after a second of work, so five clients are served at once.
//
// The threads are Workers (node:worker_threads, which Deno, Bun and Node all have): this one
// file is the main thread and, started again as a Worker, each worker. The Guide's workers
// reach the DEALER over inproc://, which works between threads of one libzmq context. A
// Worker is a separate JavaScript isolate with a module graph of its own, so inproc://, which
// lives in one isolate's memory, cannot cross into it: the workers connect over ipc:// instead,
// a socket file in a fresh temporary directory, removed when the server stops.
// Run: npx deno run -A examples/ch2/mtserver.ts   or   npx bun examples/ch2/mtserver.ts
// then ../ch1/hwclient.ts, several at once. Stop it with Ctrl-C.
// Arguments: [endpoint=tcp://*:5555] [workers=5] [work ms=1000]
import process from "node:process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isMainThread, Worker, workerData } from "node:worker_threads";
import { Dealer, proxy, Reply, Router } from "../../mod.ts";

interface WorkerData {
  endpoint: string;
  id: number;
  workMs: number;
}
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

if (isMainThread) await main();
else await worker(workerData as WorkerData);

/** One worker thread: a REP socket connected to the DEALER, one request at a time. */
async function worker({ endpoint, id, workMs }: WorkerData): Promise<void> {
  await using receiver = new Reply();
  receiver.connect(endpoint);
  for await (const [request] of receiver) {
    console.log(`Worker ${id}: Received request: [${text(request)}]`);
    await sleep(workMs); // do some 'work'
    await receiver.send("World"); // send the reply back to the client
  }
}

async function main(): Promise<void> {
  const [endpoint = "tcp://*:5555", workerCount = "5", workMs = "1000"] = process.argv.slice(2);
  const dir = mkdtempSync(join(tmpdir(), "mtserver-"));
  const workersEndpoint = `ipc://${join(dir, "workers.ipc")}`;

  const clients = new Router(); // socket to talk to clients
  await clients.bind(endpoint);
  const workers = new Dealer(); // socket to talk to the workers
  await workers.bind(workersEndpoint);

  // Say when every worker has connected (their handshakes with the DEALER).
  let connected = 0;
  const onHandshake = () => {
    if (++connected === Number(workerCount)) {
      console.log(`${connected} workers connected over ${workersEndpoint}`);
    }
  };
  workers.events.on("handshake", onHandshake);

  // Launch the pool of worker threads: this same file, as a Worker.
  const threads = Array.from({ length: Number(workerCount) }, (_, i) => {
    const data: WorkerData = { endpoint: workersEndpoint, id: i + 1, workMs: Number(workMs) };
    return new Worker(new URL(import.meta.url), { workerData: data });
  });

  // Ctrl-C or SIGTERM closes both sockets, which ends the proxy.
  const stop = () => {
    clients.close();
    workers.close();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  // Connect the worker threads to the clients through a queue.
  await proxy(clients, workers);

  console.log("Stopping the workers");
  await Promise.all(threads.map((t) => t.terminate()));
  workers.events.off("handshake", onHandshake);
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await Promise.all([clients.closed, workers.closed]);
  rmSync(dir, { recursive: true, force: true });
}
