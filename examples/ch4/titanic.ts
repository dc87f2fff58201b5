// Titanic (the Guide, chapter 4, "Disconnected Reliability (Titanic Pattern)"): requests kept
// on disk until a worker has answered them, however sporadically clients, workers and broker
// come and go. Titanic speaks the Titanic Service Protocol (TSP, RFC 9) over Majordomo: it is a
// worker, through the broker at tcp://localhost:5555 (./mdbroker.ts), of three services —
// `titanic.request` ([service][body…] → "200" and a UUID, once the request is on disk),
// `titanic.reply` ([UUID] → "200" and the reply, "300" while pending, "400" if unknown) and
// `titanic.close` ([UUID] → "200", the request and its reply deleted) — and it is a client
// of the real services: a dispatcher goes through the pending requests every second (and at
// once when one arrives), asks the broker with `mmi.service` whether the service has a
// worker, and if so sends the request (one try of 1 s) and stores the reply. One file per
// request (UUID.req) and per reply (UUID.rep), written whole then renamed into place, in the
// directory .titanic, and a queue file listing every UUID in order, "-" pending and "+" done.
// Killed and started again on the same directory, Titanic reads the queue and carries on with
// what was pending. Each part runs as a task of one event loop (the Guide's threads).
// Run: npx deno run -A examples/ch4/titanic.ts   or   npx bun examples/ch4/titanic.ts
// with ./mdbroker.ts, then ./ticlient.ts, then ./mdworker.ts; stop and restart any of them
// (a ticlient with --resume and the UUID it printed).
// Arguments: [broker=tcp://localhost:5555] [--dir .titanic] [--poll ms=1000]
//            [--timeout ms=1000] [--heartbeat ms=2500] [--liveness 3] [--reconnect ms=2500]
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { MajordomoClient, MajordomoWorker, type Message } from "../../mod.ts";

const { values, positionals } = parseArgs({
  options: {
    dir: { type: "string", default: ".titanic" },
    poll: { type: "string", default: "1000" },
    timeout: { type: "string", default: "1000" },
    heartbeat: { type: "string", default: "2500" },
    liveness: { type: "string", default: "3" },
    reconnect: { type: "string", default: "2500" },
  },
  allowPositionals: true,
});
const [broker = "tcp://localhost:5555"] = positionals;
const dir = values.dir;
const enc = new TextEncoder();
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const isUuid = (s: string) => /^[0-9A-F]{32}$/.test(s);

// ---- the disk: a frame file is each frame as a 4-byte length, then its bytes
const requestFile = (uuid: string) => join(dir, `${uuid}.req`);
const replyFile = (uuid: string) => join(dir, `${uuid}.rep`);
const queueFile = join(dir, "queue");
const LINE = 34; // "-" or "+", 32 hex digits, "\n"

