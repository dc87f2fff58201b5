// SPDX-License-Identifier: MIT
/**
 * Proxy throughput: zmqkit's Proxy against zeromq.js's Proxy (libzmq's zmq_proxy_steerable on
 * its own thread, under Node), each in a process of its own, with the same producer and
 * consumer for both.
 *
 *   bun bench/proxy_bench.ts [COUNT] [SIZE] [--ends zeromq.js|zmqkit] [--host bun|deno]
 *                            [--runs N] [--hwm N]                (deno run -A works too)
 *
 * --ends picks the producer and consumer: zeromq.js under Node (the default), or zmqkit under
 * Bun (bench/peers/proxy_peers_zmqkit.ts), fast enough that the proxy sets the rate. --host is
 * the runtime of the zmqkit proxy (bun, the runtime of the `zmqkit` binary, by default).
 *
 * Kinds: queue (ROUTER/DEALER; a DEALER producer, a DEALER consumer) and forwarder
 * (XSUB/XPUB; a PUB producer, a SUB consumer), over ipc. The proxies' sockets have the
 * high-water mark --hwm (1000 by default, libzmq's default and what `zmqkit proxy` uses; 0 is
 * none); the ends have none. A forwarder's XPUB drops what exceeds its high-water mark, as
 * libzmq's does; what did not arrive is reported. Two numbers per run:
 * - rate: messages over the consumer's first-to-last time;
 * - CPU per message: the proxy process's user + system time (all its threads, from
 *   /proc/PID/stat) while it moved the messages, over the count. On a machine whose cores
 *   producer, proxy and consumer share, the rate is what the three make together; the CPU a
 *   proxy spends per message is its own cost, and 1 / that is the rate it could hold on a
 *   core of its own.
 * Runs are interleaved (every kind and proxy once, then again), and the order of the two
 * proxies alternates from run to run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PEERS = fileURLToPath(new URL("./peers/proxy_peers.mjs", import.meta.url));
const ZMQKIT_PEERS = fileURLToPath(new URL("./peers/proxy_peers_zmqkit.ts", import.meta.url));
const BIN = fileURLToPath(new URL("../node_modules/.bin/", import.meta.url));
const NODE = process.env.ZMQKIT_NODE ?? "node";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1]! : fallback;
const positional = args.filter((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
const COUNT = Number(positional[0] ?? 200_000);
const SIZE = Number(positional[1] ?? 100);
const ENDS = flag("--ends", "zeromq.js");
const HOST = flag("--host", "bun");
const RUNS = Number(flag("--runs", "3"));
const HWM = Number(flag("--hwm", "1000"));
if (
  !["zeromq.js", "zmqkit"].includes(ENDS) || !["bun", "deno"].includes(HOST) || !(RUNS > 0) ||
  !(HWM >= 0)
) {
  console.error(
    "usage: proxy_bench.ts [COUNT] [SIZE] [--ends zeromq.js|zmqkit] " +
      "[--host bun|deno] [--runs N] [--hwm N]",
  );
  process.exit(2);
}

type Impl = "zmqkit" | "zeromq.js";
type Kind = "queue" | "forwarder";

type Running = { child: ChildProcess; out: Promise<string> };

/** Runs a peer script, collecting its standard output until it exits. */
function run(cmd: string, args: string[]): Running {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (d) => out += d);
  return { child, out: new Promise((r) => child.once("exit", () => r(out))) };
}

/** A proxy (zmqkit's on --host) or, for zeromq.js, any peer. */
function start(impl: Impl, args: string[]): Running {
  if (impl === "zeromq.js") return run(NODE, [PEERS, ...args]);
  return HOST === "deno"
    ? run(BIN + "deno", ["run", "-A", ZMQKIT_PEERS, ...args])
    : run(BIN + "bun", [ZMQKIT_PEERS, ...args]);
}

