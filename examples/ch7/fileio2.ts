// File transfer, model 2: one chunk per request (the Guide, chapter 7, "Transferring Files").
// The client (a DEALER) asks for each chunk, ["fetch", offset, size], and waits for it before
// asking for the next; the server (a ROUTER) reads that chunk and sends it. Memory can no
// longer run away (both sockets have a high-water mark of 1: there is never more than one
// chunk on its way), the client chooses the chunk size, and a transfer can be resumed from
// any offset or abandoned at any time. The price is a round trip per chunk, during which
// nothing moves: on a real network, where a round trip takes far longer than a chunk, that is
// most of the time; on loopback it shows with small chunks (--chunk-size 16KiB: compare the
// MiB/s of ./fileio3.ts on the same file). A chunk shorter than asked for is the last. Server and client run in one process, as in the Guide. Without
// --file, a test file of --size random bytes is made in a temporary directory (removed at exit).
// Run: npx deno run -A examples/ch7/fileio2.ts   or   npx bun examples/ch7/fileio2.ts
// Arguments: [endpoint=tcp://127.0.0.1:6000] [--file PATH] [--size 100MiB] [--chunk-size 250000]
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
  },
  allowPositionals: true,
});
const [endpoint = "tcp://127.0.0.1:6000"] = positionals;
/** "250000", "64KiB", "100MiB", "1GiB" in bytes. */
const bytes = (s: string) => {
  const m = /^(\d+)(KiB|MiB|GiB)?$/.exec(s);
  if (!m) throw new Error(`not a size: ${s}`);
  return Number(m[1]) * 1024 ** ["", "KiB", "MiB", "GiB"].indexOf(m[2] ?? "");
};
const chunkSize = bytes(values["chunk-size"]);
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
  const dir = await mkdtemp(join(tmpdir(), "fileio2-"));
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

/** Answers each ["fetch", offset, size] with that chunk of the file. */
async function server(router: Router, path: string): Promise<void> {
  await using file = await open(path, "r");
  for await (const [identity, _fetch, offset, size] of router) {
    if (!/^\d{1,15}$/.test(text(offset)) || !/^\d{1,15}$/.test(text(size))) continue; // not one
    const [at, n] = [Number(text(offset)), Math.min(Number(text(size)), 16 * 1024 ** 2)];
    const chunk = new Uint8Array(n);
    const { bytesRead } = await file.read(chunk, 0, n, at);
    await router.send([identity!, chunk.subarray(0, bytesRead)]);
  }
}

/** Asks for one chunk at a time, and for the next once it has it. */
async function client(connectTo: string): Promise<void> {
  await using dealer = new Dealer({ linger: 0, sendHighWaterMark: 1, receiveHighWaterMark: 1 });
  dealer.connect(connectTo);
  const hash = createHash("sha256");
  const start = performance.now();
  let [total, chunks] = [0, 0];
  for (;;) {
    await dealer.send(["fetch", String(total), String(chunkSize)]); // the next chunk, please
    const [chunk = new Uint8Array()] = await dealer.receive();
    chunks++;
    total += chunk.length;
    hash.update(chunk);
    if (chunk.length < chunkSize) break; // a short chunk is the last one
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(`${chunks} chunks received, ${total} bytes`);
  console.log(`sha256 ${hash.digest("hex")}`);
  console.log(`${seconds.toFixed(2)} s, ${MiB(total / seconds)} MiB/s, ${peakMemory()}`);
}

const made = values.file ? undefined : await makeTestFile(bytes(values.size));
const router = new Router({ sendHighWaterMark: 1, receiveHighWaterMark: 1 });
await router.bind(endpoint);
const serving = server(router, values.file ?? made!.path);
try {
  await client(router.lastEndpoint!);
} finally {
  router.close();
  await serving.catch(() => {}); // closed while sending: it is over anyway
  if (made) await rm(made.dir, { recursive: true, force: true });
}