/** Writes a file whole and durably: to a temporary name, synced, then renamed into place. */
function save(path: string, data: Uint8Array): void {
  const fd = fs.openSync(`${path}.tmp`, "w");
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(`${path}.tmp`, path);
}
function saveFrames(path: string, frames: Uint8Array[]): void {
  const out = new Uint8Array(frames.reduce((n, f) => n + 4 + f.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const f of frames) {
    view.setUint32(at, f.length);
    out.set(f, at + 4);
    at += 4 + f.length;
  }
  save(path, out);
}
function loadFrames(path: string): Uint8Array[] {
  const bytes = fs.readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Uint8Array[] = [];
  for (let at = 0; at + 4 <= bytes.length;) {
    const size = view.getUint32(at);
    frames.push(bytes.subarray(at + 4, at + 4 + size));
    at += 4 + size;
  }
  return frames;
}

// ---- the queue: read at start, rewritten with just the pending entries
fs.mkdirSync(dir, { recursive: true });
const pending: string[] = [];
const offsets = new Map<string, number>(); // where each pending UUID's line starts
if (fs.existsSync(queueFile)) {
  for (const line of fs.readFileSync(queueFile, "utf8").split("\n")) {
    const uuid = line.slice(1);
    if (line[0] === "-" && isUuid(uuid) && !offsets.has(uuid)) {
      offsets.set(uuid, pending.length * LINE);
      pending.push(uuid);
    }
  }
}
save(queueFile, enc.encode(pending.map((uuid) => `-${uuid}\n`).join("")));
let queueSize = pending.length * LINE;
console.log(`I: ${pending.length} pending request(s) in ${dir}`);

function enqueue(uuid: string): void {
  const fd = fs.openSync(queueFile, "a");
  try {
    fs.writeSync(fd, `-${uuid}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  offsets.set(uuid, queueSize);
  queueSize += LINE;
  pending.push(uuid);
}
function markDone(uuid: string): void {
  const fd = fs.openSync(queueFile, "r+");
  try {
    // (bytes, not the string form: Deno 2.9's writeSync(fd, string, position) ignores position)
    fs.writeSync(fd, enc.encode("+"), 0, 1, offsets.get(uuid)!);
  } finally {
    fs.closeSync(fd);
  }
  offsets.delete(uuid);
  pending.splice(pending.indexOf(uuid), 1);
}

// ---- the three TSP services, each a Majordomo worker of its own
const workers: MajordomoWorker[] = [];
function serve(name: string, handle: (body: Message) => (string | Uint8Array)[]): Promise<void> {
  const worker = new MajordomoWorker(broker, name, {
    heartbeatInterval: Number(values.heartbeat),
    liveness: Number(values.liveness),
    reconnectDelay: Number(values.reconnect),
    log: (line) => console.log(line.replace(/^(\w): /, `$1: ${name}: `)),
  });
  workers.push(worker);
  return (async () => {
    for await (const request of worker) {
      let reply: (string | Uint8Array)[];
      try {
        reply = handle(request.body);
      } catch (e) {
        console.log(`E: ${name}: ${e}`);
        reply = ["500"]; // the disk failed us: the client may try again later
      }
      await request.reply(reply);
    }
  })();
}
let woken = false; // a request has come since the dispatcher's last round
let endWait: (() => void) | undefined;
const wake = () => {
  woken = true;
  endWait?.();
};

const services = [
  serve("titanic.request", (body) => {
    const service = text(body[0]);
    if (body.length < 2 || service === "" || service.startsWith("titanic.")) return ["400"];
    const uuid = randomUUID().replaceAll("-", "").toUpperCase();
    saveFrames(requestFile(uuid), body); // [service][body…]
    enqueue(uuid);
    console.log(`I: request ${uuid} for ${service} stored`);
    wake();
    return ["200", uuid];
  }),
  serve("titanic.reply", (body) => {
    const uuid = text(body[0]).toUpperCase();
    if (body.length !== 1 || !isUuid(uuid)) return ["400"];
    if (fs.existsSync(replyFile(uuid))) return ["200", ...loadFrames(replyFile(uuid))];
    return [fs.existsSync(requestFile(uuid)) ? "300" : "400"];
  }),
  serve("titanic.close", (body) => {
    const uuid = text(body[0]).toUpperCase();
    if (body.length !== 1 || !isUuid(uuid)) return ["400"];
    fs.rmSync(requestFile(uuid), { force: true });
    fs.rmSync(replyFile(uuid), { force: true });
    return ["200"];
  }),
];

// ---- the dispatcher: each pending request to its service, if that has a worker now
const client = new MajordomoClient(broker, { timeout: Number(values.timeout), retries: 1 });
const waiting = new Set<string>(); // said once: "waits for its service"
let stopped = false;

/** True once the request is done with: answered and stored, or closed by its client. */
async function dispatch(uuid: string): Promise<boolean> {
  if (!fs.existsSync(requestFile(uuid))) return true; // closed before it was served
  const [service, ...body] = loadFrames(requestFile(uuid));
  const name = text(service);
  const lookup = await client.request("mmi.service", name);
  if (lookup === undefined || text(lookup[0]) !== "200") {
    if (!waiting.has(uuid)) console.log(`I: request ${uuid} waits for a worker of ${name}`);
    waiting.add(uuid);
    return false;
  }
  const reply = await client.request(name, body);
  if (reply === undefined) return false; // next time, then
  saveFrames(replyFile(uuid), reply);
  console.log(`I: reply to ${uuid} stored`);
  return true;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stopped = true;
    wake();
    for (const worker of workers) worker.close();
  });
}
while (!stopped) {
  for (const uuid of [...pending]) {
    if (stopped) break;
    try {
      if (await dispatch(uuid)) {
        markDone(uuid);
        waiting.delete(uuid);
      }
    } catch (e) {
      if (!stopped) console.log(`E: request ${uuid}: ${e}`);
    }
  }
  // until the next round: a second, or a new request
  if (!woken) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Number(values.poll));
      endWait = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  endWait = undefined;
  woken = false;
}
client.close();
await Promise.all(services);
