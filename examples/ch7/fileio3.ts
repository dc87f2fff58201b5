// File transfer, model 3: credit-based flow control (the Guide, chapter 7, "Transferring
// Files"). The client asks for the file a chunk at a time, ["fetch", offset, size], but does
// not wait for each answer: it keeps `pipeline` requests out (its credit), and each chunk that
// arrives buys one more request. The server (a ROUTER) reads and sends exactly one chunk per
// request, so it never holds more than `pipeline` chunks for a client, however fast it reads
// and however slow the client is: memory stays bounded on both sides (chunk size × pipeline,
// 2.5 MB by default), the pipe stays full, and the client alone sets the pace and the chunk
// size. A chunk shorter than asked for is the last. Compare ./fileio1.ts (no flow control: the
// server queues the whole file) and ./fileio2.ts (one request at a time: bounded but slow).
//
// `both` runs the server and the client in one process, as the Guide does; `server` and
// `client` run them apart (start several clients: each gets the whole file). Without --file,
// the server makes a test file of --size random bytes in a temporary directory (removed at
// exit). The client prints the chunks and bytes received, their SHA-256, the time taken and
// its peak memory (VmHWM, where /proc has it); --out also writes what it received to a file.
// The server ignores requests for more than --max-chunk bytes at once, and drops chunks for a
// client that asks for more than twice its own --pipeline ahead (its ROUTER's HWM: a sanity
// check, as in the Guide); it says how many chunks it sent and dropped when it stops.
// Run: npx deno run -A examples/ch7/fileio3.ts   or   npx bun examples/ch7/fileio3.ts
//      or: fileio3.ts server --file big.iso   and, elsewhere,   fileio3.ts client --out copy.iso
// Arguments: [both|server|client] [endpoint=tcp://*:6000] [--file PATH] [--size 100MiB]
//            [--chunk-size 250000] [--pipeline 10] [--out PATH] [--max-chunk 16MiB]
import { createHash } from "node:crypto";
import { mkdtemp, open, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { Dealer, Router } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    file: { type: "string" },
    size: { type: "string", default: "100MiB" },
    "chunk-size": { type: "string", default: "250000" },
    pipeline: { type: "string", default: "10" },
    out: { type: "string" },
    "max-chunk": { type: "string", default: "16MiB" },
  },
  allowPositionals: true,
});
const [role = "both", endpoint = "tcp://*:6000"] = positionals;
/** "250000", "64KiB", "100MiB", "1GiB" in bytes. */
const bytes = (s: string) => {
  const m = /^(\d+)(KiB|MiB|GiB)?$/.exec(s);
  if (!m) throw new Error(`not a size: ${s}`);
  return Number(m[1]) * 1024 ** ["", "KiB", "MiB", "GiB"].indexOf(m[2] ?? "");
};
const chunkSize = bytes(values["chunk-size"]);
const pipeline = Number(values.pipeline);
const maxChunk = bytes(values["max-chunk"]);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const MiB = (n: number) => (n / 1024 ** 2).toFixed(1);

/** Peak resident memory of this process: VmHWM where /proc has it, else the current RSS. */
function peakMemory(): string {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"))![1];
    return `peak memory ${MiB(Number(kb) * 1024)} MiB`;
  } catch {
    return `memory ${MiB(process.memoryUsage().rss)} MiB`;
  }
}

/** Writes `size` random bytes to a new file in a new temporary directory, 1 MiB at a time. */
async function makeTestFile(size: number): Promise<{ path: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "fileio3-"));
  const path = join(dir, "testdata");
  await using file = await open(path, "w");
  const block = new Uint8Array(1024 * 1024);
  for (let at = 0; at < size; at += block.length) {
    for (let i = 0; i < block.length; i += 65536) {
      crypto.getRandomValues(block.subarray(i, i + 65536));
    }
    await file.write(block, 0, Math.min(block.length, size - at));
  }
  return { path, dir };
}

let sent = 0;

/** Answers each ["fetch", offset, size] with that chunk of the file, until the socket closes. */
async function server(router: Router, path: string): Promise<void> {
  await using file = await open(path, "r");
  for await (const [identity, command, offset, size, ...more] of router) {
    const [at, n] = [Number(text(offset)), Number(text(size))];
    const numbers = /^\d{1,15}$/.test(text(offset)) && /^\d{1,15}$/.test(text(size));
    if (text(command) !== "fetch" || !numbers || more.length > 0) {
      console.log(`W: not a fetch request, ignored`);
      continue;
    }
    if (n > maxChunk) {
      console.log(`W: a fetch of ${n} bytes, over --max-chunk ${maxChunk}: ignored`);
      continue;
    }
    const chunk = new Uint8Array(n);
    const { bytesRead } = await file.read(chunk, 0, n, at);
    await router.send([identity!, chunk.subarray(0, bytesRead)]);
    sent++;
  }
}

/** Fetches the whole file with `pipeline` requests in flight; returns when it has it all. */
async function client(connectTo: string): Promise<void> {
  await using dealer = new Dealer({ linger: 0 });
  dealer.connect(connectTo);
  await using out = values.out ? await open(values.out, "w") : undefined;
  const hash = createHash("sha256");
  const start = performance.now();
  let [credit, offset, total, chunks] = [pipeline, 0, 0, 0];
  for (;;) {
    while (credit > 0) {
      // ask for the next chunk: the request itself is the credit
      await dealer.send(["fetch", String(offset), String(chunkSize)]);
      offset += chunkSize;
      credit--;
    }
    const [chunk = new Uint8Array()] = await dealer.receive();
    chunks++;
    credit++; // that chunk's request is spent: one more may go out
    total += chunk.length;
    hash.update(chunk);
    await out?.write(chunk);
    if (chunk.length < chunkSize) break; // a short chunk is the last one
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(`${chunks} chunks received, ${total} bytes`);
  console.log(`sha256 ${hash.digest("hex")}`);
  console.log(`${seconds.toFixed(2)} s, ${MiB(total / seconds)} MiB/s, ${peakMemory()}`);
}

const connectTo = endpoint.replace("*", "127.0.0.1");
if (role === "client") {
  await client(connectTo);
} else if (role === "server" || role === "both") {
  const made = values.file ? undefined : await makeTestFile(bytes(values.size));
  const path = values.file ?? made!.path;
  // A client never has more chunks coming than its credit, so the ROUTER's queue for it never
  // holds more: the HWM (twice --pipeline) is only a sanity check against a greedy client.
  const router = new Router({ sendHighWaterMark: 2 * pipeline });
  await router.bind(endpoint);
  const stop = () => router.close();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.log(`I: serving ${path} on ${router.lastEndpoint}`);
  const serving = server(router, path);
  if (role === "both") {
    await client(router.lastEndpoint!);
    router.close();
  }
  await serving.catch((e) => {
    if ((e as { code?: string }).code !== "ETERM") throw e; // closed while sending
  });
  if (made) await rm(made.dir, { recursive: true, force: true });
  // dropped: chunks the ROUTER could not queue (a client asking beyond its credit)
  const counts = `${sent} chunks sent, ${router.dropped} dropped`;
  if (role === "server") console.log(`I: server done, ${counts}, ${peakMemory()}`);
} else {
  console.error(`unknown role "${role}": both, server or client`);
  process.exit(2);
}