/** The ends always run on Bun for zmqkit, whatever hosts the proxy. */
function startEnd(args: string[]): Running {
  return ENDS === "zeromq.js"
    ? run(NODE, [PEERS, ...args])
    : run(BIN + "bun", [ZMQKIT_PEERS, ...args]);
}

/** User + system CPU seconds of a process, all threads (fields 14 and 15 of /proc/PID/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

let n = 0;
const ep = (name: string) => `ipc:///tmp/zmqkit-proxy-bench-${process.pid}-${n++}-${name}`;

interface Result {
  rate: number;
  cpuUs: number;
  lost: number;
}

async function measure(kind: Kind, impl: Impl): Promise<Result> {
  const front = ep("front"), back = ep("back");
  const proxy = start(impl, ["proxy", kind, front, back, String(HWM)]);
  await new Promise<void>((resolve) => {
    proxy.child.stdout!.on("data", (d) => String(d).includes("ready") && resolve());
  });
  const cpu0 = cpuSeconds(proxy.child.pid!);
  const consumer = startEnd(["consume", kind === "queue" ? "dealer" : "sub", back, String(COUNT)]);
  const producer = startEnd([
    "produce",
    kind === "queue" ? "dealer" : "pub",
    front,
    String(COUNT),
    String(SIZE),
  ]);
  const result = JSON.parse(await consumer.out) as { received: number; ms: number };
  const cpu = cpuSeconds(proxy.child.pid!) - cpu0;
  producer.child.kill();
  proxy.child.stdin!.end();
  proxy.child.kill("SIGKILL"); // zeromq.js's Proxy.run() does not always let the process end
  await proxy.out;
  return {
    lost: COUNT - result.received,
    rate: Math.round(result.received / (result.ms / 1000)),
    cpuUs: (cpu * 1e6) / result.received,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const k = (x: number) => `${Math.round(x / 1000)}k`;

console.log(
  `proxy throughput, ${COUNT} messages of ${SIZE} bytes over ipc, ${ENDS} producer and ` +
    `consumer, zmqkit proxy on ${HOST}, proxy high-water marks ${HWM || "none"}, ${RUNS} runs`,
);
console.log("run kind       impl           msg/s   proxy CPU µs/msg   not arrived");
const results = new Map<string, Result[]>();
for (let run = 1; run <= RUNS; run++) {
  for (const kind of ["queue", "forwarder"] as const) {
    const impls: Impl[] = run % 2 ? ["zmqkit", "zeromq.js"] : ["zeromq.js", "zmqkit"];
    for (const impl of impls) {
      const r = await measure(kind, impl);
      const key = `${kind} ${impl}`;
      results.set(key, [...(results.get(key) ?? []), r]);
      console.log(
        `${String(run).padStart(3)} ${kind.padEnd(10)} ${impl.padEnd(10)} ` +
          `${String(r.rate).padStart(9)} ${r.cpuUs.toFixed(2).padStart(10)} ` +
          `${String(r.lost).padStart(13)}`,
      );
    }
  }
}
console.log("\nmedians (zmqkit ÷ zeromq.js: rate, and the CPU libzmq's proxy spends per zmqkit's)");
for (const kind of ["queue", "forwarder"] as const) {
  const z = results.get(`${kind} zmqkit`)!, l = results.get(`${kind} zeromq.js`)!;
  const zr = median(z.map((r) => r.rate)), lr = median(l.map((r) => r.rate));
  const zc = median(z.map((r) => r.cpuUs)), lc = median(l.map((r) => r.cpuUs));
  console.log(
    `${kind.padEnd(10)} rate ${k(zr)} vs ${k(lr)} (${(zr / lr).toFixed(2)}×), ` +
      `CPU ${zc.toFixed(2)} vs ${lc.toFixed(2)} µs/msg (${(lc / zc).toFixed(2)}×; ` +
      `${k(1e6 / zc)} vs ${k(1e6 / lc)} msg per CPU-second)`,
  );
}
process.exit(0);
