// SPDX-License-Identifier: MIT
/**
 * What the `zmqkit dump` relay adds: REQ↔REP round-trip latency and PUSH→PULL throughput
 * with the two `zmqkit bench` halves connected directly, and through
 * `zmqkit dump --listen … --upstream … --json > /dev/null` (decoding every message), in
 * interleaved runs. Uses the bun-compiled binary (built if missing).
 *
 *   deno run -A bench/dump_relay_bench.ts [RUNS] [SIZE]
 */
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { BIN, ensureBinary } from "../tests/cli/_cli.ts";
import { start } from "./_spawn.ts";
import * as net from "node:net";
import { fileURLToPath } from "node:url";

const RUNS = Number(process.argv[2] ?? 3);
const SIZE = Number(process.argv[3] ?? 64);
const LAT_COUNT = 10_000;
const THR_COUNT = 200_000;

type Via = "direct" | "raw relay" | "zmqkit dump";
const RAW_RELAY = fileURLToPath(new URL("./peers/raw_relay.mjs", import.meta.url));
const BUN = fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url));

async function once(bench: "lat" | "thr", via: Via): Promise<number> {
  const count = bench === "lat" ? LAT_COUNT : THR_COUNT;
  const common = ["--size", String(SIZE), "--count", String(count), "--quiet"];
  const ep = `tcp://127.0.0.1:${await freePort()}`;
  const local = start([BIN, "bench", bench, "--bind", ep, ...common]);
  await new Promise((r) => setTimeout(r, 300)); // the bound half prints nothing when ready
  let target = ep;
  let relay: ReturnType<typeof spawn> | undefined;
  if (via !== "direct") {
    const devnull = openSync("/dev/null", "w");
    const argv = via === "raw relay"
      ? [BUN, RAW_RELAY, ep.slice(ep.lastIndexOf(":") + 1)]
      : [BIN, "dump", "--listen", "tcp://127.0.0.1:*", "--upstream", ep, "--json"];
    relay = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", devnull, "pipe"] });
    target = await new Promise<string>((resolve, reject) => {
      let err = "";
      relay!.stderr!.setEncoding("utf8");
      relay!.stderr!.on("data", (s: string) => {
        err += s;
        const m = /\((\S+)\) →/.exec(err);
        if (m) resolve(`tcp://${m[1]}`);
      });
      relay!.once("exit", () => reject(new Error(`relay exited: ${err}`)));
    });
  }
  const remote = start([BIN, "bench", bench, "--connect", target, ...common]);
  const [outL, outR] = await Promise.all([local.stdout, remote.stdout]);
  relay?.kill("SIGTERM");
  const text = bench === "lat" ? outR : outL;
  const m = bench === "lat"
    ? /average latency: ([\d.]+) \[us\]/.exec(text)
    : /mean throughput: ([\d.]+) \[msg\/s\]/.exec(text);
  if (!m) throw new Error(`no result in: ${text}`);
  return Number(m[1]);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

ensureBinary();
const VIAS: Via[] = ["direct", "raw relay", "zmqkit dump"];
const results: Record<string, number[]> = {};
for (let r = 0; r < RUNS; r++) {
  for (const bench of ["lat", "thr"] as const) {
    for (const via of VIAS) (results[`${bench} ${via}`] ??= []).push(await once(bench, via));
  }
}
console.log(`Relay overhead, ${SIZE} B messages, ${RUNS} interleaved runs: median [all runs]`);
console.log(
  "(raw relay: node:net piped both ways under Bun, no decoding; zmqkit dump: --json > /dev/null)",
);
const lat0 = median(results["lat direct"]!), thr0 = median(results["thr direct"]!);
for (const via of VIAS) {
  const lat = results[`lat ${via}`]!, thr = results[`thr ${via}`]!;
  const l = median(lat), t = median(thr);
  const extra = via === "direct" ? "" : ` (+${(l - lat0).toFixed(1)} µs a hop)`;
  const ratio = via === "direct" ? "" : ` (${(t / thr0).toFixed(2)}×)`;
  console.log(
    `  ${via.padEnd(12)} REQ↔REP one-way ${l.toFixed(1)} µs${extra} [${
      lat.map((x) => x.toFixed(1)).join(", ")
    }]; ` +
      `PUSH→PULL ${Math.round(t)} msg/s${ratio} [${thr.map(Math.round).join(", ")}]`,
  );
}
