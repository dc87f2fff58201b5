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
import { boundEndpoint, start } from "./_spawn.ts";

const RUNS = Number(process.argv[2] ?? 3);
const SIZE = Number(process.argv[3] ?? 64);
const LAT_COUNT = 10_000;
const THR_COUNT = 200_000;

async function once(bench: "lat" | "thr", relayed: boolean): Promise<number> {
  const count = bench === "lat" ? LAT_COUNT : THR_COUNT;
  const common = ["--size", String(SIZE), "--count", String(count), "--quiet"];
  const local = start([BIN, "bench", bench, "--bind", "tcp://127.0.0.1:*", ...common]);
  const ep = await boundEndpoint(local, 10_000);
  let target = ep;
  let relay: ReturnType<typeof spawn> | undefined;
  if (relayed) {
    const devnull = openSync("/dev/null", "w");
    relay = spawn(BIN, ["dump", "--listen", "tcp://127.0.0.1:*", "--upstream", ep, "--json"], {
      stdio: ["ignore", devnull, "pipe"],
    });
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

ensureBinary();
const results: Record<string, number[]> = {};
for (let r = 0; r < RUNS; r++) {
  for (const bench of ["lat", "thr"] as const) {
    for (const relayed of [false, true]) {
      const key = `${bench} ${relayed ? "relayed" : "direct"}`;
      (results[key] ??= []).push(await once(bench, relayed));
    }
  }
}
console.log(
  `zmqkit dump relay overhead, ${SIZE} B messages, ${RUNS} interleaved runs (median [all])`,
);
const lat = [median(results["lat direct"]!), median(results["lat relayed"]!)];
const thr = [median(results["thr direct"]!), median(results["thr relayed"]!)];
console.log(
  `  REQ↔REP one-way latency: direct ${lat[0]!.toFixed(1)} µs [${
    results["lat direct"]!.map((x) => x.toFixed(1)).join(", ")
  }], through the relay ${lat[1]!.toFixed(1)} µs [${
    results["lat relayed"]!.map((x) => x.toFixed(1)).join(", ")
  }]: +${(lat[1]! - lat[0]!).toFixed(1)} µs per hop`,
);
console.log(
  `  PUSH→PULL throughput: direct ${Math.round(thr[0]!)} msg/s [${
    results["thr direct"]!.map(Math.round).join(", ")
  }], through the relay ${Math.round(thr[1]!)} msg/s [${
    results["thr relayed"]!.map(Math.round).join(", ")
  }] (${(thr[1]! / thr[0]!).toFixed(2)}×)`,
);
