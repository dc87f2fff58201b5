// File transfer, model 1: no flow control (the Guide, chapter 7, "Transferring Files"). The
// client (a DEALER) says "fetch" once; the server (a ROUTER) reads the whole file and sends
// it chunk after chunk without waiting, then an empty chunk to say it is done. It works, but
// only because the ROUTER's send high-water mark is 0 (no limit): the server reads far faster
// than the network carries, so nearly all of the file ends up queued in its memory — compare
// the peak memory printed here with ./fileio3.ts's. With a limit (--hwm 1000, the default of
// sockets) the ROUTER drops what does not fit: chunks go missing, and if the empty one is
// among them the client waits for ever (here: gives up after --timeout ms); either way it
// says so and exits 1. Server and client run in one process, as in the Guide.
// Without --file, a test file of --size random bytes is made in a temporary directory
// (removed at exit).
// Run: npx deno run -A examples/ch7/fileio1.ts   or   npx bun examples/ch7/fileio1.ts
// Arguments: [endpoint=tcp://127.0.0.1:6000] [--file PATH] [--size 100MiB]
//            [--chunk-size 250000] [--hwm 0] [--timeout 10000]
import { createHash } from "node:crypto";
import { mkdtemp, open, rm } from "node:fs/promises";
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
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
    hwm: { type: "string", default: "0" },
    timeout: { type: "string", default: "10000" },
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
  const dir = await mkdtemp(join(tmpdir(), "fileio1-"));
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

/**
 * On "fetch", sends the whole file, chunk after chunk, then an empty chunk. It reads as the
 * Guide's fread does, synchronously: as fast as the disk (or the page cache) goes.
 */
async function server(router: Router, path: string): Promise<void> {
  const fd = openSync(path, "r");
  try {
    for await (const [identity] of router) {
      for (let at = 0;; at += chunkSize) {
        const chunk = new Uint8Array(chunkSize);
        const size = readSync(fd, chunk, 0, chunkSize, at);
        await router.send([identity!, chunk.subarray(0, size)]); // no HWM: never waits, queues
        if (size === 0) break; // always end with an empty chunk
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Says "fetch" and takes chunks until the empty one. */
async function client(connectTo: string): Promise<void> {
  await using dealer = new Dealer({ linger: 0, receiveTimeout: Number(values.timeout) });
  dealer.connect(connectTo);
  const hash = createHash("sha256");
  const start = performance.now();
  await dealer.send("fetch");
  let [total, chunks] = [0, 0];
  for (;;) {
    const [chunk = new Uint8Array()] = await dealer.receive();
    chunks++;
    total += chunk.length;
    hash.update(chunk);
    if (chunk.length === 0) break; // the whole file is here
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(`${chunks} chunks received, ${total} bytes`);
  console.log(`sha256 ${hash.digest("hex")}`);
  console.log(`${seconds.toFixed(2)} s, ${MiB(total / seconds)} MiB/s, ${peakMemory()}`);
}

const made = values.file ? undefined : await makeTestFile(bytes(values.size));
const router = new Router({ sendHighWaterMark: Number(values.hwm) });
await router.bind(endpoint);
const serving = server(router, values.file ?? made!.path);
try {
  await client(router.lastEndpoint!);
  if (router.dropped > 0) {
    console.log(`E: the server dropped ${router.dropped} chunks: that was not the whole file`);
    process.exitCode = 1;
  }
} catch (e) {
  // with a high-water mark, the ROUTER drops chunks: if the empty one is lost, it never ends
  console.log(`E: ${(e as Error).message}; the server dropped ${router.dropped} chunks`);
  process.exitCode = 1;
} finally {
  router.close();
  await serving.catch(() => {}); // closed while sending: it is over anyway
  if (made) await rm(made.dir, { recursive: true, force: true });
}
